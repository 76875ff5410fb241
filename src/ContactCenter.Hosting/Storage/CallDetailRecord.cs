namespace ContactCenter.Hosting.Storage;

/// <summary>How a call ended, as reported in a <see cref="CallDetailRecord"/>.</summary>
public enum CallStatus
{
    /// <summary>The call was handled and ended normally.</summary>
    NormalEnd,

    /// <summary>The caller hung up while in the IVR.</summary>
    AbandonedInIvr,

    /// <summary>The caller hung up while waiting in a queue.</summary>
    AbandonedInQueue,

    /// <summary>The caller hung up while an agent was being rung.</summary>
    AbandonedWhileRinging,

    /// <summary>The queue had no agent able to take the call.</summary>
    NoAgentAvailable,

    /// <summary>The call arrived outside opening hours.</summary>
    OutsideHours,

    /// <summary>The agent offered the call did not answer.</summary>
    AgentDidNotAnswer,

    /// <summary>The call was transferred away.</summary>
    Transferred,

    /// <summary>
    /// The call failed because of an internal error, or was still up when the drain timeout of a shutdown passed and
    /// the contact center hung it up (hang-up party <see cref="HangupParty.System"/>).
    /// </summary>
    SystemError,
}

/// <summary>Who hung up first.</summary>
public enum HangupParty
{
    /// <summary>Not known.</summary>
    Unknown,

    /// <summary>The caller (inbound) or the called party (outbound).</summary>
    Caller,

    /// <summary>The agent.</summary>
    Agent,

    /// <summary>The contact center itself (end of flow, timeout, error).</summary>
    System,
}

/// <summary>Which way a call went.</summary>
public enum CallDirection
{
    /// <summary>From outside to the contact center.</summary>
    Inbound,

    /// <summary>From the contact center out (campaigns, callbacks).</summary>
    Outbound,

    /// <summary>Between extensions.</summary>
    Internal,
}

/// <summary>One leg of a call (caller, agent, transfer target, ...).</summary>
/// <param name="Role">What the leg is: <c>caller</c>, <c>agent</c>, <c>transfer</c>, <c>supervisor</c>, ...</param>
/// <param name="From">The calling number or URI of the leg.</param>
/// <param name="To">The called number or URI of the leg.</param>
/// <param name="StartedAt">When the leg was created.</param>
/// <param name="AnsweredAt">When it was answered, if it was.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
/// <param name="SipCallId">The SIP Call-ID of the leg, if any.</param>
public sealed record CallLeg(
    string Role,
    string From,
    string To,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt = null,
    DateTimeOffset? EndedAt = null,
    string? SipCallId = null);

/// <summary>
/// The record of one call, written once when it ends. Times are kept to the microsecond. <see cref="Id"/> is the call
/// id (a version 7 <see cref="Guid"/>, unique across nodes).
/// </summary>
public sealed record CallDetailRecord
{
    /// <summary>The call id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Inbound, outbound or internal.</summary>
    public CallDirection Direction { get; init; }

    /// <summary>The calling number.</summary>
    public required string CallerNumber { get; init; }

    /// <summary>The called number (the DID for inbound calls).</summary>
    public required string CalledNumber { get; init; }

    /// <summary>When the call arrived or was placed.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the contact center answered it (inbound) or the far end answered (outbound).</summary>
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>When it entered a queue.</summary>
    public DateTimeOffset? QueueEnteredAt { get; init; }

    /// <summary>When it left the queue (to an agent, or abandoned).</summary>
    public DateTimeOffset? QueueExitedAt { get; init; }

    /// <summary>When an agent answered.</summary>
    public DateTimeOffset? AgentAnsweredAt { get; init; }

    /// <summary>When the call ended.</summary>
    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>How it ended.</summary>
    public required CallStatus Status { get; init; }

    /// <summary>Who hung up.</summary>
    public HangupParty HangupParty { get; init; }

    /// <summary>The agent who took the call.</summary>
    public string? AgentId { get; init; }

    /// <summary>The queue the call waited in.</summary>
    public string? QueueId { get; init; }

    /// <summary>The IVR trace as a JSON document (nodes visited, digits, results).</summary>
    public string? IvrTrace { get; init; }

    /// <summary>The caller's satisfaction survey score.</summary>
    public int? SurveyScore { get; init; }

    /// <summary>The recording of the call, see <see cref="IRecordingIndex"/>.</summary>
    public Guid? RecordingId { get; init; }

    /// <summary>The legs of the call, in the order they were created.</summary>
    public IReadOnlyList<CallLeg> Legs { get; init; } = [];
}

/// <summary>
/// Which call records to read. Every filter is optional and they combine with AND. Results are ordered by start time
/// then id; page with <see cref="Offset"/> and <see cref="Limit"/>.
/// </summary>
public sealed record CallDetailQuery
{
    /// <summary>The largest page a query may ask for.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Calls that started at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Calls that started before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Calls from or to this number.</summary>
    public string? Number { get; init; }

    /// <summary>Calls taken by this agent.</summary>
    public string? AgentId { get; init; }

    /// <summary>Calls that waited in this queue.</summary>
    public string? QueueId { get; init; }

    /// <summary>Calls that ended this way.</summary>
    public CallStatus? Status { get; init; }

    /// <summary>How many matching records to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many records to return at most (1 to <see cref="MaxLimit"/>).</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>One page of call records.</summary>
/// <param name="Items">The records of this page.</param>
/// <param name="HasMore">Whether more records match after this page.</param>
public sealed record CallDetailPage(IReadOnlyList<CallDetailRecord> Items, bool HasMore);

/// <summary>Where call detail records are kept.</summary>
public interface ICallDetailStore
{
    /// <summary>Stores a record with its legs; it is on disk when the task completes.</summary>
    /// <exception cref="ArgumentException">The record is invalid (empty id, end before start, ...).</exception>
    /// <exception cref="InvalidOperationException">A record with that id exists already.</exception>
    Task AddAsync(CallDetailRecord record, CancellationToken cancellationToken = default);

    /// <summary>One record with its legs, or <see langword="null"/>.</summary>
    Task<CallDetailRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The records that match <paramref name="query"/>, one page.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The page is out of range.</exception>
    Task<CallDetailPage> QueryAsync(CallDetailQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records of calls that started before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}
