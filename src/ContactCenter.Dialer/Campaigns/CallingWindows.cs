using System.Globalization;

namespace ContactCenter.Dialer;

/// <summary>A range of local time of day, start inclusive, end exclusive.</summary>
/// <param name="Start">The first allowed local time.</param>
/// <param name="End">The first local time no longer allowed (must be after <paramref name="Start"/>).</param>
public readonly record struct TimeRange(TimeOnly Start, TimeOnly End)
{
    /// <summary>Whether <paramref name="time"/> falls inside the range.</summary>
    public bool Contains(TimeOnly time) => time >= Start && time < End;
}

/// <summary>
/// The local times at which a contact may be called, per weekday, with several ranges per day. They are evaluated
/// in each contact's own time zone. The default allows every day from 08:00 to 21:00 local time.
/// </summary>
public sealed class CallingWindows
{
    private readonly TimeRange[][] _byDay = new TimeRange[7][];

    private CallingWindows()
    {
        for (var i = 0; i < 7; i++)
        {
            _byDay[i] = [];
        }
    }

    /// <summary>Every day, 08:00 to 21:00 local time.</summary>
    public static CallingWindows Default { get; } = Daily(new TimeRange(new TimeOnly(8, 0), new TimeOnly(21, 0)));

    /// <summary>Every day, all day (used by simulations; not a legal default).</summary>
    public static CallingWindows Always { get; } = Daily(new TimeRange(TimeOnly.MinValue, TimeOnly.MaxValue));

    /// <summary>The same ranges every day of the week.</summary>
    public static CallingWindows Daily(params TimeRange[] ranges)
    {
        var builder = new Builder();
        foreach (DayOfWeek day in Enum.GetValues<DayOfWeek>())
        {
            builder.Add(day, ranges);
        }

        return builder.Build();
    }

    /// <summary>The ranges of one weekday (empty: no calls that day).</summary>
    public IReadOnlyList<TimeRange> For(DayOfWeek day) => _byDay[(int)day];

    /// <summary>Whether a contact in <paramref name="zone"/> may be called at <paramref name="utcNow"/>.</summary>
    public bool IsOpen(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(utcNow, zone);
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        foreach (var range in _byDay[(int)local.DayOfWeek])
        {
            if (range.Contains(time))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The next instant at or after <paramref name="utcNow"/> when calls open in <paramref name="zone"/>,
    /// or null when no day has any range. Searches up to 8 days ahead in 1-minute resolution of range starts.
    /// </summary>
    public DateTimeOffset? NextOpening(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (IsOpen(utcNow, zone))
        {
            return utcNow;
        }

        var local = TimeZoneInfo.ConvertTime(utcNow, zone);
        for (var d = 0; d <= 8; d++)
        {
            var date = DateOnly.FromDateTime(local.Date).AddDays(d);
            foreach (var range in _byDay[(int)date.DayOfWeek].OrderBy(r => r.Start))
            {
                var candidateLocal = date.ToDateTime(range.Start);
                var offset = zone.GetUtcOffset(candidateLocal);
                var candidate = new DateTimeOffset(candidateLocal, offset);
                if (candidate > utcNow && IsOpen(candidate, zone))
                {
                    return candidate.ToUniversalTime();
                }
            }
        }

        return null;
    }

    /// <summary>Builds calling windows day by day; <see cref="Build"/> validates them.</summary>
    public sealed class Builder
    {
        private readonly List<TimeRange>[] _days = Enumerable.Range(0, 7).Select(_ => new List<TimeRange>()).ToArray();

        /// <summary>Adds ranges to one weekday.</summary>
        public Builder Add(DayOfWeek day, params TimeRange[] ranges)
        {
            ArgumentNullException.ThrowIfNull(ranges);
            _days[(int)day].AddRange(ranges);
            return this;
        }

        /// <summary>Validates (start before end, no overlaps) and builds the windows.</summary>
        /// <exception cref="ArgumentException">A range is empty or two ranges of a day overlap; the message names the day.</exception>
        public CallingWindows Build()
        {
            var windows = new CallingWindows();
            for (var i = 0; i < 7; i++)
            {
                var ranges = _days[i].OrderBy(r => r.Start).ToArray();
                for (var r = 0; r < ranges.Length; r++)
                {
                    if (ranges[r].End <= ranges[r].Start)
                    {
                        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                            $"Calling window {ranges[r].Start:HH\\:mm}-{ranges[r].End:HH\\:mm} on {(DayOfWeek)i} ends before it starts."));
                    }

                    if (r > 0 && ranges[r].Start < ranges[r - 1].End)
                    {
                        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                            $"Calling windows on {(DayOfWeek)i} overlap: {ranges[r - 1].Start:HH\\:mm}-{ranges[r - 1].End:HH\\:mm} and {ranges[r].Start:HH\\:mm}-{ranges[r].End:HH\\:mm}."));
                    }
                }

                windows._byDay[i] = ranges;
            }

            return windows;
        }
    }
}
