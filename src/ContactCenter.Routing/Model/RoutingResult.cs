namespace ContactCenter.Routing;

/// <summary>Why a command was refused.</summary>
public enum RoutingError
{
    /// <summary>The command was applied.</summary>
    None = 0,

    /// <summary>No agent has that id.</summary>
    UnknownAgent,

    /// <summary>No queue has that name.</summary>
    UnknownQueue,

    /// <summary>No live item has that id.</summary>
    UnknownItem,

    /// <summary>An item with that id is already routed.</summary>
    DuplicateItem,

    /// <summary>The offer is not live any more (cancelled, timed out, taken by another agent) or was not made to this agent.</summary>
    OfferNotLive,

    /// <summary>The agent or item is not in a state that allows the command.</summary>
    InvalidState,

    /// <summary>The queue is at its maximum size.</summary>
    QueueFull,

    /// <summary>The queue refuses new items while it is empty of members (join rule).</summary>
    QueueEmpty,

    /// <summary>A definition or argument is invalid.</summary>
    InvalidArgument,
}

/// <summary>The outcome of one command.</summary>
/// <param name="Error">Why it was refused, or <see cref="RoutingError.None"/>.</param>
/// <param name="Message">A precise explanation naming what was refused and why.</param>
public readonly record struct RoutingResult(RoutingError Error, string? Message)
{
    /// <summary>The command was applied.</summary>
    public static RoutingResult Ok => default;

    /// <summary>Whether the command was applied.</summary>
    public bool Succeeded => Error == RoutingError.None;

    /// <summary>A refusal.</summary>
    public static RoutingResult Fail(RoutingError error, string message) => new(error, message);

    /// <inheritdoc />
    public override string ToString() => Succeeded ? "ok" : $"{Error}: {Message}";
}
