namespace ContactCenter.Ivr;

/// <summary>How an IVR session ended.</summary>
public enum IvrOutcome
{
    /// <summary>The flow hung up (a <c>hangup</c> node, or the end of a flow after a completed transfer).</summary>
    Hangup,

    /// <summary>The caller hung up while the flow was running.</summary>
    CallerHangup,

    /// <summary>The call was handed to an ACD queue.</summary>
    TransferToQueue,

    /// <summary>The call was transferred to an external number.</summary>
    TransferToNumber,

    /// <summary>The call was transferred to an extension.</summary>
    TransferToExtension,

    /// <summary>The caller left a voicemail.</summary>
    Voicemail,

    /// <summary>A node failed and had no error branch, or the flow exceeded a limit.</summary>
    Error,

    /// <summary>The session was cancelled by its host.</summary>
    Cancelled,
}

/// <summary>One step of a session, for the call record.</summary>
/// <param name="Time">When the node finished.</param>
/// <param name="NodeId">The node.</param>
/// <param name="NodeType">The node type.</param>
/// <param name="Action">What the node did (<c>play</c>, <c>collect</c>, <c>http</c>, ...).</param>
/// <param name="Input">The caller's input or the value the node produced, if any.</param>
/// <param name="Outcome">The transition taken (<c>next</c>, <c>error</c>, <c>1</c>, ...) or how the session ended.</param>
/// <param name="Next">The next node id, or <see langword="null"/> when the session ended here.</param>
public sealed record IvrTraceEntry(DateTimeOffset Time, string NodeId, string NodeType, string Action, string? Input, string Outcome, string? Next);

/// <summary>Everything an IVR session produced: its outcome, where the call went, its variables and its trace.</summary>
public sealed class IvrSessionResult
{
    internal IvrSessionResult()
    {
    }

    /// <summary>The session id (unique across nodes: a version 7 GUID unless the host chose one).</summary>
    public Guid SessionId { get; init; }

    /// <summary>The flow the session started in.</summary>
    public required string FlowId { get; init; }

    /// <summary>How the session ended.</summary>
    public IvrOutcome Outcome { get; init; }

    /// <summary>The last queue the call was transferred to, if any.</summary>
    public string? Queue { get; init; }

    /// <summary>The agent who answered a queue transfer, if any.</summary>
    public string? AgentId { get; init; }

    /// <summary>The number or extension of a transfer, if any.</summary>
    public string? TransferDestination { get; init; }

    /// <summary>The voicemail recording id, if any.</summary>
    public string? Recording { get; init; }

    /// <summary>The voicemail mailbox, if any.</summary>
    public string? Mailbox { get; init; }

    /// <summary>Survey scores by survey node id.</summary>
    public required IReadOnlyDictionary<string, int> SurveyScores { get; init; }

    /// <summary>The error that ended the session, when <see cref="Outcome"/> is <see cref="IvrOutcome.Error"/>.</summary>
    public string? Error { get; init; }

    /// <summary>The session's variables when it ended (unset variables omitted).</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>The ids of the nodes visited, in order.</summary>
    public required IReadOnlyList<string> Path { get; init; }

    /// <summary>Every step with time, input and outcome (empty when tracing is off).</summary>
    public required IReadOnlyList<IvrTraceEntry> Trace { get; init; }

    /// <summary>How many nodes ran.</summary>
    public int Steps { get; init; }

    /// <summary>When the session started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the session ended.</summary>
    public DateTimeOffset EndedAt { get; init; }
}

/// <summary>What the host knows about a call when it starts a session.</summary>
public sealed class IvrCallInfo
{
    /// <summary>The caller's number (From).</summary>
    public string CallerNumber { get; init; } = string.Empty;

    /// <summary>The number dialled (To / DID).</summary>
    public string CalledNumber { get; init; } = string.Empty;

    /// <summary>The session id; a new version 7 GUID when <see langword="null"/>.</summary>
    public Guid? SessionId { get; init; }

    /// <summary>Initial values for flow variables (override the flow's defaults).</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }
}
