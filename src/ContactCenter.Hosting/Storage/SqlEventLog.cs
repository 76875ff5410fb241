namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The event log in the database (SQLite or PostgreSQL). Appends are serialised (a write transaction on SQLite, an
/// advisory lock on PostgreSQL), so sequence numbers become visible in order and a reader never skips one.
/// </summary>
internal sealed class SqlEventLog(StorageDatabase database, TimeProvider time) : IEventLog
{
    /// <summary>The advisory-lock key that serialises appends across nodes (PostgreSQL).</summary>
    internal const long LockKey = 0x43_43_45_56_45_4E_54_53; // "CCEVENTS"

    public async Task<EventRecord> AppendAsync(string type, string payloadJson, Guid? callId = null, CancellationToken cancellationToken = default)
    {
        StoreValidation.Event(type, payloadJson);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        using var turn = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (database.LockSql(LockKey) is { } lockSql)
        {
            await using var lockCommand = Sql.Command(connection, lockSql, transaction);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = Sql.Command(connection, """
            INSERT INTO events (id, type, occurred_at, call_id, payload) VALUES (@id, @type, @at, @call, @payload)
            RETURNING sequence;
            """, transaction)
            .With("@id", database.Id(id))
            .With("@type", type)
            .With("@at", database.Time(now))
            .With("@call", database.IdOrNull(callId))
            .With("@payload", payloadJson);
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new EventRecord(sequence, id, type, StorageDatabase.ToMicroseconds(now), callId, payloadJson);
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
