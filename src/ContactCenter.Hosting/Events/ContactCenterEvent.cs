namespace ContactCenter.Hosting.Events;

/// <summary>What an event is about; the SSE stream and webhooks filter on it.</summary>
public enum ContactCenterEventCategory
{
    /// <summary>A call started, changed state, was queued, connected to an agent, ended, or its record was written.</summary>
    Call,

    /// <summary>An agent logged in or out or changed state.</summary>
    Agent,

    /// <summary>A queue's figures changed (waiting, longest wait, service level, ASA).</summary>
    Queue,

    /// <summary>A campaign started, paused, stopped, or made progress.</summary>
    Campaign,

    /// <summary>A recording is complete and can be downloaded.</summary>
    Recording,
}

/// <summary>
/// One thing that happened in the contact center, as published on <see cref="ContactCenterEventHub"/>, the
/// Server-Sent Events stream and webhooks. <see cref="Type"/> is a stable dotted name (for example
/// <c>call.ended</c>, <c>agent.state_changed</c>); <see cref="Data"/> holds JSON-serializable values.
/// </summary>
/// <param name="Id">Unique across nodes (version 7 GUID), increasing with time.</param>
/// <param name="Type">The dotted event name, for example <c>call.queued</c>.</param>
/// <param name="Category">What the event is about.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Data">The event's fields (call id, agent id, queue, state, ...), JSON-serializable.</param>
public sealed record ContactCenterEvent(
    Guid Id,
    string Type,
    ContactCenterEventCategory Category,
    DateTimeOffset Time,
    IReadOnlyDictionary<string, object?> Data)
{
    /// <summary>Creates an event with a new id.</summary>
    public static ContactCenterEvent Create(string type, ContactCenterEventCategory category, DateTimeOffset time, IReadOnlyDictionary<string, object?> data) =>
        new(Guid.CreateVersion7(time), type, category, time, data);
}

/// <summary>The event type names published by the host.</summary>
public static class ContactCenterEventTypes
{
    /// <summary>An inbound or outbound call started (data: callId, direction, from, to).</summary>
    public const string CallStarted = "call.started";

    /// <summary>A call entered a queue (data: callId, queue, position, expectedWaitSeconds).</summary>
    public const string CallQueued = "call.queued";

    /// <summary>An agent's phone is ringing for a call (data: callId, agentId, queue).</summary>
    public const string CallOffered = "call.offered";

    /// <summary>An agent answered: caller and agent are talking (data: callId, agentId, queue).</summary>
    public const string CallConnected = "call.connected";

    /// <summary>A call was put on hold or taken off hold (data: callId, held).</summary>
    public const string CallHeld = "call.held";

    /// <summary>A call ended (data: callId, status, hangupParty).</summary>
    public const string CallEnded = "call.ended";

    /// <summary>A call detail record was written (data: the record's fields).</summary>
    public const string CallRecordWritten = "call.record_written";

    /// <summary>An agent changed state (data: agentId, from, to, reason).</summary>
    public const string AgentStateChanged = "agent.state_changed";

    /// <summary>A queue's live figures changed (data: queue, waiting, longestWaitSeconds, serviceLevel, asaSeconds).</summary>
    public const string QueueStatistics = "queue.statistics";

    /// <summary>A campaign changed state or made progress (data: campaignId, state, dialed, answered, abandonRate).</summary>
    public const string CampaignProgress = "campaign.progress";

    /// <summary>A recording is complete (data: recordingId, callId, path, durationSeconds).</summary>
    public const string RecordingReady = "recording.ready";
}
