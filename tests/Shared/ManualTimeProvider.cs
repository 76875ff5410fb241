namespace ContactCenter.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>.
/// Timers fire in due-time order (ties in the order they were armed) on the calling thread, so tests of
/// timeouts, retransmissions and pacing are deterministic and never sleep.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly HashSet<ManualTimer> _timers = [];
    private readonly PriorityQueue<(ManualTimer Timer, long Version), (DateTimeOffset Due, long Order)> _queue = new();
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>Creates a clock that starts at <paramref name="start"/> (default 2026-01-05 09:00 UTC, a Monday).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The zone <see cref="TimeProvider.GetLocalNow"/> uses; UTC unless a test sets it.</summary>
    public TimeZoneInfo LocalZone { get; set; } = TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => LocalZone;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>The number of timers that are armed and not yet due.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
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
            ManualTimer? next = null;
            lock (_gate)
            {
                while (_queue.TryPeek(out var entry, out var priority) && priority.Due <= target)
                {
                    _queue.Dequeue();
                    if (entry.Timer.Version == entry.Version && entry.Timer.DueAt is not null && _timers.Contains(entry.Timer))
                    {
                        next = entry.Timer;
                        break;
                    }
                }

                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.DueAt!.Value;
                if (next.Period is { } period && period > TimeSpan.Zero)
                {
                    Schedule(next, _now + period);
                }
                else
                {
                    next.DueAt = null;
                }
            }

            next.Fire();
        }
    }

    /// <summary>Moves the clock to <paramref name="time"/>, firing timers on the way.</summary>
    public void AdvanceTo(DateTimeOffset time) => Advance(time - GetUtcNow());

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            var timer = new ManualTimer(this, callback, state);
            _timers.Add(timer);
            Arm(timer, dueTime, period);
            return timer;
        }
    }

    // Called with _gate held.
    private void Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        timer.Period = period == Timeout.InfiniteTimeSpan ? null : period;
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            timer.DueAt = null;
            timer.Version++;
            return;
        }

        Schedule(timer, _now + dueTime);
    }

    // Called with _gate held. Older queue entries of the timer become stale through the version.
    private void Schedule(ManualTimer timer, DateTimeOffset due)
    {
        timer.DueAt = due;
        timer.Version++;
        _queue.Enqueue((timer, timer.Version), (due, ++_sequence));
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        public long Version { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                owner.Arm(this, dueTime, period);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                DueAt = null;
                Version++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
