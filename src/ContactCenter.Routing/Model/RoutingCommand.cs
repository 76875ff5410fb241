namespace ContactCenter.Routing;

/// <summary>A change to routing state. Every command goes through the engine's single writer, in order.</summary>
public abstract record RoutingCommand;

/// <summary>Adds an agent or replaces its definition (skills, capacity, wrap-up); memberships are recomputed.</summary>
/// <param name="Agent">The definition.</param>
public sealed record ConfigureAgent(AgentDefinition Agent) : RoutingCommand;

/// <summary>Adds a queue or replaces its definition; memberships are recomputed.</summary>
/// <param name="Queue">The definition.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A command that configures a call queue; it is not a collection type.")]
public sealed record ConfigureQueue(QueueDefinition Queue) : RoutingCommand;

/// <summary>Logs an agent in, ready for work or not ready with a reason.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="NotReadyReason">When given, the agent starts not ready with this reason code.</param>
public sealed record LogIn(string AgentId, string? NotReadyReason = null) : RoutingCommand;

/// <summary>Logs an agent out. Refused while the agent handles work; a pending offer is cancelled.</summary>
/// <param name="AgentId">The agent.</param>
public sealed record LogOut(string AgentId) : RoutingCommand;

/// <summary>Makes an agent ready for work (cancels a pending not-ready).</summary>
/// <param name="AgentId">The agent.</param>
public sealed record SetReady(string AgentId) : RoutingCommand;

/// <summary>Makes an agent not ready; while the agent is reserved, busy or in wrap-up it takes effect when that work ends.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Reason">The reason code (e.g. <c>"break"</c>).</param>
public sealed record SetNotReady(string AgentId, string Reason) : RoutingCommand;

/// <summary>Puts an item in its queue; it is offered at once when an eligible agent is free.</summary>
/// <param name="Item">The item.</param>
public sealed record Enqueue(WorkItem Item) : RoutingCommand;

/// <summary>The customer left: the item leaves its queue, and a live offer for it is cancelled.</summary>
/// <param name="ItemId">The item.</param>
public sealed record Abandon(string ItemId) : RoutingCommand;

/// <summary>
/// Takes a waiting or ringing item out of its queue on the host's decision (for example an IVR overflow timer moving
/// the caller elsewhere). It counts as <c>Exited</c> with <paramref name="Reason"/>, not as abandoned; a pending
/// offer is cancelled and its agents freed. Refused for an item already assigned.
/// </summary>
/// <param name="ItemId">The item.</param>
/// <param name="Reason">Why it left, reported in <see cref="ItemExited"/>, for example <c>overflow</c>.</param>
public sealed record Withdraw(string ItemId, string Reason) : RoutingCommand;

/// <summary>An agent accepts an offer. Refused when the offer is no longer live (cancelled, timed out, taken).</summary>
/// <param name="OfferId">The offer, from <see cref="ItemOffered"/>.</param>
/// <param name="AgentId">The accepting agent.</param>
public sealed record Accept(Guid OfferId, string AgentId) : RoutingCommand;

/// <summary>An agent declines an offer; the item goes back to the head of its queue and is not offered to that agent again.</summary>
/// <param name="OfferId">The offer.</param>
/// <param name="AgentId">The declining agent.</param>
public sealed record Reject(Guid OfferId, string AgentId) : RoutingCommand;

/// <summary>The agent finished the item; wrap-up starts (or the agent is free at once).</summary>
/// <param name="ItemId">The item.</param>
public sealed record Complete(string ItemId) : RoutingCommand;

/// <summary>Ends an agent's wrap-up early.</summary>
/// <param name="AgentId">The agent.</param>
public sealed record EndWrapUp(string AgentId) : RoutingCommand;

/// <summary>Extends an agent's wrap-up by <paramref name="By"/>.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="By">The extra time.</param>
public sealed record ExtendWrapUp(string AgentId, TimeSpan By) : RoutingCommand;

/// <summary>Records that an agent served a customer outside routing (e.g. an outbound call), for the preferred-agent strategy.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="AgentId">The agent.</param>
public sealed record RecordInteraction(string CustomerId, string AgentId) : RoutingCommand;

/// <summary>Processes every timer that is due (ring timeouts, wrap-up ends, escalations). The engine posts it itself.</summary>
internal sealed record ProcessDueTimers : RoutingCommand;
