using System.Data.Common;
using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Web;

/// <summary>One webhook delivery not yet accepted by its receiver.</summary>
/// <param name="Id">The delivery id (sent as <c>X-ContactCenter-Delivery</c>, stable across retries).</param>
/// <param name="WebhookUrl">The receiver.</param>
/// <param name="EventId">The event delivered.</param>
/// <param name="EventType">Its type.</param>
/// <param name="Payload">The exact JSON body POSTed (signed as is).</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="NextAttemptAt">When it is tried next.</param>
/// <param name="Dead">Whether it ran out of quick retries (a dead letter, still retried at the longest interval).</param>
/// <param name="LastError">Why the last attempt failed.</param>
/// <param name="CreatedAt">When the event was stored for delivery.</param>
internal sealed record WebhookDelivery(
    Guid Id, string WebhookUrl, Guid EventId, string EventType, string Payload, int Attempts, DateTimeOffset NextAttemptAt, bool Dead, string? LastError, DateTimeOffset CreatedAt);

/// <summary>A delivery as the API lists it (without the payload).</summary>
internal sealed record WebhookDeliveryDto(Guid Id, string WebhookUrl, Guid EventId, string EventType, int Attempts, DateTimeOffset NextAttemptAt, bool Dead, string? LastError, DateTimeOffset CreatedAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d) => new(d.Id, d.WebhookUrl, d.EventId, d.EventType, d.Attempts, d.NextAttemptAt, d.Dead, d.LastError, d.CreatedAt);
}

/// <summary>
/// The outbox and dead-letter store of webhooks, table <c>webhook_deliveries</c> (schema version 5) in the contact
/// center's database: a delivery is written before it is attempted and deleted when its receiver accepts it, so a
/// receiver that is down, or a restart, loses nothing.
/// </summary>
internal sealed class WebhookDeliveryStore : IAsyncDisposable
{
    private const string Columns = "id, webhook_url, event_id, event_type, payload, attempts, next_attempt_at, dead, last_error, created_at";
    private readonly StorageDatabase _database;

    public WebhookDeliveryStore(ContactCenterStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);

        // ContactCenterStorage does not expose its database; a second handle on the same file or server is equivalent.
        var options = storage.Options;
        _database = options.Provider == StorageProvider.Sqlite
            ? new SqliteDatabase(options.SqlitePath, options.BusyTimeout)
            : new PostgresDatabase(options.ConnectionString!);
    }

    public async Task AddAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        using var turn = await _database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await _database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var d in deliveries)
        {
            await using var command = Sql.Command(connection, $"""
                INSERT INTO webhook_deliveries ({Columns}) VALUES (@id, @url, @event, @type, @payload, @attempts, @next, @dead, @error, @created);
                """, transaction)
                .With("@id", _database.Id(d.Id))
                .With("@url", d.WebhookUrl)
                .With("@event", _database.Id(d.EventId))
                .With("@type", d.EventType)
                .With("@payload", d.Payload)
                .With("@attempts", d.Attempts)
                .With("@next", _database.Time(d.NextAttemptAt))
                .With("@dead", d.Dead)
                .With("@error", d.LastError)
                .With("@created", _database.Time(d.CreatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deliveries due at <paramref name="now"/>, oldest first.</summary>
    public Task<List<WebhookDelivery>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync("WHERE next_attempt_at <= @p ORDER BY next_attempt_at, id LIMIT @limit", _database.Time(now), limit, cancellationToken);

    /// <summary>When the next delivery is due, or null when there is none.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var next = await ReadAsync("ORDER BY next_attempt_at, id LIMIT @limit", null, 1, cancellationToken).ConfigureAwait(false);
        return next.Count == 0 ? null : next[0].NextAttemptAt;
    }

    /// <summary>Pending deliveries (or only dead letters, or only live ones), oldest first.</summary>
    public Task<List<WebhookDelivery>> ListAsync(bool? dead, int limit, CancellationToken cancellationToken) => dead is { } d
        ? ReadAsync("WHERE dead = @p ORDER BY created_at, id LIMIT @limit", d, limit, cancellationToken)
        : ReadAsync("ORDER BY created_at, id LIMIT @limit", null, limit, cancellationToken);

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "DELETE FROM webhook_deliveries WHERE id = @id;").With("@id", _database.Id(id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RescheduleAsync(Guid id, int attempts, DateTimeOffset next, bool dead, string error, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            UPDATE webhook_deliveries SET attempts = @attempts, next_attempt_at = @next, dead = @dead, last_error = @error WHERE id = @id;
            """)
            .With("@id", _database.Id(id))
            .With("@attempts", attempts)
            .With("@next", _database.Time(next))
            .With("@dead", dead)
            .With("@error", error.Length > 1000 ? error[..1000] : error);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims a due delivery for one attempt by moving its due time to <paramref name="leaseUntil"/>, only if nobody
    /// moved it since it was read: of several nodes sharing the database, one wins. A node that dies mid-attempt leaves
    /// the row due again when the lease ends.
    /// </summary>
    public async Task<bool> TryClaimAsync(WebhookDelivery delivery, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "UPDATE webhook_deliveries SET next_attempt_at = @lease WHERE id = @id AND next_attempt_at = @due;")
            .With("@id", _database.Id(delivery.Id))
            .With("@lease", _database.Time(leaseUntil))
            .With("@due", _database.Time(delivery.NextAttemptAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Makes a delivery (a dead letter included) due now; false when there is no such delivery.</summary>
    public async Task<bool> RetryNowAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "UPDATE webhook_deliveries SET next_attempt_at = @next WHERE id = @id;")
            .With("@id", _database.Id(id))
            .With("@next", _database.Time(DateTimeOffset.UnixEpoch));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<List<WebhookDelivery>> ReadAsync(string where, object? value, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand command = Sql.Command(connection, $"SELECT {Columns} FROM webhook_deliveries {where};")
            .With("@limit", limit);
        if (value is not null)
        {
            command.With("@p", value);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<WebhookDelivery>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new WebhookDelivery(
                _database.ReadId(reader, 0), reader.GetString(1), _database.ReadId(reader, 2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), _database.ReadTime(reader, 6), reader.GetBoolean(7), reader.IsDBNull(8) ? null : reader.GetString(8), _database.ReadTime(reader, 9)));
        }

        return list;
    }
}
