namespace ContactCenter.Routing;

/// <summary>
/// Something that happened in routing. Events are published in the order the single writer applied them,
/// numbered by <see cref="Sequence"/>; together they are enough to rebuild a queue log.
/// </summary>
public abstract record RoutingEvent
{
    /// <summary>The position of the event in the engine's stream, from 1.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When it happened, from the engine's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; internal set; }
}

/// <summary>An item entered a queue.</summary>
public sealed record ItemEnqueued(string ItemId, string Queue, WorkChannel Channel, int Priority, int Position) : RoutingEvent;

/// <summary>An item was refused at the door (queue full, or empty under the join rule).</summary>
public sealed record ItemRefused(string ItemId, string Queue, RoutingError Reason) : RoutingEvent;

/// <summary>An item was offered to one agent (or several, with <c>ring-all</c>); those agents are reserved.</summary>
public sealed record ItemOffered(string ItemId, string Queue, Guid OfferId, IReadOnlyList<string> AgentIds) : RoutingEvent;

/// <summary>An agent accepted an offer.</summary>
public sealed record OfferAccepted(string ItemId, string Queue, Guid OfferId, string AgentId) : RoutingEvent;

/// <summary>An agent declined an offer.</summary>
public sealed record OfferRejected(string ItemId, string Queue, Guid OfferId, string AgentId) : RoutingEvent;

/// <summary>An offer rang without answer; the item went back to the head of its queue.</summary>
public sealed record OfferTimedOut(string ItemId, string Queue, Guid OfferId, IReadOnlyList<string> AgentIds) : RoutingEvent;

/// <summary>An offer was withdrawn from an agent (item abandoned, another agent accepted, agent logged out).</summary>
public sealed record OfferCancelled(string ItemId, string Queue, Guid OfferId, string AgentId, string Reason) : RoutingEvent;

/// <summary>An item was assigned to the agent who accepted it; <paramref name="Wait"/> is the time since it was first enqueued.</summary>
public sealed record ItemAssigned(string ItemId, string Queue, string AgentId, TimeSpan Wait) : RoutingEvent;

/// <summary>The customer left while waiting or ringing; a short abandon when within the queue's threshold.</summary>
public sealed record ItemAbandoned(string ItemId, string Queue, TimeSpan Wait, bool IsShort) : RoutingEvent;

/// <summary>The agent finished the item; <paramref name="HandleTime"/> runs from assignment to completion.</summary>
public sealed record ItemCompleted(string ItemId, string Queue, string AgentId, TimeSpan HandleTime) : RoutingEvent;

/// <summary>An escalation step was applied (or skipped because nobody was there).</summary>
public sealed record ItemEscalated(string ItemId, string FromQueue, string ToQueue, int Step, bool Skipped) : RoutingEvent;

/// <summary>An item left its queue without an agent: <c>max-wait</c> or <c>queue-empty</c>.</summary>
public sealed record ItemExited(string ItemId, string Queue, string Reason, TimeSpan Wait) : RoutingEvent;

/// <summary>An agent's status changed; <paramref name="Reason"/> is the not-ready reason code when not ready.</summary>
public sealed record AgentStatusChanged(string AgentId, AgentStatus From, AgentStatus To, string? Reason) : RoutingEvent;

/// <summary>Wrap-up time was credited to a queue (once, to the queue of the item that started it).</summary>
public sealed record WrapUpEnded(string AgentId, string Queue, TimeSpan Duration) : RoutingEvent;
