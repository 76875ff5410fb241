using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Sip.Media;

/// <summary>Something the <see cref="MediaClock"/> drives: an RTP sender, a mixer, a recorder.</summary>
public interface IMediaClockSubscriber
{
    /// <summary>Called once per clock tick, in tick order, never concurrently for one clock.</summary>
    /// <param name="tick">The tick number (0, 1, 2, ...); with a 10 ms tick, a 20 ms sender acts on every other tick.</param>
    void OnTick(long tick);
}

/// <summary>
/// The one pacing clock for all media: every subscriber is called on each tick (default every 10 ms),
/// instead of a timer per call. Ticks are computed from the elapsed time since the start, not counted from
/// timer firings, so timer lateness never accumulates into drift: a late wake-up runs the missed ticks
/// at once (up to <see cref="MaxCatchUpTicks"/>; beyond that ticks are skipped and counted).
/// Driven by a <see cref="TimeProvider"/>, so tests run it in virtual time.
/// </summary>
public sealed class MediaClock : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private IMediaClockSubscriber[] _subscribers = [];
    private ITimer? _timer;
    private long _start;
    private long _nextTick;
    private bool _disposed;

    /// <summary>Creates a clock; call <see cref="Start"/> to run it.</summary>
    /// <param name="time">The time source.</param>
    /// <param name="tick">The tick interval (default 10 ms; ptimes must be multiples of it).</param>
    /// <param name="logger">Logs subscriber failures and skipped ticks.</param>
    /// <param name="meterFactory">Where the media instruments (meter "ContactCenter.Sip") are created; a private meter when null.</param>
    public MediaClock(TimeProvider time, TimeSpan? tick = null, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Tick = tick ?? TimeSpan.FromMilliseconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThan(Tick, TimeSpan.FromMilliseconds(1));
        _logger = logger ?? NullLogger.Instance;
        Metrics = new MediaMetrics(meterFactory);
    }

    /// <summary>The tick interval.</summary>
    public TimeSpan Tick { get; }

    /// <summary>The most missed ticks run at once after a late wake-up (default 5).</summary>
    public int MaxCatchUpTicks { get; init; } = 5;

    /// <summary>
    /// How many threads share a tick's work when there are at least <see cref="ParallelThreshold"/> subscribers
    /// (default: the processor count). Each subscriber is still called once per tick and never concurrently with itself.
    /// </summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The subscriber count from which a tick's work is split across threads (default 64).</summary>
    public int ParallelThreshold { get; init; } = 64;

    /// <summary>Ticks run so far.</summary>
    public long TicksRun => Interlocked.Read(ref _nextTick);

    /// <summary>Ticks skipped because the process fell too far behind.</summary>
    public long SkippedTicks { get; private set; }

    internal MediaMetrics Metrics { get; }

    /// <summary>The number of subscribers.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Starts ticking; the first tick runs one interval from now.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_timer is not null)
            {
                return;
            }

            _start = _time.GetTimestamp();
            _timer = _time.CreateTimer(static s => ((MediaClock)s!).OnTimer(), this, Tick, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds a subscriber (takes effect from the next tick).</summary>
    public void Subscribe(IMediaClockSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }
    }

    /// <summary>Removes a subscriber.</summary>
    public void Unsubscribe(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscriber))];
        }
    }

    /// <summary>Stops the clock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }

        Metrics.Dispose();
    }

    private void OnTimer()
    {
        var elapsed = _time.GetElapsedTime(_start);
        var due = (long)(elapsed.Ticks / Tick.Ticks);
        Metrics.TickLateness.Record((elapsed - (Tick * (_nextTick + 1))).TotalSeconds);
        var behind = due - _nextTick;
        if (behind > MaxCatchUpTicks)
        {
            var skip = behind - MaxCatchUpTicks;
            SkippedTicks += skip;
            Metrics.SkippedTicks.Add(skip);
            Interlocked.Add(ref _nextTick, skip);
            MediaLog.ClockSkipped(_logger, skip);
        }

        while (_nextTick < due)
        {
            RunTick(_nextTick);
            Interlocked.Increment(ref _nextTick);
        }

        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            var next = TimeSpan.FromTicks(((_nextTick + 1) * Tick.Ticks) - _time.GetElapsedTime(_start).Ticks);
            if (next < TimeSpan.Zero)
            {
                next = TimeSpan.Zero;
            }

            _timer.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    private void RunTick(long tick)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        var workers = Math.Min(Parallelism, subscribers.Length / Math.Max(1, ParallelThreshold / 2));
        if (subscribers.Length < ParallelThreshold || workers < 2)
        {
            RunRange(subscribers, 0, subscribers.Length, tick);
            return;
        }

        // Contiguous slices, one per worker: the calling thread takes the first.
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var start = subscribers.Length * w / workers;
            var end = subscribers.Length * (w + 1) / workers;
            RunRange(subscribers, start, end, tick);
        });
    }

    private void RunRange(IMediaClockSubscriber[] subscribers, int start, int end, long tick)
    {
        for (var i = start; i < end; i++)
        {
            try
            {
                subscribers[i].OnTick(tick);
            }
#pragma warning disable CA1031 // One failing call must not stop the clock that paces every other call.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                MediaLog.SubscriberFailed(_logger, ex);
            }
        }
    }
}
