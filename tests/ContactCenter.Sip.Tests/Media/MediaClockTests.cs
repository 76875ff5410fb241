using ContactCenter.Sip.Media;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Media;

public sealed class MediaClockTests
{
    private sealed class Recorder : IMediaClockSubscriber
    {
        public List<long> Ticks { get; } = [];

        public Action? OnEach { get; set; }

        public void OnTick(long tick)
        {
            Ticks.Add(tick);
            OnEach?.Invoke();
        }
    }

    /// <summary>A clock whose timers always fire <see cref="Lateness"/> after they were due (a busy machine).</summary>
    private sealed class LateTimeProvider(ManualTimeProvider inner, TimeSpan lateness) : TimeProvider
    {
        public TimeSpan Lateness { get; } = lateness;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new LateTimer(inner.CreateTimer(callback, state, dueTime + Lateness, period), Lateness);

        private sealed class LateTimer(ITimer timer, TimeSpan lateness) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(dueTime + lateness, period);

            public void Dispose() => timer.Dispose();

            public ValueTask DisposeAsync() => timer.DisposeAsync();
        }
    }

    [Fact]
    public void Every_subscriber_is_ticked_every_interval_from_one_timer()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var subscribers = Enumerable.Range(0, 100).Select(_ => new Recorder()).ToList();
        subscribers.ForEach(clock.Subscribe);
        clock.Start();

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.All(subscribers, s => Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), s.Ticks));
        Assert.Equal(1, time.ActiveTimers);
    }

    [Fact]
    public void Late_timer_wakeups_do_not_accumulate_into_drift()
    {
        var manual = new ManualTimeProvider();
        using var clock = new MediaClock(new LateTimeProvider(manual, TimeSpan.FromMilliseconds(4)));
        var recorder = new Recorder();
        clock.Subscribe(recorder);
        clock.Start();

        manual.Advance(TimeSpan.FromSeconds(60));

        // A naive periodic timer firing 4 ms late each time would run 60 s / 14 ms = 4285 ticks.
        Assert.InRange(recorder.Ticks.Count, 5999, 6000);
        Assert.Equal(Enumerable.Range(0, recorder.Ticks.Count).Select(i => (long)i), recorder.Ticks);
    }

    [Fact]
    public void A_long_stall_skips_ticks_beyond_the_catch_up_limit()
    {
        var manual = new ManualTimeProvider();
        using var clock = new MediaClock(new LateTimeProvider(manual, TimeSpan.FromMilliseconds(200))) { MaxCatchUpTicks = 5 };
        var recorder = new Recorder();
        clock.Subscribe(recorder);
        clock.Start();

        manual.Advance(TimeSpan.FromMilliseconds(210));

        Assert.Equal(5, recorder.Ticks.Count);
        Assert.Equal(16, clock.SkippedTicks);
    }

    [Fact]
    public void Skipped_ticks_are_reported_at_once_then_at_most_once_a_second_with_their_total()
    {
        var manual = new ManualTimeProvider();
        var logger = new WarningRecorder();
        using var clock = new MediaClock(new LateTimeProvider(manual, TimeSpan.FromMilliseconds(200)), logger: logger) { MaxCatchUpTicks = 5 };
        clock.Subscribe(new Recorder());
        clock.Start();

        // Every wake-up comes 200 ms late, so each one skips ticks: about 4.5 wake-ups a second for 3 s.
        for (var i = 0; i < 14; i++)
        {
            manual.Advance(TimeSpan.FromMilliseconds(210));
        }

        Assert.InRange(logger.Warnings.Count, 3, 4); // at once, then once in each later second (14 wake-ups, 2.9 s)

        // The next report (the first wake-up a second after the last one) carries every skip not yet reported: step
        // 100 ms at a time (at most one wake-up a step) until it comes.
        var before = logger.Warnings.Count;
        for (var i = 0; i < 20 && logger.Warnings.Count == before; i++)
        {
            manual.Advance(TimeSpan.FromMilliseconds(100));
        }

        var reports = logger.Warnings.Select(w => long.Parse(System.Text.RegularExpressions.Regex.Match(w, "skipped ([0-9]+) ticks").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(before + 1, reports.Count);
        Assert.Equal(clock.SkippedTicks, reports.Sum());
    }

    [Fact]
    public void A_skip_report_carries_the_garbage_collector_pauses_since_the_previous_report()
    {
        var manual = new ManualTimeProvider();
        var logger = new WarningRecorder();
        using var clock = new MediaClock(new LateTimeProvider(manual, TimeSpan.FromMilliseconds(200)), logger: logger) { MaxCatchUpTicks = 5 };
        clock.Subscribe(new Recorder());
        clock.Start();
        manual.Advance(TimeSpan.FromMilliseconds(210));
        Assert.Single(logger.Warnings);

        // Full blocking collections of a live graph large enough that they pause the process for whole milliseconds.
        var live = Enumerable.Range(0, 300_000).Select(i => new object[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        var before = GC.GetTotalPauseDuration();
        for (var i = 0; i < 20 && GC.GetTotalPauseDuration() - before < TimeSpan.FromMilliseconds(3); i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        var induced = GC.GetTotalPauseDuration() - before;
        GC.KeepAlive(live);
        Assert.True(induced >= TimeSpan.FromMilliseconds(3), $"the collections paused only {induced.TotalMilliseconds} ms");

        manual.Advance(TimeSpan.FromMilliseconds(1100));
        Assert.Equal(2, logger.Warnings.Count);
        var pauses = logger.Warnings.Select(w => long.Parse(System.Text.RegularExpressions.Regex.Match(w, "paused the process for ([0-9]+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(pauses.Last(), (long)induced.TotalMilliseconds, (long)GC.GetTotalPauseDuration().TotalMilliseconds);
    }

    [Fact]
    public void A_failing_subscriber_does_not_stop_the_others()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var bad = new Recorder { OnEach = () => throw new InvalidOperationException("boom") };
        var good = new Recorder();
        clock.Subscribe(bad);
        clock.Subscribe(good);
        clock.Start();

        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(10, good.Ticks.Count);
    }

    [Fact]
    public void Unsubscribed_and_disposed_clock_stop_ticking()
    {
        var time = new ManualTimeProvider();
        var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Subscribe(recorder);
        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(50));
        clock.Unsubscribe(recorder);
        time.Advance(TimeSpan.FromMilliseconds(50));
        clock.Dispose();

        Assert.Equal(5, recorder.Ticks.Count);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public void Dedicated_threads_share_the_subscribers_and_call_each_once_per_tick_in_order()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time) { DedicatedThreads = true, Parallelism = 2, ParallelThreshold = 64, MaxCatchUpTicks = 20 };
        var subscribers = Enumerable.Range(0, 200).Select(_ => new Recorder()).ToList();
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, byte>();
        using var tenthTickDone = new CountdownEvent(subscribers.Count);
        foreach (var subscriber in subscribers)
        {
            subscriber.OnEach = () =>
            {
                threads.TryAdd(Environment.CurrentManagedThreadId, 0);
                if (subscriber.Ticks.Count == 10)
                {
                    tenthTickDone.Signal();
                }
            };
            clock.Subscribe(subscriber);
        }

        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(100));

        // The clock's threads wake on their own (real time) and find ten ticks due in virtual time.
        Assert.True(tenthTickDone.Wait(TimeSpan.FromSeconds(30)), "the dedicated clock threads did not run the due ticks");
        Assert.All(subscribers, s => Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), s.Ticks.Take(10)));
        Assert.Equal(2, threads.Count);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Dedicated_threads_take_subscribers_and_removals_while_running_and_keep_subscription_order()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time) { DedicatedThreads = true, Parallelism = 2, ParallelThreshold = 8, MaxCatchUpTicks = 100 };
        var calls = new System.Collections.Concurrent.ConcurrentQueue<(int Thread, long Tick, int Id)>();
        var subscribers = new List<Recorder>();
        Recorder Add(int id)
        {
            var recorder = new Recorder();
            recorder.OnEach = () => calls.Enqueue((Environment.CurrentManagedThreadId, recorder.Ticks[^1], id));
            subscribers.Add(recorder);
            clock.Subscribe(recorder);
            return recorder;
        }

        async Task RunTicks(int ticks, Func<bool> done)
        {
            time.Advance(TimeSpan.FromMilliseconds(10 * ticks));
            for (var i = 0; i < 3000 && !done(); i++)
            {
                await Task.Delay(10);
            }

            Assert.True(done(), "the dedicated clock threads did not run the due ticks");
        }

        clock.Start();
        for (var id = 0; id < 40; id++)
        {
            Add(id);
        }

        var twice = subscribers[7];
        clock.Subscribe(twice);
        await RunTicks(5, () => subscribers.All(s => s.Ticks.Count >= 5));
        Assert.Equal(10, twice.Ticks.Count); // called twice a tick while subscribed twice

        // Remove every even one (the one subscribed twice, once for both), then add ten more while the threads run.
        foreach (var s in subscribers.Where((_, i) => i % 2 == 0 || i == 7).ToList())
        {
            clock.Unsubscribe(s);
        }

        var removedAt = subscribers.ToDictionary(s => s, s => s.Ticks.Count);
        var added = Enumerable.Range(40, 10).Select(Add).ToList();
        await RunTicks(5, () => added.All(s => s.Ticks.Count >= 5) && subscribers.Take(40).Where((_, i) => i % 2 == 1 && i != 7).All(s => s.Ticks.Count >= 10));

        // A removal is applied before the lane's next tick: at most the tick under way when it came still calls it.
        foreach (var (s, count) in removedAt.Where(p => subscribers.IndexOf(p.Key) is var i && (i % 2 == 0 || i == 7)))
        {
            Assert.InRange(s.Ticks.Count, count, count + (s == twice ? 2 : 1));
        }

        // On each thread, every tick calls its subscribers in the order they subscribed (the second subscription of the
        // one subscribed twice comes last).
        foreach (var group in calls.GroupBy(c => (c.Thread, c.Tick)))
        {
            var ids = group.Select(c => c.Id).Distinct().ToList();
            Assert.Equal(ids.Order(), ids);
        }

        Assert.Equal(2, calls.Select(c => c.Thread).Distinct().Count());
    }

    [Fact]
    public void A_dedicated_thread_held_up_by_one_subscriber_does_not_hold_up_the_other_threads()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time) { DedicatedThreads = true, Parallelism = 2, ParallelThreshold = 2, MaxCatchUpTicks = 20 };
        using var release = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        using var tenthTickElsewhere = new ManualResetEventSlim();
        var blockedThread = 0;
        var blocker = new Recorder();
        blocker.OnEach = () =>
        {
            if (blocker.Ticks.Count == 3)
            {
                Volatile.Write(ref blockedThread, Environment.CurrentManagedThreadId);
                blocked.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        var subscribers = Enumerable.Range(0, 3).Select(_ => new Recorder()).ToList();
        foreach (var subscriber in subscribers)
        {
            subscriber.OnEach = () =>
            {
                if (subscriber.Ticks.Count == 10 && Environment.CurrentManagedThreadId != Volatile.Read(ref blockedThread))
                {
                    tenthTickElsewhere.Set();
                }
            };
        }

        clock.Subscribe(blocker);
        foreach (var subscriber in subscribers)
        {
            clock.Subscribe(subscriber);
        }

        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.True(blocked.Wait(TimeSpan.FromSeconds(30)), "the clock did not reach the third tick");

        // The blocker's thread is stuck in its third tick; the other thread runs the next seven due ticks meanwhile.
        time.Advance(TimeSpan.FromMilliseconds(70));
        var progressed = tenthTickElsewhere.Wait(TimeSpan.FromSeconds(30));
        var blockerTicks = blocker.Ticks.Count;
        release.Set();

        Assert.True(progressed, "the other clock thread waited for the held-up one");
        Assert.Equal(3, blockerTicks);
    }

    [Fact]
    public void Only_the_system_clock_gets_dedicated_threads_by_default()
    {
        using var system = new MediaClock(TimeProvider.System);
        using var manual = new MediaClock(new ManualTimeProvider());

        Assert.True(system.DedicatedThreads);
        Assert.False(manual.DedicatedThreads);
    }

    [Theory]
    [InlineData("RealtimePriority", -1)] // 0 (off) or 1-99
    [InlineData("RealtimePriority", 100)]
    [InlineData("ThreadNice", -21)] // -20 to 19
    [InlineData("ThreadNice", 20)]
    public void Scheduling_settings_out_of_range_are_refused_naming_the_setting(string setting, int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => setting == "ThreadNice"
            ? new MediaClock(TimeProvider.System) { ThreadNice = value }
            : new MediaClock(TimeProvider.System) { RealtimePriority = value });

        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public async Task Clock_threads_take_the_nice_value_and_the_process_keeps_its_own()
    {
        // Raising a nice value needs no privilege, so the test does not depend on the machine's capabilities.
        var logger = new WarningRecorder();
        using var clock = new MediaClock(TimeProvider.System, logger: logger) { ThreadNice = 7, Parallelism = 2, ParallelThreshold = 2 };
        var nices = await ClockThreadStatFieldsAsync(clock, NiceField);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The nice value: both clock threads have it, the test's thread not.
        Assert.Equal(2, nices.Count);
        Assert.All(nices, nice => Assert.Equal("7", nice));
        Assert.Empty(logger.OtherThanSkips);
        Assert.NotEqual("7", StatField(NiceField));
    }

    [Fact]
    public async Task Clock_threads_run_under_real_time_scheduling_or_say_why_not()
    {
        var logger = new WarningRecorder();
        using var clock = new MediaClock(TimeProvider.System, logger: logger) { RealtimePriority = 3, Parallelism = 2, ParallelThreshold = 2 };
        var policies = await ClockThreadStatFieldsAsync(clock, PolicyField);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The scheduling policy: 2 is SCHED_RR. Both clock threads ran probes.
        Assert.Equal(2, policies.Count);
        if (logger.OtherThanSkips.IsEmpty)
        {
            Assert.All(policies, policy => Assert.Equal("2", policy));
        }
        else
        {
            Assert.All(policies, policy => Assert.Equal("0", policy));
            Assert.Contains(logger.OtherThanSkips, w => w.Contains("real-time priority 3 was refused", StringComparison.Ordinal));
        }
    }

    // Fields of /proc/<pid>/stat (proc(5)), numbered from 1.
    private const int NiceField = 19;
    private const int PolicyField = 41;

    /// <summary>One field of the calling thread's <c>/proc/thread-self/stat</c>.</summary>
    private static string StatField(int field)
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[field - 3];
    }

    /// <summary>Starts <paramref name="clock"/> with probes on each of its two threads; one stat field per thread (none off Linux).</summary>
    private static async Task<IReadOnlyCollection<string>> ClockThreadStatFieldsAsync(MediaClock clock, int field)
    {
        var values = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 4; i++)
        {
            clock.Subscribe(new StatProbe(values, seen, field));
        }

        clock.Start();
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return [.. values.Values];
    }

    /// <summary>Records, per clock thread, one field of <c>/proc/thread-self/stat</c>.</summary>
    private sealed class StatProbe(System.Collections.Concurrent.ConcurrentDictionary<int, string> values, TaskCompletionSource seen, int field) : IMediaClockSubscriber
    {
        public void OnTick(long tick)
        {
            if (!OperatingSystem.IsLinux())
            {
                seen.TrySetResult();
                return;
            }

            values[Environment.CurrentManagedThreadId] = StatField(field);
            if (values.Count >= 2)
            {
                seen.TrySetResult();
            }
        }
    }

    private sealed class WarningRecorder : Microsoft.Extensions.Logging.ILogger
    {
        // In the order logged.
        public System.Collections.Concurrent.ConcurrentQueue<string> Warnings { get; } = [];

        // The warnings other than skip reports (event 5000): on the system clock a loaded machine may skip a tick.
        public System.Collections.Concurrent.ConcurrentQueue<string> OtherThanSkips { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning)
            {
                Warnings.Enqueue(formatter(state, exception));
                if (eventId.Id != 5000)
                {
                    OtherThanSkips.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
