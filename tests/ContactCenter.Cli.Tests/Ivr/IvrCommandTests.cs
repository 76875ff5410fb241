using System.Text.Json;

namespace ContactCenter.Cli.Tests.Ivr;

public class IvrCommandTests
{
    private static readonly string Samples = Path.Combine(RepositoryRoot(), "samples", "flows");

    [Fact]
    public async Task Validate_prints_valid_and_exits_0_for_a_good_flow()
    {
        var result = await CliRunner.RunAsync("ivr", "validate", Path.Combine(Samples, "main-menu.json"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("valid", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Validate_prints_each_error_with_node_id_and_json_path_and_exits_1()
    {
        var file = TempFile("""
            { "id": "bad", "start": "a", "nodes": [
              { "id": "a", "type": "menu", "parameters": { "prompt": "1" }, "transitions": { "1": "ghost", "failed": "z" } },
              { "id": "z", "type": "hours", "parameters": { "timeZone": "Nowhere/Land", "schedule": {} }, "transitions": { "open": "end", "closed": "end" } },
              { "id": "end", "type": "hangup" } ] }
            """);
        var result = await CliRunner.RunAsync("ivr", "validate", file);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("error [missing-node] node 'a' at $.nodes[0].transitions['1']", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("error [invalid-time-zone] node 'z' at $.nodes[1].parameters.timeZone", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("\nvalid", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_of_a_missing_file_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("ivr", "validate", "/nonexistent/flow.json");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("file not found", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_prints_one_json_line_per_step_and_the_outcome_last()
    {
        var result = await CliRunner.RunAsync(
            "ivr", "run", Path.Combine(Samples, "main-menu.json"),
            "--input", "1,#,12345#,5",
            "--at", "2026-11-23T10:00:00+01:00",
            "--http-stub", Path.Combine(Samples, "stubs", "crm.json"),
            "--var", "priority=3");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var steps = lines[..^1];
        Assert.Equal("start", steps[0].GetProperty("node").GetString());
        Assert.All(steps, s =>
        {
            foreach (var field in new[] { "node", "type", "action", "input", "next" })
            {
                Assert.True(s.TryGetProperty(field, out _), $"step line without '{field}': {s}");
            }
        });
        var account = steps.Single(s => s.GetProperty("node").GetString() == "account");
        Assert.Equal("12345#", account.GetProperty("input").GetString());
        Assert.Equal("lookup", account.GetProperty("next").GetString());
        Assert.StartsWith("2026-11-23T10:00", steps[0].GetProperty("time").GetString(), StringComparison.Ordinal);

        var outcome = lines[^1];
        Assert.Equal("transfer", outcome.GetProperty("outcome").GetString());
        Assert.Equal("Sales", outcome.GetProperty("queue").GetString());
        Assert.Equal(5, outcome.GetProperty("survey").GetProperty("survey").GetInt32());
        Assert.Equal("Ada Lovelace", outcome.GetProperty("variables").GetProperty("customerName").GetString());
    }

    [Fact]
    public async Task Run_of_the_after_hours_flow_ends_in_voicemail()
    {
        var result = await CliRunner.RunAsync("ivr", "run", Path.Combine(Samples, "after-hours.json"), "--input", "#");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var outcome = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("voicemail", outcome.GetProperty("outcome").GetString());
        Assert.Equal("after-hours", outcome.GetProperty("mailbox").GetString());
    }

    [Fact]
    public async Task Run_resolves_sub_flows_beside_the_flow_and_reports_a_number_transfer()
    {
        var result = await CliRunner.RunAsync("ivr", "run", Path.Combine(Samples, "support-line.json"), "--input", "1,42#,9,9,9");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\"next\":\"identify:ask\"", result.StandardOutput, StringComparison.Ordinal);
        var outcome = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("transfer", outcome.GetProperty("outcome").GetString());
        Assert.Equal("+15550123", outcome.GetProperty("number").GetString());
    }

    [Fact]
    public async Task Run_of_an_invalid_flow_exits_1_with_the_errors()
    {
        var file = TempFile("""{ "id": "bad", "start": "a", "nodes": [ { "id": "a", "type": "warp" } ] }""");
        var result = await CliRunner.RunAsync("ivr", "run", file, "--input", "1");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("unknown-node-type", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StandardOutput);
    }

    [Theory]
    [InlineData("--var", "novalue")]
    [InlineData("--at", "next tuesday")]
    [InlineData("--input", "1,press-harder")]
    public async Task Run_with_a_bad_option_is_a_usage_error(string option, string value)
    {
        var result = await CliRunner.RunAsync("ivr", "run", Path.Combine(Samples, "main-menu.json"), option, value);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(option, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_that_ends_in_a_flow_error_exits_1()
    {
        var file = TempFile("""{ "id": "e", "start": "q", "nodes": [ { "id": "q", "type": "queue", "parameters": { "queue": "Q" } } ] }""");
        var result = await CliRunner.RunAsync("ivr", "run", file, "--input", "overflow");
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("\"outcome\":\"error\"", result.StandardOutput, StringComparison.Ordinal);
    }

    private static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "cc-ivr-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, content);
        return path;
    }

    internal static string RepositoryRoot() => ContactCenter.Testing.RepositoryPaths.Root;
}

public class IvrRunStubTests
{
    [Fact]
    public async Task Run_with_a_malformed_stub_file_exits_1_naming_the_entry()
    {
        var stub = Path.Combine(Path.GetTempPath(), "cc-stub-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(stub, """[ { "method": "GET" } ]""");
        var flow = Path.Combine(IvrCommandTests.RepositoryRoot(), "samples", "flows", "main-menu.json");
        var result = await CliRunner.RunAsync("ivr", "run", flow, "--http-stub", stub);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("$[0]", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_a_missing_stub_file_is_a_usage_error()
    {
        var flow = Path.Combine(IvrCommandTests.RepositoryRoot(), "samples", "flows", "main-menu.json");
        var result = await CliRunner.RunAsync("ivr", "run", flow, "--http-stub", "/nonexistent/stub.json");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("file not found", result.StandardError, StringComparison.Ordinal);
    }
}
