using ContactCenter.Sip;

namespace ContactCenter.Reference.Simulation;

/// <summary>Options of <see cref="SimulatedCallers"/> (section <c>Reference:Callers</c>).</summary>
internal sealed class SimulatedCallersOptions
{
    /// <summary>Start the caller load (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The number called (default <c>sip:+18005550100@127.0.0.1:5060</c>, the main menu).</summary>
    public string Target { get; set; } = "sip:+18005550100@127.0.0.1:5060";

    /// <summary>Where the INVITEs go; empty (default) takes the target's host and port over UDP.</summary>
    public string? Destination { get; set; }

    /// <summary>New calls per minute (default 6); 0 places calls only when asked (<see cref="SimulatedCallers.PlaceCallAsync"/>).</summary>
    public double CallsPerMinute { get; set; } = 6;

    /// <summary>Random (Poisson) arrivals when true (default); evenly spaced when false.</summary>
    public bool PoissonArrivals { get; set; } = true;

    /// <summary>The most calls up at once (default 50); arrivals beyond it are skipped and counted.</summary>
    public int MaxConcurrentCalls { get; set; } = 50;

    /// <summary>The callers' number prefix; seven random digits follow (default <c>+1555</c>).</summary>
    public string CallerIdPrefix { get; set; } = "+1555";

    /// <summary>The local SIP port of the callers (default 0: the system chooses).</summary>
    public int SipPort { get; set; }

    /// <summary>How the callers walk the menu; empty (default) uses <see cref="DefaultScripts"/>.</summary>
    public List<CallerScript> Scripts { get; set; } = [];

    /// <summary>How long a caller waits in the queue for an agent before hanging up (default exponential, mean 90 s, 15-300 s).</summary>
    public SimulatedDuration Patience { get; set; } = SimulatedDuration.Exponential(TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(300));

    /// <summary>How long a caller talks with the agent before hanging up, unless the agent ends first (default uniform 45-90 s).</summary>
    public SimulatedDuration TalkTime { get; set; } = SimulatedDuration.Uniform(TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(90));

    /// <summary>The digit a simulated agent sends on answering (see <see cref="SimulatedAgentsOptions.ConnectedSignal"/>; default <c>A</c>).</summary>
    public string ConnectedSignal { get; set; } = "A";

    /// <summary>The digit a simulated agent sends before hanging up (default <c>B</c>): the survey follows.</summary>
    public string AgentLeftSignal { get; set; } = "B";

    /// <summary>The share of callers who answer the survey (default 0.7).</summary>
    public double SurveyAnswerRate { get; set; } = 0.7;

    /// <summary>How long after the agent left the caller presses the score (default 1.5 s, while the question plays).</summary>
    public TimeSpan SurveyDelay { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>The lowest survey score given (default 3).</summary>
    public int SurveyScoreMin { get; set; } = 3;

    /// <summary>The highest survey score given (default 5).</summary>
    public int SurveyScoreMax { get; set; } = 5;

    /// <summary>How long a caller waits for the contact center to hang up after the survey before hanging up (default 15 s).</summary>
    public TimeSpan EndGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The seed of the callers' random choices; null for a different run each time.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// The scripts used when none is configured: support (press 2, twice as often), sales with an account number
    /// (1, #, 12345#) and sales without one (1, 0). The main menu takes a digit at once, even during the greeting.
    /// </summary>
    public static IReadOnlyList<CallerScript> DefaultScripts { get; } =
    [
        new() { Name = "support", Weight = 2, Steps = [new() { After = TimeSpan.FromSeconds(2), Digits = "2" }] },
        new()
        {
            Name = "sales-account",
            Weight = 1,
            Steps =
            [
                new() { After = TimeSpan.FromSeconds(2), Digits = "1" },
                new() { After = TimeSpan.FromSeconds(3), Digits = "#" },
                new() { After = TimeSpan.FromSeconds(3), Digits = "12345#" },
            ],
        },
        new()
        {
            Name = "sales",
            Weight = 1,
            Steps =
            [
                new() { After = TimeSpan.FromSeconds(2), Digits = "1" },
                new() { After = TimeSpan.FromSeconds(3), Digits = "0" },
            ],
        },
    ];

    /// <summary>The scripts in use: <see cref="Scripts"/>, or <see cref="DefaultScripts"/> when none is configured.</summary>
    public IReadOnlyList<CallerScript> EffectiveScripts => Scripts.Count > 0 ? Scripts : DefaultScripts;

    internal void Validate(string section)
    {
        if (!AbsoluteUri.TryParse(Target, out var uri) || uri is not SipUri)
        {
            throw new ArgumentException($"{section}:Target '{Target}' is not a SIP URI like sip:+18005550100@127.0.0.1:5060.");
        }

        if (!string.IsNullOrWhiteSpace(Destination))
        {
            SimulationAddresses.Parse(Destination, section + ":Destination");
        }

        if (double.IsNaN(CallsPerMinute) || CallsPerMinute < 0 || CallsPerMinute > 60_000)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:CallsPerMinute {CallsPerMinute} must be from 0 to 60000."));
        }

        if (MaxConcurrentCalls is < 1 or > 10_000)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:MaxConcurrentCalls {MaxConcurrentCalls} must be from 1 to 10000."));
        }

        if (string.IsNullOrEmpty(CallerIdPrefix) || CallerIdPrefix.TrimStart('+').Any(c => !char.IsAsciiDigit(c)) || CallerIdPrefix.Length > 8)
        {
            throw new ArgumentException($"{section}:CallerIdPrefix '{CallerIdPrefix}' must be up to 8 characters: digits with an optional leading +.");
        }

        if (SipPort is < 0 or > 65535)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:SipPort {SipPort} must be from 0 to 65535."));
        }

        for (var i = 0; i < Scripts.Count; i++)
        {
            Scripts[i].Validate($"{section}:Scripts:{i}");
        }

        if (Scripts.Count > 0 && Scripts.All(s => s.Weight <= 0))
        {
            throw new ArgumentException($"{section}:Scripts: at least one script needs a positive Weight.");
        }

        Patience.Validate(section + ":Patience");
        TalkTime.Validate(section + ":TalkTime");
        SimulationSignals.Validate(ConnectedSignal, section + ":ConnectedSignal");
        SimulationSignals.Validate(AgentLeftSignal, section + ":AgentLeftSignal");
        if (SurveyAnswerRate is < 0 or > 1 || double.IsNaN(SurveyAnswerRate))
        {
            throw new ArgumentException($"{section}:SurveyAnswerRate must be from 0 to 1.");
        }

        if (SurveyScoreMin is < 0 or > 9 || SurveyScoreMax is < 0 or > 9 || SurveyScoreMax < SurveyScoreMin)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:SurveyScoreMin/SurveyScoreMax {SurveyScoreMin}-{SurveyScoreMax} must be digits 0-9, the minimum first."));
        }

        if (SurveyDelay < TimeSpan.Zero || EndGrace < TimeSpan.Zero)
        {
            throw new ArgumentException($"{section}:SurveyDelay and {section}:EndGrace must not be negative.");
        }
    }
}

/// <summary>One way of walking the IVR: digits pressed at given times after the call is answered.</summary>
internal sealed class CallerScript
{
    /// <summary>A name for logs and results (e.g. <c>support</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>How often this script is chosen relative to the others (default 1).</summary>
    public double Weight { get; set; } = 1;

    /// <summary>The digits to press, in order.</summary>
    public List<CallerStep> Steps { get; set; } = [];

    internal void Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException($"{key}:Name must not be empty.");
        }

        if (double.IsNaN(Weight) || Weight < 0)
        {
            throw new ArgumentException($"{key}:Weight must not be negative.");
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            if (Steps[i].After < TimeSpan.Zero)
            {
                throw new ArgumentException($"{key}:Steps:{i}:After must not be negative.");
            }

            SimulationSignals.ValidateDigits(Steps[i].Digits, $"{key}:Steps:{i}:Digits");
        }
    }
}

/// <summary>Digits pressed <see cref="After"/> the previous step (the first: after the answer).</summary>
internal sealed class CallerStep
{
    /// <summary>The wait before pressing.</summary>
    public TimeSpan After { get; set; }

    /// <summary>The digits (0-9, *, #, A-D), sent as RFC 4733 events.</summary>
    public string Digits { get; set; } = "";
}
