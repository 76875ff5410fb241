namespace ContactCenter.Hosting.Media;

/// <summary>
/// Tells whether the media clock is overloaded: it skipped more than <c>threshold</c> ticks (summed over its threads)
/// in the last measured second (<c>skippedTicks</c> reads the clock's running total, <c>MediaClock.SkippedTicks</c>). New calls are then refused, so the calls in progress keep their audio and the
/// signalling its pace instead of every call degrading as more pile up. Measured over whole seconds: between two
/// measurements the last verdict holds. Thread-safe.
/// </summary>
internal sealed class MediaOverloadGuard(Func<long> skippedTicks, TimeProvider time, int threshold)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private long _windowStart = time.GetTimestamp();
    private long _skippedAtStart = skippedTicks();
    private long _lastWindowSkips;

    /// <summary>Ticks skipped in the last whole second measured.</summary>
    public long LastWindowSkips
    {
        get
        {
            lock (_gate)
            {
                return _lastWindowSkips;
            }
        }
    }

    /// <summary>True while the clock skipped more than the threshold in the last second measured.</summary>
    public bool IsOverloaded()
    {
        if (threshold <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(_windowStart, now);
            if (elapsed >= Window)
            {
                var skipped = skippedTicks();
                // A window longer than a second (no call came for a while) is scaled down to one second.
                _lastWindowSkips = (long)((skipped - _skippedAtStart) * (Window / elapsed));
                _skippedAtStart = skipped;
                _windowStart = now;
            }

            return _lastWindowSkips > threshold;
        }
    }
}
