using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ContactCenter.Routing;

/// <summary>
/// The package's <see cref="Meter"/> instruments. Observable instruments read the engine's last published
/// snapshot, which the single writer refreshes (at most every <see cref="RoutingEngineOptions.MetricsRefreshInterval"/>).
/// </summary>
internal sealed class RoutingInstruments : IDisposable
{
    /// <summary>The name of the package's Meter and ActivitySource.</summary>
    public const string Name = "ContactCenter.Routing";

    private readonly Meter _meter;
    private readonly Func<RoutingSnapshot?> _snapshot;
    private readonly ObservableGauge<int> _waiting;

    public RoutingInstruments(Func<RoutingSnapshot?> snapshot, string engineName)
    {
        _snapshot = snapshot;
        _meter = new Meter(new MeterOptions(Name)
        {
            Version = typeof(RoutingInstruments).Assembly.GetName().Version?.ToString(),
            Tags = [new KeyValuePair<string, object?>("routing.engine", engineName)],
        });
        WaitTime = _meter.CreateHistogram<double>("routing.queue.wait_time", "s", "Wait from first enqueue to assignment, per answered item.");
        _waiting = _meter.CreateObservableGauge("routing.queue.waiting", () => PerQueue(q => q.Waiting), "{item}", "Items waiting in the queue now.");
        _meter.CreateObservableGauge("routing.queue.longest_wait", () => PerQueue(q => q.LongestWait.TotalSeconds), "s", "Wait of the oldest waiting item.");
        _meter.CreateObservableCounter("routing.queue.offered", () => PerQueue(q => q.Offered), "{item}", "Items that entered the queue.");
        _meter.CreateObservableCounter("routing.queue.answered", () => PerQueue(q => q.Answered), "{item}", "Items assigned to an agent.");
        _meter.CreateObservableCounter("routing.queue.abandoned", Abandoned, "{item}", "Items abandoned; tag routing.abandon.short separates short abandons.");
        _meter.CreateObservableGauge("routing.queue.service_level", () => PerQueue(q => q.ServiceLevel), "1", "Answered within threshold / (answered + abandoned after the short-abandon threshold).");
        _meter.CreateObservableGauge("routing.queue.asa", () => PerQueue(q => q.AverageSpeedOfAnswer.TotalSeconds), "s", "Average wait of answered items.");
        _meter.CreateObservableGauge("routing.queue.aht", () => PerQueue(q => q.AverageHandleTime.TotalSeconds), "s", "Average handle time plus wrap-up of completed items.");
        _meter.CreateObservableGauge("routing.queue.occupancy", () => PerQueue(q => q.Occupancy), "1", "Occupied over staffed time of the queue's members.");
        _meter.CreateObservableGauge("routing.queue.expected_wait", () => PerQueue(q => q.ExpectedWait.TotalSeconds), "s", "Expected wait of an item entering now.");
        _meter.CreateObservableGauge("routing.agents", AgentsByStatus, "{agent}", "Agents by status (tag routing.agent.status).");
        _meter.CreateObservableCounter("routing.decisions", () => _snapshot()?.Decisions ?? 0, "{decision}", "Routing decisions made.");
        ActivitySource = new ActivitySource(Name);
    }

    public Histogram<double> WaitTime { get; }

    /// <summary>Whether any listener collects the observable instruments (snapshots are only built then).</summary>
    public bool Observed => _waiting.Enabled;

    public ActivitySource ActivitySource { get; }

    private IEnumerable<Measurement<T>> PerQueue<T>(Func<QueueMetrics, T> value)
        where T : struct
    {
        var snapshot = _snapshot();
        if (snapshot is null)
        {
            yield break;
        }

        foreach (var queue in snapshot.Queues)
        {
            yield return new Measurement<T>(value(queue), new KeyValuePair<string, object?>("routing.queue", queue.Queue));
        }
    }

    private IEnumerable<Measurement<long>> Abandoned()
    {
        var snapshot = _snapshot();
        if (snapshot is null)
        {
            yield break;
        }

        foreach (var queue in snapshot.Queues)
        {
            var tag = new KeyValuePair<string, object?>("routing.queue", queue.Queue);
            yield return new Measurement<long>(queue.Abandoned - queue.ShortAbandoned, tag, new KeyValuePair<string, object?>("routing.abandon.short", false));
            yield return new Measurement<long>(queue.ShortAbandoned, tag, new KeyValuePair<string, object?>("routing.abandon.short", true));
        }
    }

    private IEnumerable<Measurement<int>> AgentsByStatus()
    {
        var snapshot = _snapshot();
        if (snapshot is null)
        {
            yield break;
        }

        foreach (var (status, count) in snapshot.AgentsByStatus)
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>("routing.agent.status", StatusName(status)));
        }
    }

    internal static string StatusName(AgentStatus status) => status switch
    {
        AgentStatus.Offline => "offline",
        AgentStatus.Available => "available",
        AgentStatus.NotReady => "not-ready",
        AgentStatus.Reserved => "reserved",
        AgentStatus.Busy => "busy",
        _ => "wrap-up",
    };

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
