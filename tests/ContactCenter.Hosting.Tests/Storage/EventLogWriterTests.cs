using System.Text.Json;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Storage;
using ContactCenter.Hosting.Tests.Web;
using ContactCenter.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// The host's events (published on <see cref="ContactCenterEventHub"/>) reach the event log: in order, with their call
/// ids, kept across restarts, without a slow database ever holding up the publisher.
/// </summary>
public sealed class EventLogWriterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-eventlog-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private IHost BuildHost(Action<StorageOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddContactCenterStorage(options =>
        {
            options.DataDirectory = _folder;
            configure?.Invoke(options);
        });
        return builder.Build();
    }

    private static ContactCenterEvent CallEvent(string type, Guid callId, int n) =>
        ContactCenterEvent.Create(type, ContactCenterEventCategory.Call, DateTimeOffset.UtcNow, new Dictionary<string, object?> { ["callId"] = callId, ["n"] = n });

    private static ContactCenterEvent AgentEvent(int n) =>
        ContactCenterEvent.Create(ContactCenterEventTypes.AgentStateChanged, ContactCenterEventCategory.Agent, DateTimeOffset.UtcNow, new Dictionary<string, object?> { ["agentId"] = "ada", ["to"] = "Available", ["n"] = n });

    /// <summary>The events of two calls and an agent, interleaved as a host publishes them.</summary>
    private static List<ContactCenterEvent> SomeEvents(int count)
    {
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        string[] types = [ContactCenterEventTypes.CallQueued, ContactCenterEventTypes.CallOffered, ContactCenterEventTypes.CallConnected, ContactCenterEventTypes.CallRecordWritten];
        return Enumerable.Range(0, count)
            .Select(n => (n % 3) switch
            {
                0 => CallEvent(types[n / 3 % types.Length], first, n),
                1 => CallEvent(types[n / 3 % types.Length], second, n),
                _ => AgentEvent(n),
            })
            .ToList();
    }

    /// <summary>Asserts that <paramref name="records"/> are <paramref name="published"/>, in order: type, call id, and the event as JSON.</summary>
    private static void AssertLogged(IReadOnlyList<ContactCenterEvent> published, IReadOnlyList<EventRecord> records)
    {
        Assert.Equal(published.Select(e => e.Type), records.Select(r => r.Type));
        Assert.Equal(published.Select(e => e.Data.TryGetValue("callId", out var id) ? (Guid?)id : null), records.Select(r => r.CallId));
        Assert.True(records.Zip(records.Skip(1)).All(pair => pair.First.Sequence < pair.Second.Sequence), "sequence numbers increase");
        for (var i = 0; i < records.Count; i++)
        {
            using var payload = JsonDocument.Parse(records[i].Payload);
            Assert.Equal(published[i].Id, payload.RootElement.GetProperty("id").GetGuid());
            Assert.Equal(published[i].Type, payload.RootElement.GetProperty("type").GetString());
            Assert.Equal((int)published[i].Data["n"]!, payload.RootElement.GetProperty("data").GetProperty("n").GetInt32());
        }
    }

    private static async Task<IReadOnlyList<EventRecord>> WaitForEventsAsync(IEventLog log, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var records = await log.ReadSinceAsync(0, count + 100);
            if (records.Count >= count || DateTime.UtcNow > deadline)
            {
                return records;
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Events_published_while_the_host_runs_are_in_the_event_log_in_order_with_their_call_ids_and_after_a_restart()
    {
        var before = SomeEvents(30);
        using (var host = BuildHost())
        {
            await host.StartAsync();
            var hub = host.Services.GetRequiredService<ContactCenterEventHub>();
            foreach (var e in before)
            {
                hub.Publish(e);
            }

            AssertLogged(before, await WaitForEventsAsync(host.Services.GetRequiredService<IEventLog>(), before.Count));
            await host.StopAsync();
        }

        // A new host on the same file: the events are there, and what it publishes follows them.
        var after = SomeEvents(30);
        using (var host = BuildHost())
        {
            await host.StartAsync();
            var log = host.Services.GetRequiredService<IEventLog>();
            AssertLogged(before, await log.ReadSinceAsync(0, 1000));
            var hub = host.Services.GetRequiredService<ContactCenterEventHub>();
            foreach (var e in after)
            {
                hub.Publish(e);
            }

            AssertLogged([.. before, .. after], await WaitForEventsAsync(log, before.Count + after.Count));
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Stopping_the_host_writes_every_event_still_queued_in_order()
    {
        // More than one batch, published just before the host stops.
        var published = SomeEvents((EventLogWriter.MaxBatch * 2) + 10);
        using (var host = BuildHost())
        {
            await host.StartAsync();
            var hub = host.Services.GetRequiredService<ContactCenterEventHub>();
            foreach (var e in published)
            {
                hub.Publish(e);
            }

            await host.StopAsync();
        }

        await using var storage = await ContactCenterStorage.OpenAsync(new StorageOptions { DataDirectory = _folder });
        AssertLogged(published, await storage.Events.ReadSinceAsync(0, published.Count + 100));
    }

    [Fact]
    public async Task A_host_with_the_event_log_turned_off_writes_no_events()
    {
        using var host = BuildHost(options => options.EventLog.Enabled = false);
        await host.StartAsync();
        host.Services.GetRequiredService<ContactCenterEventHub>().Publish(AgentEvent(1));
        await host.StopAsync();

        Assert.Empty(await host.Services.GetRequiredService<IEventLog>().ReadSinceAsync(0, 10));
    }

    [Fact]
    public async Task A_queue_capacity_out_of_range_fails_start_up_naming_the_key()
    {
        using var host = BuildHost(options => options.EventLog.QueueCapacity = 0);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ContactCenter:Storage:EventLog:QueueCapacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_queue_is_full_the_oldest_events_are_dropped_counted_and_logged_and_publishing_goes_on()
    {
        var hub = new ContactCenterEventHub();
        var log = new GatedEventLog();
        var logs = new LogCollector();
        using var writer = new EventLogWriter(
            hub, log, new EventLogOptions { QueueCapacity = 4 }, JsonSerializerOptions.Web, new ManualTimeProvider(), logs.CreateLogger("test"));
        await writer.StartAsync(CancellationToken.None);
        var events = SomeEvents(101);

        // The database is stuck on the first event's write and 100 more are published: every call returns; 4 wait in
        // the queue, the 96 oldest are dropped.
        await PublishDuringTheFirstWriteAsync(hub, log, events);

        Assert.Equal(96, writer.Lost);
        log.Open();
        await writer.StopAsync(CancellationToken.None);

        AssertLogged([events[0], .. events[^4..]], await log.ReadSinceAsync(0, 200));
        Assert.Equal((5, 96), (writer.Written, writer.Lost));
        var report = Assert.Single(logs.Entries, e => e.EventId == 9121);
        Assert.Contains("96 dropped because the queue was full", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_write_is_retried_and_the_events_stay_in_order()
    {
        var hub = new ContactCenterEventHub();
        var clock = new ManualTimeProvider();
        var log = new GatedEventLog { FailuresLeft = 1 };
        log.Open();
        using var writer = new EventLogWriter(hub, log, new EventLogOptions(), JsonSerializerOptions.Web, clock, null);
        await writer.StartAsync(CancellationToken.None);
        var events = SomeEvents(10);
        await PublishDuringTheFirstWriteAsync(hub, log, events);

        // The retry waits one second on the host's clock.
        var deadline = DateTime.UtcNow + Patience;
        while (clock.ActiveTimers == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        await writer.StopAsync(CancellationToken.None);

        AssertLogged(events, await log.ReadSinceAsync(0, 100));
        Assert.Equal((10, 0), (writer.Written, writer.Lost));
    }

    /// <summary>Publishes the first event, waits until the writer is writing it, then publishes the rest.</summary>
    private static async Task PublishDuringTheFirstWriteAsync(ContactCenterEventHub hub, GatedEventLog log, IReadOnlyList<ContactCenterEvent> events)
    {
        hub.Publish(events[0]);
        await log.WriteStarted.WaitAsync(Patience);
        foreach (var e in events.Skip(1))
        {
            hub.Publish(e);
        }
    }

    /// <summary>An in-memory log whose writes wait until <see cref="Open"/> and may fail first.</summary>
    private sealed class GatedEventLog : IEventLog
    {
        private readonly InMemoryEventLog _inner = new();
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>How many writes fail (as a database that is briefly unavailable) before writes succeed.</summary>
        public int FailuresLeft { get; set; }

        /// <summary>Completes when the first write has begun.</summary>
        public Task WriteStarted => _started.Task;

        public void Open() => _open.TrySetResult();

        public Task<EventRecord> AppendAsync(string type, string payloadJson, Guid? callId = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("the writer appends ranges");

        public async Task<IReadOnlyList<EventRecord>> AppendRangeAsync(IReadOnlyList<EventAppend> events, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new IOException("disk I/O error");
            }

            return await _inner.AppendRangeAsync(events, cancellationToken);
        }

        public Task<IReadOnlyList<EventRecord>> ReadSinceAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
            _inner.ReadSinceAsync(afterSequence, limit, cancellationToken);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) =>
            _inner.DeleteOlderThanAsync(cutoff, cancellationToken);
    }
}
