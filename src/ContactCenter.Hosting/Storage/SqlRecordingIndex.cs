using System.Data.Common;

namespace ContactCenter.Hosting.Storage;

/// <summary>The recording index and access log in the database (SQLite or PostgreSQL).</summary>
internal sealed class SqlRecordingIndex(StorageDatabase database, TimeProvider time) : IRecordingIndex
{
    private const string Columns = "id, call_id, path, channels, duration_us, size_bytes, created_at";

    public async Task AddAsync(RecordingEntry recording, CancellationToken cancellationToken = default)
    {
        StoreValidation.Recording(recording);
        await database.WriteAsync((connection, transaction, token) => InsertAsync(recording, connection, transaction, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task InsertAsync(RecordingEntry recording, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, $"""
            INSERT INTO recordings ({Columns}) VALUES (@id, @call, @path, @channels, @duration, @size, @created)
            ON CONFLICT (id) DO NOTHING;
            """, transaction)
            .With("@id", database.Id(recording.Id))
            .With("@call", database.Id(recording.CallId))
            .With("@path", recording.Path)
            .With("@channels", recording.Channels)
            .With("@duration", recording.Duration.Ticks / 10)
            .With("@size", recording.SizeBytes)
            .With("@created", database.Time(recording.CreatedAt));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException($"recording {recording.Id} is indexed already");
        }
    }

    public async Task<RecordingEntry?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var found = await ReadAsync("WHERE id = @p", database.Id(id), int.MaxValue, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<RecordingEntry>> ListByCallAsync(Guid callId, CancellationToken cancellationToken = default) =>
        await ReadAsync("WHERE call_id = @p", database.Id(callId), int.MaxValue, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<RecordingEntry>> ListOlderThanAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await ReadAsync("WHERE created_at < @p", database.Time(cutoff), limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "DELETE FROM recordings WHERE id = @id;").With("@id", database.Id(id));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<RecordingAccess> LogAccessAsync(Guid recordingId, string accessedBy, string action, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        var now = time.GetUtcNow();
        var access = new RecordingAccess(Guid.CreateVersion7(now), recordingId, accessedBy, action, StorageDatabase.ToMicroseconds(now));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // Insert only if the recording exists, so a missing one is a clear error rather than a foreign-key failure.
        await using var command = Sql.Command(connection, """
            INSERT INTO recording_access (id, recording_id, accessed_by, action, accessed_at)
            SELECT @id, id, @by, @action, @at FROM recordings WHERE id = @recording;
            """)
            .With("@id", database.Id(access.Id))
            .With("@recording", database.Id(recordingId))
            .With("@by", accessedBy)
            .With("@action", action)
            .With("@at", database.Time(access.AccessedAt));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new KeyNotFoundException($"recording {recordingId} is not indexed");
        }

        return access;
    }

    public async Task<IReadOnlyList<RecordingAccess>> GetAccessLogAsync(Guid recordingId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            SELECT id, recording_id, accessed_by, action, accessed_at FROM recording_access
            WHERE recording_id = @recording ORDER BY accessed_at, id;
            """)
            .With("@recording", database.Id(recordingId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var log = new List<RecordingAccess>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            log.Add(new RecordingAccess(database.ReadId(reader, 0), database.ReadId(reader, 1), reader.GetString(2), reader.GetString(3), database.ReadTime(reader, 4)));
        }

        return log;
    }

    private async Task<List<RecordingEntry>> ReadAsync(string where, object value, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand command = Sql.Command(connection, $"SELECT {Columns} FROM recordings {where} ORDER BY created_at, id LIMIT @limit;")
            .With("@p", value)
            .With("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<RecordingEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new RecordingEntry(
                database.ReadId(reader, 0), database.ReadId(reader, 1), reader.GetString(2), reader.GetInt32(3),
                TimeSpan.FromTicks(reader.GetInt64(4) * 10), reader.GetInt64(5), database.ReadTime(reader, 6)));
        }

        return entries;
    }
}
