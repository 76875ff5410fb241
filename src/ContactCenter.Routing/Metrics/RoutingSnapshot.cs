namespace ContactCenter.Routing;

/// <summary>A consistent picture of every queue and agent at one instant (see the README for each definition).</summary>
/// <param name="Timestamp">When it was taken.</param>
/// <param name="Queues">Per-queue metrics, in definition order.</param>
/// <param name="Agents">Per-agent metrics, in definition order.</param>
/// <param name="AgentsByStatus">How many agents are in each status.</param>
/// <param name="Decisions">Routing decisions made since the engine started.</param>
public sealed record RoutingSnapshot(
    DateTimeOffset Timestamp,
    IReadOnlyList<QueueMetrics> Queues,
    IReadOnlyList<AgentMetrics> Agents,
    IReadOnlyDictionary<AgentStatus, int> AgentsByStatus,
    long Decisions);

/// <summary>Live metrics of one queue since the engine started.</summary>
public sealed record QueueMetrics
{
    /// <summary>The queue.</summary>
    public required string Queue { get; init; }

    /// <summary>Items waiting now (not counting items ringing at an agent).</summary>
    public int Waiting { get; init; }

    /// <summary>Items ringing at an agent now.</summary>
    public int Ringing { get; init; }

    /// <summary>The wait of the oldest waiting item.</summary>
    public TimeSpan LongestWait { get; init; }

    /// <summary>Items that entered the queue (enqueued or moved in by escalation).</summary>
    public long Offered { get; init; }

    /// <summary>Items refused at the door (full, or empty under the join rule).</summary>
    public long Refused { get; init; }

    /// <summary>Items assigned to an agent.</summary>
    public long Answered { get; init; }

    /// <summary>Items assigned within the service-level threshold.</summary>
    public long AnsweredWithinThreshold { get; init; }

    /// <summary>Items abandoned, short abandons included.</summary>
    public long Abandoned { get; init; }

    /// <summary>Abandons within the short-abandon threshold.</summary>
    public long ShortAbandoned { get; init; }

    /// <summary>Items that left without an agent (max wait, queue empty).</summary>
    public long Exited { get; init; }

    /// <summary>Items moved to another queue by escalation.</summary>
    public long EscalatedOut { get; init; }

    /// <summary>Items completed by agents.</summary>
    public long Completed { get; init; }

    /// <summary>AnsweredWithinThreshold / (Answered + Abandoned - ShortAbandoned); 1 when nothing counts yet.</summary>
    public double ServiceLevel { get; init; }

    /// <summary>Average wait of answered items.</summary>
    public TimeSpan AverageSpeedOfAnswer { get; init; }

    /// <summary>Average of handle time plus wrap-up over completed items.</summary>
    public TimeSpan AverageHandleTime { get; init; }

    /// <summary>Occupied time over staffed time of the queue's members.</summary>
    public double Occupancy { get; init; }

    /// <summary>How many members are in each status.</summary>
    public required IReadOnlyDictionary<AgentStatus, int> MembersByStatus { get; init; }

    /// <summary>The expected wait of an item entering now.</summary>
    public TimeSpan ExpectedWait { get; init; }
}

/// <summary>Live metrics of one agent since the engine started.</summary>
public sealed record AgentMetrics
{
    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The current status.</summary>
    public AgentStatus Status { get; init; }

    /// <summary>The not-ready reason when not ready.</summary>
    public string? NotReadyReason { get; init; }

    /// <summary>Time in the current status.</summary>
    public TimeSpan TimeInStatus { get; init; }

    /// <summary>Items handled now.</summary>
    public int ActiveItems { get; init; }

    /// <summary>Items answered.</summary>
    public long Answered { get; init; }

    /// <summary>Total time from assignment to completion of finished items.</summary>
    public TimeSpan HandleTime { get; init; }

    /// <summary>(Reserved + Busy + WrapUp) / (Available + Reserved + Busy + WrapUp) time.</summary>
    public double Occupancy { get; init; }
}

/// <summary>Where a waiting item stands.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Position">1 for the next item to be served, in routing order; 0 while ringing at an agent.</param>
/// <param name="ExpectedWait">Position x average handle time / staffed members.</param>
public sealed record QueuePosition(string ItemId, string Queue, int Position, TimeSpan ExpectedWait);
