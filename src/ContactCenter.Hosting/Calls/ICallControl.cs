namespace ContactCenter.Hosting.Calls;

/// <summary>Where a call is in its life inside the contact center.</summary>
public enum ActiveCallPhase
{
    /// <summary>Being set up (ringing an outbound destination, or not yet answered).</summary>
    Setup,

    /// <summary>In an IVR flow.</summary>
    Ivr,

    /// <summary>Waiting in a queue (hearing hold music).</summary>
    Queued,

    /// <summary>An agent's phone is ringing.</summary>
    RingingAgent,

    /// <summary>Caller and agent are talking.</summary>
    Talking,

    /// <summary>The agent put the caller on hold.</summary>
    Held,
}

/// <summary>A call in progress, as the API and the dashboard show it.</summary>
/// <param name="CallId">The contact center's id for the call (also the call record's id).</param>
/// <param name="Direction"><c>inbound</c> or <c>outbound</c>.</param>
/// <param name="From">The caller's number or URI.</param>
/// <param name="To">The called number or URI.</param>
/// <param name="Phase">Where the call is.</param>
/// <param name="Queue">The queue it waits in or was served by, if any.</param>
/// <param name="AgentId">The agent on the call, if any.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="AnsweredAt">When it was answered, if it was.</param>
/// <param name="Recording">Whether it is being recorded.</param>
/// <param name="RecordingPaused">Whether the recording is paused.</param>
/// <param name="Monitors">Supervisors listening, whispering or barged in, by agent id.</param>
public sealed record ActiveCallInfo(
    Guid CallId,
    string Direction,
    string From,
    string To,
    ActiveCallPhase Phase,
    string? Queue,
    string? AgentId,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    bool Recording,
    bool RecordingPaused,
    IReadOnlyDictionary<string, MonitorMode> Monitors);

/// <summary>How a supervisor joins a call.</summary>
public enum MonitorMode
{
    /// <summary>Hears both parties; neither hears the supervisor.</summary>
    Listen,

    /// <summary>Hears both parties; only the agent hears the supervisor (coaching).</summary>
    Whisper,

    /// <summary>Hears and is heard by both parties.</summary>
    Barge,
}

/// <summary>Where a transfer goes.</summary>
public enum CallTransferKind
{
    /// <summary>Into a queue (the caller waits again).</summary>
    Queue,

    /// <summary>To a specific agent's device.</summary>
    Agent,

    /// <summary>To an external number through a trunk (or an extension).</summary>
    Number,
}

/// <summary>The destination of a transfer.</summary>
/// <param name="Kind">Queue, agent or number.</param>
/// <param name="Destination">The queue name, agent id or number.</param>
public sealed record CallTransferTarget(CallTransferKind Kind, string Destination);

/// <summary>Why a call control request was refused.</summary>
public enum CallControlError
{
    /// <summary>No such call (or agent, or queue).</summary>
    NotFound,

    /// <summary>The call is not in a state that allows it (for example hold while still in the IVR).</summary>
    InvalidState,

    /// <summary>The destination cannot be reached (no device, no healthy trunk, limit reached).</summary>
    Unavailable,

    /// <summary>The request itself is wrong (bad number, unknown mode).</summary>
    BadRequest,

    /// <summary>
    /// A transfer target was rung but did not take the call (busy, declined, or no answer within
    /// <see cref="ContactCenterOptions.TransferRingTimeout"/>); the caller is back with the agent, or in the queue.
    /// </summary>
    NotAnswered,
}

/// <summary>Thrown by <see cref="ICallControl"/> when a request cannot be carried out; the message says why.</summary>
public sealed class CallControlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallControlException(CallControlError error, string message)
        : base(message) => Error = error;

    /// <summary>Creates the exception (for serializers and analyzers; prefer the error-carrying constructor).</summary>
    public CallControlException()
        : this(CallControlError.BadRequest, "The call control request failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CallControlException(string message)
        : this(CallControlError.BadRequest, message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public CallControlException(string message, Exception innerException)
        : base(message, innerException) => Error = CallControlError.BadRequest;

    /// <summary>Why the request was refused.</summary>
    public CallControlError Error { get; }
}

/// <summary>
/// Controls calls in progress: what the web API's call resources and a supervisor use. Every method throws
/// <see cref="CallControlException"/> naming the problem when it cannot act.
/// </summary>
public interface ICallControl
{
    /// <summary>The calls in progress.</summary>
    IReadOnlyList<ActiveCallInfo> ActiveCalls { get; }

    /// <summary>One call in progress, or null.</summary>
    ActiveCallInfo? Find(Guid callId);

    /// <summary>Rings the agent's device; when the agent answers, calls <paramref name="number"/> and connects them. Returns the new call's id.</summary>
    Task<Guid> ClickToCallAsync(string agentId, string number, CancellationToken cancellationToken = default);

    /// <summary>Hangs up every leg of the call.</summary>
    Task HangUpAsync(Guid callId, CancellationToken cancellationToken = default);

    /// <summary>Puts the caller on hold (hold music) or takes them off hold.</summary>
    Task SetHoldAsync(Guid callId, bool hold, CancellationToken cancellationToken = default);

    /// <summary>
    /// Transfers the caller (blind): to a queue, an agent or a number. A transfer to a queue ends the agent leg at once.
    /// A transfer to a number, or to an agent (whose device rings whatever queues they belong to, only when logged in and
    /// Available), completes when the target answers (the agent leg ends then); until then the caller is on hold and the
    /// agent may hang up. When the target cannot be reached (<see cref="CallControlError.Unavailable"/>) or
    /// does not answer within <see cref="ContactCenterOptions.TransferRingTimeout"/> (<see cref="CallControlError.NotAnswered"/>),
    /// the caller is back with the agent, or back in the queue when the agent has hung up.
    /// </summary>
    Task TransferAsync(Guid callId, CallTransferTarget target, CancellationToken cancellationToken = default);

    /// <summary>Pauses or resumes the call's recording (for example while a card number is read out).</summary>
    Task SetRecordingPausedAsync(Guid callId, bool paused, CancellationToken cancellationToken = default);

    /// <summary>Rings the supervisor's device and joins it to the call in <paramref name="mode"/>; calling again changes the mode.</summary>
    Task MonitorAsync(Guid callId, string supervisorAgentId, MonitorMode mode, CancellationToken cancellationToken = default);
}
