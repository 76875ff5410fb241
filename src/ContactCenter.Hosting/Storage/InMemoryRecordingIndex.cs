namespace ContactCenter.Hosting.Storage;

/// <summary>
/// An <see cref="IRecordingIndex"/> in memory, for tests and single-process embedding: the same checks and order as
/// the database index, nothing kept after the process ends. Thread-safe.
/// </summary>
/// <param name="timeProvider">The clock that stamps access-log entries (the system clock when null).</param>
public sealed class InMemoryRecordingIndex(TimeProvider? timeProvider = null) : IRecordingIndex
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly object _gate = new();
    private readonly Dictionary<Guid, RecordingEntry> _recordings = [];
    private readonly Dictionary<Guid, List<RecordingAccess>> _accesses = [];

    /// <inheritdoc />
    public Task AddAsync(RecordingEntry recording, CancellationToken cancellationToken = default)
    {
        StoreValidation.Recording(recording);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_recordings.TryAdd(recording.Id, recording))
            {
                throw new InvalidOperationException($"recording {recording.Id} is indexed already");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RecordingEntry?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_recordings.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordingEntry>> ListByCallAsync(Guid callId, CancellationToken cancellationToken = default) =>
        Select(r => r.CallId == callId, int.MaxValue, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordingEntry>> ListOlderThanAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Select(r => r.CreatedAt < cutoff, limit, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _accesses.Remove(id);
            return Task.FromResult(_recordings.Remove(id));
        }
    }

    /// <inheritdoc />
    public Task<RecordingAccess> LogAccessAsync(Guid recordingId, string accessedBy, string action, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var access = new RecordingAccess(Guid.CreateVersion7(now), recordingId, accessedBy, action, now);
        lock (_gate)
        {
            if (!_recordings.ContainsKey(recordingId))
            {
                throw new KeyNotFoundException($"recording {recordingId} is not indexed");
            }

            if (!_accesses.TryGetValue(recordingId, out var log))
            {
                _accesses[recordingId] = log = [];
            }

            log.Add(access);
        }

        return Task.FromResult(access);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordingAccess>> GetAccessLogAsync(Guid recordingId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<RecordingAccess> log = _accesses.TryGetValue(recordingId, out var list)
                ? [.. list.OrderBy(a => a.AccessedAt).ThenBy(a => a.Id, Comparer<Guid>.Create(StoredOrder.Compare))]
                : [];
            return Task.FromResult(log);
        }
    }

    private Task<IReadOnlyList<RecordingEntry>> Select(Func<RecordingEntry, bool> predicate, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<RecordingEntry> entries = [.. _recordings.Values.Where(predicate)
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, Comparer<Guid>.Create(StoredOrder.Compare)).Take(limit)];
            return Task.FromResult(entries);
        }
    }
}
