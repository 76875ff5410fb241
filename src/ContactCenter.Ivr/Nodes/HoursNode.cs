using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary>
/// A weekly schedule in a time zone: several open ranges per day, holiday dates (closed all day).
/// </summary>
internal sealed class WeeklySchedule
{
    private static readonly string[] DayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private readonly (TimeSpan Start, TimeSpan End)[][] _ranges;
    private readonly HashSet<DateOnly> _holidays;

    public WeeklySchedule(TimeZoneInfo zone, (TimeSpan Start, TimeSpan End)[][] ranges, HashSet<DateOnly> holidays)
    {
        Zone = zone;
        _ranges = ranges;
        _holidays = holidays;
    }

    public TimeZoneInfo Zone { get; }

    public bool IsOpen(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, Zone);
        if (_holidays.Contains(DateOnly.FromDateTime(local.DateTime)))
        {
            return false;
        }

        var time = local.TimeOfDay;
        foreach (var (start, end) in _ranges[(int)local.DayOfWeek])
        {
            if (time >= start && time < end)
            {
                return true;
            }
        }

        return false;
    }

    public static WeeklySchedule? Read(NodeReader reader)
    {
        var zoneId = reader.String("timeZone", required: true);
        TimeZoneInfo? zone = null;
        if (zoneId is not null)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Error("invalid-time-zone", reader.ParameterPath("timeZone"), $"unknown time zone '{zoneId}' (use an IANA id such as Europe/Paris)");
            }
        }

        var ranges = new (TimeSpan, TimeSpan)[7][];
        var perDay = new List<(TimeSpan, TimeSpan)>?[7];
        List<(TimeSpan, TimeSpan)>? daily = null;
        var schedule = reader.Element("schedule", JsonValueKind.Object, required: true);
        if (schedule is { } days)
        {
            foreach (var day in days.EnumerateObject())
            {
                var path = JsonPaths.Property(reader.ParameterPath("schedule"), day.Name);
                var index = Array.IndexOf(DayNames, day.Name);
                if (index < 0 && day.Name != "daily")
                {
                    reader.Error("invalid-parameter", path, $"unknown day '{day.Name}' (use monday ... sunday, or daily)");
                    continue;
                }

                var list = ReadRanges(reader, day.Value, path);
                if (index < 0)
                {
                    daily = list;
                }
                else
                {
                    perDay[index] = list;
                }
            }
        }

        for (var i = 0; i < 7; i++)
        {
            ranges[i] = [.. perDay[i] ?? daily ?? []];
        }

        var holidays = new HashSet<DateOnly>();
        var list2 = reader.StringList("holidays");
        for (var i = 0; i < list2.Count; i++)
        {
            if (DateOnly.TryParseExact(list2[i], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                holidays.Add(date);
            }
            else
            {
                reader.Error("invalid-parameter", JsonPaths.Index(reader.ParameterPath("holidays"), i), $"'{list2[i]}' is not a date in the form yyyy-MM-dd");
            }
        }

        return zone is null ? null : new WeeklySchedule(zone, ranges, holidays);
    }

    private static List<(TimeSpan, TimeSpan)> ReadRanges(NodeReader reader, JsonElement value, string path)
    {
        var result = new List<(TimeSpan, TimeSpan)>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            reader.Error("invalid-parameter", path, "a day is an array of ranges such as \"09:00-17:00\"");
            return result;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = JsonPaths.Index(path, i++);
            var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : string.Empty;
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !TryParseTime(text[..dash], out var start) || !TryParseTime(text[(dash + 1)..], out var end) || end <= start)
            {
                reader.Error("invalid-parameter", itemPath, $"'{text}' is not a range 'HH:mm-HH:mm' with the end after the start (24:00 allowed as an end)");
                continue;
            }

            result.Add((start, end));
        }

        return result;
    }

    private static bool TryParseTime(string text, out TimeSpan time)
    {
        text = text.Trim();
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        var ok = TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed);
        time = parsed.ToTimeSpan();
        return ok;
    }
}

/// <summary><c>hours</c>: <c>open</c> or <c>closed</c> by a weekly schedule, holidays and the current time.</summary>
internal sealed class HoursNode : NodeBase
{
    private readonly WeeklySchedule? _schedule;
    private readonly int _open;
    private readonly int _closed;

    public HoursNode(NodeReader reader)
        : base(reader)
    {
        _schedule = WeeklySchedule.Read(reader);
        _open = reader.Transition(TransitionNames.Open, required: true);
        _closed = reader.Transition(TransitionNames.Closed, required: true);
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var now = session.Interpreter.TimeProvider.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, _schedule!.Zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return ValueTask.FromResult(_schedule.IsOpen(now)
            ? new Step(_open, TransitionNames.Open, "check-hours", local)
            : new Step(_closed, TransitionNames.Closed, "check-hours", local));
    }
}
