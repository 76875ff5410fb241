namespace ContactCenter.Routing;

/// <summary>The configuration of one agent: identity, skills, capacity and wrap-up.</summary>
public sealed record AgentDefinition
{
    /// <summary>The agent's unique id (stable across nodes).</summary>
    public required string Id { get; init; }

    /// <summary>A display name; the id when empty.</summary>
    public string? Name { get; init; }

    /// <summary>Skills with levels 1 (lowest) to 100 (highest).</summary>
    public IReadOnlyDictionary<string, int> Skills { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;

    /// <summary>How much work the agent takes at once, per channel and in total.</summary>
    public AgentCapacity Capacity { get; init; } = AgentCapacity.OneAtATime;

    /// <summary>A wrap-up time that overrides the queue's; <see langword="null"/> uses the queue's.</summary>
    public TimeSpan? WrapUp { get; init; }
}

/// <summary>
/// How many items an agent handles at once. An item on an exclusive channel is offered only to an agent
/// with no other work, and while it is handled nothing else is offered (the cross-channel rule).
/// </summary>
public sealed record AgentCapacity
{
    /// <summary>One item at a time on any channel (the default).</summary>
    public static AgentCapacity OneAtATime { get; } = new();

    /// <summary>The maximum number of items per channel; a channel not listed has capacity 1.</summary>
    public IReadOnlyDictionary<WorkChannel, int> PerChannel { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<WorkChannel, int>.Empty;

    /// <summary>The maximum number of items across all channels.</summary>
    public int MaxTotal { get; init; } = 1;

    /// <summary>Channels that need the agent's whole attention (by default voice and callback).</summary>
    public IReadOnlyList<WorkChannel> ExclusiveChannels { get; init; } = [WorkChannel.Voice, WorkChannel.Callback];

    /// <summary>The capacity for <paramref name="channel"/>.</summary>
    public int For(WorkChannel channel) => PerChannel.TryGetValue(channel, out var value) ? value : 1;
}
