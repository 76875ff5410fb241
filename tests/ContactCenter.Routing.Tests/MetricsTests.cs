using System.Diagnostics.Metrics;

namespace ContactCenter.Routing.Tests;

public sealed class MetricsTests
{
    private static EngineHost ServiceQueue(string name = "default")
    {
        var host = new EngineHost(new RoutingEngineOptions { Name = name });
        host.Queue(new QueueDefinition
        {
            Name = "q",
            ServiceLevelThreshold = TimeSpan.FromSeconds(20),
            ShortAbandonThreshold = TimeSpan.FromSeconds(5),
            Members = [new QueueMember("a")],
        });
        host.Agent("a", logIn: false);
        return host;
    }

    [Fact]
    public void Service_level_counts_answered_in_threshold_over_answered_plus_abandons_after_the_short_threshold()
    {
        using var host = ServiceQueue();
        host.Enqueue("fast", "q");
        host.Enqueue("slow", "q");
        host.Enqueue("short-abandon", "q");
        host.Enqueue("long-abandon", "q");
        host.Clock.Advance(TimeSpan.FromSeconds(3));
        host.Ok(new Abandon("short-abandon"));
        host.Clock.Advance(TimeSpan.FromSeconds(7));
        host.Ok(new LogIn("a"));
        Assert.Equal("fast", host.Answer("a"));
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        host.Ok(new Complete("fast"));
        Assert.Equal("slow", host.Answer("a"));
        host.Ok(new Abandon("long-abandon"));

        var m = host.Metrics("q");
        Assert.Equal((4L, 2L, 2L, 1L), (m.Offered, m.Answered, m.Abandoned, m.ShortAbandoned));
        Assert.Equal(1, m.AnsweredWithinThreshold);
        // 1 within threshold / (2 answered + 1 abandon after 5 s).
        Assert.Equal(1.0 / 3, m.ServiceLevel, 9);
        // (10 s + 40 s) / 2.
        Assert.Equal(TimeSpan.FromSeconds(25), m.AverageSpeedOfAnswer);
        Assert.Equal(TimeSpan.FromSeconds(30), m.AverageHandleTime);
    }

    [Fact]
    public void Waiting_longest_wait_and_agents_by_status_are_live()
    {
        using var host = ServiceQueue();
        host.Enqueue("x", "q");
        host.Clock.Advance(TimeSpan.FromSeconds(12));
        host.Enqueue("y", "q");

        var snapshot = host.Engine.GetSnapshot();
        var m = snapshot.Queues.Single();
        Assert.Equal(2, m.Waiting);
        Assert.Equal(TimeSpan.FromSeconds(12), m.LongestWait);
        Assert.Equal(1, snapshot.AgentsByStatus[AgentStatus.Offline]);

        host.Ok(new LogIn("a"));
        Assert.Equal(1, host.Engine.GetSnapshot().AgentsByStatus[AgentStatus.Reserved]);
    }

    [Fact]
    public void Occupancy_is_occupied_over_staffed_time()
    {
        using var host = ServiceQueue();
        host.Ok(new LogIn("a"));
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        host.Enqueue("x", "q");
        host.Answer("a");
        host.Clock.Advance(TimeSpan.FromSeconds(90));
        host.Ok(new Complete("x"));
        host.Ok(new SetNotReady("a", "break"));
        host.Clock.Advance(TimeSpan.FromHours(1));

        var agent = host.Engine.GetSnapshot().Agents.Single();
        Assert.Equal(0.75, agent.Occupancy, 9);
        Assert.Equal(0.75, host.Metrics("q").Occupancy, 9);
    }

    [Fact]
    public void The_event_stream_rebuilds_the_queue_log_counts()
    {
        using var host = ServiceQueue();
        host.Ok(new LogIn("a"));
        for (var i = 0; i < 20; i++)
        {
            host.Enqueue($"c{i}", "q");
            host.Clock.Advance(TimeSpan.FromSeconds(4 * (i % 5)));
            if (i % 4 == 3)
            {
                host.Ok(new Abandon($"c{i}"));
            }

            if (host.OfferOf("a") is { } offer)
            {
                host.Ok(new Accept(offer.OfferId, "a"));
                host.Clock.Advance(TimeSpan.FromSeconds(15));
                host.Ok(new Complete(offer.ItemId));
            }
        }

        // Rebuild per-queue counts from the events alone, as a queue_log consumer would.
        var offered = host.Events.OfType<ItemEnqueued>().Count();
        var answered = host.Events.OfType<ItemAssigned>().Count();
        var abandoned = host.Events.OfType<ItemAbandoned>().Count();
        var shortAbandons = host.Events.OfType<ItemAbandoned>().Count(e => e.IsShort);
        var completed = host.Events.OfType<ItemCompleted>().Count();
        var inThreshold = host.Events.OfType<ItemAssigned>().Count(e => e.Wait <= TimeSpan.FromSeconds(20));
        var m = host.Metrics("q");
        Assert.Equal((m.Offered, m.Answered, m.Abandoned, m.ShortAbandoned, m.Completed, m.AnsweredWithinThreshold),
            (offered, answered, abandoned, shortAbandons, completed, inThreshold));
        Assert.Equal(Enumerable.Range(1, host.Events.Count).Select(i => (long)i), host.Events.Select(e => e.Sequence));
        Assert.True(host.Events.Zip(host.Events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp));
    }

    [Fact]
    public void Agent_status_events_replay_to_the_current_status()
    {
        using var host = ServiceQueue();
        host.Ok(new LogIn("a"));
        host.Enqueue("x", "q");
        host.Answer("a");
        host.Ok(new Complete("x"));
        host.Ok(new SetNotReady("a", "training"));

        var changes = host.Events.OfType<AgentStatusChanged>().Where(e => e.AgentId == "a").ToList();
        Assert.Equal(
            [AgentStatus.Available, AgentStatus.Reserved, AgentStatus.Busy, AgentStatus.Available, AgentStatus.NotReady],
            changes.Select(c => c.To));
        Assert.Equal("training", changes[^1].Reason);
        Assert.All(changes.Zip(changes.Skip(1)), p => Assert.Equal(p.First.To, p.Second.From));
    }

    [Fact]
    public void A_new_not_ready_reason_is_published_though_the_status_stays_not_ready()
    {
        using var host = ServiceQueue();
        host.Ok(new LogIn("a", NotReadyReason: "break"));
        host.Ok(new SetNotReady("a", "lunch"));
        host.Ok(new SetNotReady("a", "lunch"));

        var changes = host.Events.OfType<AgentStatusChanged>().Where(e => e.AgentId == "a").ToList();
        Assert.Equal([(AgentStatus.NotReady, "break"), (AgentStatus.NotReady, "lunch")], changes.Select(c => (c.To, c.Reason)));
        Assert.Equal(AgentStatus.NotReady, changes[^1].From);
    }

    [Fact]
    public void Meter_instruments_publish_the_live_metrics()
    {
        using var host = ServiceQueue("meter-test");
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "ContactCenter.Routing" && instrument.Meter.Tags!.Contains(new("routing.engine", "meter-test")))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
        host.Enqueue("x", "q");
        host.Enqueue("y", "q");
        host.Clock.Advance(TimeSpan.FromSeconds(8));
        host.Ok(new Abandon("y"));
        host.Ok(new LogIn("a"));
        host.Answer("a");
        host.Clock.Advance(TimeSpan.FromSeconds(2));

        listener.RecordObservableInstruments();

        Assert.Equal(0, values["routing.queue.waiting"]);
        Assert.Equal(2, values["routing.queue.offered"]);
        Assert.Equal(1, values["routing.queue.answered"]);
        Assert.Equal(1, values["routing.queue.abandoned|long"]);
        Assert.Equal(0, values["routing.queue.abandoned|short"]);
        Assert.Equal(0.5, values["routing.queue.service_level"], 9);
        Assert.Equal(8, values["routing.queue.asa"], 9);
        Assert.Equal(8, values["routing.queue.wait_time"], 9);
        Assert.Equal(1, values["routing.agents|busy"]);

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                if (tag.Key == "routing.agent.status")
                {
                    key += "|" + tag.Value;
                }

                if (tag.Key == "routing.abandon.short")
                {
                    key += (bool)tag.Value! ? "|short" : "|long";
                }
            }

            values[key] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
