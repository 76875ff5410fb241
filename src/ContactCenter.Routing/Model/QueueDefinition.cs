namespace ContactCenter.Routing;

/// <summary>The configuration of one queue. See the package README for the meaning of each rule.</summary>
public sealed record QueueDefinition
{
    /// <summary>The queue's unique name.</summary>
    public required string Name { get; init; }

    /// <summary>Added to each item's priority when items of several queues compete for one agent (higher first).</summary>
    public int Priority { get; init; }

    /// <summary>The strategy name (kebab-case, e.g. <c>longest-idle</c>); see <see cref="RoutingStrategies"/>.</summary>
    public string Strategy { get; init; } = RoutingStrategies.LongestIdle;

    /// <summary>Explicit members with their member priority (1 highest to 5 lowest).</summary>
    public IReadOnlyList<QueueMember> Members { get; init; } = [];

    /// <summary>Every agent with all of these skills at these levels is also a member.</summary>
    public IReadOnlyList<SkillRequirement> SkillRequirements { get; init; } = [];

    /// <summary>The member priority given to members that join through <see cref="SkillRequirements"/>.</summary>
    public int SkillMemberPriority { get; init; } = 1;

    /// <summary>The most items that may wait; an enqueue beyond it is refused. <see langword="null"/>: no limit.</summary>
    public int? MaxSize { get; init; }

    /// <summary>An item waiting longer leaves the queue (reason <c>max-wait</c>). <see langword="null"/>: no limit.</summary>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>An enqueue is refused while this condition holds.</summary>
    public EmptyQueueCondition RefuseJoinWhen { get; init; } = EmptyQueueCondition.Never;

    /// <summary>Waiting items leave the queue (reason <c>queue-empty</c>) when this condition becomes true.</summary>
    public EmptyQueueCondition LeaveWhen { get; init; } = EmptyQueueCondition.Never;

    /// <summary>The service-level threshold: an item answered within it counts as answered in time.</summary>
    public TimeSpan ServiceLevelThreshold { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>An abandon within this time is a short abandon, kept out of the service level.</summary>
    public TimeSpan ShortAbandonThreshold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Steps applied as an item keeps waiting, in order of <see cref="EscalationStep.After"/>.</summary>
    public IReadOnlyList<EscalationStep> Escalation { get; init; } = [];

    /// <summary>How long an offer rings before it times out.</summary>
    public TimeSpan OfferTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>After-contact work following each item (an agent's own setting wins).</summary>
    public TimeSpan WrapUp { get; init; } = TimeSpan.Zero;

    /// <summary>With aging on, an item gains one priority point per interval waited. <see langword="null"/>: no aging.</summary>
    public TimeSpan? AgingInterval { get; init; }

    /// <summary>The most priority points aging can add.</summary>
    public int MaxAgingBoost { get; init; } = 10;

    /// <summary>How long an item waits for its preferred agent before any member may take it.</summary>
    public TimeSpan PreferredAgentFallback { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For the <c>preferred-agent</c> strategy: how far back the last agent who served the customer counts.</summary>
    public TimeSpan PreferredAgentWindow { get; init; } = TimeSpan.FromDays(3);

    /// <summary>The handle time assumed for the expected wait until real handle times are known.</summary>
    public TimeSpan DefaultHandleTime { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>An explicit member of a queue.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Priority">Member priority 1 (offered first) to 5 (offered only when no better member is free).</param>
/// <param name="Weight">The weight used by the <c>weighted-random</c> strategy (1 or more).</param>
public sealed record QueueMember(string AgentId, int Priority = 1, int Weight = 1);

/// <summary>
/// One escalation step: once an item has waited <see cref="After"/> in the queue, its requirements are widened
/// or it moves to another queue. A step whose target has nobody logged in and ready is skipped at once.
/// </summary>
public sealed record EscalationStep
{
    /// <summary>Time since the item entered the queue.</summary>
    public required TimeSpan After { get; init; }

    /// <summary>Lower every required minimum level by this much (never below 1).</summary>
    public int LowerLevelsBy { get; init; }

    /// <summary>Required skills to drop.</summary>
    public IReadOnlyList<string> DropSkills { get; init; } = [];

    /// <summary>Move the item to this queue (its priority and waiting time are kept).</summary>
    public string? MoveToQueue { get; init; }
}
