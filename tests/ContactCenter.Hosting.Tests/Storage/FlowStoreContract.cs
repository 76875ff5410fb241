using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>What <see cref="IFlowStore"/> promises (the same as the IVR's in-memory store), for each database.</summary>
public abstract class FlowStoreContract : StorageTestBase
{
    private static FlowVersion Version(string flow, int number, string content = "{}") =>
        new(flow, number, "note " + number, "ana", Start.AddMinutes(number), "sha256:" + number, content);

    [Fact]
    public async Task Saving_a_draft_replaces_the_previous_one()
    {
        var store = Storage.Flows;
        await store.SaveDraftAsync(new FlowDraft("main", "{\"v\":1}", "ana", Start), default);
        await store.SaveDraftAsync(new FlowDraft("main", "{\"v\":2}", "bob", Start.AddHours(1)), default);

        var draft = await store.GetDraftAsync("main", default);

        Assert.Equal(new FlowDraft("main", "{\"v\":2}", "bob", Start.AddHours(1)), draft);
        Assert.Null(await store.GetDraftAsync("other", default));
    }

    [Fact]
    public async Task A_published_version_is_never_overwritten()
    {
        var store = Storage.Flows;

        Assert.True(await store.TryAddVersionAsync(Version("main", 1, "{\"first\":true}"), default));
        Assert.False(await store.TryAddVersionAsync(Version("main", 1, "{\"second\":true}"), default));

        Assert.Equal("{\"first\":true}", (await store.GetVersionAsync("main", 1, default))!.Content);
    }

    [Fact]
    public async Task Versions_are_listed_oldest_first_per_flow()
    {
        var store = Storage.Flows;
        await store.TryAddVersionAsync(Version("main", 2), default);
        await store.TryAddVersionAsync(Version("main", 1), default);
        await store.TryAddVersionAsync(Version("sales", 1), default);

        var versions = await store.ListVersionsAsync("main", default);

        Assert.Equal([Version("main", 1), Version("main", 2)], versions);
        Assert.Null(await store.GetVersionAsync("main", 3, default));
        Assert.Empty(await store.ListVersionsAsync("none", default));
    }

    [Fact]
    public async Task An_alias_moves_to_the_version_it_is_set_to()
    {
        var store = Storage.Flows;
        await store.SetAliasAsync("main", "live", 1, default);
        await store.SetAliasAsync("main", "live", 2, default);
        await store.SetAliasAsync("main", "test", 1, default);
        await store.SetAliasAsync("sales", "live", 7, default);

        var aliases = await store.GetAliasesAsync("main", default);

        Assert.Equal(2, aliases.Count);
        Assert.Equal(2, aliases["live"]);
        Assert.Equal(1, aliases["test"]);
        Assert.Empty(await store.GetAliasesAsync("none", default));
    }

    [Fact]
    public async Task Flow_ids_with_a_draft_or_a_version_are_listed_once_in_ordinal_order()
    {
        var store = Storage.Flows;
        await store.SaveDraftAsync(new FlowDraft("zeta", "{}", "ana", Start), default);
        await store.SaveDraftAsync(new FlowDraft("Main", "{}", "ana", Start), default);
        await store.TryAddVersionAsync(Version("Main", 1), default);
        await store.TryAddVersionAsync(Version("alpha", 1), default);

        Assert.Equal(["Main", "alpha", "zeta"], await store.ListFlowIdsAsync(default));
    }

    [Fact]
    public async Task Concurrent_publishers_of_one_number_get_exactly_one_success()
    {
        var store = Storage.Flows;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.TryAddVersionAsync(Version("main", 1, $"{{\"by\":{i}}}"), default)));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Flows_survive_a_restart()
    {
        await Storage.Flows.SaveDraftAsync(new FlowDraft("main", "{\"d\":1}", "ana", Start), default);
        await Storage.Flows.TryAddVersionAsync(Version("main", 1), default);
        await Storage.Flows.SetAliasAsync("main", "live", 1, default);

        await ReopenAsync();

        Assert.Equal("{\"d\":1}", (await Storage.Flows.GetDraftAsync("main", default))!.Content);
        Assert.Equal(Version("main", 1), await Storage.Flows.GetVersionAsync("main", 1, default));
        Assert.Equal(1, (await Storage.Flows.GetAliasesAsync("main", default))["live"]);
    }

    [Fact]
    public async Task The_flow_library_publishes_and_resolves_through_the_store()
    {
        var library = new FlowLibrary(Storage.Flows, Clock);
        const string Flow = """{ "id": "main", "name": "Main", "start": "bye", "variables": {}, "nodes": [ { "id": "bye", "type": "hangup" } ] }""";
        var validation = await library.SaveDraftAsync(Flow, "ana");
        Assert.True(validation.IsValid, string.Join("; ", validation.Diagnostics));

        var version = await library.PublishAsync("main", "first", "ana");
        await library.SetAliasAsync("main", "live", version.Number);

        Assert.Equal(1, version.Number);
        Assert.NotNull(await library.ResolveAsync(FlowReference.Parse("main@live")));
    }
}

public sealed class SqliteFlowStoreTests : FlowStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresFlowStoreTests(PostgresServer server) : FlowStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}
