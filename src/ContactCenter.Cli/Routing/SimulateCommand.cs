using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using ContactCenter.Routing;
using ContactCenter.Routing.Simulation;

namespace ContactCenter.Cli.Routing;

/// <summary>
/// <c>contactcenter routing simulate</c>: the real routing engine in virtual time, one queue from options or
/// several from <c>--scenario FILE.json</c>; prints one JSON object.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var agents = new Option<int>("--agents") { Description = "Agents, all logged in and ready.", DefaultValueFactory = _ => 10, HelpName = "N" };
        var arrivalRate = new Option<double>("--arrival-rate") { Description = "Mean arrivals per hour (Poisson).", DefaultValueFactory = _ => 100, HelpName = "PER_HOUR" };
        var aht = new Option<double>("--aht") { Description = "Mean handle time in seconds.", DefaultValueFactory = _ => 180, HelpName = "SECONDS" };
        var distribution = new Option<string>("--aht-distribution") { Description = "Handle-time distribution: exponential or lognormal.", DefaultValueFactory = _ => "exponential" };
        distribution.AcceptOnlyFromAmong("exponential", "lognormal");
        var ahtStdDev = new Option<double?>("--aht-stddev") { Description = "Lognormal standard deviation in seconds (default: the mean).", HelpName = "SECONDS" };
        var patience = new Option<double?>("--patience") { Description = "Mean caller patience in seconds (exponential); nobody abandons when omitted.", HelpName = "SECONDS" };
        var duration = new Option<double>("--duration") { Description = "Simulated hours.", DefaultValueFactory = _ => 8, HelpName = "HOURS" };
        var slThreshold = new Option<double>("--sl-threshold") { Description = "Service-level threshold in seconds.", DefaultValueFactory = _ => 20, HelpName = "SECONDS" };
        var shortAbandon = new Option<double>("--short-abandon") { Description = "Abandons within this many seconds are short abandons.", DefaultValueFactory = _ => 0, HelpName = "SECONDS" };
        var wrapUp = new Option<double>("--wrap-up") { Description = "Wrap-up after each item in seconds.", DefaultValueFactory = _ => 0, HelpName = "SECONDS" };
        var strategy = new Option<string>("--strategy") { Description = "Routing strategy.", DefaultValueFactory = _ => RoutingStrategies.LongestIdle, HelpName = "NAME" };
        strategy.AcceptOnlyFromAmong([.. RoutingStrategies.Names]);
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed repeats the run.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var scenario = new Option<FileInfo?>("--scenario") { Description = "A JSON scenario with several queues and agent groups (see the Routing README).", HelpName = "FILE.json" };

        var command = new Command("simulate", "Simulate arrivals, agents and a strategy with the real engine in virtual time; print one JSON object of results.");
        Option[] singleQueueOnly = [agents, arrivalRate, aht, distribution, ahtStdDev, patience, slThreshold, shortAbandon, wrapUp, strategy];
        foreach (var option in singleQueueOnly)
        {
            command.Options.Add(option);
        }

        command.Options.Add(duration);
        command.Options.Add(seed);
        command.Options.Add(scenario);

        command.Validators.Add(result =>
        {
            if (result.GetResult(scenario) is not { Implicit: false })
            {
                return;
            }

            foreach (var option in singleQueueOnly)
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError($"{option.Name} cannot be combined with --scenario (the scenario file describes queues and agents)");
                }
            }
        });

        command.SetAction(parse =>
        {
            SimulationResult outcome;
            if (parse.GetValue(scenario) is { } file)
            {
                if (!LoadScenario(file, out var loaded))
                {
                    return ExitCodes.Invalid;
                }

                if (parse.GetResult(duration) is { Implicit: false })
                {
                    if (parse.GetValue(duration) is not (> 0 and < double.PositiveInfinity))
                    {
                        Console.Error.WriteLine("--duration must be a positive number of hours");
                        return ExitCodes.Usage;
                    }

                    loaded = loaded with { DurationHours = parse.GetValue(duration) };
                }

                if (parse.GetResult(seed) is { Implicit: false })
                {
                    loaded = loaded with { Seed = parse.GetValue(seed) };
                }

                var errors = loaded.Validate();
                if (errors.Count > 0)
                {
                    foreach (var error in errors)
                    {
                        Console.Error.WriteLine($"{file.Name}: {error}");
                    }

                    return ExitCodes.Invalid;
                }

                try
                {
                    outcome = RoutingSimulator.Run(loaded);
                }
                catch (ArgumentException exception)
                {
                    Console.Error.WriteLine($"{file.Name}: {exception.Message}");
                    return ExitCodes.Invalid;
                }
            }
            else
            {
                var options = Build(parse.GetValue(agents), parse.GetValue(arrivalRate), parse.GetValue(aht), parse.GetValue(distribution),
                    parse.GetValue(ahtStdDev), parse.GetValue(patience), parse.GetValue(duration), parse.GetValue(slThreshold),
                    parse.GetValue(shortAbandon), parse.GetValue(wrapUp), parse.GetValue(strategy), parse.GetValue(seed));
                var errors = options.Validate();
                if (errors.Count > 0)
                {
                    foreach (var error in errors)
                    {
                        Console.Error.WriteLine("--" + error);
                    }

                    Console.Error.WriteLine("Run 'contactcenter routing simulate --help' for usage.");
                    return ExitCodes.Usage;
                }

                outcome = RoutingSimulator.Run(options);
            }

            using (var stdout = Console.OpenStandardOutput())
            {
                SimulationJson.Write(outcome, stdout);
            }

            Console.Out.WriteLine();
            return ExitCodes.Success;
        });
        return command;
    }

    private static SimulationOptions Build(int agents, double arrivalRate, double aht, string? distribution, double? ahtStdDev, double? patience,
        double duration, double slThreshold, double shortAbandon, double wrapUp, string? strategy, int seed) => new()
        {
            Agents = agents,
            ArrivalRatePerHour = arrivalRate,
            AhtSeconds = aht,
            HandleTimeDistribution = distribution == "lognormal" ? HandleTimeDistribution.Lognormal : HandleTimeDistribution.Exponential,
            HandleTimeStdDevSeconds = ahtStdDev,
            PatienceSeconds = patience,
            DurationHours = duration,
            ServiceLevelThresholdSeconds = slThreshold,
            ShortAbandonSeconds = shortAbandon,
            WrapUpSeconds = wrapUp,
            Strategy = strategy ?? RoutingStrategies.LongestIdle,
            Seed = seed,
        };

    private static bool LoadScenario(FileInfo file, out SimulationScenario scenario)
    {
        scenario = null!;
        string json;
        try
        {
            json = File.ReadAllText(file.FullName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cannot read scenario file '{file.FullName}': {exception.Message}");
            return false;
        }

        try
        {
            scenario = SimulationScenario.Parse(json);
            return true;
        }
        catch (FormatException exception)
        {
            Console.Error.WriteLine($"{file.Name}: {exception.Message}");
            return false;
        }
    }
}

/// <summary>Writes a simulation result as the command's single JSON object.</summary>
internal static class SimulationJson
{
    public static void Write(SimulationResult result, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        WriteCounts(json, result.Offered, result.Answered, result.Abandoned, result.ServiceLevel, result.Asa, result.AbandonRate);
        json.WriteNumber("occupancy", Math.Round(result.Occupancy, 6));
        json.WriteNumber("probabilityOfWait", Math.Round(result.ProbabilityOfWait, 6));
        json.WriteNumber("decisionsPerSecond", Math.Round(result.DecisionsPerSecond));
        json.WriteNumber("decisions", result.Decisions);
        json.WriteNumber("simulatedHours", result.SimulatedHours);
        json.WriteNumber("wallClockSeconds", Math.Round(result.WallClockSeconds, 3));
        json.WriteStartArray("queues");
        foreach (var queue in result.Queues)
        {
            json.WriteStartObject();
            json.WriteString("name", queue.Name);
            WriteCounts(json, queue.Offered, queue.Answered, queue.Abandoned, queue.ServiceLevel, queue.Asa, queue.AbandonRate);
            json.WriteNumber("probabilityOfWait", Math.Round(queue.ProbabilityOfWait, 6));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, long offered, long answered, long abandoned, double serviceLevel, double asa, double abandonRate)
    {
        json.WriteNumber("offered", offered);
        json.WriteNumber("answered", answered);
        json.WriteNumber("abandoned", abandoned);
        json.WriteNumber("serviceLevel", Math.Round(serviceLevel, 6));
        json.WriteNumber("asa", Math.Round(asa, 3));
        json.WriteNumber("abandonRate", Math.Round(abandonRate, 6));
    }
}
