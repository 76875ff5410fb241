namespace ContactCenter.Ivr.Simulation;

/// <summary>
/// A virtual clock for simulations: time moves only when <see cref="Advance"/> is called (the scripted channel does so
/// for prompts, waits and timeouts), timers fire as it passes their due time, and the interpreter's own waits
/// (HTTP retry delays) jump the clock instead of sleeping. A whole call simulates in microseconds.
/// </summary>
public sealed class SimulationClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _created;

    /// <summary>Creates a clock showing <paramref name="start"/>.</summary>
    public SimulationClock(DateTimeOffset start)
    {
        _now = start;
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing due timers in order.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        while (true)
        {
            VirtualTimer? due = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= target && (due is null || at < due.DueAt || (at == due.DueAt && timer.Order < due.Order)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.DueAt!.Value;
                due.DueAt = due.Period > TimeSpan.Zero ? _now + due.Period : null;
            }

            due.Callback(due.State);
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            var timer = new VirtualTimer(this, callback, state, ++_created);
            timer.Set(dueTime, period);
            _timers.Add(timer);
            return timer;
        }
    }

    private sealed class VirtualTimer(SimulationClock clock, TimerCallback callback, object? state, long order) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long Order { get; } = order;

        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public void Set(TimeSpan dueTime, TimeSpan period)
        {
            Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                if (!clock._timers.Contains(this))
                {
                    return false;
                }

                Set(dueTime, period);
                return true;
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
