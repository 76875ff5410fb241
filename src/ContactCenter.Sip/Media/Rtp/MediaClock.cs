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
/// Driven by a <see cref="TimeProvider"/>, so tests run it in virtual time. On the system clock the ticks run on
/// threads of their own (see <see cref="DedicatedThreads"/>), so a busy thread pool (socket completions, the
/// application's own work) never delays a tick.
/// </summary>
public sealed class MediaClock : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private IMediaClockSubscriber[] _subscribers = [];
    private ITimer? _timer;
    private Thread? _thread;
    private TickWorker[] _workers = [];
    // Never disposed: the clock's threads may still be waking up on them when Dispose returns.
    private readonly ManualResetEventSlim _stopping = new();
    private readonly CountdownEvent _sliceDone = new(0);
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
        DedicatedThreads = ReferenceEquals(time, TimeProvider.System);
    }

    /// <summary>
    /// Run the ticks on threads owned by the clock (one, plus one per extra <see cref="Parallelism"/> slice) that
    /// sleep until each tick is due, instead of on timer callbacks of the thread pool. Default: true on
    /// <see cref="TimeProvider.System"/>, false on any other time provider (virtual time in tests needs its timers).
    /// </summary>
    public bool DedicatedThreads { get; init; }

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

    /// <summary>
    /// Run the clock's own threads (<see cref="DedicatedThreads"/>) under Linux real-time round-robin scheduling at
    /// this priority, 1 to 99 (default 0: off, ordinary scheduling). Other work on the machine (a build, a backup, a
    /// load generator) then cannot delay a tick. Needs the CAP_SYS_NICE capability (or root, or an RLIMIT_RTPRIO
    /// allowance); without it the clock logs a warning and runs at ordinary priority. Ignored on other systems. The
    /// clock's threads sleep between ticks, but a machine overloaded with calls keeps them busy: Linux then still
    /// leaves other threads 5% of each core (kernel.sched_rt_runtime_us), so signalling slows down. Size the call
    /// load before turning this on.
    /// </summary>
    public int RealtimePriority
    {
        get => _realtimePriority;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(RealtimePriority));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 99, nameof(RealtimePriority));
            _realtimePriority = value;
        }
    }

    private readonly int _realtimePriority;

    /// <summary>Ticks run so far.</summary>
    public long TicksRun => Interlocked.Read(ref _nextTick);

    /// <summary>Ticks skipped because the process fell too far behind.</summary>
    public long SkippedTicks { get; private set; }

    internal MediaMetrics Metrics { get; }

    // One batch reader per thread that polls RTP sockets (the clock's threads), shared by every session it polls.
    private readonly ThreadLocal<LinuxDatagramBatch>? _receiveBatches = LinuxDatagramBatch.Supported ? new(() => new LinuxDatagramBatch(4)) : null;

    /// <summary>The calling thread's batch reader for RTP read on the tick; null where batch reads are not available.</summary>
    internal LinuxDatagramBatch? ReceiveBatch() => _disposed ? null : _receiveBatches?.Value;

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
            if (DedicatedThreads)
            {
                _workers = [.. Enumerable.Range(1, Math.Max(0, Parallelism - 1)).Select(i => new TickWorker(this, i))];
                _thread = new Thread(static s => ((MediaClock)s!).RunThread())
                {
                    IsBackground = true,
                    Name = "MediaClock",
                    Priority = ThreadPriority.Highest,
                };
                _thread.Start(this);
                return;
            }

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
            _stopping.Set();
        }

        Metrics.Dispose();
    }

    /// <summary>Applies <see cref="RealtimePriority"/> to the calling clock thread.</summary>
    private void ApplyRealtimePriority()
    {
        if (_realtimePriority == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        var error = LinuxThreadScheduling.TrySetRoundRobin(_realtimePriority);
        if (error != 0)
        {
            MediaLog.RealtimePriorityRefused(_logger, _realtimePriority, error);
        }
    }

    private void RunThread()
    {
        ApplyRealtimePriority();
        while (!_stopping.IsSet)
        {
            RunDueTicks();
            var wait = TimeSpan.FromTicks(((_nextTick + 1) * Tick.Ticks) - _time.GetElapsedTime(_start).Ticks);
            if (wait > TimeSpan.Zero)
            {
                // Whole milliseconds, rounded up: waking a little late is measured and caught up, waking early spins.
                _stopping.Wait((int)Math.Ceiling(wait.TotalMilliseconds));
            }
        }

        foreach (var worker in _workers)
        {
            worker.Stop();
        }
    }

    private void OnTimer()
    {
        RunDueTicks();
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

    private void RunDueTicks()
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
        if (_workers.Length > 0)
        {
            workers = Math.Min(workers, _workers.Length + 1);
            var done = _sliceDone;
            done.Reset(workers - 1);
            for (var w = 1; w < workers; w++)
            {
                _workers[w - 1].Run(subscribers, subscribers.Length * w / workers, subscribers.Length * (w + 1) / workers, tick, done);
            }

            RunRange(subscribers, 0, subscribers.Length / workers, tick);
            done.Wait();
            return;
        }

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

    /// <summary>A thread of the clock that runs one slice of a tick's subscribers when asked.</summary>
    private sealed class TickWorker
    {
        private readonly MediaClock _clock;
        private readonly object _signal = new();
        private IMediaClockSubscriber[] _subscribers = [];
        private int _start;
        private int _end;
        private long _tick;
        private CountdownEvent? _done;
        private bool _pending;
        private bool _stopped;

        public TickWorker(MediaClock clock, int index)
        {
            _clock = clock;
            new Thread(static s => ((TickWorker)s!).Loop())
            {
                IsBackground = true,
                Name = "MediaClock " + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Priority = ThreadPriority.Highest,
            }.Start(this);
        }

        public void Run(IMediaClockSubscriber[] subscribers, int start, int end, long tick, CountdownEvent done)
        {
            lock (_signal)
            {
                (_subscribers, _start, _end, _tick, _done, _pending) = (subscribers, start, end, tick, done, true);
                Monitor.Pulse(_signal);
            }
        }

        public void Stop()
        {
            lock (_signal)
            {
                _stopped = true;
                Monitor.Pulse(_signal);
            }
        }

        private void Loop()
        {
            _clock.ApplyRealtimePriority();
            while (true)
            {
                IMediaClockSubscriber[] subscribers;
                int start, end;
                long tick;
                CountdownEvent done;
                lock (_signal)
                {
                    while (!_pending && !_stopped)
                    {
                        Monitor.Wait(_signal);
                    }

                    if (_stopped)
                    {
                        return;
                    }

                    _pending = false;
                    (subscribers, start, end, tick, done) = (_subscribers, _start, _end, _tick, _done!);
                }

                _clock.RunRange(subscribers, start, end, tick);
                done.Signal();
            }
        }
    }
}
