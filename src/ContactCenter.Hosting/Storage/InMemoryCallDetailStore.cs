using System.Globalization;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// An <see cref="ICallDetailStore"/> in memory, for tests and single-process embedding: the same checks, order and
/// paging as the database store, nothing kept after the process ends. Thread-safe.
/// </summary>
public sealed class InMemoryCallDetailStore : ICallDetailStore
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, CallDetailRecord> _records = [];

    /// <inheritdoc />
    public Task AddAsync(CallDetailRecord record, CancellationToken cancellationToken = default)
    {
        StoreValidation.CallDetail(record);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_records.TryAdd(record.Id, record with { Legs = [.. record.Legs] }))
            {
                throw new InvalidOperationException($"a call detail record with id {record.Id} already exists");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<CallDetailRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_records.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<CallDetailPage> QueryAsync(CallDetailQuery query, CancellationToken cancellationToken = default)
    {
        StoreValidation.Query(query);
        cancellationToken.ThrowIfCancellationRequested();
        List<CallDetailRecord> matches;
        lock (_gate)
        {
            matches = [.. _records.Values.Where(r =>
                (query.From is not { } from || r.StartedAt >= from) &&
                (query.To is not { } to || r.StartedAt < to) &&
                (query.Number is not { } number || r.CallerNumber == number || r.CalledNumber == number) &&
                (query.AgentId is not { } agent || r.AgentId == agent) &&
                (query.QueueId is not { } queue || r.QueueId == queue) &&
                (query.Status is not { } status || r.Status == status))];
        }

        matches.Sort((a, b) => a.StartedAt != b.StartedAt ? a.StartedAt.CompareTo(b.StartedAt) : StoredOrder.Compare(a.Id, b.Id));
        var items = matches.Skip(query.Offset).Take(query.Limit).ToList();
        return Task.FromResult(new CallDetailPage(items, matches.Count > query.Offset + query.Limit));
    }

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var old = _records.Values.Where(r => r.StartedAt < cutoff).Select(r => r.Id).ToList();
            old.ForEach(id => _records.Remove(id));
            return Task.FromResult(old.Count);
        }
    }
}

/// <summary>The order the databases give ids (their canonical text, which for version 7 ids is creation order).</summary>
internal static class StoredOrder
{
    public static int Compare(Guid a, Guid b) =>
        string.CompareOrdinal(a.ToString("D", CultureInfo.InvariantCulture), b.ToString("D", CultureInfo.InvariantCulture));
}
