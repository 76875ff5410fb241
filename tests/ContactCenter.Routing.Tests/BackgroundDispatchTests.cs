using ContactCenter.Testing;

namespace ContactCenter.Routing.Tests;

public sealed class BackgroundDispatchTests
{
    [Fact]
    public async Task Concurrent_senders_are_applied_one_at_a_time_and_every_item_is_routed_once()
    {
        var clock = new ManualTimeProvider();
        await using var engine = new RoutingEngine(new RoutingEngineOptions { RandomSeed = 1 }, clock);
        var assigned = new System.Collections.Concurrent.ConcurrentBag<string>();
        engine.Subscribe(e =>
        {
            if (e is ItemOffered offered)
            {
                // Handlers run on the writer; they post further commands without waiting.
                _ = engine.SendAsync(new Accept(offered.OfferId, offered.AgentIds[0]));
            }
            else if (e is ItemAssigned a)
            {
                assigned.Add(a.ItemId);
                _ = engine.SendAsync(new Complete(a.ItemId));
            }
        });
        Assert.True((await engine.SendAsync(new ConfigureQueue(new QueueDefinition { Name = "q", Members = [.. Enumerable.Range(0, 8).Select(i => new QueueMember($"a{i}"))] }))).Succeeded);
        for (var i = 0; i < 8; i++)
        {
            await engine.SendAsync(new ConfigureAgent(new AgentDefinition { Id = $"a{i}" }));
            await engine.SendAsync(new LogIn($"a{i}"));
        }

        var senders = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                var result = await engine.SendAsync(new Enqueue(new WorkItem { Id = $"s{s}-{i}", Queue = "q" }));
                Assert.True(result.Succeeded, result.ToString());
            }
        }));
        await Task.WhenAll(senders);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        RoutingSnapshot snapshot;
        do
        {
            await Task.Yield();
            snapshot = await engine.GetSnapshotAsync();
        }
        while (snapshot.Queues[0].Completed < 1000 && DateTime.UtcNow < deadline);

        Assert.Equal(1000, snapshot.Queues[0].Completed);
        Assert.Equal(1000, assigned.Distinct().Count());
        Assert.Equal(1000, assigned.Count);
        Assert.Empty(await engine.QueryAsync(core => core.CheckInvariants(), CancellationToken.None));
    }

    [Fact]
    public async Task Ring_timeouts_from_the_time_provider_are_applied_by_the_writer()
    {
        var clock = new ManualTimeProvider();
        await using var engine = new RoutingEngine(new RoutingEngineOptions(), clock);
        await engine.SendAsync(new ConfigureQueue(new QueueDefinition { Name = "q", OfferTimeout = TimeSpan.FromSeconds(10), Members = [new QueueMember("a")] }));
        await engine.SendAsync(new ConfigureAgent(new AgentDefinition { Id = "a" }));
        await engine.SendAsync(new LogIn("a"));
        await engine.SendAsync(new Enqueue(new WorkItem { Id = "x", Queue = "q" }));

        clock.Advance(TimeSpan.FromSeconds(10));
        RoutingSnapshot snapshot;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            snapshot = await engine.GetSnapshotAsync();
        }
        while (snapshot.Agents[0].Status != AgentStatus.NotReady && DateTime.UtcNow < deadline);

        Assert.Equal(AgentStatus.NotReady, snapshot.Agents[0].Status);
        Assert.Equal(1, snapshot.Queues[0].Waiting);
    }

    [Fact]
    public async Task Timers_firing_many_times_a_second_rebuild_the_published_metrics_at_most_once_per_refresh_interval()
    {
        var clock = new ManualTimeProvider();
        await using var engine = new RoutingEngine(new RoutingEngineOptions { MetricsRefreshInterval = TimeSpan.FromSeconds(1) }, clock);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RoutingInstruments.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.Start();
        var agents = Enumerable.Range(0, 10).Select(i => $"a{i}").ToArray();
        await engine.SendAsync(new ConfigureQueue(new QueueDefinition
        {
            Name = "q",
            OfferTimeout = TimeSpan.FromMilliseconds(100),
            Members = [.. agents.Select(a => new QueueMember(a))],
        }));
        foreach (var agent in agents)
        {
            await engine.SendAsync(new ConfigureAgent(new AgentDefinition { Id = agent }));
            await engine.SendAsync(new LogIn(agent));
        }

        // Ten offers 50 ms apart, so ring timeouts fire at ten or more different times within 0.9 s.
        var before = engine.SnapshotsPublished;
        for (var i = 0; i < 10; i++)
        {
            await engine.SendAsync(new Enqueue(new WorkItem { Id = $"x{i}", Queue = "q" }));
            clock.Advance(TimeSpan.FromMilliseconds(50));
            await engine.QueryAsync(_ => 0, CancellationToken.None);
        }

        for (var step = 0; step < 40; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            await engine.QueryAsync(_ => 0, CancellationToken.None);
        }

        var notReady = await engine.QueryAsync(core => core.BuildSnapshot().AgentsByStatus[AgentStatus.NotReady], CancellationToken.None);
        Assert.Equal(10, notReady);
        // 0.9 s of routing time passed in all: one rebuild at most, not one per timer.
        Assert.InRange(engine.SnapshotsPublished - before, 0, 1);
    }

    [Fact]
    public async Task Execute_is_refused_in_background_mode_with_an_explanation()
    {
        await using var engine = new RoutingEngine();

        var error = Assert.Throws<InvalidOperationException>(() => engine.Execute(new LogIn("a")));

        Assert.Contains("SendAsync", error.Message, StringComparison.Ordinal);
    }
}
