namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The PostgreSQL schema, one migration per version, the same logical schema as <see cref="SqliteSchema"/> with native
/// types (uuid, timestamptz, bigint identity). Never edit a released migration; add one.
/// </summary>
internal static class PostgresSchema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "flows, call records, recordings, event log", """
            CREATE TABLE flow_drafts (
                flow_id text PRIMARY KEY,
                content text NOT NULL,
                author text NOT NULL,
                saved_at timestamptz NOT NULL
            );
            CREATE TABLE flow_versions (
                flow_id text NOT NULL,
                number integer NOT NULL,
                note text NOT NULL,
                author text NOT NULL,
                published_at timestamptz NOT NULL,
                content_hash text NOT NULL,
                content text NOT NULL,
                PRIMARY KEY (flow_id, number)
            );
            CREATE TABLE flow_aliases (
                flow_id text NOT NULL,
                alias text NOT NULL,
                number integer NOT NULL,
                PRIMARY KEY (flow_id, alias)
            );
            CREATE TABLE call_records (
                id uuid PRIMARY KEY,
                direction text NOT NULL,
                caller_number text NOT NULL,
                called_number text NOT NULL,
                started_at timestamptz NOT NULL,
                answered_at timestamptz,
                queue_entered_at timestamptz,
                queue_exited_at timestamptz,
                agent_answered_at timestamptz,
                ended_at timestamptz NOT NULL,
                status text NOT NULL,
                hangup_party text NOT NULL,
                agent_id text,
                queue_id text,
                ivr_trace text,
                survey_score integer,
                recording_id uuid
            );
            CREATE INDEX ix_call_records_started ON call_records (started_at, id);
            CREATE INDEX ix_call_records_caller ON call_records (caller_number, started_at);
            CREATE INDEX ix_call_records_called ON call_records (called_number, started_at);
            CREATE INDEX ix_call_records_agent ON call_records (agent_id, started_at);
            CREATE INDEX ix_call_records_queue ON call_records (queue_id, started_at);
            CREATE INDEX ix_call_records_status ON call_records (status, started_at);
            CREATE TABLE call_legs (
                record_id uuid NOT NULL REFERENCES call_records (id) ON DELETE CASCADE,
                ordinal integer NOT NULL,
                role text NOT NULL,
                from_number text NOT NULL,
                to_number text NOT NULL,
                started_at timestamptz NOT NULL,
                answered_at timestamptz,
                ended_at timestamptz,
                sip_call_id text,
                PRIMARY KEY (record_id, ordinal)
            );
            CREATE TABLE recordings (
                id uuid PRIMARY KEY,
                call_id uuid NOT NULL,
                path text NOT NULL,
                channels integer NOT NULL,
                duration_us bigint NOT NULL,
                size_bytes bigint NOT NULL,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX ix_recordings_call ON recordings (call_id);
            CREATE INDEX ix_recordings_created ON recordings (created_at);
            CREATE TABLE recording_access (
                id uuid PRIMARY KEY,
                recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                accessed_by text NOT NULL,
                action text NOT NULL,
                accessed_at timestamptz NOT NULL
            );
            CREATE INDEX ix_recording_access_recording ON recording_access (recording_id, accessed_at);
            CREATE TABLE events (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id uuid NOT NULL UNIQUE,
                type text NOT NULL,
                occurred_at timestamptz NOT NULL,
                call_id uuid,
                payload text NOT NULL
            );
            CREATE INDEX ix_events_occurred ON events (occurred_at);
            """),
        new(2, "dialer campaigns, contacts and attempts", """
            CREATE TABLE campaigns (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                state text NOT NULL,
                started_at timestamptz,
                next_sequence bigint NOT NULL,
                settings text NOT NULL
            );
            CREATE TABLE campaign_contacts (
                id uuid PRIMARY KEY,
                campaign_id uuid NOT NULL,
                sequence bigint NOT NULL,
                phone_number text NOT NULL,
                name text,
                time_zone_id text NOT NULL,
                priority integer NOT NULL,
                fields text NOT NULL,
                status text NOT NULL,
                attempts integer NOT NULL,
                next_attempt_at timestamptz,
                last_outcome text,
                last_abandoned_at timestamptz,
                callback_agent_id text,
                is_callback boolean NOT NULL,
                last_disposition text
            );
            CREATE INDEX ix_campaign_contacts_campaign ON campaign_contacts (campaign_id, sequence);
            CREATE TABLE campaign_attempts (
                id uuid PRIMARY KEY,
                campaign_id uuid NOT NULL,
                contact_id uuid NOT NULL,
                number integer NOT NULL,
                phone_number text NOT NULL,
                caller_id text NOT NULL,
                placed_at timestamptz NOT NULL,
                outcome text,
                ended_at timestamptz,
                agent_id text,
                disposition_code text
            );
            CREATE INDEX ix_campaign_attempts_open ON campaign_attempts (campaign_id, placed_at) WHERE outcome IS NULL;
            """),
        new(3, "dialer do-not-call lists (global and per campaign)", """
            CREATE TABLE campaign_do_not_call (
                campaign_id uuid NOT NULL,
                phone_number text NOT NULL,
                PRIMARY KEY (campaign_id, phone_number)
            );
            """),
        new(4, "dialer attempts by campaign and time (restore rebuilds the compliance window)", """
            CREATE INDEX ix_campaign_attempts_placed ON campaign_attempts (campaign_id, placed_at);
            """),
        new(5, "webhook deliveries (outbox and dead letters of the web API's webhooks)", """
            CREATE TABLE webhook_deliveries (
                id uuid PRIMARY KEY,
                webhook_url text NOT NULL,
                event_id uuid NOT NULL,
                event_type text NOT NULL,
                payload text NOT NULL,
                attempts integer NOT NULL,
                next_attempt_at timestamptz NOT NULL,
                dead boolean NOT NULL,
                last_error text,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
            """),
        new(6, "agents and number bindings made through the API", """
            CREATE TABLE directory_agents (
                id text PRIMARY KEY,
                profile text NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE TABLE directory_numbers (
                number text PRIMARY KEY,
                flow text NOT NULL,
                max_concurrent_calls integer,
                updated_at timestamptz NOT NULL
            );
            """),
    ];
}
