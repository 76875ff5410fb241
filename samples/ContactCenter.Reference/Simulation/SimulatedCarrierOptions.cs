namespace ContactCenter.Reference.Simulation;

/// <summary>
/// Options of <see cref="SimulatedCarrier"/>, the carrier the predictive campaign dials through (section
/// <c>Reference:Campaign</c>; <c>Reference:Campaign:Enabled</c> turns the campaign and its carrier on).
/// </summary>
internal sealed class SimulatedCarrierOptions
{
    /// <summary>Run the predictive campaign against the simulated carrier (default false).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the carrier listens (default <c>udp:127.0.0.1:5070</c>); the contact center's outbound trunk points here.</summary>
    public string Listen { get; set; } = "udp:127.0.0.1:5070";

    /// <summary>The weight of calls a person answers (default 0.6).</summary>
    public double Human { get; set; } = 0.6;

    /// <summary>The weight of calls an answering machine answers, with a long greeting (default 0.15).</summary>
    public double Machine { get; set; } = 0.15;

    /// <summary>The weight of calls answered 486 Busy Here (default 0.1).</summary>
    public double Busy { get; set; } = 0.1;

    /// <summary>The weight of calls that ring until the dialer gives up (default 0.15).</summary>
    public double NoAnswer { get; set; } = 0.15;

    /// <summary>How long a call rings before a person or machine answers (default uniform 2-6 s).</summary>
    public SimulatedDuration RingTime { get; set; } = SimulatedDuration.Uniform(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));

    /// <summary>How long a busy line takes to say so (default 500 ms).</summary>
    public TimeSpan BusyDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an unanswered call rings before the carrier gives up with 480 (default 60 s).</summary>
    public TimeSpan NoAnswerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a person stays on the line (default uniform 10-25 s), then hangs up.</summary>
    public SimulatedDuration TalkTime { get; set; } = SimulatedDuration.Uniform(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25));

    /// <summary>How long a machine records after its greeting before hanging up (default 10 s).</summary>
    public TimeSpan MachineRecordTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What a person says on answering.</summary>
    public string HumanGreeting { get; set; } = "Hello?";

    /// <summary>What an answering machine says.</summary>
    public string MachineGreeting { get; set; } =
        "Hi, you have reached the Smith family. We cannot come to the phone right now. Please leave your name, your number and a short message after the tone, and we will call you back as soon as we can.";

    /// <summary>The seed of the carrier's random choices; null for a different run each time.</summary>
    public int? Seed { get; set; }

    internal void Validate(string section)
    {
        SimulationAddresses.Parse(Listen, section + ":Listen", listen: true);
        foreach (var (name, weight) in new[] { ("Human", Human), ("Machine", Machine), ("Busy", Busy), ("NoAnswer", NoAnswer) })
        {
            if (double.IsNaN(weight) || weight < 0)
            {
                throw new ArgumentException($"{section}:{name} must not be negative.");
            }
        }

        if (Human + Machine + Busy + NoAnswer <= 0)
        {
            throw new ArgumentException($"{section}: at least one of Human, Machine, Busy and NoAnswer must be positive.");
        }

        RingTime.Validate(section + ":RingTime");
        TalkTime.Validate(section + ":TalkTime");
        if (BusyDelay < TimeSpan.Zero || MachineRecordTime < TimeSpan.Zero || NoAnswerTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{section}:BusyDelay and MachineRecordTime must not be negative and NoAnswerTimeout must be positive.");
        }
    }
}
