namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The SQLite schema, one migration per version. The logical schema is the same as <see cref="PostgresSchema"/>:
/// times are INTEGER microseconds since the Unix epoch (UTC), ids TEXT. Never edit a released migration; add one.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "flows, call records, recordings, event log", """
            CREATE TABLE flow_drafts (
                flow_id TEXT PRIMARY KEY,
                content TEXT NOT NULL,
                author TEXT NOT NULL,
                saved_at INTEGER NOT NULL
            );
            CREATE TABLE flow_versions (
                flow_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                note TEXT NOT NULL,
                author TEXT NOT NULL,
                published_at INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                PRIMARY KEY (flow_id, number)
            );
            CREATE TABLE flow_aliases (
                flow_id TEXT NOT NULL,
                alias TEXT NOT NULL,
                number INTEGER NOT NULL,
                PRIMARY KEY (flow_id, alias)
            );
            CREATE TABLE call_records (
                id TEXT PRIMARY KEY,
                direction TEXT NOT NULL,
                caller_number TEXT NOT NULL,
                called_number TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                answered_at INTEGER,
                queue_entered_at INTEGER,
                queue_exited_at INTEGER,
                agent_answered_at INTEGER,
                ended_at INTEGER NOT NULL,
                status TEXT NOT NULL,
                hangup_party TEXT NOT NULL,
                agent_id TEXT,
                queue_id TEXT,
                ivr_trace TEXT,
                survey_score INTEGER,
                recording_id TEXT
            );
            CREATE INDEX ix_call_records_started ON call_records (started_at, id);
            CREATE INDEX ix_call_records_caller ON call_records (caller_number, started_at);
            CREATE INDEX ix_call_records_called ON call_records (called_number, started_at);
            CREATE INDEX ix_call_records_agent ON call_records (agent_id, started_at);
            CREATE INDEX ix_call_records_queue ON call_records (queue_id, started_at);
            CREATE INDEX ix_call_records_status ON call_records (status, started_at);
            CREATE TABLE call_legs (
                record_id TEXT NOT NULL REFERENCES call_records (id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                role TEXT NOT NULL,
                from_number TEXT NOT NULL,
                to_number TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                answered_at INTEGER,
                ended_at INTEGER,
                sip_call_id TEXT,
                PRIMARY KEY (record_id, ordinal)
            );
            CREATE TABLE recordings (
                id TEXT PRIMARY KEY,
                call_id TEXT NOT NULL,
                path TEXT NOT NULL,
                channels INTEGER NOT NULL,
                duration_us INTEGER NOT NULL,
                size_bytes INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX ix_recordings_call ON recordings (call_id);
            CREATE INDEX ix_recordings_created ON recordings (created_at);
            CREATE TABLE recording_access (
                id TEXT PRIMARY KEY,
                recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                accessed_by TEXT NOT NULL,
                action TEXT NOT NULL,
                accessed_at INTEGER NOT NULL
            );
            CREATE INDEX ix_recording_access_recording ON recording_access (recording_id, accessed_at);
            CREATE TABLE events (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                occurred_at INTEGER NOT NULL,
                call_id TEXT,
                payload TEXT NOT NULL
            );
            CREATE INDEX ix_events_occurred ON events (occurred_at);
            """),
        new(2, "dialer campaigns, contacts and attempts", """
            CREATE TABLE campaigns (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                started_at INTEGER,
                next_sequence INTEGER NOT NULL,
                settings TEXT NOT NULL
            );
            CREATE TABLE campaign_contacts (
                id TEXT PRIMARY KEY,
                campaign_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                phone_number TEXT NOT NULL,
                name TEXT,
                time_zone_id TEXT NOT NULL,
                priority INTEGER NOT NULL,
                fields TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at INTEGER,
                last_outcome TEXT,
                last_abandoned_at INTEGER,
                callback_agent_id TEXT,
                is_callback INTEGER NOT NULL,
                last_disposition TEXT
            );
            CREATE INDEX ix_campaign_contacts_campaign ON campaign_contacts (campaign_id, sequence);
            CREATE TABLE campaign_attempts (
                id TEXT PRIMARY KEY,
                campaign_id TEXT NOT NULL,
                contact_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                phone_number TEXT NOT NULL,
                caller_id TEXT NOT NULL,
                placed_at INTEGER NOT NULL,
                outcome TEXT,
                ended_at INTEGER,
                agent_id TEXT,
                disposition_code TEXT
            );
            CREATE INDEX ix_campaign_attempts_open ON campaign_attempts (campaign_id, placed_at) WHERE outcome IS NULL;
            """),
        new(3, "dialer do-not-call lists (global and per campaign)", """
            CREATE TABLE campaign_do_not_call (
                campaign_id TEXT NOT NULL,
                phone_number TEXT NOT NULL,
                PRIMARY KEY (campaign_id, phone_number)
            );
            """),
        new(4, "dialer attempts by campaign and time (restore rebuilds the compliance window)", """
            CREATE INDEX ix_campaign_attempts_placed ON campaign_attempts (campaign_id, placed_at);
            """),
        new(5, "webhook deliveries (outbox and dead letters of the web API's webhooks)", """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                webhook_url TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                dead INTEGER NOT NULL,
                last_error TEXT,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
            """),
        new(6, "agents and number bindings made through the API", """
            CREATE TABLE directory_agents (
                id TEXT PRIMARY KEY,
                profile TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE directory_numbers (
                number TEXT PRIMARY KEY,
                flow TEXT NOT NULL,
                max_concurrent_calls INTEGER,
                updated_at INTEGER NOT NULL
            );
            """),
    ];
}
