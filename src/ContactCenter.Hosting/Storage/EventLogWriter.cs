using System.Text.Json;
using ContactCenter.Hosting.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// Appends every event published on <see cref="ContactCenterEventHub"/> to <see cref="IEventLog"/> (see
/// <see cref="EventLogOptions"/>): type, the event as the SSE stream and webhooks carry it, and the <c>callId</c> of its
/// data when it has one. One loop takes what its hub subscription (a bounded queue that drops its oldest events when
/// full, so publishing never waits) holds, up to <see cref="MaxBatch"/> events, and appends them with one
/// <see cref="IEventLog.AppendRangeAsync"/>; while that commits, the next batch gathers. A failed append is retried with
/// backoff, in order, before anything newer. Losses are counted and logged at most every
/// <see cref="LossReportInterval"/>. Registered before the runtime, it subscribes before calls start and stops after
/// them: <see cref="StopAsync"/> writes what is still queued until the host's shutdown token fires.
/// </summary>
internal sealed class EventLogWriter : IHostedService, IDisposable
{
    /// <summary>The most events appended in one write.</summary>
    internal const int MaxBatch = 512;

    /// <summary>How often, at most, lost events are logged.</summary>
    internal static readonly TimeSpan LossReportInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly ContactCenterEventHub _hub;
    private readonly IEventLog _log;
    private readonly EventLogOptions _options;
    private readonly JsonSerializerOptions _json;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private EventSubscription? _subscription;
    private Task _writing = Task.CompletedTask;
    private long _written;
    private long _refused;
    private long _abandoned;

    // Touched by the writing loop only.
    private Exception? _lastRefusal;
    private long _reportedQueueFull;
    private long _reportedRefused;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    public EventLogWriter(ContactCenterEventHub hub, IEventLog log, EventLogOptions options, JsonSerializerOptions json, TimeProvider time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(time);
        _hub = hub;
        _log = log;
        _options = options;
        _json = json;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How many events are in the log.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>How many events were published but not written: dropped from a full queue, refused, or left at shutdown.</summary>
    public long Lost => (_subscription?.Dropped ?? 0) + Interlocked.Read(ref _refused) + Interlocked.Read(ref _abandoned);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe before the host reports started, so no event published after start-up is missed.
        if (_options.Enabled && _subscription is null)
        {
            _subscription = _hub.Subscribe(capacity: _options.QueueCapacity);
            var subscription = _subscription;
            _writing = Task.Run(() => WriteAllAsync(subscription, _abort.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not { } subscription)
        {
            return;
        }

        // Nothing more is queued; what is queued is written, until the host gives up waiting.
        subscription.Dispose();
        using (cancellationToken.Register(static abort => ((CancellationTokenSource)abort!).Cancel(), _abort))
        {
            await _writing.ConfigureAwait(false);
        }

        StorageLog.EventLogWriterStopped(_logger, Written, Lost);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _abort.Cancel();
        _abort.Dispose();
    }

    private async Task WriteAllAsync(EventSubscription subscription, CancellationToken abort)
    {
        var reader = subscription.Reader;
        var batch = new List<EventAppend>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var @event))
                {
                    if (ToAppend(@event) is { } append)
                    {
                        batch.Add(append);
                    }
                }

                await AppendAsync(batch, subscription, abort).ConfigureAwait(false);
                batch.Clear();
                ReportLosses(subscription, force: false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            var left = batch.Count;
            while (reader.TryRead(out _))
            {
                left++;
            }

            if (left > 0)
            {
                Interlocked.Add(ref _abandoned, left);
                StorageLog.EventsNotWrittenAtShutdown(_logger, left);
            }
        }

        ReportLosses(subscription, force: true);
    }

    /// <summary>Appends <paramref name="batch"/>, retrying with backoff until it is written, refused, or the writer is aborted.</summary>
    private async Task AppendAsync(List<EventAppend> batch, EventSubscription subscription, CancellationToken abort)
    {
        var delay = FirstRetryDelay;
        while (batch.Count > 0)
        {
            try
            {
                await _log.AppendRangeAsync(batch, abort).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (ArgumentException e)
            {
                // The log refuses these events (an implementation's own checks): trying again cannot help.
                Interlocked.Add(ref _refused, batch.Count);
                _lastRefusal = e;
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException && !(e is OperationCanceledException && abort.IsCancellationRequested))
            {
                StorageLog.EventLogWriteFailed(_logger, batch.Count, delay, e);
                ReportLosses(subscription, force: false);
                await Task.Delay(delay, _time, abort).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private EventAppend? ToAppend(ContactCenterEvent @event)
    {
        try
        {
            StoreValidation.EventType(@event.Type);
            return new EventAppend(@event.Type, ContactCenterEventJson.Serialize(@event, _json), CallIdOf(@event));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A publisher's mistake (a type name too long, a value JSON cannot hold): counted and reported, not retried.
            Interlocked.Increment(ref _refused);
            _lastRefusal = e;
            return null;
        }
    }

    private static Guid? CallIdOf(ContactCenterEvent @event) =>
        @event.Data.TryGetValue("callId", out var value)
            ? value switch
            {
                Guid id => id,
                string text when Guid.TryParse(text, out var id) => id,
                _ => null,
            }
            : null;

    /// <summary>Logs the events lost since the last report, at most every <see cref="LossReportInterval"/> unless <paramref name="force"/>.</summary>
    private void ReportLosses(EventSubscription subscription, bool force)
    {
        var queueFull = subscription.Dropped;
        var refused = Interlocked.Read(ref _refused);
        if (queueFull == _reportedQueueFull && refused == _reportedRefused)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (!force && now - _lastReport < LossReportInterval)
        {
            return;
        }

        StorageLog.EventsLost(_logger, queueFull - _reportedQueueFull, refused - _reportedRefused, Lost, _lastRefusal);
        (_reportedQueueFull, _reportedRefused, _lastReport, _lastRefusal) = (queueFull, refused, now, null);
    }
}
