using System.Globalization;
using System.Net;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Reference.Simulation;

/// <summary>
/// The simulated world around the reference contact center, bound from the configuration section <c>Reference</c>:
/// agents' phones, a caller load, a carrier for the outbound campaign and the console summary. Every piece talks to
/// the contact center only over SIP and RTP on loopback.
/// </summary>
internal sealed class ReferenceSimulationOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Reference";

    /// <summary>Media shared by every simulated party (section <c>Reference:Media</c>).</summary>
    public SimulationMediaOptions Media { get; set; } = new();

    /// <summary>The agents' phones (section <c>Reference:Agents</c>).</summary>
    public SimulatedAgentsOptions Agents { get; set; } = new();

    /// <summary>The caller load (section <c>Reference:Callers</c>).</summary>
    public SimulatedCallersOptions Callers { get; set; } = new();

    /// <summary>The carrier that answers the predictive campaign's calls (section <c>Reference:Campaign</c>).</summary>
    public SimulatedCarrierOptions Campaign { get; set; } = new();

    /// <summary>The live console summary (section <c>Reference:Summary</c>).</summary>
    public ConsoleSummaryOptions Summary { get; set; } = new();

    /// <summary>Checks every section; the message names the first bad key.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        Media.Validate(SectionName + ":Media");
        Agents.Validate(SectionName + ":Agents");
        Callers.Validate(SectionName + ":Callers");
        Campaign.Validate(SectionName + ":Campaign");
        Summary.Validate(SectionName + ":Summary");
    }
}

/// <summary>Media shared by the simulated parties: one pacing clock, one RTP port range, the spoken prompts.</summary>
internal sealed class SimulationMediaOptions
{
    /// <summary>The local address for SIP and RTP (default 127.0.0.1).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The lowest RTP port of the simulation (default 40000); keep it apart from the contact center's range.</summary>
    public int RtpPortMin { get; set; } = 40000;

    /// <summary>The highest RTP port of the simulation (default 44999).</summary>
    public int RtpPortMax { get; set; } = 44999;

    /// <summary>Speak prompts with espeak-ng (default true); false, or espeak-ng missing, plays tone sequences instead.</summary>
    public bool Speech { get; set; } = true;

    /// <summary>The espeak-ng voice (default <c>en-us</c>).</summary>
    public string Voice { get; set; } = "en-us";

    /// <summary>The parsed <see cref="Address"/>.</summary>
    public IPAddress IPAddress => IPAddress.Parse(Address);

    internal void Validate(string section)
    {
        if (!IPAddress.TryParse(Address, out _))
        {
            throw new ArgumentException($"{section}:Address '{Address}' is not an IP address.");
        }

        if (RtpPortMin is < 1024 or > 65534 || RtpPortMax < RtpPortMin + 1 || RtpPortMax > 65535)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:RtpPortMin/RtpPortMax {RtpPortMin}-{RtpPortMax} must lie within 1024-65535 and hold at least one port pair."));
        }

        if (string.IsNullOrWhiteSpace(Voice))
        {
            throw new ArgumentException($"{section}:Voice must name an espeak-ng voice.");
        }
    }
}

/// <summary>How a simulated duration is drawn.</summary>
internal enum DurationDistribution
{
    /// <summary>Always <see cref="SimulatedDuration.Mean"/>.</summary>
    Fixed,

    /// <summary>Uniform between <see cref="SimulatedDuration.Min"/> and <see cref="SimulatedDuration.Max"/>.</summary>
    Uniform,

    /// <summary>Exponential with <see cref="SimulatedDuration.Mean"/>, kept between <see cref="SimulatedDuration.Min"/> and <see cref="SimulatedDuration.Max"/>.</summary>
    Exponential,
}

/// <summary>A configurable random duration (answer delay, talk time, patience...).</summary>
internal sealed class SimulatedDuration
{
    /// <summary>How the duration is drawn (default <see cref="DurationDistribution.Uniform"/>).</summary>
    public DurationDistribution Distribution { get; set; } = DurationDistribution.Uniform;

    /// <summary>The mean (Fixed, Exponential).</summary>
    public TimeSpan Mean { get; set; }

    /// <summary>The shortest duration drawn.</summary>
    public TimeSpan Min { get; set; }

    /// <summary>The longest duration drawn.</summary>
    public TimeSpan Max { get; set; }

    /// <summary>A fixed duration.</summary>
    public static SimulatedDuration Fixed(TimeSpan value) => new() { Distribution = DurationDistribution.Fixed, Mean = value, Min = value, Max = value };

    /// <summary>A duration uniform between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static SimulatedDuration Uniform(TimeSpan min, TimeSpan max) => new() { Distribution = DurationDistribution.Uniform, Mean = (min + max) / 2, Min = min, Max = max };

    /// <summary>An exponential duration with <paramref name="mean"/>, kept within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static SimulatedDuration Exponential(TimeSpan mean, TimeSpan min, TimeSpan max) => new() { Distribution = DurationDistribution.Exponential, Mean = mean, Min = min, Max = max };

    /// <summary>Draws one duration.</summary>
    public TimeSpan Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Distribution switch
        {
            DurationDistribution.Fixed => Mean,
            DurationDistribution.Uniform => Min + (Max - Min) * random.NextDouble(),
            _ => Clamp(TimeSpan.FromTicks((long)(-Math.Log(1 - random.NextDouble()) * Mean.Ticks))),
        };
    }

    internal void Validate(string key)
    {
        if (Min < TimeSpan.Zero || Mean < TimeSpan.Zero || Max < TimeSpan.Zero)
        {
            throw new ArgumentException($"{key}: durations must not be negative.");
        }

        if (Distribution != DurationDistribution.Fixed && Max < Min)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{key}:Max ({Max}) must be at least {key}:Min ({Min})."));
        }

        if (Distribution == DurationDistribution.Exponential && Mean <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key}:Mean must be positive for an exponential duration.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Distribution switch
    {
        DurationDistribution.Fixed => Format(Mean),
        DurationDistribution.Uniform => $"{Format(Min)}-{Format(Max)}",
        _ => $"~{Format(Mean)} ({Format(Min)}-{Format(Max)})",
    };

    private TimeSpan Clamp(TimeSpan value) => value < Min ? Min : value > Max ? Max : value;

    private static string Format(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}

/// <summary>Parses the <c>udp:127.0.0.1:5060</c> addresses used in the options.</summary>
internal static class SimulationAddresses
{
    /// <summary>Parses <paramref name="text"/> (<c>udp:HOST:PORT</c>, or <c>HOST:PORT</c> for UDP) or throws naming <paramref name="key"/>.</summary>
    /// <param name="text">The address.</param>
    /// <param name="key">The configuration key, for the error.</param>
    /// <param name="listen">True for a local address to bind, where port 0 (the system chooses) is allowed.</param>
    public static SipDestination Parse(string? text, string key, bool listen = false)
    {
        var value = text?.Trim() ?? "";
        if (!value.StartsWith("udp:", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase)
            && !value.StartsWith("tls:", StringComparison.OrdinalIgnoreCase))
        {
            value = "udp:" + value;
        }

        try
        {
            var address = SipListenAddress.Parse(value);
            if (address.EndPoint.Port == 0 && !listen)
            {
                throw new FormatException("port 0");
            }

            return new SipDestination(address.Protocol, address.EndPoint);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{key} '{text}' is not an address like udp:127.0.0.1:5060 ({e.Message}).", e);
        }
    }
}
