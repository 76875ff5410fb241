using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContactCenter.Routing.Simulation;

/// <summary>How handle times are drawn.</summary>
public enum HandleTimeDistribution
{
    /// <summary>Exponential with the given mean (the Erlang C and A assumption).</summary>
    Exponential = 0,

    /// <summary>Lognormal with the given mean and standard deviation.</summary>
    Lognormal = 1,
}

/// <summary>A one-queue simulation: N identical agents, Poisson arrivals, random handle times and optional patience.</summary>
public sealed record SimulationOptions
{
    /// <summary>Agents, all logged in and ready for the whole run.</summary>
    public int Agents { get; init; } = 10;

    /// <summary>Mean arrivals per hour (Poisson).</summary>
    public double ArrivalRatePerHour { get; init; } = 100;

    /// <summary>Mean handle time in seconds.</summary>
    public double AhtSeconds { get; init; } = 180;

    /// <summary>The handle-time distribution.</summary>
    public HandleTimeDistribution HandleTimeDistribution { get; init; } = HandleTimeDistribution.Exponential;

    /// <summary>Standard deviation of lognormal handle times in seconds; the mean when not given.</summary>
    public double? HandleTimeStdDevSeconds { get; init; }

    /// <summary>Mean patience in seconds (exponential); callers never abandon when not given.</summary>
    public double? PatienceSeconds { get; init; }

    /// <summary>Simulated hours.</summary>
    public double DurationHours { get; init; } = 8;

    /// <summary>The service-level threshold in seconds.</summary>
    public double ServiceLevelThresholdSeconds { get; init; } = 20;

    /// <summary>Abandons within this many seconds are short abandons.</summary>
    public double ShortAbandonSeconds { get; init; }

    /// <summary>Wrap-up after each item, in seconds.</summary>
    public double WrapUpSeconds { get; init; }

    /// <summary>The strategy (kebab-case).</summary>
    public string Strategy { get; init; } = RoutingStrategies.LongestIdle;

    /// <summary>The random seed; the same seed gives the same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Returns every problem with the options, each naming the option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Agents is < 1 or > 1_000_000)
        {
            errors.Add($"agents must be 1 to 1000000 (got {Agents})");
        }

        Positive(errors, "arrival-rate", ArrivalRatePerHour);
        Positive(errors, "aht", AhtSeconds);
        Positive(errors, "duration", DurationHours);
        if (PatienceSeconds is { } patience)
        {
            Positive(errors, "patience", patience);
        }

        if (HandleTimeStdDevSeconds is { } sd)
        {
            Positive(errors, "aht-stddev", sd);
        }

        NotNegative(errors, "sl-threshold", ServiceLevelThresholdSeconds);
        NotNegative(errors, "short-abandon", ShortAbandonSeconds);
        NotNegative(errors, "wrap-up", WrapUpSeconds);
        if (RoutingStrategies.Find(Strategy ?? string.Empty) is null)
        {
            errors.Add($"strategy '{Strategy}' is unknown; use one of {string.Join(", ", RoutingStrategies.Names)}");
        }

        return errors;
    }

    internal static void Positive(List<string> errors, string name, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            errors.Add($"{name} must be a positive number (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }

    internal static void NotNegative(List<string> errors, string name, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            errors.Add($"{name} must be zero or more (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }
}

/// <summary>A scenario with several queues and agent groups (the <c>--scenario FILE.json</c> format).</summary>
public sealed record SimulationScenario
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Simulated hours.</summary>
    public double DurationHours { get; init; } = 8;

    /// <summary>The random seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The queues with their traffic.</summary>
    public IReadOnlyList<QueueScenario> Queues { get; init; } = [];

    /// <summary>Groups of identical agents.</summary>
    public IReadOnlyList<ScenarioAgentGroup> AgentGroups { get; init; } = [];

    /// <summary>Reads a scenario from JSON.</summary>
    /// <exception cref="FormatException">The JSON is malformed or has an unknown field; the message names the line and path.</exception>
    public static SimulationScenario Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SimulationScenario>(json, Json)
                ?? throw new FormatException("the scenario is empty (null)");
        }
        catch (JsonException exception)
        {
            throw new FormatException(
                $"invalid scenario JSON at {exception.Path ?? "$"} (line {(exception.LineNumber + 1)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}): {exception.Message}",
                exception);
        }
    }

    /// <summary>Returns every problem with the scenario, each naming the field (e.g. <c>queues[1].ahtSeconds</c>).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        SimulationOptions.Positive(errors, "durationHours", DurationHours);
        if (Queues is null || Queues.Count == 0)
        {
            errors.Add("queues: at least one queue is required");
        }

        if (AgentGroups is null || AgentGroups.Count == 0)
        {
            errors.Add("agentGroups: at least one agent group is required");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (Queues?.Count ?? 0); i++)
        {
            var q = Queues![i];
            var at = $"queues[{i}]";
            if (q is null || string.IsNullOrWhiteSpace(q.Name))
            {
                errors.Add($"{at}.name is required");
                continue;
            }

            if (!names.Add(q.Name))
            {
                errors.Add($"{at}.name '{q.Name}' is used twice");
            }

            SimulationOptions.Positive(errors, $"{at}.arrivalRatePerHour", q.ArrivalRatePerHour);
            SimulationOptions.Positive(errors, $"{at}.ahtSeconds", q.AhtSeconds);
            if (q.PatienceSeconds is { } p)
            {
                SimulationOptions.Positive(errors, $"{at}.patienceSeconds", p);
            }

            SimulationOptions.NotNegative(errors, $"{at}.serviceLevelThresholdSeconds", q.ServiceLevelThresholdSeconds);
            SimulationOptions.NotNegative(errors, $"{at}.shortAbandonSeconds", q.ShortAbandonSeconds);
            SimulationOptions.NotNegative(errors, $"{at}.wrapUpSeconds", q.WrapUpSeconds);
            if (RoutingStrategies.Find(q.Strategy ?? string.Empty) is null)
            {
                errors.Add($"{at}.strategy '{q.Strategy}' is unknown; use one of {string.Join(", ", RoutingStrategies.Names)}");
            }

            foreach (var requirement in q.SkillRequirements ?? [])
            {
                if (string.IsNullOrWhiteSpace(requirement.Skill) || requirement.MinimumLevel is < 1 or > 100)
                {
                    errors.Add($"{at}.skillRequirements: '{requirement.Skill}' at level {requirement.MinimumLevel}; levels are 1 to 100");
                }
            }
        }

        for (var i = 0; i < (AgentGroups?.Count ?? 0); i++)
        {
            var g = AgentGroups![i];
            var at = $"agentGroups[{i}]";
            if (g is null)
            {
                errors.Add($"{at} is null");
                continue;
            }

            if (g.Count is < 1 or > 1_000_000)
            {
                errors.Add($"{at}.count must be 1 to 1000000 (got {g.Count})");
            }

            foreach (var (skill, level) in g.Skills ?? new Dictionary<string, int>())
            {
                if (level is < 1 or > 100)
                {
                    errors.Add($"{at}.skills.{skill} is {level}; levels are 1 to 100");
                }
            }

            foreach (var queue in g.Queues ?? [])
            {
                if (!names.Contains(queue))
                {
                    errors.Add($"{at}.queues names '{queue}', which is not a queue of this scenario");
                }
            }
        }

        return errors;
    }
}

/// <summary>One queue of a scenario.</summary>
public sealed record QueueScenario
{
    /// <summary>The queue name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Queue priority (higher first when agents serve several queues).</summary>
    public int Priority { get; init; }

    /// <summary>The strategy (kebab-case).</summary>
    public string Strategy { get; init; } = RoutingStrategies.LongestIdle;

    /// <summary>Mean arrivals per hour (Poisson).</summary>
    public double ArrivalRatePerHour { get; init; }

    /// <summary>Mean handle time in seconds.</summary>
    public double AhtSeconds { get; init; }

    /// <summary>The handle-time distribution.</summary>
    public HandleTimeDistribution HandleTimeDistribution { get; init; }

    /// <summary>Lognormal standard deviation in seconds.</summary>
    public double? HandleTimeStdDevSeconds { get; init; }

    /// <summary>Mean patience in seconds; no abandons when not given.</summary>
    public double? PatienceSeconds { get; init; }

    /// <summary>The service-level threshold in seconds.</summary>
    public double ServiceLevelThresholdSeconds { get; init; } = 20;

    /// <summary>The short-abandon threshold in seconds.</summary>
    public double ShortAbandonSeconds { get; init; }

    /// <summary>Wrap-up after each item in seconds.</summary>
    public double WrapUpSeconds { get; init; }

    /// <summary>Agents with these skills are members (besides groups that list the queue).</summary>
    public IReadOnlyList<SkillRequirement> SkillRequirements { get; init; } = [];

    /// <summary>Aging interval in seconds (one priority point per interval waited); none when not given.</summary>
    public double? AgingIntervalSeconds { get; init; }
}

/// <summary>A group of identical agents in a scenario.</summary>
public sealed record ScenarioAgentGroup
{
    /// <summary>How many agents.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Agent ids are this prefix plus a number.</summary>
    public string IdPrefix { get; init; } = "agent";

    /// <summary>Skills with levels.</summary>
    public IReadOnlyDictionary<string, int> Skills { get; init; } = new Dictionary<string, int>();

    /// <summary>Queues these agents are explicit members of.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>Member priority in those queues (1 highest to 5).</summary>
    public int MemberPriority { get; init; } = 1;
}

/// <summary>What a simulation measured (all rates over the whole run).</summary>
public sealed record SimulationResult
{
    /// <summary>Items that arrived.</summary>
    public long Offered { get; init; }

    /// <summary>Items assigned to an agent.</summary>
    public long Answered { get; init; }

    /// <summary>Items abandoned (short abandons included).</summary>
    public long Abandoned { get; init; }

    /// <summary>Answered within threshold / (answered + abandoned after the short-abandon threshold).</summary>
    public double ServiceLevel { get; init; }

    /// <summary>Average speed of answer in seconds, over answered items.</summary>
    public double Asa { get; init; }

    /// <summary>Abandoned / offered.</summary>
    public double AbandonRate { get; init; }

    /// <summary>Occupied time over staffed time, all agents.</summary>
    public double Occupancy { get; init; }

    /// <summary>The share of arrivals that could not be offered at once.</summary>
    public double ProbabilityOfWait { get; init; }

    /// <summary>Routing decisions per wall-clock second of the run (engine throughput).</summary>
    public double DecisionsPerSecond { get; init; }

    /// <summary>Routing decisions made.</summary>
    public long Decisions { get; init; }

    /// <summary>Simulated hours.</summary>
    public double SimulatedHours { get; init; }

    /// <summary>Wall-clock seconds the run took.</summary>
    public double WallClockSeconds { get; init; }

    /// <summary>Per-queue figures.</summary>
    public IReadOnlyList<SimulationQueueResult> Queues { get; init; } = [];
}

/// <summary>One queue's figures in a simulation.</summary>
public sealed record SimulationQueueResult(
    string Name, long Offered, long Answered, long Abandoned, double ServiceLevel, double Asa, double AbandonRate, double ProbabilityOfWait);
