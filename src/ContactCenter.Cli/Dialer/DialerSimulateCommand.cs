using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ContactCenter.Dialer;
using ContactCenter.Dialer.Simulation;

namespace ContactCenter.Cli.Dialer;

/// <summary>
/// <c>contactcenter dialer simulate</c>: runs the real dialer against a virtual carrier and virtual agents in
/// virtual time and prints one JSON object. Exit 0 on success, 1 when the workload is invalid, 2 on a bad command line.
/// </summary>
internal static class DialerSimulateCommand
{
    public static Command Create()
    {
        var defaults = new SimulationOptions();
        var agents = Option("--agents", "Agents logged in.", defaults.Agents);
        var contacts = Option("--contacts", "Contacts in the list (0: enough not to run dry).", defaults.Contacts);
        var answerRate = Option("--answer-rate", "Probability a dial is answered by a person.", defaults.AnswerRate);
        var machineRate = Option("--machine-rate", "Probability a dial is answered by a machine.", defaults.MachineRate);
        var busyRate = Option("--busy-rate", "Probability a dial is busy (the rest ring until the timeout).", defaults.BusyRate);
        var amdFalsePositive = Option("--amd-false-positive", "Probability detection classifies a person as a machine (counted as abandoned).", defaults.AmdFalsePositiveRate);
        var ringTime = Option("--ring-time", "Mean seconds from dial to answer.", defaults.RingTime);
        var ringTimeout = Option("--ring-timeout", "Seconds the dialer lets a call ring (at least 15 unless shorter on purpose).", defaults.RingTimeout);
        var talk = Option("--talk", "Mean talk seconds (exponential).", defaults.Talk);
        var wrap = Option("--wrap", "Mean wrap-up seconds (exponential).", defaults.Wrap);
        var mode = new Option<string>("--mode")
        {
            Description = "Dialing mode.",
            DefaultValueFactory = _ => "predictive",
        };
        mode.AcceptOnlyFromAmong("preview", "progressive", "predictive");
        var target = Option("--target-abandon", "Abandonment cap (abandoned / live answers).", defaults.TargetAbandon);
        var duration = Option("--duration", "Simulated hours.", defaults.DurationHours);
        var seed = Option("--seed", "Random seed (same seed, same result).", defaults.Seed);
        var window = new Option<string>("--window")
        {
            Description = "Compliance window: campaign (its life, up to 30 days) or 24h (rolling).",
            DefaultValueFactory = _ => "campaign",
        };
        window.AcceptOnlyFromAmong("campaign", "24h");

        var command = new Command("simulate", "Simulate a campaign; print one JSON object of results.");
        foreach (var option in new Option[] { agents, contacts, answerRate, machineRate, busyRate, amdFalsePositive, ringTime, ringTimeout, talk, wrap, mode, target, duration, seed, window })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var options = new SimulationOptions
            {
                Agents = parse.GetValue(agents),
                Contacts = parse.GetValue(contacts),
                AnswerRate = parse.GetValue(answerRate),
                MachineRate = parse.GetValue(machineRate),
                BusyRate = parse.GetValue(busyRate),
                AmdFalsePositiveRate = parse.GetValue(amdFalsePositive),
                RingTime = parse.GetValue(ringTime),
                RingTimeout = parse.GetValue(ringTimeout),
                Talk = parse.GetValue(talk),
                Wrap = parse.GetValue(wrap),
                Mode = Enum.Parse<DialingMode>(parse.GetValue(mode)!, ignoreCase: true),
                TargetAbandon = parse.GetValue(target),
                DurationHours = parse.GetValue(duration),
                Seed = parse.GetValue(seed),
                ComplianceWindow = parse.GetValue(window) == "24h" ? ComplianceWindowKind.Rolling24Hours : ComplianceWindowKind.CampaignLife,
            };

            SimulationResult result;
            try
            {
                result = DialerSimulation.Run(options);
            }
            catch (ArgumentException ex)
            {
                var message = ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
                var colon = message.IndexOf(':', StringComparison.Ordinal);
                Console.Error.WriteLine($"dialer simulate: {OptionName(ex.ParamName)} {message[(colon + 1)..].Trim()}");
                return ExitCodes.Invalid;
            }

            Console.Out.WriteLine(ToJson(options, result));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The one JSON object the command prints.</summary>
    internal static string ToJson(SimulationOptions options, SimulationResult r)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mode", options.Mode.ToString().ToLowerInvariant());
            json.WriteNumber("agents", options.Agents);
            json.WriteNumber("durationHours", options.DurationHours);
            json.WriteNumber("seed", options.Seed);
            json.WriteNumber("dials", r.Dials);
            json.WriteNumber("liveAnswers", r.LiveAnswers);
            json.WriteNumber("machineAnswers", r.MachineAnswers);
            json.WriteNumber("abandoned", r.Abandoned);
            json.WriteNumber("abandonRate", Math.Round(r.AbandonRate, 5));
            json.WriteNumber("maxWindowAbandonRate", Math.Round(r.MaxWindowAbandonRate, 5));
            json.WriteNumber("occupancy", Math.Round(r.Occupancy, 4));
            json.WriteNumber("talkMinutesPerAgentHour", Math.Round(r.TalkMinutesPerAgentHour, 3));
            json.WriteNumber("contactsCompleted", r.ContactsCompleted);
            json.WriteNumber("predictiveShare", Math.Round(r.PredictiveDecisionShare, 3));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static Option<T> Option<T>(string name, string description, T defaultValue) => new(name)
    {
        Description = string.Create(CultureInfo.InvariantCulture, $"{description} Default: {defaultValue}."),
        DefaultValueFactory = _ => defaultValue,
    };

    private static string OptionName(string? property) => property switch
    {
        nameof(SimulationOptions.Agents) => "--agents",
        nameof(SimulationOptions.Contacts) => "--contacts",
        nameof(SimulationOptions.AnswerRate) => "--answer-rate",
        nameof(SimulationOptions.MachineRate) => "--machine-rate",
        nameof(SimulationOptions.BusyRate) => "--busy-rate",
        nameof(SimulationOptions.AmdFalsePositiveRate) => "--amd-false-positive",
        nameof(SimulationOptions.RingTime) => "--ring-time",
        nameof(SimulationOptions.RingTimeout) => "--ring-timeout",
        nameof(SimulationOptions.Talk) => "--talk",
        nameof(SimulationOptions.Wrap) => "--wrap",
        nameof(SimulationOptions.TargetAbandon) => "--target-abandon",
        nameof(SimulationOptions.DurationHours) => "--duration",
        nameof(SimulationOptions.Mode) => "--mode",
        _ => property ?? "option",
    };
}
