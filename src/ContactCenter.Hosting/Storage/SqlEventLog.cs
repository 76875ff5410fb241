using System.Data.Common;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The event log in the database (SQLite or PostgreSQL). Appends are serialised (on SQLite the group committer of
/// <see cref="StorageDatabase.WriteAsync"/>, on PostgreSQL an advisory lock), so sequence numbers become visible in
/// order and a reader never skips one. A range of events is one write: one transaction, or one savepoint of a group
/// commit on SQLite.
/// </summary>
internal sealed class SqlEventLog(StorageDatabase database, TimeProvider time) : IEventLog
{
    /// <summary>The advisory-lock key that serialises appends across nodes (PostgreSQL).</summary>
    internal const long LockKey = 0x43_43_45_56_45_4E_54_53; // "CCEVENTS"

    public async Task<EventRecord> AppendAsync(string type, string payloadJson, Guid? callId = null, CancellationToken cancellationToken = default) =>
        (await AppendRangeAsync([new EventAppend(type, payloadJson, callId)], cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<EventRecord>> AppendRangeAsync(IReadOnlyList<EventAppend> events, CancellationToken cancellationToken = default)
    {
        StoreValidation.Events(events);
        if (events.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var records = new EventRecord[events.Count];
        await database.WriteAsync((connection, transaction, token) => InsertAsync(events, now, records, connection, transaction, token), cancellationToken).ConfigureAwait(false);
        return records;
    }

    /// <summary>Inserts <paramref name="events"/> in order with one command (values changed per row) and fills <paramref name="records"/>.</summary>
    private async Task InsertAsync(
        IReadOnlyList<EventAppend> events, DateTimeOffset now, EventRecord[] records, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (database.LockSql(LockKey) is { } lockSql)
        {
            await using var lockCommand = Sql.Command(connection, lockSql, transaction);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = Sql.Command(connection, """
            INSERT INTO events (id, type, occurred_at, call_id, payload) VALUES (@id, @type, @at, @call, @payload)
            RETURNING sequence;
            """, transaction)
            .With("@id", null)
            .With("@type", null)
            .With("@at", database.Time(now))
            .With("@call", null)
            .With("@payload", null);
        var (idParameter, typeParameter, callParameter, payloadParameter) = (command.Parameters[0], command.Parameters[1], command.Parameters[3], command.Parameters[4]);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var id = Guid.CreateVersion7(now);
            idParameter.Value = database.Id(id);
            typeParameter.Value = e.Type;
            callParameter.Value = database.IdOrNull(e.CallId);
            payloadParameter.Value = e.PayloadJson;
            var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            records[i] = new EventRecord(sequence, id, e.Type, StorageDatabase.ToMicroseconds(now), e.CallId, e.PayloadJson);
        }
    }

    public async Task<IReadOnlyList<EventRecord>> ReadSinceAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            SELECT sequence, id, type, occurred_at, call_id, payload FROM events
            WHERE sequence > @after ORDER BY sequence LIMIT @limit;
            """)
            .With("@after", afterSequence)
            .With("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<EventRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new EventRecord(
                reader.GetInt64(0), database.ReadId(reader, 1), reader.GetString(2), database.ReadTime(reader, 3),
                database.ReadIdOrNull(reader, 4), reader.GetString(5)));
        }

        return events;
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "DELETE FROM events WHERE occurred_at < @cutoff;")
            .With("@cutoff", database.Time(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
