using System.Diagnostics;
using System.Threading.Channels;
using ContactCenter.Routing.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Routing;

/// <summary>
/// The ACD engine. Every command goes through one writer and is applied in order, so no two changes ever
/// interleave: in <see cref="RoutingDispatch.Background"/> mode a bounded channel drained by one loop, in
/// <see cref="RoutingDispatch.Inline"/> mode the caller's thread under one lock. Timers (ring timeouts, wrap-up,
/// escalation, max wait) come from the <see cref="TimeProvider"/> and are applied as commands too.
/// </summary>
public sealed class RoutingEngine : IAsyncDisposable, IDisposable
{
    private static readonly ProcessDueTimers DueTimers = new();

    private readonly RoutingCore _core;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RoutingEngineOptions _options;
    private readonly RoutingInstruments _instruments;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private readonly Channel<Envelope>? _channel;
    private readonly Task? _loop;
    private Action<RoutingEvent>[] _handlers = [];
    private long _armedDue = long.MinValue;
    private long _sequence;
    private bool _delivering;
    private int _timerPending;
    private volatile RoutingSnapshot? _published;
    private long _publishedAt = long.MinValue / 2;
    private int _disposed;

    /// <summary>Creates an engine; in background mode its writer loop starts at once.</summary>
    /// <param name="options">Engine options (validated here); defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for every timer; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">A logger; none when <see langword="null"/>.</param>
    public RoutingEngine(RoutingEngineOptions? options = null, TimeProvider? timeProvider = null, ILogger<RoutingEngine>? logger = null)
    {
        _options = options ?? new RoutingEngineOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _core = new RoutingCore(_options, _time.GetUtcNow().UtcTicks);
        _instruments = new RoutingInstruments(PublishedSnapshot, _options.Name);
        _core.WaitTime = _instruments.WaitTime;
        _timer = _time.CreateTimer(OnTimer, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_options.Dispatch == RoutingDispatch.Background)
        {
            _channel = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(_options.CommandQueueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _loop = Task.Run(RunAsync);
        }

        RoutingLog.Started(_logger, _options.Dispatch);
    }

    /// <summary>The dispatch mode.</summary>
    public RoutingDispatch Dispatch => _options.Dispatch;

    internal RoutingCore Core => _core;

    /// <summary>
    /// Receives every event, in order, on the writer's thread, after the command that caused it is fully applied.
    /// Handlers must not block; they may send commands (applied after the current one).
    /// </summary>
    /// <returns>A handle that unsubscribes when disposed.</returns>
    public IDisposable Subscribe(Action<RoutingEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            _core.RecordEvents = true;
        }

        return new Subscription(this, handler);
    }

    /// <summary>Sends a command to the single writer; completes once it has been applied and its events delivered.</summary>
    public Task<RoutingResult> SendAsync(RoutingCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_channel is null)
        {
            return Task.FromResult(Execute(command));
        }

        var envelope = new CommandEnvelope(command);
        return WriteAsync(envelope, envelope.Completion.Task, cancellationToken);
    }

    /// <summary>
    /// Applies a command on the calling thread (inline mode only) and returns its outcome. Calls from several
    /// threads are applied one at a time; calls from event handlers are applied after the current command.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine runs in background mode.</exception>
    public RoutingResult Execute(RoutingCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        RequireInline();
        lock (_gate)
        {
            var result = ApplyOne(command);
            Deliver();
            return result;
        }
    }

    /// <summary>A consistent snapshot of all metrics, taken by the writer between two commands.</summary>
    public Task<RoutingSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(core => core.BuildSnapshot(), cancellationToken);

    /// <summary>A consistent snapshot of all metrics (inline mode only).</summary>
    public RoutingSnapshot GetSnapshot() => Query(core => core.BuildSnapshot());

    /// <summary>Where a waiting item stands and its expected wait; <see langword="null"/> when it is not waiting or ringing.</summary>
    public Task<QueuePosition?> GetPositionAsync(string itemId, CancellationToken cancellationToken = default) =>
        QueryAsync(core => core.Position(itemId), cancellationToken);

    /// <summary>Where a waiting item stands (inline mode only).</summary>
    public QueuePosition? GetPosition(string itemId) => Query(core => core.Position(itemId));

    internal T Query<T>(Func<RoutingCore, T> query)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        RequireInline();
        lock (_gate)
        {
            _core.AdvanceClock(_time.GetUtcNow().UtcTicks);
            return query(_core);
        }
    }

    internal Task<T> QueryAsync<T>(Func<RoutingCore, T> query, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_channel is null)
        {
            return Task.FromResult(Query(query));
        }

        var envelope = new QueryEnvelope<T>(query);
        return WriteAsync(envelope, envelope.Completion.Task, cancellationToken);
    }

    private async Task<T> WriteAsync<T>(Envelope envelope, Task<T> completion, CancellationToken cancellationToken)
    {
        await _channel!.Writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        return await completion.ConfigureAwait(false);
    }

    private void RequireInline()
    {
        if (_channel is not null)
        {
            throw new InvalidOperationException("This engine runs in background dispatch mode: use SendAsync and the *Async queries, or create it with RoutingDispatch.Inline.");
        }
    }

    private RoutingResult ApplyOne(RoutingCommand command)
    {
        var now = _time.GetUtcNow().UtcTicks;
        Activity? activity = null;
        if (command is Enqueue enqueue && _instruments.ActivitySource.HasListeners())
        {
            activity = _instruments.ActivitySource.StartActivity("routing.enqueue");
            activity?.SetTag("routing.item", enqueue.Item?.Id);
            activity?.SetTag("routing.queue", enqueue.Item?.Queue);
        }

        RoutingResult result;
        try
        {
            result = _core.Apply(command, now);
        }
#pragma warning disable CA1031 // The writer must survive a bug in one command; the failure is logged and returned.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RoutingLog.CommandFailed(_logger, command.GetType().Name, exception);
            result = RoutingResult.Fail(RoutingError.InvalidState, $"{command.GetType().Name} failed: {exception.Message}");
        }

        if (!result.Succeeded)
        {
            RoutingLog.CommandRefused(_logger, command.GetType().Name, result.Error, result.Message);
            activity?.SetStatus(ActivityStatusCode.Error, result.Message);
        }

        activity?.Dispose();
        ArmTimer(now);
        if (_instruments.Observed && now - _publishedAt >= _options.MetricsRefreshInterval.Ticks)
        {
            Publish(now);
        }

        return result;
    }

    /// <summary>How many snapshots were published for the observable instruments (for tests).</summary>
    internal int SnapshotsPublished { get; private set; }

    private void Publish(long now)
    {
        _core.AdvanceClock(now);
        _published = _core.BuildSnapshot();
        _publishedAt = now;
        SnapshotsPublished++;
    }

    private RoutingSnapshot? PublishedSnapshot()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return _published;
        }

        var now = _time.GetUtcNow().UtcTicks;
        if (now - Interlocked.Read(ref _publishedAt) >= _options.MetricsRefreshInterval.Ticks)
        {
            if (_channel is null)
            {
                lock (_gate)
                {
                    Publish(now);
                }
            }
            else
            {
                _channel.Writer.TryWrite(new RefreshEnvelope());
            }
        }

        return _published;
    }

    private void ArmTimer(long now)
    {
        var due = _core.NextDue;
        if (due == _armedDue)
        {
            return;
        }

        _armedDue = due;
        if (due == long.MaxValue)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(TimeSpan.FromTicks(Math.Max(0, due - now)), Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer(object? state)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (_channel is null)
        {
            lock (_gate)
            {
                _armedDue = long.MinValue;
                ApplyOne(DueTimers);
                Deliver();
            }

            return;
        }

        Interlocked.Exchange(ref _timerPending, 1);
        _channel.Writer.TryWrite(new RefreshEnvelope());
    }

    private void Deliver()
    {
        if (_delivering)
        {
            return;
        }

        _delivering = true;
        try
        {
            var outbox = _core.Outbox;
            while (outbox.TryDequeue(out var e))
            {
                e.Sequence = ++_sequence;
                foreach (var handler in _handlers)
                {
                    try
                    {
                        handler(e);
                    }
#pragma warning disable CA1031 // One faulty subscriber must not stop routing or starve the others.
                    catch (Exception exception)
#pragma warning restore CA1031
                    {
                        RoutingLog.HandlerFailed(_logger, e.GetType().Name, exception);
                    }
                }
            }
        }
        finally
        {
            _delivering = false;
        }
    }

    private async Task RunAsync()
    {
        await foreach (var envelope in _channel!.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (Interlocked.Exchange(ref _timerPending, 0) == 1)
            {
                _armedDue = long.MinValue;
                ApplyOne(DueTimers);
                Deliver();
            }

            envelope.Run(this);
            Deliver();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_channel is not null)
        {
            _channel.Writer.TryComplete();
            await _loop!.ConfigureAwait(false);
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        RoutingLog.Stopped(_logger, _core.Decisions);
        _instruments.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private abstract class Envelope
    {
        public abstract void Run(RoutingEngine engine);
    }

    private sealed class CommandEnvelope(RoutingCommand command) : Envelope
    {
        public TaskCompletionSource<RoutingResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(RoutingEngine engine)
        {
            var result = engine.ApplyOne(command);
            engine.Deliver();
            Completion.TrySetResult(result);
        }
    }

    private sealed class QueryEnvelope<T>(Func<RoutingCore, T> query) : Envelope
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(RoutingEngine engine)
        {
            try
            {
                engine._core.AdvanceClock(engine._time.GetUtcNow().UtcTicks);
                Completion.TrySetResult(query(engine._core));
            }
#pragma warning disable CA1031 // The failure is handed to the caller, not swallowed.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Completion.TrySetException(exception);
            }
        }
    }

    /// <summary>
    /// Wakes the routing loop: for due timers (<see cref="OnTimer"/>) or because a reader found the published snapshot
    /// stale. Either way the snapshot is rebuilt only once it is older than the refresh interval, so timers firing many
    /// times a second (ring timeouts, aging) do not rebuild it for every agent each time.
    /// </summary>
    private sealed class RefreshEnvelope : Envelope
    {
        public override void Run(RoutingEngine engine)
        {
            var now = engine._time.GetUtcNow().UtcTicks;
            if (engine._instruments.Observed && now - engine._publishedAt >= engine._options.MetricsRefreshInterval.Ticks)
            {
                engine.Publish(now);
            }
        }
    }

    private sealed class Subscription(RoutingEngine engine, Action<RoutingEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (engine._gate)
            {
                engine._handlers = [.. engine._handlers.Where(h => h != handler)];
                engine._core.RecordEvents = engine._handlers.Length > 0;
            }
        }
    }
}
