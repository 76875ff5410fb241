using System.Globalization;
using System.Net;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting;

/// <summary>Checks <see cref="ContactCenterOptions"/> at start-up; each failure names the configuration key and says what is wrong.</summary>
internal sealed class ContactCenterOptionsValidator : IValidateOptions<ContactCenterOptions>
{
    public ValidateOptionsResult Validate(string? name, ContactCenterOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Check(ContactCenterOptions options)
    {
        var errors = new List<string>();
        void Fail(string key, string problem) => errors.Add($"{ContactCenterOptions.Section}:{key}: {problem}");

        CheckSip(options.Sip, Fail);
        CheckMedia(options.Media, Fail);

        var queues = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Queues.Count; i++)
        {
            var q = options.Queues[i];
            var key = $"Queues:{i}";
            if (string.IsNullOrWhiteSpace(q.Name))
            {
                Fail($"{key}:Name", "a queue needs a name");
            }
            else if (!queues.Add(q.Name))
            {
                Fail($"{key}:Name", $"queue '{q.Name}' is defined twice");
            }

            if (RoutingStrategies.Find(q.Strategy) is null)
            {
                Fail($"{key}:Strategy", $"'{q.Strategy}' is not a routing strategy (one of {string.Join(", ", RoutingStrategies.Names)})");
            }

            foreach (var (skill, level) in q.Skills)
            {
                if (level is < 1 or > 100)
                {
                    Fail($"{key}:Skills:{skill}", $"level {level} is outside 1-100");
                }
            }

            if (q.RingTimeout <= TimeSpan.Zero)
            {
                Fail($"{key}:RingTimeout", "must be positive");
            }

            if (q.WrapUp < TimeSpan.Zero)
            {
                Fail($"{key}:WrapUp", "must not be negative");
            }

            if (q.MaxWait is { } wait && wait <= TimeSpan.Zero)
            {
                Fail($"{key}:MaxWait", "must be positive when set");
            }

            if (q.MaxSize is < 1)
            {
                Fail($"{key}:MaxSize", "must be at least 1 when set");
            }
        }

        var agentIds = new HashSet<string>(StringComparer.Ordinal);
        var extensions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Agents.Count; i++)
        {
            var a = options.Agents[i];
            var key = $"Agents:{i}";
            if (string.IsNullOrWhiteSpace(a.Id))
            {
                Fail($"{key}:Id", "an agent needs an id");
            }
            else if (!agentIds.Add(a.Id))
            {
                Fail($"{key}:Id", $"agent '{a.Id}' is defined twice");
            }

            if (a.Extension is { } extension)
            {
                if (!IsExtension(extension))
                {
                    Fail($"{key}:Extension", $"'{extension}' is not an extension of 4 to 6 digits");
                }
                else if (!extensions.Add(extension))
                {
                    Fail($"{key}:Extension", $"extension {extension} is used by two agents");
                }

                if (options.Sip.AuthenticateExtensions && string.IsNullOrEmpty(a.Password))
                {
                    Fail($"{key}:Password", $"extension {extension} needs a password while Sip:AuthenticateExtensions is on");
                }
            }

            foreach (var (skill, level) in a.Skills)
            {
                if (level is < 1 or > 100)
                {
                    Fail($"{key}:Skills:{skill}", $"level {level} is outside 1-100");
                }
            }

            for (var j = 0; j < a.Queues.Count; j++)
            {
                if (!queues.Contains(a.Queues[j]))
                {
                    Fail($"{key}:Queues:{j}", $"no queue is named '{a.Queues[j]}'");
                }
            }
        }

        var numbers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Numbers.Count; i++)
        {
            var n = options.Numbers[i];
            var key = $"Numbers:{i}";
            var digits = PhoneNumbers.Normalize(n.Number);
            if (digits.Length == 0)
            {
                Fail($"{key}:Number", $"'{n.Number}' has no digits");
            }
            else if (!numbers.Add(digits))
            {
                Fail($"{key}:Number", $"number {n.Number} is bound twice");
            }

            try
            {
                FlowReference.Parse(n.Flow);
            }
            catch (FormatException e)
            {
                Fail($"{key}:Flow", e.Message);
            }

            if (n.MaxConcurrentCalls is < 1)
            {
                Fail($"{key}:MaxConcurrentCalls", "must be at least 1 when set");
            }
        }

        if (options.Flows.Directory is { } directory && !System.IO.Directory.Exists(directory))
        {
            Fail("Flows:Directory", $"folder '{Path.GetFullPath(directory)}' does not exist");
        }

        if (options.Flows.PromptDirectory is { } prompts && !System.IO.Directory.Exists(prompts))
        {
            Fail("Flows:PromptDirectory", $"folder '{Path.GetFullPath(prompts)}' does not exist");
        }

        for (var i = 0; i < options.Flows.HttpRewrites.Count; i++)
        {
            var rewrite = options.Flows.HttpRewrites[i];
            if (!Uri.TryCreate(rewrite.From, UriKind.Absolute, out _))
            {
                Fail($"Flows:HttpRewrites:{i}:From", $"'{rewrite.From}' is not an absolute URL");
            }

            if (!Uri.TryCreate(rewrite.To, UriKind.Absolute, out _))
            {
                Fail($"Flows:HttpRewrites:{i}:To", $"'{rewrite.To}' is not an absolute URL");
            }
        }

        if (options.Hold.MusicFile is { } music && options.PromptPath(music) is var musicPath && !File.Exists(musicPath))
        {
            Fail("Hold:MusicFile", $"file '{Path.GetFullPath(musicPath)}' does not exist");
        }

        if (options.Hold.AnnouncementInterval < TimeSpan.Zero)
        {
            Fail("Hold:AnnouncementInterval", "must not be negative");
        }

        for (var i = 0; i < options.Trunks.Count; i++)
        {
            try
            {
                options.Trunks[i].Validate();
            }
            catch (ArgumentException e)
            {
                Fail($"Trunks:{i}", e.Message);
            }
        }

        if (options.Trunks.Count > 0 || options.TrunkGroups.Count > 0)
        {
            try
            {
                options.TrunkManagerOptions().Validate();
            }
            catch (ArgumentException e)
            {
                Fail("TrunkGroups", e.Message);
            }
        }

        if (options.OutboundTrunk is { } outbound && !options.Trunks.Any(t => t.Name == outbound) && !options.TrunkGroups.Any(g => g.Name == outbound))
        {
            Fail("OutboundTrunk", $"no trunk or trunk group is named '{outbound}'");
        }

        if (options.Dialer.AgentQueue is { } agentQueue && !queues.Contains(agentQueue))
        {
            Fail("Dialer:AgentQueue", $"no queue is named '{agentQueue}'");
        }

        if (options.Dialer.DispositionTimeout < TimeSpan.Zero)
        {
            Fail("Dialer:DispositionTimeout", "must not be negative");
        }

        if (string.IsNullOrWhiteSpace(options.Dialer.DefaultDisposition))
        {
            Fail("Dialer:DefaultDisposition", "a disposition code is needed");
        }

        if (options.Dialer.AnsweringMachineDetection is { } detection)
        {
            const string Key = "Dialer:AnsweringMachineDetection:";
            if (detection.Detector is null)
            {
                Fail(Key + "Detector", "must be set");
            }
            else if (ProblemOf(detection.Detector.Validate) is { } detector)
            {
                Fail(Key + "Detector:" + detector.Key, detector.Problem);
            }
            else if (ProblemOf(detection.Validate) is { } own)
            {
                Fail(Key + own.Key, own.Problem);
            }
        }

        if (options.EmergencyDestination is { } emergency && EmergencyDestinationProblem(options, emergency) is { } emergencyProblem)
        {
            Fail("EmergencyDestination", emergencyProblem);
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            Fail("DrainTimeout", "must not be negative");
        }

        if (options.MaxConcurrentCalls < 1)
        {
            Fail("MaxConcurrentCalls", "must be at least 1");
        }

        if (options.TransferRingTimeout <= TimeSpan.Zero || options.TransferRingTimeout > TimeSpan.FromMinutes(5))
        {
            Fail("TransferRingTimeout", "must be more than zero and at most 5 minutes");
        }

        return errors;
    }

    /// <summary>Why the emergency destination cannot be dialled, or null: a trunk that exists, or a SIP URI with an IP address.</summary>
    private static string? EmergencyDestinationProblem(ContactCenterOptions options, string destination)
    {
        if (destination.StartsWith("trunk:", StringComparison.Ordinal))
        {
            var name = destination["trunk:".Length..];
            return options.Trunks.Any(t => t.Name == name) || options.TrunkGroups.Any(g => g.Name == name)
                ? null
                : $"no trunk or trunk group is named '{name}'";
        }

        try
        {
            var uri = ContactCenter.Sip.SipUri.Parse(destination);
            return System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)
                ? null
                : $"'{destination}' must name its host by IP address (emergency calls do not wait for DNS)";
        }
        catch (FormatException)
        {
            return $"'{destination}' is neither trunk:NAME nor a SIP URI such as sip:911@192.0.2.10:5060";
        }
    }

    /// <summary>The option an options class's own Validate refused (its parameter name) and why, or null.</summary>
    private static (string Key, string Problem)? ProblemOf(Action validate)
    {
        try
        {
            validate();
            return null;
        }
        catch (ArgumentException ex)
        {
            return (ex.ParamName ?? "", ex.Message.Split(" (Parameter", 2)[0].Split(Environment.NewLine, 2)[0]);
        }
    }

    private static void CheckSip(SipHostOptions sip, Action<string, string> fail)
    {
        for (var i = 0; i < sip.Listen.Count; i++)
        {
            if (!TryListen(sip.Listen[i], out var problem))
            {
                fail($"Sip:Listen:{i}", problem!);
            }
        }

        for (var i = 0; i < sip.DigestAlgorithms.Count; i++)
        {
            if (sip.DigestAlgorithms[i] is not ("SHA-256" or "MD5"))
            {
                fail($"Sip:DigestAlgorithms:{i}", $"'{sip.DigestAlgorithms[i]}' is not SHA-256 or MD5");
            }
        }

    }

    private static void CheckMedia(MediaHostOptions media, Action<string, string> fail)
    {
        if (!IPAddress.TryParse(media.Address, out _))
        {
            fail("Media:Address", $"'{media.Address}' is not an IP address");
        }

        if (media.AdvertisedAddress is { } advertised && !IPAddress.TryParse(advertised, out _))
        {
            fail("Media:AdvertisedAddress", $"'{advertised}' is not an IP address");
        }

        if (media.RtpPortMin is < 1024 or > 65534 || media.RtpPortMin % 2 != 0)
        {
            fail("Media:RtpPortMin", $"{media.RtpPortMin.ToString(CultureInfo.InvariantCulture)} is not an even port from 1024 to 65534");
        }

        if (media.RtpPortMax <= media.RtpPortMin || media.RtpPortMax > 65535)
        {
            fail("Media:RtpPortMax", $"{media.RtpPortMax.ToString(CultureInfo.InvariantCulture)} must be above RtpPortMin and at most 65535");
        }

        foreach (var method in media.Dtmf)
        {
            if (method is not ("rfc4733" or "info" or "inband"))
            {
                fail("Media:Dtmf", $"'{method}' is not a DTMF method (rfc4733, info, inband)");
            }
        }

        if (media.ShedAboveSkippedTicksPerSecond < 0)
        {
            fail("Media:ShedAboveSkippedTicksPerSecond", "must be 0 (never refuse calls for the media clock's load) or a tick count per second");
        }

        if (media.ClockNice is < -20 or > 19)
        {
            fail("Media:ClockNice", "must be a nice value from -20 (most favoured) to 19; 0 leaves the clock's threads at the process's");
        }

        if (media.ClockRealtimePriority is < 0 or > 99)
        {
            fail("Media:ClockRealtimePriority", "must be 0 (off) or a real-time priority from 1 to 99");
        }

        if (media.ClockThreads is < 0 or > 256)
        {
            fail("Media:ClockThreads", "must be 0 (the media clock's default: the processor count) or a thread count from 1 to 256");
        }

        if (media.MediaTimeout < TimeSpan.Zero)
        {
            fail("Media:MediaTimeout", "must not be negative");
        }
    }

    internal static bool IsExtension(string text) => text.Length is >= 4 and <= 6 && text.All(char.IsAsciiDigit);

    private static bool TryListen(string text, out string? problem)
    {
        try
        {
            SipListenAddress.Parse(text);
            problem = null;
            return true;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
    }
}

/// <summary>Phone number helpers.</summary>
internal static class PhoneNumbers
{
    /// <summary>The digits of a number, with a leading + kept (visual separators dropped).</summary>
    public static string Normalize(string? number)
    {
        if (string.IsNullOrEmpty(number))
        {
            return "";
        }

        var chars = new List<char>(number.Length);
        foreach (var c in number)
        {
            if (char.IsAsciiDigit(c) || (c == '+' && chars.Count == 0) || c is '*' or '#')
            {
                chars.Add(c);
            }
        }

        var text = new string([.. chars]);
        return text == "+" ? "" : text;
    }
}
