using System.Data.Common;
using System.Text.Json;
using ContactCenter.Dialer;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The dialer's <see cref="ICampaignStore"/> in the database (SQLite or PostgreSQL). The port is synchronous (the
/// dialer writes under its own lock, before it places a call), so this store uses synchronous database calls; every
/// save is committed, hence durable, when it returns. Saves are upserts: saving a record again replaces it.
/// Do-not-call numbers are rows of <c>campaign_do_not_call</c>; the global list uses the all-zero campaign id.
/// </summary>
internal sealed class SqlCampaignStore(StorageDatabase database) : ICampaignStore
{
    private const string ContactColumns = """
        id, campaign_id, sequence, phone_number, name, time_zone_id, priority, fields, status, attempts,
        next_attempt_at, last_outcome, last_abandoned_at, callback_agent_id, is_callback, last_disposition
        """;

    private const string AttemptColumns = """
        id, campaign_id, contact_id, number, phone_number, caller_id, placed_at, outcome, ended_at, agent_id, disposition_code
        """;

    private const string UpsertContact = $"""
        INSERT INTO campaign_contacts ({ContactColumns})
        VALUES (@id, @campaign, @sequence, @phone, @name, @zone, @priority, @fields, @status, @attempts,
                @next, @outcome, @abandoned, @callbackAgent, @isCallback, @disposition)
        ON CONFLICT (id) DO UPDATE SET
            campaign_id = excluded.campaign_id, sequence = excluded.sequence, phone_number = excluded.phone_number,
            name = excluded.name, time_zone_id = excluded.time_zone_id, priority = excluded.priority,
            fields = excluded.fields, status = excluded.status, attempts = excluded.attempts,
            next_attempt_at = excluded.next_attempt_at, last_outcome = excluded.last_outcome,
            last_abandoned_at = excluded.last_abandoned_at, callback_agent_id = excluded.callback_agent_id,
            is_callback = excluded.is_callback, last_disposition = excluded.last_disposition;
        """;

    public void SaveCampaign(CampaignRecord campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(campaign.Settings);
        using var connection = database.Open();
        using var command = Sql.Command(connection, """
            INSERT INTO campaigns (id, name, state, started_at, next_sequence, settings)
            VALUES (@id, @name, @state, @started, @next, @settings)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, state = excluded.state, started_at = excluded.started_at,
                next_sequence = excluded.next_sequence, settings = excluded.settings;
            """)
            .With("@id", database.Id(campaign.Id))
            .With("@name", campaign.Settings.Name)
            .With("@state", StoredNames.Of(campaign.State))
            .With("@started", database.TimeOrNull(campaign.StartedAt))
            .With("@next", campaign.NextSequence)
            .With("@settings", CampaignSettingsDocument.Serialize(campaign.Settings));
        command.ExecuteNonQuery();
    }

    public void SaveContacts(IReadOnlyList<ContactRecord> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        for (var i = 0; i < contacts.Count; i++)
        {
            if (contacts[i] is null)
            {
                throw new ArgumentException($"contacts[{i}] is null", nameof(contacts));
            }
        }

        if (contacts.Count == 0)
        {
            return;
        }

        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection);
        using var command = Sql.Command(connection, UpsertContact, transaction);
        foreach (var contact in contacts)
        {
            command.Parameters.Clear();
            WithContact(command, contact).ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void SaveAttempt(AttemptRecord attempt, ContactRecord contact)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(contact);
        if (attempt.ContactId != contact.Id)
        {
            throw new ArgumentException($"attempt {attempt.Id} is for contact {attempt.ContactId}, not for contact {contact.Id}", nameof(contact));
        }

        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection);
        using (var command = Sql.Command(connection, $"""
            INSERT INTO campaign_attempts ({AttemptColumns})
            VALUES (@id, @campaign, @contact, @number, @phone, @callerId, @placed, @outcome, @ended, @agent, @disposition)
            ON CONFLICT (id) DO UPDATE SET
                campaign_id = excluded.campaign_id, contact_id = excluded.contact_id, number = excluded.number,
                phone_number = excluded.phone_number, caller_id = excluded.caller_id, placed_at = excluded.placed_at,
                outcome = excluded.outcome, ended_at = excluded.ended_at, agent_id = excluded.agent_id,
                disposition_code = excluded.disposition_code;
            """, transaction))
        {
            command
                .With("@id", database.Id(attempt.Id))
                .With("@campaign", database.Id(attempt.CampaignId))
                .With("@contact", database.Id(attempt.ContactId))
                .With("@number", attempt.Number)
                .With("@phone", attempt.PhoneNumber)
                .With("@callerId", attempt.CallerId)
                .With("@placed", database.Time(attempt.PlacedAt))
                .With("@outcome", attempt.Outcome is { } outcome ? StoredNames.Of(outcome) : null)
                .With("@ended", database.TimeOrNull(attempt.EndedAt))
                .With("@agent", attempt.AgentId)
                .With("@disposition", attempt.DispositionCode)
                .ExecuteNonQuery();
        }

        using (var command = Sql.Command(connection, UpsertContact, transaction))
        {
            WithContact(command, contact).ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public IReadOnlyList<CampaignRecord> LoadCampaigns()
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, "SELECT id, state, started_at, next_sequence, settings FROM campaigns ORDER BY id;");
        using var reader = command.ExecuteReader();
        var campaigns = new List<CampaignRecord>();
        while (reader.Read())
        {
            var id = database.ReadId(reader, 0);
            campaigns.Add(new CampaignRecord(
                id,
                CampaignSettingsDocument.Deserialize(reader.GetString(4), id),
                StoredNames.ParseCampaignState(reader.GetString(1)),
                database.ReadTimeOrNull(reader, 2),
                reader.GetInt64(3)));
        }

        return campaigns;
    }

    public IReadOnlyList<ContactRecord> LoadContacts(Guid campaignId)
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, $"SELECT {ContactColumns} FROM campaign_contacts WHERE campaign_id = @campaign ORDER BY sequence, id;")
            .With("@campaign", database.Id(campaignId));
        using var reader = command.ExecuteReader();
        var contacts = new List<ContactRecord>();
        while (reader.Read())
        {
            contacts.Add(new ContactRecord(
                database.ReadId(reader, 0),
                database.ReadId(reader, 1),
                reader.GetInt64(2),
                reader.GetString(3),
                NullableString(reader, 4),
                reader.GetString(5),
                reader.GetInt32(6),
                ReadFields(reader.GetString(7), database.ReadId(reader, 0)),
                StoredNames.ParseContactStatus(reader.GetString(8)),
                reader.GetInt32(9),
                database.ReadTimeOrNull(reader, 10),
                reader.IsDBNull(11) ? null : StoredNames.ParseOutcome(reader.GetString(11)),
                database.ReadTimeOrNull(reader, 12),
                NullableString(reader, 13),
                reader.GetBoolean(14),
                NullableString(reader, 15)));
        }

        return contacts;
    }

    public IReadOnlyList<AttemptRecord> LoadOpenAttempts(Guid campaignId)
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, $"""
            SELECT {AttemptColumns} FROM campaign_attempts
            WHERE campaign_id = @campaign AND outcome IS NULL ORDER BY placed_at, id;
            """)
            .With("@campaign", database.Id(campaignId));
        return ReadAttempts(command);
    }

    public IReadOnlyList<AttemptRecord> LoadAttempts(Guid campaignId, DateTimeOffset since)
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, $"""
            SELECT {AttemptColumns} FROM campaign_attempts
            WHERE campaign_id = @campaign AND placed_at >= @since ORDER BY placed_at, id;
            """)
            .With("@campaign", database.Id(campaignId))
            .With("@since", database.Time(since));
        return ReadAttempts(command);
    }

    private List<AttemptRecord> ReadAttempts(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var attempts = new List<AttemptRecord>();
        while (reader.Read())
        {
            attempts.Add(new AttemptRecord(
                database.ReadId(reader, 0),
                database.ReadId(reader, 1),
                database.ReadId(reader, 2),
                reader.GetInt32(3),
                reader.GetString(4),
                reader.GetString(5),
                database.ReadTime(reader, 6),
                reader.IsDBNull(7) ? null : StoredNames.ParseOutcome(reader.GetString(7)),
                database.ReadTimeOrNull(reader, 8),
                NullableString(reader, 9),
                NullableString(reader, 10)));
        }

        return attempts;
    }

    public void SaveDoNotCall(Guid? campaignId, string phoneNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        using var connection = database.Open();
        using var command = Sql.Command(connection, """
            INSERT INTO campaign_do_not_call (campaign_id, phone_number) VALUES (@campaign, @phone)
            ON CONFLICT (campaign_id, phone_number) DO NOTHING;
            """)
            .With("@campaign", DoNotCallScope(campaignId))
            .With("@phone", phoneNumber);
        command.ExecuteNonQuery();
    }

    public void RemoveDoNotCall(Guid? campaignId, string phoneNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        using var connection = database.Open();
        using var command = Sql.Command(connection, "DELETE FROM campaign_do_not_call WHERE campaign_id = @campaign AND phone_number = @phone;")
            .With("@campaign", DoNotCallScope(campaignId))
            .With("@phone", phoneNumber);
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<string> LoadDoNotCall(Guid? campaignId)
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, "SELECT phone_number FROM campaign_do_not_call WHERE campaign_id = @campaign ORDER BY phone_number;")
            .With("@campaign", DoNotCallScope(campaignId));
        using var reader = command.ExecuteReader();
        var numbers = new List<string>();
        while (reader.Read())
        {
            numbers.Add(reader.GetString(0));
        }

        return numbers;
    }

    /// <summary>The campaign id of a do-not-call row: the campaign's, or the all-zero id for the global list.</summary>
    private object DoNotCallScope(Guid? campaignId)
    {
        if (campaignId == Guid.Empty)
        {
            throw new ArgumentException("the all-zero campaign id is reserved for the global do-not-call list; pass null for it", nameof(campaignId));
        }

        return database.Id(campaignId ?? Guid.Empty);
    }

    private DbCommand WithContact(DbCommand command, ContactRecord contact) =>
        command
            .With("@id", database.Id(contact.Id))
            .With("@campaign", database.Id(contact.CampaignId))
            .With("@sequence", contact.Sequence)
            .With("@phone", contact.PhoneNumber)
            .With("@name", contact.Name)
            .With("@zone", contact.TimeZoneId)
            .With("@priority", contact.Priority)
            .With("@fields", JsonSerializer.Serialize(
                contact.Fields as Dictionary<string, string> ?? new Dictionary<string, string>(contact.Fields ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                StorageJson.Default.DictionaryStringString))
            .With("@status", StoredNames.Of(contact.Status))
            .With("@attempts", contact.Attempts)
            .With("@next", database.TimeOrNull(contact.NextAttemptAt))
            .With("@outcome", contact.LastOutcome is { } outcome ? StoredNames.Of(outcome) : null)
            .With("@abandoned", database.TimeOrNull(contact.LastAbandonedAt))
            .With("@callbackAgent", contact.CallbackAgentId)
            .With("@isCallback", contact.IsCallback)
            .With("@disposition", contact.LastDisposition);

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Dictionary<string, string> ReadFields(string json, Guid contactId)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StorageJson.Default.DictionaryStringString) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new StorageException($"the stored fields of contact {contactId} cannot be read: {ex.Message}", ex);
        }
    }
}
