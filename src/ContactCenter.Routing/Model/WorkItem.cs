namespace ContactCenter.Routing;

/// <summary>A unit of work to route: a call, callback, chat, email or task.</summary>
public sealed record WorkItem
{
    /// <summary>The item's unique id; <see cref="NewId"/> makes one that is unique across nodes.</summary>
    public required string Id { get; init; }

    /// <summary>The queue the item enters.</summary>
    public required string Queue { get; init; }

    /// <summary>The channel; agent capacity is counted per channel.</summary>
    public WorkChannel Channel { get; init; } = WorkChannel.Voice;

    /// <summary>Item priority, 0 to 1000, higher first; added to the queue's priority.</summary>
    public int Priority { get; init; }

    /// <summary>Skills an agent needs for this item, beyond queue membership.</summary>
    public IReadOnlyList<SkillRequirement> RequiredSkills { get; init; } = [];

    /// <summary>Free-form data carried with the item (never interpreted by routing).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The customer, for the <c>preferred-agent</c> strategy's history.</summary>
    public string? CustomerId { get; init; }

    /// <summary>An agent to offer the item to first (until the queue's preferred-agent fallback).</summary>
    public string? PreferredAgentId { get; init; }

    /// <summary>Makes an id that sorts by creation time and is unique across nodes (a version 7 GUID).</summary>
    public static string NewId() => Guid.CreateVersion7().ToString("N");
}
