namespace ContactCenter.Dialer;

/// <summary>How a campaign decides when to place calls.</summary>
public enum DialingMode
{
    /// <summary>An agent sees the contact first and accepts or skips it; an unanswered preview times out.</summary>
    Preview,

    /// <summary>One call per free agent; the agent is reserved before the call is placed, so no call is abandoned.</summary>
    Progressive,

    /// <summary>Calls are placed ahead of agent availability from measured statistics, under the abandonment cap.</summary>
    Predictive,

    /// <summary>No agents: an answered call is handed to an IVR flow (reminders, notifications).</summary>
    Agentless,
}

/// <summary>The lifecycle state of a campaign.</summary>
public enum CampaignState
{
    /// <summary>Being prepared; contacts may be imported; nothing is dialed.</summary>
    Draft,

    /// <summary>Waiting for its start time; it starts running by itself.</summary>
    Scheduled,

    /// <summary>Dialing.</summary>
    Running,

    /// <summary>Not placing new calls; calls in progress finish normally.</summary>
    Paused,

    /// <summary>Stopped by an operator. Terminal.</summary>
    Stopped,

    /// <summary>Every contact is finished or the end time passed. Terminal.</summary>
    Completed,
}

/// <summary>The order in which fresh contacts are dialed.</summary>
public enum ContactOrder
{
    /// <summary>In the order they were uploaded.</summary>
    AsUploaded,

    /// <summary>In a random order (seeded per campaign, so a restart keeps the same order).</summary>
    Random,

    /// <summary>Highest contact priority first, then as uploaded.</summary>
    Priority,
}

/// <summary>The outcome of one call attempt.</summary>
public enum CallOutcome
{
    /// <summary>A person answered and was connected to an agent (or to the flow, in agentless mode).</summary>
    AnsweredByPerson,

    /// <summary>An answering machine answered (as classified by answering-machine detection).</summary>
    AnsweredByMachine,

    /// <summary>The line was busy.</summary>
    Busy,

    /// <summary>Nobody answered before the ring timeout.</summary>
    NoAnswer,

    /// <summary>The call was rejected (declined, forbidden, ...).</summary>
    Rejected,

    /// <summary>The number does not exist or is malformed for the network.</summary>
    InvalidNumber,

    /// <summary>The network or trunk failed.</summary>
    NetworkError,

    /// <summary>A person answered and was not connected to an agent in time; the compliance message played.</summary>
    Abandoned,

    /// <summary>The dialer stopped while the call was in progress; its real outcome is unknown.</summary>
    Interrupted,
}

/// <summary>Where a contact stands in its campaign.</summary>
public enum ContactStatus
{
    /// <summary>Waiting to be dialed (fresh, or a retry or callback at <see cref="ContactRecord.NextAttemptAt"/>).</summary>
    Pending,

    /// <summary>A call (or a preview offer) is in progress.</summary>
    Dialing,

    /// <summary>Finished with a final agent disposition or a final outcome.</summary>
    Completed,

    /// <summary>Finished because its retry rules are exhausted.</summary>
    Exhausted,

    /// <summary>Skipped at dial time because the number is on a do-not-call list.</summary>
    DoNotCall,

    /// <summary>Removed by an operator.</summary>
    Removed,
}

/// <summary>An answering-machine detection verdict.</summary>
public enum AmdVerdict
{
    /// <summary>A person answered; the greeting is over.</summary>
    Person,

    /// <summary>A machine answered.</summary>
    Machine,
}

/// <summary>How caller IDs are chosen from the pool.</summary>
public enum CallerIdMode
{
    /// <summary>Always the first number of the pool.</summary>
    Fixed,

    /// <summary>Each call takes the next number of the pool.</summary>
    RoundRobin,

    /// <summary>A number with the same area code as the called number when one exists, else round robin.</summary>
    SameAreaCode,
}

/// <summary>What happens when an agent neither accepts nor skips a preview in time.</summary>
public enum PreviewTimeoutAction
{
    /// <summary>The call is placed as if the agent had accepted.</summary>
    Dial,

    /// <summary>The contact goes back to the queue and the agent is released.</summary>
    Skip,
}

/// <summary>Which window the abandonment cap is measured over.</summary>
public enum ComplianceWindowKind
{
    /// <summary>From the campaign's start, for at most the configured length (30 days by default).</summary>
    CampaignLife,

    /// <summary>The last 24 hours.</summary>
    Rolling24Hours,
}
