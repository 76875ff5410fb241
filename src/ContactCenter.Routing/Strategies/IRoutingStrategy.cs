namespace ContactCenter.Routing;

/// <summary>
/// Chooses which free agent gets an item. The engine hands over only eligible agents (logged in, ready, with
/// capacity for the channel and the item's skills) of the best member priority present, so a strategy only orders them.
/// </summary>
public interface IRoutingStrategy
{
    /// <summary>The kebab-case name queues refer to.</summary>
    string Name { get; }

    /// <summary>When true the item is offered to every candidate at once and the first accept wins (ring-all).</summary>
    bool OffersToAll => false;

    /// <summary>Returns the index in <paramref name="candidates"/> of the agent to offer to, or -1 to leave the item waiting.</summary>
    int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates);
}

/// <summary>A free, eligible agent as a strategy sees it.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="MemberPriority">Member priority in the queue, 1 highest.</param>
/// <param name="MemberOrder">The member's position in the queue's member list (for top-down and round robin).</param>
/// <param name="Weight">The member's weight (weighted random).</param>
/// <param name="IdleSince">When the agent last became free of work.</param>
/// <param name="Answered">Items this agent answered in this queue.</param>
/// <param name="TalkTime">Total handle time of this agent in this queue.</param>
/// <param name="SkillScore">The sum of the agent's levels on the item's required skills and the queue's skill requirements.</param>
public readonly record struct AgentCandidate(
    string AgentId, int MemberPriority, int MemberOrder, int Weight, DateTimeOffset IdleSince, long Answered, TimeSpan TalkTime, int SkillScore);

/// <summary>What a strategy knows about the decision at hand. One instance per queue; reused between decisions.</summary>
public sealed class StrategyContext
{
    internal StrategyContext(string queue, Random random)
    {
        Queue = queue;
        Random = random;
    }

    /// <summary>The queue.</summary>
    public string Queue { get; }

    /// <summary>The item being routed.</summary>
    public WorkItem Item { get; internal set; } = null!;

    /// <summary>The agent the item should go to first, when one applies (explicit or from customer history).</summary>
    public string? PreferredAgentId { get; internal set; }

    /// <summary>The current time.</summary>
    public DateTimeOffset Now { get; internal set; }

    /// <summary>The engine's random source (seeded from the engine options, so runs repeat).</summary>
    public Random Random { get; }

    /// <summary>A per-queue memory slot a strategy may use (round robin keeps the last member order here).</summary>
    public long Cursor { get; set; } = -1;

    /// <summary>Any other per-queue state a custom strategy needs.</summary>
    public object? State { get; set; }
}
