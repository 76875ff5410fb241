namespace ContactCenter.Hosting.Storage;

/// <summary>
/// An <see cref="IEventLog"/> in memory, for tests and single-process embedding: the same checks as the database
/// log, sequence numbers increasing and never reused, nothing kept after the process ends. Thread-safe.
/// </summary>
/// <param name="timeProvider">The clock that stamps events (the system clock when null).</param>
public sealed class InMemoryEventLog(TimeProvider? timeProvider = null) : IEventLog
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly object _gate = new();
    private readonly List<EventRecord> _events = [];
    private long _lastSequence;

    /// <inheritdoc />
    public Task<EventRecord> AppendAsync(string type, string payloadJson, Guid? callId = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Append([new EventAppend(type, payloadJson, callId)], cancellationToken)[0]);

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> AppendRangeAsync(IReadOnlyList<EventAppend> events, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<EventRecord>>(Append(events, cancellationToken));

    private EventRecord[] Append(IReadOnlyList<EventAppend> events, CancellationToken cancellationToken)
    {
        StoreValidation.Events(events);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var records = new EventRecord[events.Count];
        lock (_gate)
        {
            for (var i = 0; i < records.Length; i++)
            {
                var e = events[i];
                records[i] = new EventRecord(++_lastSequence, Guid.CreateVersion7(now), e.Type, now, e.CallId, e.PayloadJson);
            }

            _events.AddRange(records);
        }

        return records;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ReadSinceAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Events are kept in sequence order: find the first one after afterSequence by binary search.
            int low = 0, high = _events.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (_events[mid].Sequence <= afterSequence)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            IReadOnlyList<EventRecord> page = _events.GetRange(low, Math.Min(limit, _events.Count - low));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_events.RemoveAll(e => e.OccurredAt < cutoff));
        }
    }
}
