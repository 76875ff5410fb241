using System.Text.Json;

namespace ContactCenter.Cli.Tests.Ivr;

public sealed class IvrCommandTests : IDisposable
{
    private static readonly string Samples = Path.Combine(RepositoryRoot(), "samples", "flows");

    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

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

    [Fact]
    public async Task Validate_reports_a_missing_sub_flow_with_node_id_and_json_path()
    {
        var folder = TempFolder();
        var flow = Path.Combine(folder, "main.json");
        File.WriteAllText(flow, CallerFlow("""{ "flow": "ghost" }"""));
        var result = await CliRunner.RunAsync("ivr", "validate", flow);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("error [missing-subflow] node 'call' at $.nodes[0].parameters.flow", result.StandardOutput, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "subflows", "ghost.json"), SubFlow("ghost", "plain"));
        var found = await CliRunner.RunAsync("ivr", "validate", flow);
        Assert.Equal(ExitCodes.Success, found.ExitCode);
        Assert.Equal("valid", found.StandardOutput.Trim());
    }

    [Fact]
    public async Task Run_honours_the_version_named_in_a_sub_flow_reference()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "subflows", "identify.json"), SubFlow("identify", "plain"));
        File.WriteAllText(Path.Combine(folder, "subflows", "identify@3.json"), SubFlow("identify", "three"));
        var flow = Path.Combine(folder, "main.json");
        File.WriteAllText(flow, CallerFlow("""{ "flow": "identify", "version": "3" }"""));
        var pinned = await CliRunner.RunAsync("ivr", "run", flow);
        Assert.Equal(ExitCodes.Success, pinned.ExitCode);
        Assert.Equal("three", JsonDocument.Parse(pinned.StandardOutput.Trim().Split('\n')[^1]).RootElement.GetProperty("variables").GetProperty("who").GetString());

        File.WriteAllText(flow, CallerFlow("""{ "flow": "identify" }"""));
        var live = await CliRunner.RunAsync("ivr", "run", flow);
        Assert.Equal("plain", JsonDocument.Parse(live.StandardOutput.Trim().Split('\n')[^1]).RootElement.GetProperty("variables").GetProperty("who").GetString());
    }

    [Fact]
    public async Task Run_and_validate_refuse_a_named_version_when_only_the_unversioned_file_exists()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "subflows", "identify.json"), SubFlow("identify", "plain"));
        var flow = Path.Combine(folder, "main.json");
        File.WriteAllText(flow, CallerFlow("""{ "flow": "identify", "version": "7" }"""));
        var run = await CliRunner.RunAsync("ivr", "run", flow);
        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Equal(string.Empty, run.StandardOutput);
        Assert.Contains("version '7' is named, but only the unversioned file subflows/identify.json exists", run.StandardError, StringComparison.Ordinal);
        var validate = await CliRunner.RunAsync("ivr", "validate", flow);
        Assert.Equal(ExitCodes.Invalid, validate.ExitCode);
        Assert.Contains("node 'call' at $.nodes[0].parameters.version", validate.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_a_scripted_hang_up_during_the_voicemail_keeps_the_message()
    {
        var result = await CliRunner.RunAsync("ivr", "run", Path.Combine(Samples, "after-hours.json"), "--input", "hangup");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.StandardOutput.Trim().Split('\n');
        Assert.Contains("\"node\":\"closed-message\"", lines[^3], StringComparison.Ordinal);
        var outcome = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal("voicemail", outcome.GetProperty("outcome").GetString());
        Assert.NotEqual(JsonValueKind.Null, outcome.GetProperty("recording").ValueKind);
    }

    private static string CallerFlow(string parameters) => $$"""
        { "id": "main", "start": "call", "variables": { "who": "" }, "nodes": [
          { "id": "call", "type": "subflow", "parameters": {{parameters}}, "transitions": { "next": "end" } },
          { "id": "end", "type": "hangup" } ] }
        """;

    private static string SubFlow(string id, string label) => $$"""
        { "id": "{{id}}", "start": "mark", "nodes": [
          { "id": "mark", "type": "set", "parameters": { "values": { "who": "{{label}}" } }, "transitions": { "next": "done" } },
          { "id": "done", "type": "return" } ] }
        """;

    private string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "cc-ivr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(path, "subflows"));
        _folders.Add(path);
        return path;
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
