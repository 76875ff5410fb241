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
/// at once (up to <see cref="MaxCatchUpTicks"/>; beyond that ticks are skipped and counted, and a
/// <see cref="RtpSession"/> makes up the intervals it missed at its next one, without sending them).
/// Driven by a <see cref="TimeProvider"/>, so tests run it in virtual time. On the system clock the ticks run on
/// threads of their own (see <see cref="DedicatedThreads"/>), so a busy thread pool (socket completions, the
/// application's own work) never delays a tick.
/// </summary>
public sealed class MediaClock : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    // Before the clock's own threads start, and always on timer callbacks: every subscriber. Once the threads run,
    // each subscriber is held by its thread's lane only (one array copy per change, not two).
    private IMediaClockSubscriber[] _subscribers = [];
    private int _subscriberCount;
    private Lane[] _lanes = [];
    // With dedicated threads (under _gate): the lane each subscriber is on, and how many times it was subscribed there.
    private readonly Dictionary<IMediaClockSubscriber, (Lane Lane, int Count)> _membership = new(ReferenceEqualityComparer.Instance);
    private ITimer? _timer;
    private bool _started;
    // Never disposed: the clock's threads may still be waking up on it when Dispose returns.
    // No spinning before the wait blocks: a clock thread waits most of every tick, and spinning (sched_yield) only
    // takes the cores from the calls it paces.
    private readonly ManualResetEventSlim _stopping = new(initialState: false, spinCount: 0);
    private long _start;
    private long _nextTick;
    private long _skipped;
    private long _unreportedSkips;
    // The timestamp of the last skip report; long.MinValue before the first.
    private long _lastSkipReport = long.MinValue;
    // GC.GetTotalPauseDuration() in ticks at the last skip report (or at Start).
    private long _gcPauseAtLastReport;
    private Action<long>? _runTick;
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
    /// Run the ticks on threads owned by the clock (<see cref="Parallelism"/> of them) that sleep until each tick is
    /// due, instead of on timer callbacks of the thread pool. Each subscriber belongs to one of these threads, which
    /// calls it on every tick in order; the threads never wait for one another, so a thread the machine holds up
    /// delays only its own subscribers. Default: true on <see cref="TimeProvider.System"/>, false on any other time
    /// provider (virtual time in tests needs its timers).
    /// </summary>
    public bool DedicatedThreads { get; init; }

    /// <summary>The tick interval.</summary>
    public TimeSpan Tick { get; }

    /// <summary>The least time between two warnings about skipped ticks (default 1 s); the first is logged at once.</summary>
    public TimeSpan SkipReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The most missed ticks run at once after a late wake-up (default 5).</summary>
    public int MaxCatchUpTicks { get; init; } = 5;

    /// <summary>
    /// How many threads share the subscribers once there are at least <see cref="ParallelThreshold"/> of them
    /// (default: the processor count). Each subscriber is still called once per tick, in tick order, and never
    /// concurrently with itself. In a process that does little besides media, more threads than cores keep each
    /// thread's work per tick short, so a thread the scheduler takes off its core in the middle of a tick holds up
    /// fewer calls: with 1,000 recorded calls on two cores shared with the load generator, four threads gave a
    /// 99th-percentile send gap of 30-46 ms (35 on average over five runs) where two gave 43-50 ms. In a process that
    /// also does the signalling of those calls the extra threads take the cores from it: keep the default there.
    /// See benchmarks/RESULTS.md.
    /// </summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The subscriber count from which subscribers are spread over several threads (default 64).</summary>
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

    /// <summary>
    /// The nice value of the clock's own threads (<see cref="DedicatedThreads"/>) on Linux, -20 to 19 (default 0: the
    /// process's). A negative value gives the ticks a larger share of a busy machine than the signalling, storage and
    /// other work of the process, without the starvation of <see cref="RealtimePriority"/>: the scheduler still shares
    /// the cores by weight (-10 weighs about nine times an ordinary thread). Lowering the value needs CAP_SYS_NICE (or
    /// root, or an RLIMIT_NICE allowance); without it the clock logs that and keeps the process's. Ignored on other systems.
    /// </summary>
    public int ThreadNice
    {
        get => _threadNice;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, -20, nameof(ThreadNice));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 19, nameof(ThreadNice));
            _threadNice = value;
        }
    }

    private readonly int _threadNice;

    /// <summary>Ticks run so far (by the first of the clock's threads when it has several).</summary>
    public long TicksRun => _lanes.Length > 0 ? Interlocked.Read(ref _lanes[0].NextTick) : Interlocked.Read(ref _nextTick);

    /// <summary>Ticks skipped because the process fell too far behind (per thread, added up).</summary>
    public long SkippedTicks => Interlocked.Read(ref _skipped);

    internal MediaMetrics Metrics { get; }

    // One batch reader per thread that polls RTP sockets (the clock's threads), shared by every session it polls.
    private readonly ThreadLocal<LinuxDatagramBatch>? _receiveBatches = LinuxDatagramBatch.Supported ? new(() => new LinuxDatagramBatch(4)) : null;

    /// <summary>The calling thread's batch reader for RTP read on the tick; null where batch reads are not available.</summary>
    internal LinuxDatagramBatch? ReceiveBatch() => _disposed ? null : _receiveBatches?.Value;

    /// <summary>The number of subscribers.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscriberCount);

    /// <summary>Starts ticking; the first tick runs one interval from now.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _start = _time.GetTimestamp();
            _gcPauseAtLastReport = GC.GetTotalPauseDuration().Ticks;
            if (DedicatedThreads)
            {
                _lanes = [.. Enumerable.Range(0, Math.Max(1, Parallelism)).Select(i => new Lane(i))];
                foreach (var subscriber in _subscribers)
                {
                    AddToLane(subscriber);
                }

                _subscribers = [];

                foreach (var lane in _lanes)
                {
                    new Thread(static s => { var (clock, lane) = ((MediaClock, Lane))s!; clock.RunLane(lane); })
                    {
                        IsBackground = true,
                        Name = lane.Index == 0 ? "MediaClock" : "MediaClock " + lane.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Priority = ThreadPriority.Highest,
                    }.Start((this, lane));
                }

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
            _subscriberCount++;
            if (_lanes.Length > 0)
            {
                AddToLane(subscriber);
            }
            else
            {
                _subscribers = [.. _subscribers, subscriber];
            }
        }
    }

    /// <summary>Removes a subscriber.</summary>
    public void Unsubscribe(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            var removed = 0;
            if (_lanes.Length > 0)
            {
                if (_membership.Remove(subscriber, out var member))
                {
                    member.Lane.Change(subscriber, add: false);
                    member.Lane.Count -= member.Count;
                    removed = member.Count;
                }
            }
            else
            {
                _subscribers = Without(_subscribers, subscriber, out removed);
            }

            _subscriberCount -= removed;
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

    /// <summary>The thread a new subscriber joins (called under the lock): the first below the threshold, else the least loaded.</summary>
    private Lane LaneFor() =>
        _subscriberCount <= ParallelThreshold ? _lanes[0] : _lanes.MinBy(l => l.Count)!;

    /// <summary>Puts a subscriber on a lane (under the lock): the one it is already on, else <see cref="LaneFor"/>.</summary>
    private void AddToLane(IMediaClockSubscriber subscriber)
    {
        var lane = _membership.TryGetValue(subscriber, out var member) ? member.Lane : LaneFor();
        _membership[subscriber] = (lane, member.Count + 1);
        lane.Count++;
        lane.Change(subscriber, add: true);
    }

    /// <summary>Applies <see cref="ThreadNice"/> and <see cref="RealtimePriority"/> to the calling clock thread.</summary>
    private void ApplyThreadScheduling()
    {
        if (_threadNice != 0 && OperatingSystem.IsLinux() && LinuxThreadScheduling.TrySetNice(_threadNice) is var refused and not 0)
        {
            MediaLog.NiceRefused(_logger, _threadNice, refused);
        }

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

    private void RunLane(Lane lane)
    {
        ApplyThreadScheduling();
        Action<long> run = tick => RunRange(lane.Active, 0, lane.ActiveCount, tick);
        while (!_stopping.IsSet)
        {
            if (lane.HasChanges)
            {
                lock (_gate)
                {
                    lane.ApplyChanges();
                }
            }

            RunDueTicks(ref lane.NextTick, run);
            var wait = TimeSpan.FromTicks(((Interlocked.Read(ref lane.NextTick) + 1) * Tick.Ticks) - _time.GetElapsedTime(_start).Ticks);
            if (wait > TimeSpan.Zero)
            {
                // Whole milliseconds, rounded up: waking a little late is measured and caught up, waking early spins.
                _stopping.Wait((int)Math.Ceiling(wait.TotalMilliseconds));
            }
        }
    }

    private void OnTimer()
    {
        RunDueTicks(ref _nextTick, _runTick ??= RunTick);
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

    /// <summary>Runs the ticks due by now on one thread's tick counter <paramref name="nextTick"/>.</summary>
    private void RunDueTicks(ref long nextTick, Action<long> run)
    {
        var elapsed = _time.GetElapsedTime(_start);
        var due = (long)(elapsed.Ticks / Tick.Ticks);
        Metrics.TickLateness.Record((elapsed - (Tick * (nextTick + 1))).TotalSeconds);
        var behind = due - nextTick;
        if (behind > MaxCatchUpTicks)
        {
            var skip = behind - MaxCatchUpTicks;
            Interlocked.Add(ref _skipped, skip);
            Metrics.SkippedTicks.Add(skip);
            Interlocked.Add(ref nextTick, skip);
            ReportSkipped(skip);
        }

        while (nextTick < due)
        {
            run(nextTick);
            Interlocked.Increment(ref nextTick);
        }
    }

    /// <summary>
    /// Logs skipped ticks at once the first time, then at most once per <see cref="SkipReportInterval"/> with the ticks
    /// skipped since the previous report: an overloaded machine skips on most wake-ups, and a line for each would add
    /// to its load. <see cref="SkippedTicks"/> and the media.clock.skipped_ticks counter count every one.
    /// </summary>
    private void ReportSkipped(long skip)
    {
        Interlocked.Add(ref _unreportedSkips, skip);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastSkipReport);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < SkipReportInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastSkipReport, now, last) == last)
        {
            // The collector's pauses since the previous report tell a stalled process (pauses as long as the skip) from
            // a starved one (no pause: the threads were waiting for a core).
            var gcPause = GC.GetTotalPauseDuration().Ticks;
            var paused = TimeSpan.FromTicks(gcPause - Interlocked.Exchange(ref _gcPauseAtLastReport, gcPause));
            MediaLog.ClockSkipped(_logger, Interlocked.Exchange(ref _unreportedSkips, 0), (long)paused.TotalMilliseconds);
        }
    }

    /// <summary>One tick on timer callbacks (virtual time): every subscriber, in slices across the thread pool when there are many.</summary>
    private void RunTick(long tick)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        var workers = Math.Min(Parallelism, subscribers.Length / Math.Max(1, ParallelThreshold / 2));
        if (subscribers.Length < ParallelThreshold || workers < 2)
        {
            RunRange(subscribers, 0, subscribers.Length, tick);
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

    /// <summary>
    /// One of the clock's threads: its subscribers and its own tick count. Subscribing and unsubscribing queue a change
    /// (under the clock's lock) that the lane's thread applies before its next ticks, in place: no array is copied per
    /// call that starts or ends, which at a thousand calls at once was a 7 KB array for the collector each time.
    /// </summary>
    private sealed class Lane(int index)
    {
        private readonly List<(IMediaClockSubscriber Subscriber, bool Add)> _changes = [];
        private volatile bool _hasChanges;

        public int Index { get; } = index;

        public long NextTick;

        /// <summary>Subscribers on this lane, counting changes not yet applied (under the clock's lock).</summary>
        public int Count;

        /// <summary>The subscribers the lane's thread calls, in subscription order (its thread only).</summary>
        public IMediaClockSubscriber[] Active { get; private set; } = new IMediaClockSubscriber[16];

        /// <summary>How many of <see cref="Active"/> are in use (its thread only).</summary>
        public int ActiveCount { get; private set; }

        public bool HasChanges => _hasChanges;

        /// <summary>Queues an addition or the removal of every copy (under the clock's lock).</summary>
        public void Change(IMediaClockSubscriber subscriber, bool add)
        {
            _changes.Add((subscriber, add));
            _hasChanges = true;
        }

        /// <summary>Applies the queued changes (on the lane's thread, under the clock's lock).</summary>
        public void ApplyChanges()
        {
            foreach (var (subscriber, add) in _changes)
            {
                if (add)
                {
                    if (ActiveCount == Active.Length)
                    {
                        var grown = new IMediaClockSubscriber[Active.Length * 2];
                        Active.AsSpan(0, ActiveCount).CopyTo(grown);
                        Active = grown;
                    }

                    Active[ActiveCount++] = subscriber;
                    continue;
                }

                // Compares references only: with a thousand calls, calling each subscriber's Equals touched a thousand objects.
                var kept = 0;
                for (var i = 0; i < ActiveCount; i++)
                {
                    if (!ReferenceEquals(Active[i], subscriber))
                    {
                        Active[kept++] = Active[i];
                    }
                }

                Active.AsSpan(kept, ActiveCount - kept).Clear();
                ActiveCount = kept;
            }

            _changes.Clear();
            _hasChanges = false;
        }
    }

    /// <summary>
    /// <paramref name="subscribers"/> without <paramref name="subscriber"/> (the same array when it is not there).
    /// Compares references only: with a thousand calls, calling each subscriber's Equals touched a thousand objects.
    /// </summary>
    private static IMediaClockSubscriber[] Without(IMediaClockSubscriber[] subscribers, IMediaClockSubscriber subscriber, out int removed)
    {
        removed = 0;
        foreach (var s in subscribers)
        {
            if (ReferenceEquals(s, subscriber))
            {
                removed++;
            }
        }

        if (removed == 0)
        {
            return subscribers;
        }

        var kept = new IMediaClockSubscriber[subscribers.Length - removed];
        var k = 0;
        foreach (var s in subscribers)
        {
            if (!ReferenceEquals(s, subscriber))
            {
                kept[k++] = s;
            }
        }

        return kept;
    }
}
