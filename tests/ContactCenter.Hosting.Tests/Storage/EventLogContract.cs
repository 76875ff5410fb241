using System.Text.Json.Serialization;
using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Tests.Storage;

public sealed record AgentStateChanged(string AgentId, string State);

[JsonSerializable(typeof(AgentStateChanged))]
internal sealed partial class EventJson : JsonSerializerContext;

/// <summary>What <see cref="IEventLog"/> promises, for each database.</summary>
public abstract class EventLogContract : StorageTestBase
{
    [Fact]
    public async Task Appended_events_get_increasing_sequence_numbers_and_read_back_in_order()
    {
        var call = Guid.CreateVersion7();
        var first = await Events.AppendAsync("call.started", """{"from":"+1555"}""", call);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Events.AppendAsync("call.ended", "{}");

        var all = await Events.ReadSinceAsync(0, 100);

        Assert.True(second.Sequence > first.Sequence);
        Assert.Equal([first, second], all);
        Assert.Equal((call, Start), (all[0].CallId, all[0].OccurredAt));
        Assert.Null(all[1].CallId);
    }

    [Fact]
    public async Task Reading_since_a_sequence_returns_only_later_events_up_to_the_limit()
    {
        var appended = new List<EventRecord>();
        for (var i = 0; i < 6; i++)
        {
            appended.Add(await Events.AppendAsync("tick", $$"""{"i":{{i}}}"""));
        }

        var page = await Events.ReadSinceAsync(appended[1].Sequence, 3);

        Assert.Equal(appended.Skip(2).Take(3), page);
        Assert.Empty(await Events.ReadSinceAsync(appended[^1].Sequence, 10));
    }

    [Fact]
    public async Task Typed_events_round_trip_through_json()
    {
        var appended = await Events.AppendAsync("agent.state_changed", new AgentStateChanged("1001", "talking"), EventJson.Default.AgentStateChanged);

        var read = (await Events.ReadSinceAsync(0, 1))[0];

        Assert.Equal(appended, read);
        Assert.Equal(new AgentStateChanged("1001", "talking"), read.Deserialize(EventJson.Default.AgentStateChanged));
    }

    [Fact]
    public async Task A_payload_that_is_not_json_or_a_bad_type_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Events.AppendAsync("call.started", "{not json"));
        Assert.Contains("call.started", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Events.AppendAsync(" ", "{}"));
        await Assert.ThrowsAsync<ArgumentException>(() => Events.AppendAsync(new string('x', IEventLog.MaxTypeLength + 1), "{}"));
        Assert.Empty(await Events.ReadSinceAsync(0, 10));
    }

    [Fact]
    public async Task A_range_of_events_is_appended_in_its_order_with_its_call_ids()
    {
        var call = Guid.CreateVersion7();
        var before = await Events.AppendAsync("call.started", "{}", call);

        var appended = await Events.AppendRangeAsync(
            [new("call.queued", """{"i":0}""", call), new("agent.state_changed", """{"i":1}"""), new("call.connected", """{"i":2}""", call)]);

        Assert.Equal(["call.queued", "agent.state_changed", "call.connected"], appended.Select(e => e.Type));
        Assert.Equal([call, null, call], appended.Select(e => e.CallId));
        Assert.Equal(["""{"i":0}""", """{"i":1}""", """{"i":2}"""], appended.Select(e => e.Payload));
        Assert.True(before.Sequence < appended[0].Sequence && appended[0].Sequence < appended[1].Sequence && appended[1].Sequence < appended[2].Sequence);
        Assert.Equal([before, .. appended], await Events.ReadSinceAsync(0, 10));
    }

    [Fact]
    public async Task A_range_with_a_bad_event_appends_none_of_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Events.AppendRangeAsync([new("call.queued", "{}"), new("call.ended", "{not json")]));

        Assert.Contains("call.ended", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Events.AppendRangeAsync([]));
        Assert.Empty(await Events.ReadSinceAsync(0, 10));
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_sequences_and_a_reader_sees_them_all()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Events.AppendAsync("tick", $$"""{"i":{{i}}}""")));

        var read = await Events.ReadSinceAsync(0, 100);

        Assert.Equal(20, appended.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(appended.OrderBy(e => e.Sequence), read);
    }

    [Fact]
    public async Task Deleting_old_events_never_reuses_their_sequence_numbers()
    {
        var old = await Events.AppendAsync("old", "{}");
        Clock.Advance(TimeSpan.FromDays(2));
        var recent = await Events.AppendAsync("recent", "{}");

        Assert.Equal(1, await Events.DeleteOlderThanAsync(Start.AddDays(1)));
        var next = await Events.AppendAsync("next", "{}");

        Assert.Equal([recent, next], await Events.ReadSinceAsync(0, 10));
        Assert.True(next.Sequence > recent.Sequence && recent.Sequence > old.Sequence);
    }

    [Fact]
    public async Task Events_survive_a_restart_and_the_sequence_continues()
    {
        var before = await Events.AppendAsync("call.started", "{}");

        await ReopenAsync();
        var after = await Events.AppendAsync("call.ended", "{}");

        Assert.Equal([before, after], await Events.ReadSinceAsync(0, 10));
        Assert.True(after.Sequence > before.Sequence);
    }
}

public sealed class SqliteEventLogTests : EventLogContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresEventLogTests(PostgresServer server) : EventLogContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}

public sealed class InMemoryEventLogTests : EventLogContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.InMemory();
}
