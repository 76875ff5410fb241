using System.Data.Common;
using System.Text;

namespace ContactCenter.Hosting.Storage;

/// <summary>Call detail records in the database (SQLite or PostgreSQL); a record and its legs are written in one transaction.</summary>
internal sealed class SqlCallDetailStore(StorageDatabase database) : ICallDetailStore
{
    private const string Columns = """
        id, direction, caller_number, called_number, started_at, answered_at, queue_entered_at, queue_exited_at,
        agent_answered_at, ended_at, status, hangup_party, agent_id, queue_id, ivr_trace, survey_score, recording_id
        """;

    public async Task AddAsync(CallDetailRecord record, CancellationToken cancellationToken = default)
    {
        StoreValidation.CallDetail(record);
        await database.WriteAsync((connection, transaction, token) => InsertAsync(record, connection, transaction, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task InsertAsync(CallDetailRecord record, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var insert = Sql.Command(connection, $"""
            INSERT INTO call_records ({Columns})
            VALUES (@id, @direction, @caller, @called, @started, @answered, @queueEntered, @queueExited,
                    @agentAnswered, @ended, @status, @party, @agent, @queue, @trace, @score, @recording)
            ON CONFLICT (id) DO NOTHING;
            """, transaction)
            .With("@id", database.Id(record.Id))
            .With("@direction", StoredNames.Of(record.Direction))
            .With("@caller", record.CallerNumber)
            .With("@called", record.CalledNumber)
            .With("@started", database.Time(record.StartedAt))
            .With("@answered", database.TimeOrNull(record.AnsweredAt))
            .With("@queueEntered", database.TimeOrNull(record.QueueEnteredAt))
            .With("@queueExited", database.TimeOrNull(record.QueueExitedAt))
            .With("@agentAnswered", database.TimeOrNull(record.AgentAnsweredAt))
            .With("@ended", database.Time(record.EndedAt))
            .With("@status", StoredNames.Of(record.Status))
            .With("@party", StoredNames.Of(record.HangupParty))
            .With("@agent", record.AgentId)
            .With("@queue", record.QueueId)
            .With("@trace", record.IvrTrace)
            .With("@score", record.SurveyScore)
            .With("@recording", database.IdOrNull(record.RecordingId)))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidOperationException($"a call detail record with id {record.Id} already exists");
            }
        }

        for (var i = 0; i < record.Legs.Count; i++)
        {
            var leg = record.Legs[i];
            await using var command = Sql.Command(connection, """
                INSERT INTO call_legs (record_id, ordinal, role, from_number, to_number, started_at, answered_at, ended_at, sip_call_id)
                VALUES (@id, @ordinal, @role, @from, @to, @started, @answered, @ended, @sip);
                """, transaction)
                .With("@id", database.Id(record.Id))
                .With("@ordinal", i)
                .With("@role", leg.Role)
                .With("@from", leg.From)
                .With("@to", leg.To)
                .With("@started", database.Time(leg.StartedAt))
                .With("@answered", database.TimeOrNull(leg.AnsweredAt))
                .With("@ended", database.TimeOrNull(leg.EndedAt))
                .With("@sip", leg.SipCallId);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<CallDetailRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, $"SELECT {Columns} FROM call_records WHERE id = @id;")
            .With("@id", database.Id(id));
        var records = await ReadRecordsAsync(connection, command, cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

    public async Task<CallDetailPage> QueryAsync(CallDetailQuery query, CancellationToken cancellationToken = default)
    {
        StoreValidation.Query(query);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, string.Empty);
        var where = new StringBuilder();
        void Filter(string condition, string name, object value)
        {
            where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
            command.With(name, value);
        }

        if (query.From is { } from)
        {
            Filter("started_at >= @from", "@from", database.Time(from));
        }

        if (query.To is { } to)
        {
            Filter("started_at < @to", "@to", database.Time(to));
        }

        if (query.Number is { } number)
        {
            Filter("(caller_number = @number OR called_number = @number)", "@number", number);
        }

        if (query.AgentId is { } agent)
        {
            Filter("agent_id = @agent", "@agent", agent);
        }

        if (query.QueueId is { } queue)
        {
            Filter("queue_id = @queue", "@queue", queue);
        }

        if (query.Status is { } status)
        {
            Filter("status = @status", "@status", StoredNames.Of(status));
        }

        // One row more than the page tells whether there is a next page.
#pragma warning disable CA2100 // Built from constant fragments; values are parameters.
        command.CommandText = $"SELECT {Columns} FROM call_records{where} ORDER BY started_at, id LIMIT @limit OFFSET @offset;";
#pragma warning restore CA2100
        command.With("@limit", query.Limit + 1).With("@offset", query.Offset);
        var records = await ReadRecordsAsync(connection, command, cancellationToken).ConfigureAwait(false);
        var hasMore = records.Count > query.Limit;
        if (hasMore)
        {
            records.RemoveAt(records.Count - 1);
        }

        return new CallDetailPage(records, hasMore);
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "DELETE FROM call_records WHERE started_at < @cutoff;")
            .With("@cutoff", database.Time(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<CallDetailRecord>> ReadRecordsAsync(DbConnection connection, DbCommand command, CancellationToken cancellationToken)
    {
        var records = new List<CallDetailRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(new CallDetailRecord
                {
                    Id = database.ReadId(reader, 0),
                    Direction = StoredNames.Direction(reader.GetString(1)),
                    CallerNumber = reader.GetString(2),
                    CalledNumber = reader.GetString(3),
                    StartedAt = database.ReadTime(reader, 4),
                    AnsweredAt = database.ReadTimeOrNull(reader, 5),
                    QueueEnteredAt = database.ReadTimeOrNull(reader, 6),
                    QueueExitedAt = database.ReadTimeOrNull(reader, 7),
                    AgentAnsweredAt = database.ReadTimeOrNull(reader, 8),
                    EndedAt = database.ReadTime(reader, 9),
                    Status = StoredNames.Status(reader.GetString(10)),
                    HangupParty = StoredNames.Party(reader.GetString(11)),
                    AgentId = reader.IsDBNull(12) ? null : reader.GetString(12),
                    QueueId = reader.IsDBNull(13) ? null : reader.GetString(13),
                    IvrTrace = reader.IsDBNull(14) ? null : reader.GetString(14),
                    SurveyScore = reader.IsDBNull(15) ? null : reader.GetInt32(15),
                    RecordingId = database.ReadIdOrNull(reader, 16),
                });
            }
        }

        if (records.Count == 0)
        {
            return records;
        }

        var legs = await ReadLegsAsync(connection, records, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            records[i] = records[i] with { Legs = legs.TryGetValue(records[i].Id, out var list) ? list : [] };
        }

        return records;
    }

    private async Task<Dictionary<Guid, List<CallLeg>>> ReadLegsAsync(DbConnection connection, List<CallDetailRecord> records, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, string.Empty);
        var names = new StringBuilder();
        for (var i = 0; i < records.Count; i++)
        {
            var name = "@r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            names.Append(i == 0 ? string.Empty : ", ").Append(name);
            command.With(name, database.Id(records[i].Id));
        }

#pragma warning disable CA2100 // Built from generated parameter names; values are parameters.
        command.CommandText = $"""
            SELECT record_id, role, from_number, to_number, started_at, answered_at, ended_at, sip_call_id
            FROM call_legs WHERE record_id IN ({names}) ORDER BY record_id, ordinal;
            """;
#pragma warning restore CA2100
        var legs = new Dictionary<Guid, List<CallLeg>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = database.ReadId(reader, 0);
            if (!legs.TryGetValue(id, out var list))
            {
                legs[id] = list = [];
            }

            list.Add(new CallLeg(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), database.ReadTime(reader, 4),
                database.ReadTimeOrNull(reader, 5), database.ReadTimeOrNull(reader, 6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return legs;
    }
}
