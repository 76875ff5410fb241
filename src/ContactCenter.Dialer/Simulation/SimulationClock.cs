namespace ContactCenter.Dialer.Simulation;

/// <summary>
/// A discrete-event virtual clock: timers and scheduled actions sit in one priority queue (due time, then creation
/// order) and <see cref="RunUntil"/> jumps from event to event. Nothing sleeps; single-threaded.
/// </summary>
internal sealed class SimulationClock(DateTimeOffset start) : TimeProvider
{
    private readonly PriorityQueue<Event, (long Due, long Sequence)> _queue = new();
    private long _now = start.UtcTicks;
    private long _sequence;

    public override DateTimeOffset GetUtcNow() => new(_now, TimeSpan.Zero);

    public override long GetTimestamp() => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public long NowTicks => _now;

    public int Pending => _queue.Count;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Schedule(TimeSpan delay, Action action) => Schedule(delay.Ticks, action);

    public void Schedule(long delayTicks, Action action) =>
        _queue.Enqueue(new Event(null, 0, action), (_now + Math.Max(0, delayTicks), _sequence++));

    /// <summary>Fires every event due up to <paramref name="end"/> in order, then sets the clock to it.</summary>
    public void RunUntil(DateTimeOffset end)
    {
        var endTicks = end.UtcTicks;
        while (_queue.TryPeek(out _, out var key) && key.Due <= endTicks)
        {
            var e = _queue.Dequeue();
            _now = key.Due;
            if (e.Timer is { } timer)
            {
                timer.Fire(e.Version);
            }
            else
            {
                e.Action!();
            }
        }

        _now = Math.Max(_now, endTicks);
    }

    private void Arm(SimTimer timer, long dueTicks) =>
        _queue.Enqueue(new Event(timer, timer.Version, null), (_now + dueTicks, _sequence++));

    private readonly record struct Event(SimTimer? Timer, int Version, Action? Action);

    private sealed class SimTimer(SimulationClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period;
        private bool _disposed;

        public int Version { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            Version++;
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                clock.Arm(this, Math.Max(0, dueTime.Ticks));
            }

            return true;
        }

        public void Fire(int version)
        {
            if (_disposed || version != Version)
            {
                return;
            }

            if (_period > 0)
            {
                clock.Arm(this, _period);
            }

            callback(state);
        }

        public void Dispose()
        {
            _disposed = true;
            Version++;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
