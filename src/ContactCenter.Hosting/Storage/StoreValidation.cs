using System.Text.Json;

namespace ContactCenter.Hosting.Storage;

/// <summary>The input checks every implementation of a store makes (database and in-memory alike), with the same messages.</summary>
internal static class StoreValidation
{
    public static void CallDetail(CallDetailRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id == Guid.Empty)
        {
            throw new ArgumentException("CallDetailRecord.Id must not be empty (use Guid.CreateVersion7())", nameof(record));
        }

        if (string.IsNullOrEmpty(record.CallerNumber) || string.IsNullOrEmpty(record.CalledNumber))
        {
            throw new ArgumentException($"call detail record {record.Id}: CallerNumber and CalledNumber are required", nameof(record));
        }

        if (record.EndedAt < record.StartedAt)
        {
            throw new ArgumentException($"call detail record {record.Id}: EndedAt ({record.EndedAt:O}) is before StartedAt ({record.StartedAt:O})", nameof(record));
        }

        ArgumentNullException.ThrowIfNull(record.Legs);
        for (var i = 0; i < record.Legs.Count; i++)
        {
            if (record.Legs[i] is not { Role: not null, From: not null, To: not null })
            {
                throw new ArgumentException($"call detail record {record.Id}: leg {i} needs a Role, From and To", nameof(record));
            }
        }
    }

    public static void Query(CallDetailQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > CallDetailQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"CallDetailQuery.Limit must be between 1 and {CallDetailQuery.MaxLimit}");
        }

        if (query.Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Offset, "CallDetailQuery.Offset must not be negative");
        }
    }

    public static void Recording(RecordingEntry recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        if (recording.Id == Guid.Empty || recording.CallId == Guid.Empty)
        {
            throw new ArgumentException("RecordingEntry.Id and CallId must not be empty", nameof(recording));
        }

        if (string.IsNullOrWhiteSpace(recording.Path))
        {
            throw new ArgumentException($"recording {recording.Id}: Path is required", nameof(recording));
        }

        if (recording.Channels is < 1 or > 2 || recording.SizeBytes < 0 || recording.Duration < TimeSpan.Zero)
        {
            throw new ArgumentException($"recording {recording.Id}: Channels must be 1 or 2 and SizeBytes and Duration not negative (got {recording.Channels}, {recording.SizeBytes}, {recording.Duration})", nameof(recording));
        }
    }

    public static void EventType(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        if (type.Length > IEventLog.MaxTypeLength)
        {
            throw new ArgumentException($"event type '{type[..40]}...' is {type.Length} characters; the limit is {IEventLog.MaxTypeLength}", nameof(type));
        }
    }

    public static void Events(IReadOnlyList<EventAppend> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            Event(e.Type, e.PayloadJson);
        }
    }

    public static void Event(string type, string payloadJson)
    {
        EventType(type);
        ArgumentNullException.ThrowIfNull(payloadJson);

        try
        {
            using var _ = JsonDocument.Parse(payloadJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"the payload of event '{type}' is not a JSON document: {ex.Message}", nameof(payloadJson), ex);
        }
    }
}
