using System.Globalization;

namespace ContactCenter.Reference.Simulation;

/// <summary>Options of <see cref="SimulatedAgents"/> (section <c>Reference:Agents</c>).</summary>
internal sealed class SimulatedAgentsOptions
{
    /// <summary>Start the simulated agents (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many agents (default 10).</summary>
    public int Count { get; set; } = 10;

    /// <summary>The first extension; the others follow (default 1001, so 1001..1010). 4 to 6 digits.</summary>
    public int FirstExtension { get; set; } = 1001;

    /// <summary>The password of each extension, <c>{0}</c> standing for the extension (default <c>secret{0}</c>: secret1001, as in the reference appsettings.json).</summary>
    public string PasswordFormat { get; set; } = "secret{0}";

    /// <summary>Where the phones register (default <c>udp:127.0.0.1:5060</c>, the contact center).</summary>
    public string Registrar { get; set; } = "udp:127.0.0.1:5060";

    /// <summary>The SIP domain of the extensions' addresses of record (default 127.0.0.1).</summary>
    public string Domain { get; set; } = "127.0.0.1";

    /// <summary>The SIP port of the first phone; the others follow. 0 (default) lets the system choose free ports.</summary>
    public int FirstSipPort { get; set; }

    /// <summary>The registration interval asked for (default 300 s; refreshed at 80 %).</summary>
    public TimeSpan RegistrationExpires { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How long a phone rings before the agent answers (default uniform 1-2 s).</summary>
    public SimulatedDuration AnswerDelay { get; set; } = SimulatedDuration.Uniform(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>How long the agent stays on the line after answering (default uniform 10-30 s), then hangs up.</summary>
    public SimulatedDuration TalkTime { get; set; } = SimulatedDuration.Uniform(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    /// <summary>What the agent says on answering.</summary>
    public string Greeting { get; set; } = "Thank you for calling Contoso. How can I help you today?";

    /// <summary>
    /// The RFC 4733 digit the agent sends right after answering so a simulated caller knows it reached a person
    /// (default <c>A</c>); empty sends none.
    /// </summary>
    public string ConnectedSignal { get; set; } = "A";

    /// <summary>The RFC 4733 digit the agent sends just before hanging up (default <c>B</c>); empty sends none.</summary>
    public string HangUpSignal { get; set; } = "B";

    /// <summary>How long after <see cref="HangUpSignal"/> the BYE goes out (default 400 ms, so the digit is relayed first).</summary>
    public TimeSpan HangUpSignalLead { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>The seed of the agents' random choices; null for a different run each time.</summary>
    public int? Seed { get; set; }

    /// <summary>The extension of agent <paramref name="index"/> (0-based).</summary>
    public string ExtensionAt(int index) => (FirstExtension + index).ToString(CultureInfo.InvariantCulture);

    /// <summary>The password of <paramref name="extension"/>.</summary>
    public string PasswordOf(string extension) => string.Format(CultureInfo.InvariantCulture, PasswordFormat, extension);

    internal void Validate(string section)
    {
        if (Count is < 1 or > 1000)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:Count {Count} must be from 1 to 1000."));
        }

        var last = FirstExtension + Count - 1;
        if (FirstExtension < 1000 || last > 999_999)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:FirstExtension {FirstExtension} with Count {Count} must give extensions of 4 to 6 digits (1000-999999)."));
        }

        if (string.IsNullOrEmpty(PasswordFormat))
        {
            throw new ArgumentException($"{section}:PasswordFormat must not be empty.");
        }

        try
        {
            _ = PasswordOf("1000");
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{section}:PasswordFormat '{PasswordFormat}' is not a format with {{0}} for the extension: {e.Message}", e);
        }

        SimulationAddresses.Parse(Registrar, section + ":Registrar");
        if (string.IsNullOrWhiteSpace(Domain))
        {
            throw new ArgumentException($"{section}:Domain must not be empty.");
        }

        if (FirstSipPort < 0 || (FirstSipPort > 0 && (FirstSipPort < 1024 || FirstSipPort + Count - 1 > 65535)))
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:FirstSipPort {FirstSipPort} must be 0 (system-chosen ports) or leave room for {Count} ports within 1024-65535."));
        }

        if (RegistrationExpires < TimeSpan.FromSeconds(60))
        {
            throw new ArgumentException($"{section}:RegistrationExpires must be at least 60 s.");
        }

        AnswerDelay.Validate(section + ":AnswerDelay");
        TalkTime.Validate(section + ":TalkTime");
        SimulationSignals.Validate(ConnectedSignal, section + ":ConnectedSignal");
        SimulationSignals.Validate(HangUpSignal, section + ":HangUpSignal");
        if (HangUpSignalLead < TimeSpan.Zero || HangUpSignalLead > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException($"{section}:HangUpSignalLead must be from 0 to 5 s.");
        }
    }
}

/// <summary>The RFC 4733 digits simulated agents and callers use to tell each other where a call stands.</summary>
internal static class SimulationSignals
{
    /// <summary>Checks that <paramref name="digit"/> is empty or one DTMF digit (0-9, *, #, A-D).</summary>
    public static void Validate(string? digit, string key)
    {
        if (!string.IsNullOrEmpty(digit) && (digit.Length != 1 || !IsDtmf(digit[0])))
        {
            throw new ArgumentException($"{key} '{digit}' must be empty or one DTMF digit (0-9, *, #, A-D).");
        }
    }

    /// <summary>Checks that every character of <paramref name="digits"/> is a DTMF digit.</summary>
    public static void ValidateDigits(string? digits, string key)
    {
        if (string.IsNullOrEmpty(digits) || !digits.All(IsDtmf))
        {
            throw new ArgumentException($"{key} '{digits}' must be one or more DTMF digits (0-9, *, #, A-D).");
        }
    }

    private static bool IsDtmf(char c) => char.IsAsciiDigit(c) || c is '*' or '#' or 'A' or 'B' or 'C' or 'D';
}
