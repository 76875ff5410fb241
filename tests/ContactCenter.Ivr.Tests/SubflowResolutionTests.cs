using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

/// <summary>Sub-flow references checked by validation, versions honoured by the folder resolver, refusals that say why.</summary>
public sealed class SubflowResolutionTests : IDisposable
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-ivr-subflows-" + Guid.NewGuid().ToString("N"));

    public SubflowResolutionTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "subflows"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Caller(string parameters) => Flow(
        $$"""{ "id": "call", "type": "subflow", "parameters": {{parameters}}, "transitions": { "next": "end" } }, """ + End,
        start: "call");

    /// <summary>A sub-flow that sets <c>who</c> to <paramref name="label"/> and returns.</summary>
    private static string Identify(string label, string id = "identify") => $$"""
        { "id": "{{id}}", "start": "mark", "nodes": [
          { "id": "mark", "type": "set", "parameters": { "values": { "who": "{{label}}" } }, "transitions": { "next": "done" } },
          { "id": "done", "type": "return" } ] }
        """;

    private void Write(string relative, string content) => File.WriteAllText(Path.Combine(_folder, relative), content);

    [Fact]
    public async Task Validation_with_a_resolver_reports_a_missing_subflow_with_node_id_and_json_path()
    {
        var result = await FlowValidator.ValidateAsync(Caller("""{ "flow": "ghost" }"""), new FlowLibrary(new InMemoryFlowStore()));
        var error = Assert.Single(result.Errors);
        Assert.Equal(("missing-subflow", "call", "$.nodes[0].parameters.flow"), (error.Code, error.NodeId, error.JsonPath));
        Assert.Contains("ghost@live", error.Message, StringComparison.Ordinal);
        Assert.True(FlowValidator.Validate(Caller("""{ "flow": "ghost" }""")).IsValid, "without a resolver sub-flows are not checked");
    }

    [Fact]
    public async Task Validation_accepts_a_subflow_the_library_publishes_under_the_named_alias_or_number()
    {
        var library = new FlowLibrary(new InMemoryFlowStore());
        await library.SaveDraftAsync(Identify("v1"), "ana");
        await library.PublishAsync("identify", "first", "ana");
        await library.SetAliasAsync("identify", "live", 1);
        Assert.True((await FlowValidator.ValidateAsync(Caller("""{ "flow": "identify", "version": "live" }"""), library)).IsValid);
        Assert.True((await FlowValidator.ValidateAsync(Caller("""{ "flow": "identify", "version": 1 }"""), library)).IsValid);
        var missing = Assert.Single((await FlowValidator.ValidateAsync(Caller("""{ "flow": "identify", "version": "beta" }"""), library)).Errors);
        Assert.Equal(("missing-subflow", "$.nodes[0].parameters.version"), (missing.Code, missing.JsonPath));
        Assert.Contains("no version or alias 'beta' (versions: 1; aliases: live=1; a draft)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_names_the_version_path_when_only_an_unversioned_file_exists()
    {
        Write("subflows/identify.json", Identify("plain"));
        var result = await FlowValidator.ValidateAsync(Caller("""{ "flow": "identify", "version": "3" }"""), new FlowDirectoryResolver(_folder));
        var error = Assert.Single(result.Errors);
        Assert.Equal(("missing-subflow", "call", "$.nodes[0].parameters.version"), (error.Code, error.NodeId, error.JsonPath));
        Assert.Contains("only the unversioned file subflows/identify.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_reports_an_invalid_subflow_file_and_a_missing_nested_subflow_on_the_calling_node()
    {
        Write("broken.json", """{ "id": "broken", "start": "x", "nodes": [ { "id": "x", "type": "warp" } ] }""");
        Write("outer.json", Flow("""{ "id": "go", "type": "subflow", "parameters": { "flow": "inner" }, "transitions": { "next": "done" } }, { "id": "done", "type": "return" }""", start: "go").Replace("\"test\"", "\"outer\"", StringComparison.Ordinal));
        var json = Flow(
            """
            { "id": "a", "type": "subflow", "parameters": { "flow": "broken" }, "transitions": { "next": "b" } },
            { "id": "b", "type": "subflow", "parameters": { "flow": "outer" }, "transitions": { "next": "end" } },
            """ + End,
            start: "a");
        var errors = (await FlowValidator.ValidateAsync(json, new FlowDirectoryResolver(_folder))).Errors.ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal(("invalid-subflow", "a", "$.nodes[0].parameters.flow"), (errors[0].Code, errors[0].NodeId, errors[0].JsonPath));
        Assert.Contains("broken.json", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(("missing-subflow", "b", "$.nodes[1].parameters.flow"), (errors[1].Code, errors[1].NodeId, errors[1].JsonPath));
        Assert.Contains("'outer@live' calls 'inner@live' (node 'go')", errors[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "flow": "bad id!" }""", "$.nodes[0].parameters.flow")]
    [InlineData("""{ "flow": "identify", "version": "no spaces" }""", "$.nodes[0].parameters.version")]
    [InlineData("""{ "flow": "identify", "version": 0 }""", "$.nodes[0].parameters.version")]
    public void A_malformed_subflow_reference_is_an_invalid_parameter(string parameters, string path)
    {
        var error = Assert.Single(FlowValidator.Validate(Caller(parameters)).Errors);
        Assert.Equal(("invalid-parameter", path), (error.Code, error.JsonPath));
    }

    [Fact]
    public async Task Folder_resolver_prefers_the_versioned_file_and_uses_the_plain_file_for_live()
    {
        Write("subflows/identify.json", Identify("plain"));
        Write("identify@3.json", Identify("three"));
        Write("subflows/identify@live.json", Identify("live-file"));
        var resolver = new FlowDirectoryResolver(_folder);
        Assert.Equal("three", await WhoAsync(Caller("""{ "flow": "identify", "version": 3 }"""), resolver));
        Assert.Equal("live-file", await WhoAsync(Caller("""{ "flow": "identify" }"""), resolver));
        File.Delete(Path.Combine(_folder, "subflows", "identify@live.json"));
        Assert.Equal("plain", await WhoAsync(Caller("""{ "flow": "identify" }"""), resolver));
    }

    [Fact]
    public async Task Folder_resolver_reads_versions_and_aliases_from_an_export()
    {
        var library = new FlowLibrary(new InMemoryFlowStore());
        await library.SaveDraftAsync(Identify("one"), "ana");
        await library.PublishAsync("identify", "1", "ana");
        await library.SaveDraftAsync(Identify("two"), "ana");
        await library.PublishAsync("identify", "2", "ana");
        await library.SetAliasAsync("identify", "live", 1);
        Write("subflows/identify.export.json", await library.ExportAsync("identify"));
        var resolver = new FlowDirectoryResolver(_folder);
        Assert.Equal("two", await WhoAsync(Caller("""{ "flow": "identify", "version": "2" }"""), resolver));
        Assert.Equal("one", await WhoAsync(Caller("""{ "flow": "identify", "version": "live" }"""), resolver));
        var missing = await Assert.ThrowsAsync<FlowNotFoundException>(() => resolver.ResolveAsync("identify", "9", default).AsTask());
        Assert.True(missing.IsVersionMissing);
        Assert.Contains("versions: 1, 2; aliases: live=1", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Folder_resolver_refuses_a_file_that_holds_another_flow_and_says_where_it_looked()
    {
        Write("identify.json", Identify("x", id: "someone-else"));
        var resolver = new FlowDirectoryResolver(_folder);
        var wrong = await Assert.ThrowsAsync<FlowNotFoundException>(() => resolver.ResolveAsync("identify", "live", default).AsTask());
        Assert.Contains("holds flow 'someone-else'", wrong.Message, StringComparison.Ordinal);
        var absent = await Assert.ThrowsAsync<FlowNotFoundException>(() => resolver.ResolveAsync("ghost", "live", default).AsTask());
        Assert.False(absent.IsVersionMissing);
        Assert.Contains("no ghost@live.json, ghost.export.json or ghost.json", absent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_version_with_only_an_unversioned_file_takes_the_error_branch_saying_which_file()
    {
        Write("identify.json", Identify("plain"));
        var run = await RunAsync(
            Flow("""
                { "id": "start", "type": "subflow", "parameters": { "flow": "identify", "version": "3" }, "transitions": { "next": "end", "error": "oops" } },
                { "id": "oops", "type": "hangup" },
                """ + End),
            resolver: new FlowDirectoryResolver(_folder));
        Assert.Equal("oops", run.Result.Path[^1]);
        Assert.Contains("only the unversioned file identify.json", run.Result.Variables["sys.lastError"], StringComparison.Ordinal);
    }

    private static async Task<string> WhoAsync(string json, IFlowResolver resolver)
    {
        Assert.True((await FlowValidator.ValidateAsync(json, resolver)).IsValid);
        var run = await RunAsync(json.Replace("\"variables\": {}", "\"variables\": { \"who\": \"\" }", StringComparison.Ordinal), resolver: resolver);
        Assert.Equal(IvrOutcome.Hangup, run.Result.Outcome);
        return run.Result.Variables["who"];
    }
}
