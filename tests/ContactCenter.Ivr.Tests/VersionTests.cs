using ContactCenter.Testing;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class VersionTests
{
    private const string V1 = """
        { "id": "main", "name": "Main", "start": "hello", "nodes": [
          { "id": "hello", "type": "play", "parameters": { "text": "Hello" }, "transitions": { "next": "bye" } },
          { "id": "bye", "type": "hangup" } ] }
        """;

    private const string V2 = """
        { "id": "main", "name": "Main", "start": "hello", "nodes": [
          { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye" } },
          { "id": "hello", "type": "play", "parameters": { "text": "Welcome" }, "transitions": { "next": "bye" } } ] }
        """;

    private readonly ManualTimeProvider _time = new(Monday10Utc);
    private readonly FlowLibrary _library;

    public VersionTests()
    {
        _library = new FlowLibrary(new InMemoryFlowStore(), _time);
    }

    [Fact]
    public async Task Publishing_creates_numbered_immutable_versions_with_note_author_time_and_hash()
    {
        await _library.SaveDraftAsync(V1, "ana");
        var first = await _library.PublishAsync("main", "initial", "ana");
        _time.Advance(TimeSpan.FromHours(1));
        await _library.SaveDraftAsync(V2, "bob");
        var second = await _library.PublishAsync("main", "new greeting", "bob");

        Assert.Equal((1, "initial", "ana", Monday10Utc), (first.Number, first.Note, first.Author, first.PublishedAt));
        Assert.Equal((2, "bob", Monday10Utc.AddHours(1)), (second.Number, second.Author, second.PublishedAt));
        Assert.StartsWith("sha256:", first.ContentHash, StringComparison.Ordinal);
        Assert.NotEqual(first.ContentHash, second.ContentHash);
        Assert.Equal(V1, (await _library.GetVersionAsync("main", "1"))!.Content);
    }

    [Fact]
    public async Task Content_hash_ignores_whitespace_and_property_order()
    {
        var compact = CompiledFlow.Compile(V1);
        var reordered = CompiledFlow.Compile("""
            {"nodes":[{"type":"play","id":"hello","transitions":{"next":"bye"},"parameters":{"text":"Hello"}},{"type":"hangup","id":"bye"}],"start":"hello","name":"Main","id":"main"}
            """);
        Assert.Equal(compact.ContentHash, reordered.ContentHash);
    }

    [Fact]
    public async Task An_invalid_draft_is_saved_but_cannot_be_published()
    {
        var validation = await _library.SaveDraftAsync(V1.Replace("\"next\": \"bye\"", "\"next\": \"nowhere\"", StringComparison.Ordinal), "ana");
        Assert.False(validation.IsValid);
        var ex = await Assert.ThrowsAsync<InvalidFlowException>(() => _library.PublishAsync("main", "broken", "ana"));
        Assert.Contains(ex.Diagnostics, d => d.Code == "missing-node" && d.NodeId == "hello");
        Assert.Empty(await _library.ListVersionsAsync("main"));
    }

    [Fact]
    public async Task Publishing_an_unchanged_draft_is_refused()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "initial", "ana");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _library.PublishAsync("main", "again", "ana"));
        Assert.Contains("identical to version 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_and_rollback_move_the_live_alias()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        await _library.SaveDraftAsync(V2, "ana");
        await _library.PublishAsync("main", "v2", "ana");

        await _library.SetAliasAsync("main", "live", 2);
        Assert.Equal(2, (await _library.GetVersionAsync("main", "live"))!.Number);
        var live = await _library.ResolveAsync("main", "live", default);
        Assert.Equal(CompiledFlow.Compile(V2).ContentHash, live!.ContentHash);

        var back = await _library.RollbackAsync("main", "live");
        Assert.Equal(1, back.Number);
        Assert.Equal(1, (await _library.GetAliasesAsync("main"))["live"]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _library.RollbackAsync("main", "live"));
    }

    [Fact]
    public async Task Aliases_must_name_an_existing_version_and_not_look_like_one()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _library.SetAliasAsync("main", "live", 9));
        await Assert.ThrowsAsync<ArgumentException>(() => _library.SetAliasAsync("main", "2", 1));
        await Assert.ThrowsAsync<ArgumentException>(() => _library.SetAliasAsync("main", "draft", 1));
    }

    [Fact]
    public async Task Diff_matches_nodes_by_id_and_names_changed_paths()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        await _library.SaveDraftAsync(V2, "ana");
        var changes = await _library.DiffAsync("main", "1", FlowLibrary.Draft);
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => c.Kind == FlowChangeKind.Changed && c.Path == "$.nodes[hello].parameters.text" && c.Before == "\"Hello\"" && c.After == "\"Welcome\"");
        Assert.Contains(changes, c => c.Kind == FlowChangeKind.Added && c.Path == "$.nodes[bye].parameters");
    }

    [Fact]
    public async Task Export_then_import_reproduces_versions_aliases_and_draft()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        await _library.SaveDraftAsync(V2, "ana");
        await _library.PublishAsync("main", "v2", "ana");
        await _library.SetAliasAsync("main", "live", 1);
        var export = await _library.ExportAsync("main");

        var other = new FlowLibrary(new InMemoryFlowStore());
        Assert.Equal(2, await other.ImportAsync(export));
        Assert.Equal(0, await other.ImportAsync(export));
        var versions = await other.ListVersionsAsync("main");
        Assert.Equal([1, 2], versions.Select(v => v.Number));
        Assert.Equal("v2", versions[1].Note);
        Assert.Equal(1, (await other.GetAliasesAsync("main"))["live"]);
        Assert.Equal(V2, await other.GetContentAsync("main", FlowLibrary.Draft));
    }

    [Fact]
    public async Task Import_rejects_content_that_does_not_match_its_hash()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        var tampered = (await _library.ExportAsync("main")).Replace("Hello", "Hacked", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<FormatException>(() => new FlowLibrary(new InMemoryFlowStore()).ImportAsync(tampered));
        Assert.Contains("does not match its hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_refuses_a_version_number_that_exists_with_other_content()
    {
        await _library.SaveDraftAsync(V1, "ana");
        await _library.PublishAsync("main", "v1", "ana");
        var export = await _library.ExportAsync("main");
        var other = new FlowLibrary(new InMemoryFlowStore());
        await other.SaveDraftAsync(V2, "bob");
        await other.PublishAsync("main", "theirs", "bob");
        await Assert.ThrowsAsync<FormatException>(() => other.ImportAsync(export));
    }

    [Fact]
    public async Task Concurrent_publishes_get_distinct_numbers()
    {
        var store = new InMemoryFlowStore();
        var library = new FlowLibrary(store);
        var publishes = Enumerable.Range(0, 8).Select(async i =>
        {
            var json = V1.Replace("Hello", "Hello " + i, StringComparison.Ordinal);
            await store.SaveDraftAsync(new FlowDraft("main", json, "x", Monday10Utc), default);
            try
            {
                return (await library.PublishAsync("main", "p" + i, "x")).Number;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        });
        var numbers = (await Task.WhenAll(publishes)).Where(n => n > 0).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(numbers.Count, (await library.ListVersionsAsync("main")).Count);
    }

    [Fact]
    public async Task Calls_resolve_an_alias_from_the_store_at_most_once_per_refresh_interval_and_a_version_once()
    {
        var store = new CountingFlowStore(new InMemoryFlowStore());
        var library = new FlowLibrary(store, _time);
        await library.SaveDraftAsync(V1, "ana");
        await library.PublishAsync("main", "initial", "ana");
        await library.SetAliasAsync("main", "live", 1);
        (store.AliasReads, store.VersionReads) = (0, 0);

        for (var call = 0; call < 100; call++)
        {
            Assert.NotNull(await library.ResolveAsync("main", "live", default));
            await library.ResolveAsync("main", "1", default);
        }

        Assert.Equal((1, 1), (store.AliasReads, store.VersionReads));
        _time.Advance(library.AliasRefreshInterval);
        await library.ResolveAsync("main", "live", default);
        Assert.Equal((2, 1), (store.AliasReads, store.VersionReads));
    }

    [Fact]
    public async Task A_rollout_through_the_library_applies_to_the_next_call_and_one_made_elsewhere_within_the_refresh_interval()
    {
        var store = new InMemoryFlowStore();
        var library = new FlowLibrary(store, _time);
        await library.SaveDraftAsync(V1, "ana");
        var first = await library.PublishAsync("main", "initial", "ana");
        await library.SaveDraftAsync(V2, "bob");
        var second = await library.PublishAsync("main", "new greeting", "bob");
        await library.SetAliasAsync("main", "live", 1);
        Assert.Equal(first.ContentHash, (await library.ResolveAsync("main", "live", default))!.ContentHash);

        await library.SetAliasAsync("main", "live", 2);
        Assert.Equal(second.ContentHash, (await library.ResolveAsync("main", "live", default))!.ContentHash);

        // Another host on the same database rolls back.
        await store.SetAliasAsync("main", "live", 1, default);
        Assert.Equal(second.ContentHash, (await library.ResolveAsync("main", "live", default))!.ContentHash);
        _time.Advance(library.AliasRefreshInterval);
        Assert.Equal(first.ContentHash, (await library.ResolveAsync("main", "live", default))!.ContentHash);
    }

    private sealed class CountingFlowStore(IFlowStore inner) : IFlowStore
    {
        public int AliasReads { get; set; }

        public int VersionReads { get; set; }

        public Task<FlowDraft?> GetDraftAsync(string flowId, CancellationToken cancellationToken) => inner.GetDraftAsync(flowId, cancellationToken);

        public Task SaveDraftAsync(FlowDraft draft, CancellationToken cancellationToken) => inner.SaveDraftAsync(draft, cancellationToken);

        public Task<bool> TryAddVersionAsync(FlowVersion version, CancellationToken cancellationToken) => inner.TryAddVersionAsync(version, cancellationToken);

        public Task<FlowVersion?> GetVersionAsync(string flowId, int number, CancellationToken cancellationToken)
        {
            VersionReads++;
            return inner.GetVersionAsync(flowId, number, cancellationToken);
        }

        public Task<IReadOnlyList<FlowVersion>> ListVersionsAsync(string flowId, CancellationToken cancellationToken) => inner.ListVersionsAsync(flowId, cancellationToken);

        public Task SetAliasAsync(string flowId, string aliasName, int number, CancellationToken cancellationToken) => inner.SetAliasAsync(flowId, aliasName, number, cancellationToken);

        public Task<IReadOnlyDictionary<string, int>> GetAliasesAsync(string flowId, CancellationToken cancellationToken)
        {
            AliasReads++;
            return inner.GetAliasesAsync(flowId, cancellationToken);
        }

        public Task<IReadOnlyList<string>> ListFlowIdsAsync(CancellationToken cancellationToken) => inner.ListFlowIdsAsync(cancellationToken);
    }
}

public class FlowReferenceTests
{
    [Theory]
    [InlineData("main-menu@live", "main-menu", "live", false)]
    [InlineData("main-menu@3", "main-menu", "3", true)]
    [InlineData("main-menu", "main-menu", "live", false)]
    public void Parses_flow_and_version_or_alias(string text, string flow, string version, bool pinned)
    {
        var reference = FlowReference.Parse(text);
        Assert.Equal((flow, version, pinned), (reference.FlowId, reference.Version, reference.IsPinned));
    }

    [Theory]
    [InlineData("")]
    [InlineData("@live")]
    [InlineData("main@")]
    [InlineData("main menu@live")]
    public void Rejects_malformed_references(string text) =>
        Assert.Throws<FormatException>(() => FlowReference.Parse(text));

    [Fact]
    public async Task A_number_bound_to_the_alias_follows_rollout_and_rollback()
    {
        var library = new FlowLibrary(new InMemoryFlowStore());
        const string Template = """{ "id": "main", "start": "bye", "nodes": [ { "id": "bye", "type": "hangup", "parameters": { "prompt": "P" } } ] }""";
        await library.SaveDraftAsync(Template.Replace("\"P\"", "\"one\"", StringComparison.Ordinal), "ana");
        await library.PublishAsync("main", "v1", "ana");
        await library.SaveDraftAsync(Template.Replace("\"P\"", "\"two\"", StringComparison.Ordinal), "ana");
        var v2 = await library.PublishAsync("main", "v2", "ana");
        var binding = FlowReference.Parse("main");

        await library.SetAliasAsync("main", "live", 2);
        Assert.Equal(v2.ContentHash, (await library.ResolveAsync(binding))!.ContentHash);
        await library.RollbackAsync("main", "live");
        Assert.NotEqual(v2.ContentHash, (await library.ResolveAsync(binding))!.ContentHash);
        Assert.Null(await library.ResolveAsync(FlowReference.Parse("main@9")));
    }
}
