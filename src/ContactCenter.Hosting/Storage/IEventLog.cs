using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ContactCenter.Hosting.Storage;

/// <summary>One event in the log.</summary>
/// <param name="Sequence">Its position in the log: increasing, never reused, in commit order.</param>
/// <param name="Id">A version 7 <see cref="Guid"/>, unique across nodes.</param>
/// <param name="Type">What happened, for example <c>call.ended</c> or <c>agent.state_changed</c>.</param>
/// <param name="OccurredAt">When it was appended.</param>
/// <param name="CallId">The call it concerns, if any.</param>
/// <param name="Payload">The event as a JSON document.</param>
public sealed record EventRecord(long Sequence, Guid Id, string Type, DateTimeOffset OccurredAt, Guid? CallId, string Payload)
{
    /// <summary>Reads the payload as a <typeparamref name="T"/>.</summary>
    public T? Deserialize<T>(JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(Payload, typeInfo);
}

/// <summary>An event to append with <see cref="IEventLog.AppendRangeAsync"/>.</summary>
/// <param name="Type">What happened, for example <c>call.ended</c> (at most <see cref="IEventLog.MaxTypeLength"/> characters).</param>
/// <param name="PayloadJson">The event as a JSON document.</param>
/// <param name="CallId">The call it concerns, if any.</param>
public sealed record EventAppend(string Type, string PayloadJson, Guid? CallId = null);

/// <summary>
/// An append-only log of typed events. Readers follow it by sequence number: remember the last sequence seen and ask
/// for what came after it.
/// </summary>
public interface IEventLog
{
    /// <summary>The longest event type name.</summary>
    public const int MaxTypeLength = 200;

    /// <summary>Appends an event; it is on disk when the task completes.</summary>
    /// <exception cref="ArgumentException">The type is empty or too long, or the payload is not a JSON document.</exception>
    Task<EventRecord> AppendAsync(string type, string payloadJson, Guid? callId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="events"/> in their order and returns their records in the same order; they are on disk
    /// when the task completes. Every event is checked before any is written. The database and in-memory logs append
    /// them all or none, in one transaction (on SQLite committed together with other writes arriving at the same
    /// time), which costs about what one <see cref="AppendAsync"/> costs; this default implementation appends them one
    /// after another.
    /// </summary>
    /// <exception cref="ArgumentException">An event's type is empty or too long, or its payload is not a JSON document.</exception>
    async Task<IReadOnlyList<EventRecord>> AppendRangeAsync(IReadOnlyList<EventAppend> events, CancellationToken cancellationToken = default)
    {
        StoreValidation.Events(events);
        var records = new EventRecord[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            records[i] = await AppendAsync(events[i].Type, events[i].PayloadJson, events[i].CallId, cancellationToken).ConfigureAwait(false);
        }

        return records;
    }

    /// <summary>Events with a sequence greater than <paramref name="afterSequence"/> (0 for the start), oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<EventRecord>> ReadSinceAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes events that occurred before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}

/// <summary>Typed helpers over <see cref="IEventLog"/>.</summary>
public static class EventLogExtensions
{
    /// <summary>Appends <paramref name="payload"/> serialised with <paramref name="typeInfo"/> as an event of type <paramref name="type"/>.</summary>
    public static Task<EventRecord> AppendAsync<T>(this IEventLog log, string type, T payload, JsonTypeInfo<T> typeInfo, Guid? callId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return log.AppendAsync(type, JsonSerializer.Serialize(payload, typeInfo), callId, cancellationToken);
    }
}
