using System.Text.Json;

namespace ContactCenter.Cli.Tests.Routing;

public sealed class RoutingSimulateCommandTests : IDisposable
{
    private static readonly string[] Fields =
        ["offered", "answered", "abandoned", "serviceLevel", "asa", "abandonRate", "occupancy", "probabilityOfWait", "decisionsPerSecond"];

    private readonly string _folder = Directory.CreateTempSubdirectory("routing-sim-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(["routing", "simulate", .. args]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Prints_one_json_object_with_every_named_field()
    {
        var json = await RunJsonAsync("--agents", "10", "--arrival-rate", "150", "--aht", "180", "--duration", "20", "--sl-threshold", "20", "--strategy", "longest-idle", "--seed", "4");

        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        foreach (var field in Fields)
        {
            Assert.Equal(JsonValueKind.Number, json.GetProperty(field).ValueKind);
        }

        var offered = json.GetProperty("offered").GetInt64();
        Assert.InRange(offered, 2700, 3300);
        Assert.Equal(0, json.GetProperty("abandoned").GetInt64());
        Assert.InRange(json.GetProperty("answered").GetInt64(), offered - 15, offered);
        Assert.InRange(json.GetProperty("occupancy").GetDouble(), 0.6, 0.9);
        Assert.InRange(json.GetProperty("serviceLevel").GetDouble(), 0, 1);
        Assert.True(json.GetProperty("decisionsPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task The_same_seed_repeats_the_run()
    {
        string[] args = ["--agents", "5", "--arrival-rate", "80", "--aht", "200", "--patience", "60", "--duration", "10", "--seed", "9"];
        var first = await RunJsonAsync(args);
        var second = await RunJsonAsync(args);

        foreach (var field in Fields.Where(f => f != "decisionsPerSecond"))
        {
            Assert.Equal(first.GetProperty(field).GetDouble(), second.GetProperty(field).GetDouble());
        }
    }

    [Fact]
    public async Task Patience_makes_callers_abandon_and_the_abandon_rate_follows()
    {
        var json = await RunJsonAsync("--agents", "4", "--arrival-rate", "120", "--aht", "180", "--patience", "30", "--duration", "10");

        var abandoned = json.GetProperty("abandoned").GetInt64();
        Assert.True(abandoned > 0);
        Assert.Equal((double)abandoned / json.GetProperty("offered").GetInt64(), json.GetProperty("abandonRate").GetDouble(), 5);
    }

    [Fact]
    public async Task Every_strategy_name_runs()
    {
        foreach (var strategy in new[] { "longest-idle", "fewest-calls", "least-talk-time", "round-robin", "top-down", "random", "weighted-random", "ring-all", "best-skill", "preferred-agent" })
        {
            var json = await RunJsonAsync("--agents", "3", "--arrival-rate", "40", "--aht", "120", "--duration", "2", "--strategy", strategy, "--aht-distribution", "lognormal");
            Assert.True(json.GetProperty("answered").GetInt64() > 0, strategy);
        }
    }

    [Theory]
    [InlineData("--strategy", "fastest", "fastest")]
    [InlineData("--agents", "0", "--agents")]
    [InlineData("--aht", "-5", "--aht")]
    [InlineData("--arrival-rate", "lots", "lots")]
    [InlineData("--patience", "0", "--patience")]
    public async Task Bad_options_are_usage_errors_with_exit_code_2(string option, string value, string named)
    {
        var result = await CliRunner.RunAsync("routing", "simulate", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_scenario_file_runs_several_queues()
    {
        var file = Path.Combine(_folder, "two-queues.json");
        await File.WriteAllTextAsync(file, """
            {
              "durationHours": 4,
              "seed": 3,
              "queues": [
                { "name": "sales", "priority": 1, "strategy": "round-robin", "arrivalRatePerHour": 60, "ahtSeconds": 240, "patienceSeconds": 90 },
                { "name": "support", "strategy": "best-skill", "arrivalRatePerHour": 40, "ahtSeconds": 300,
                  "skillRequirements": [ { "skill": "tech", "minimumLevel": 3 } ] }
              ],
              "agentGroups": [
                { "count": 4, "idPrefix": "s", "queues": [ "sales" ] },
                { "count": 4, "idPrefix": "t", "skills": { "tech": 5 }, "queues": [ "sales" ] }
              ]
            }
            """);

        var json = await RunJsonAsync("--scenario", file);

        var queues = json.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal(["sales", "support"], queues.Select(q => q.GetProperty("name").GetString()));
        Assert.All(queues, q => Assert.True(q.GetProperty("answered").GetInt64() > 0));
        Assert.Equal(queues.Sum(q => q.GetProperty("offered").GetInt64()), json.GetProperty("offered").GetInt64());
    }

    [Fact]
    public async Task A_malformed_scenario_is_an_input_error_naming_the_line()
    {
        var file = Path.Combine(_folder, "broken.json");
        await File.WriteAllTextAsync(file, "{\n  \"durationHours\": 4,\n  \"queues\": [ { \"name\": \"q\", }\n  oops\n}");

        var result = await CliRunner.RunAsync("routing", "simulate", "--scenario", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.json", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("line", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_with_bad_values_names_each_field()
    {
        var file = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(file, """
            { "queues": [ { "name": "q", "arrivalRatePerHour": 10, "ahtSeconds": -1, "strategy": "nope" } ],
              "agentGroups": [ { "count": 2, "queues": [ "elsewhere" ] } ] }
            """);

        var result = await CliRunner.RunAsync("routing", "simulate", "--scenario", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("queues[0].ahtSeconds", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("queues[0].strategy 'nope'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("agentGroups[0].queues names 'elsewhere'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_scenario_field_is_reported()
    {
        var file = Path.Combine(_folder, "typo.json");
        await File.WriteAllTextAsync(file, """{ "queues": [], "agentGroup": [] }""");

        var result = await CliRunner.RunAsync("routing", "simulate", "--scenario", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("agentGroup", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_scenario_file_is_an_input_error()
    {
        var result = await CliRunner.RunAsync("routing", "simulate", "--scenario", Path.Combine(_folder, "absent.json"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("absent.json", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Single_queue_options_cannot_be_combined_with_a_scenario()
    {
        var result = await CliRunner.RunAsync("routing", "simulate", "--scenario", "x.json", "--agents", "5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--agents cannot be combined with --scenario", result.StandardError, StringComparison.Ordinal);
    }
}
