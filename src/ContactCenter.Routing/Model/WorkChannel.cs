namespace ContactCenter.Routing;

/// <summary>The kind of work an item represents; agent capacity is counted per channel.</summary>
public enum WorkChannel
{
    /// <summary>A live phone call.</summary>
    Voice = 0,

    /// <summary>A scheduled or requested call back to a customer.</summary>
    Callback = 1,

    /// <summary>A chat or messaging conversation.</summary>
    Chat = 2,

    /// <summary>An email to answer.</summary>
    Email = 3,

    /// <summary>Any other back-office task.</summary>
    Task = 4,
}

/// <summary>What an agent is doing, as reported in events and metrics.</summary>
public enum AgentStatus
{
    /// <summary>Not logged in.</summary>
    Offline = 0,

    /// <summary>Logged in and waiting for work.</summary>
    Available = 1,

    /// <summary>Logged in but not taking work (break, training...), with a reason code.</summary>
    NotReady = 2,

    /// <summary>Holding an offer that is not yet accepted, rejected or timed out (ringing).</summary>
    Reserved = 3,

    /// <summary>Handling at least one item.</summary>
    Busy = 4,

    /// <summary>After-contact work: no new work until it ends.</summary>
    WrapUp = 5,
}

/// <summary>A condition on a queue's members used by the join and leave-when-empty rules.</summary>
public enum EmptyQueueCondition
{
    /// <summary>The rule never applies.</summary>
    Never = 0,

    /// <summary>No member of the queue is logged in.</summary>
    NoMemberLoggedIn = 1,

    /// <summary>No member of the queue is logged in and ready (every member is offline or not ready).</summary>
    NoMemberReady = 2,
}
