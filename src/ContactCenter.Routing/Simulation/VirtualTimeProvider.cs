namespace ContactCenter.Routing.Simulation;

/// <summary>
/// A discrete-event clock: time jumps straight to the next due timer, so hours of traffic run in milliseconds.
/// Single-threaded by design (the simulator drives it); timers fire in due order, ties in arming order.
/// </summary>
internal sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly PriorityQueue<(VirtualTimer Timer, long Version), (long Due, long Sequence)> _due = new();
    private long _now = start.UtcTicks;
    private long _sequence;

    public override DateTimeOffset GetUtcNow() => new(_now, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public long NowTicks => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Schedules <paramref name="callback"/> once after <paramref name="delay"/> (no timer object for the caller to keep).</summary>
    public VirtualTimer Schedule(TimeSpan delay, TimerCallback callback, object? state)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(delay, Timeout.InfiniteTimeSpan);
        return timer;
    }

    /// <summary>Fires the next timer due at or before <paramref name="until"/>; false when there is none.</summary>
    public bool RunNext(long until)
    {
        while (_due.TryPeek(out var entry, out var key))
        {
            if (key.Due > until)
            {
                return false;
            }

            _due.Dequeue();
            if (entry.Version != entry.Timer.Version)
            {
                continue;
            }

            _now = Math.Max(_now, key.Due);
            entry.Timer.Fire();
            return true;
        }

        return false;
    }

    /// <summary>Moves the clock to <paramref name="ticks"/> without firing anything.</summary>
    public void MoveTo(long ticks) => _now = Math.Max(_now, ticks);

    internal void Arm(VirtualTimer timer, long due) => _due.Enqueue((timer, timer.Version), (due, ++_sequence));

    internal sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;

        public long Version { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Version++;
            _period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? -1 : period.Ticks;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                owner.Arm(this, owner._now + Math.Max(0, dueTime.Ticks));
            }

            return true;
        }

        public void Fire()
        {
            if (_period > 0)
            {
                owner.Arm(this, owner._now + _period);
            }

            callback(state);
        }

        public void Dispose() => Version++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
