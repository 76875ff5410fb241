namespace ContactCenter.Routing;

/// <summary>The built-in strategies and their names.</summary>
public static class RoutingStrategies
{
    /// <summary>The agent free for the longest time.</summary>
    public const string LongestIdle = "longest-idle";

    /// <summary>The agent who answered the fewest items in this queue.</summary>
    public const string FewestCalls = "fewest-calls";

    /// <summary>The agent with the least total handle time in this queue.</summary>
    public const string LeastTalkTime = "least-talk-time";

    /// <summary>Members in list order, starting after the one offered last (round robin with memory).</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>Always the first free member in list order.</summary>
    public const string TopDown = "top-down";

    /// <summary>Any free member, uniformly.</summary>
    public const string Random = "random";

    /// <summary>A free member drawn with probability proportional to its weight.</summary>
    public const string WeightedRandom = "weighted-random";

    /// <summary>Every free member at once; the first accept wins.</summary>
    public const string RingAll = "ring-all";

    /// <summary>The highest skill score; ties to the longest idle.</summary>
    public const string BestSkill = "best-skill";

    /// <summary>The last agent who served the customer within the window, with a fallback to longest idle.</summary>
    public const string PreferredAgent = "preferred-agent";

    /// <summary>Every built-in strategy name.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [LongestIdle, FewestCalls, LeastTalkTime, RoundRobin, TopDown, Random, WeightedRandom, RingAll, BestSkill, PreferredAgent];

    /// <summary>Every built-in strategy, one instance each (they keep no state of their own).</summary>
    public static IReadOnlyList<IRoutingStrategy> All { get; } =
    [
        new LongestIdleStrategy(), new FewestCallsStrategy(), new LeastTalkTimeStrategy(), new RoundRobinStrategy(), new TopDownStrategy(),
        new RandomStrategy(), new WeightedRandomStrategy(), new RingAllStrategy(), new BestSkillStrategy(), new PreferredAgentStrategy(),
    ];

    /// <summary>The built-in strategy named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static IRoutingStrategy? Find(string name)
    {
        foreach (var strategy in All)
        {
            if (string.Equals(strategy.Name, name, StringComparison.Ordinal))
            {
                return strategy;
            }
        }

        return null;
    }

    /// <summary>The index of the candidate that orders first by <paramref name="compare"/>, ties to the longest idle.</summary>
    internal static int BestIndex(ReadOnlySpan<AgentCandidate> candidates, Comparison<AgentCandidate> compare)
    {
        var best = -1;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (best < 0)
            {
                best = i;
                continue;
            }

            var order = compare(candidates[i], candidates[best]);
            if (order < 0 || (order == 0 && candidates[i].IdleSince < candidates[best].IdleSince))
            {
                best = i;
            }
        }

        return best;
    }

    internal static int LongestIdleIndex(ReadOnlySpan<AgentCandidate> candidates) => BestIndex(candidates, static (_, _) => 0);
}

internal sealed class LongestIdleStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LongestIdle;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) => RoutingStrategies.LongestIdleIndex(candidates);
}

internal sealed class FewestCallsStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.FewestCalls;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) =>
        RoutingStrategies.BestIndex(candidates, static (a, b) => a.Answered.CompareTo(b.Answered));
}

internal sealed class LeastTalkTimeStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LeastTalkTime;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) =>
        RoutingStrategies.BestIndex(candidates, static (a, b) => a.TalkTime.CompareTo(b.TalkTime));
}

internal sealed class RoundRobinStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.RoundRobin;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates)
    {
        // The next member after the one offered last; wrap around to the lowest order.
        int next = -1, lowest = -1;
        for (var i = 0; i < candidates.Length; i++)
        {
            var order = candidates[i].MemberOrder;
            if (order > context.Cursor && (next < 0 || order < candidates[next].MemberOrder))
            {
                next = i;
            }

            if (lowest < 0 || order < candidates[lowest].MemberOrder)
            {
                lowest = i;
            }
        }

        var chosen = next >= 0 ? next : lowest;
        if (chosen >= 0)
        {
            context.Cursor = candidates[chosen].MemberOrder;
        }

        return chosen;
    }
}

internal sealed class TopDownStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.TopDown;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) =>
        RoutingStrategies.BestIndex(candidates, static (a, b) => a.MemberOrder.CompareTo(b.MemberOrder));
}

#pragma warning disable CA5394 // Routing randomness spreads load; it is not a security decision.
internal sealed class RandomStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.Random;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) =>
        candidates.IsEmpty ? -1 : context.Random.Next(candidates.Length);
}

internal sealed class WeightedRandomStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.WeightedRandom;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates)
    {
        long total = 0;
        foreach (var candidate in candidates)
        {
            total += Math.Max(1, candidate.Weight);
        }

        if (total == 0)
        {
            return -1;
        }

        var draw = context.Random.NextInt64(total);
        for (var i = 0; i < candidates.Length; i++)
        {
            draw -= Math.Max(1, candidates[i].Weight);
            if (draw < 0)
            {
                return i;
            }
        }

        return candidates.Length - 1;
    }
}
#pragma warning restore CA5394

internal sealed class RingAllStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.RingAll;

    public bool OffersToAll => true;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) => RoutingStrategies.LongestIdleIndex(candidates);
}

internal sealed class BestSkillStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.BestSkill;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates) =>
        RoutingStrategies.BestIndex(candidates, static (a, b) => b.SkillScore.CompareTo(a.SkillScore));
}

internal sealed class PreferredAgentStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.PreferredAgent;

    public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates)
    {
        if (context.PreferredAgentId is { } preferred)
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                if (string.Equals(candidates[i].AgentId, preferred, StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        return RoutingStrategies.LongestIdleIndex(candidates);
    }
}
