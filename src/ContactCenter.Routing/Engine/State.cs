using System.Collections.ObjectModel;

namespace ContactCenter.Routing.Engine;

/// <summary>A compiled skill requirement: skill index and minimum level.</summary>
internal readonly record struct SkillNeed(int Skill, int Level);

internal enum ItemPhase
{
    Waiting,
    Offered,
    Assigned,
}

internal sealed class AgentState(string id)
{
    public string Id { get; } = id;

    public AgentDefinition Definition { get; set; } = null!;

    public int[] Levels { get; set; } = [];

    public bool LoggedIn { get; set; }

    public string? NotReadyReason { get; set; }

    public string? PendingNotReadyReason { get; set; }

    public Offer? PendingOffer { get; set; }

    public int ActiveCount { get; set; }

    public int[] ActivePerChannel { get; } = new int[ChannelCount];

    /// <summary>Capacity per channel, copied from the definition so the hot path reads an array.</summary>
    public int[] ChannelCapacity { get; } = new int[ChannelCount];

    public bool[] ExclusiveChannel { get; } = new bool[ChannelCount];

    public int MaxTotal { get; set; } = 1;

    public int ExclusiveActive { get; set; }

    public long WrapUntil { get; set; } = long.MaxValue;

    public long WrapStart { get; set; }

    public QueueState? WrapQueue { get; set; }

    public bool InWrapUp => WrapUntil != long.MaxValue;

    public long IdleSince { get; set; }

    public AgentStatus Status { get; set; } = AgentStatus.Offline;

    public long StatusSince { get; set; }

    /// <summary>The not-ready reason last published with <see cref="Status"/> (null unless NotReady).</summary>
    public string? StatusReason { get; set; }

    public long[] TimeInStatus { get; } = new long[6];

    public List<Membership> Memberships { get; } = [];

    public bool InAvailableSets { get; set; }

    public bool CountedLoggedIn { get; set; }

    public bool CountedReady { get; set; }

    public long Answered { get; set; }

    public long HandleTicks { get; set; }

    public List<ItemState> ActiveItems { get; } = [];

    public int Order { get; set; }

    public const int ChannelCount = 5;

    public int Level(int skill) => skill < Levels.Length ? Levels[skill] : 0;
}

internal sealed class Membership(AgentState agent, QueueState queue, int priority, int weight, int order)
{
    public AgentState Agent { get; } = agent;

    public QueueState Queue { get; } = queue;

    public int Priority { get; } = priority;

    public int Weight { get; } = weight;

    public int Order { get; } = order;

    public int AvailableIndex { get; set; } = -1;

    public long Answered { get; set; }

    public long TalkTicks { get; set; }
}

internal sealed class Offer(Guid id, ItemState item, long expiresAt)
{
    public Guid Id { get; } = id;

    public ItemState Item { get; } = item;

    public long ExpiresAt { get; } = expiresAt;

    public List<AgentState> Agents { get; } = new(1);

    public bool Live { get; set; } = true;
}

internal sealed class ItemState(WorkItem item, long enqueuedAt)
{
    public WorkItem Item { get; } = item;

    /// <summary>The channel as an index, kept here so routing scans never touch the caller's record.</summary>
    public int Channel { get; } = (int)item.Channel;

    public string Id => Item.Id;

    public long EnqueuedAt { get; } = enqueuedAt;

    public QueueState Queue { get; set; } = null!;

    public long QueueEnteredAt { get; set; }

    public int QueueStamp { get; set; }

    public SkillNeed[] Needs { get; set; } = [];

    public ItemPhase Phase { get; set; }

    public PriorityBucket? Bucket { get; set; }

    public ItemState? Previous { get; set; }

    public ItemState? Next { get; set; }

    public Offer? Offer { get; set; }

    public AgentState? Agent { get; set; }

    public long AssignedAt { get; set; }

    public int EscalationIndex { get; set; }

    public int Moves { get; set; }

    public List<AgentState>? Excluded { get; set; }

    public string? PreferredAgentId { get; set; }

    public long PreferredUntil { get; set; }

    public bool IsExcluded(AgentState agent)
    {
        if (Excluded is null)
        {
            return false;
        }

        foreach (var excluded in Excluded)
        {
            if (ReferenceEquals(excluded, agent))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The FIFO of waiting items of one priority inside a queue (an intrusive doubly linked list).</summary>
internal sealed class PriorityBucket(int priority)
{
    public int Priority { get; } = priority;

    public ItemState? Head { get; set; }

    public ItemState? Tail { get; set; }

    public int Count { get; set; }

    public void AddLast(ItemState item)
    {
        item.Bucket = this;
        item.Next = null;
        item.Previous = Tail;
        if (Tail is null)
        {
            Head = item;
        }
        else
        {
            Tail.Next = item;
        }

        Tail = item;
        Count++;
    }

    public void AddFirst(ItemState item)
    {
        item.Bucket = this;
        item.Previous = null;
        item.Next = Head;
        if (Head is null)
        {
            Tail = item;
        }
        else
        {
            Head.Previous = item;
        }

        Head = item;
        Count++;
    }

    /// <summary>Inserts keeping first-enqueue order (used when escalation moves an older item in).</summary>
    public void AddByEnqueueTime(ItemState item)
    {
        var after = Tail;
        while (after is not null && after.EnqueuedAt > item.EnqueuedAt)
        {
            after = after.Previous;
        }

        if (after is null)
        {
            AddFirst(item);
            return;
        }

        if (after == Tail)
        {
            AddLast(item);
            return;
        }

        item.Bucket = this;
        item.Previous = after;
        item.Next = after.Next;
        after.Next!.Previous = item;
        after.Next = item;
        Count++;
    }

    public void Remove(ItemState item)
    {
        if (item.Previous is null)
        {
            Head = item.Next;
        }
        else
        {
            item.Previous.Next = item.Next;
        }

        if (item.Next is null)
        {
            Tail = item.Previous;
        }
        else
        {
            item.Next.Previous = item.Previous;
        }

        item.Previous = null;
        item.Next = null;
        item.Bucket = null;
        Count--;
    }
}

internal sealed class QueueState
{
    public QueueState(QueueDefinition definition, int index, IRoutingStrategy strategy, Random random)
    {
        Definition = definition;
        Index = index;
        Strategy = strategy;
        Context = new StrategyContext(definition.Name, random);
        HandleEstimateTicks = definition.DefaultHandleTime.Ticks;
    }

    public QueueDefinition Definition { get; set; }

    public string Name => Definition.Name;

    public int Index { get; }

    public IRoutingStrategy Strategy { get; set; }

    public StrategyContext Context { get; }

    public SkillNeed[] Requirements { get; set; } = [];

    /// <summary>Buckets ordered by priority, highest first.</summary>
    public List<PriorityBucket> Buckets { get; } = [];

    public int WaitingCount { get; set; }

    public int RingingCount { get; set; }

    public List<Membership> Members { get; } = [];

    public List<Membership> Available { get; } = [];

    public int LoggedInMembers { get; set; }

    public int ReadyMembers { get; set; }

    public long Offered { get; set; }

    public long Refused { get; set; }

    public long Answered { get; set; }

    public long AnsweredWithinThreshold { get; set; }

    public long Abandoned { get; set; }

    public long ShortAbandoned { get; set; }

    public long Exited { get; set; }

    public long EscalatedOut { get; set; }

    public long Completed { get; set; }

    public long WaitAnsweredTicks { get; set; }

    public long HandleTicks { get; set; }

    public long WrapTicks { get; set; }

    public double HandleEstimateTicks { get; set; }

    public long AgingIntervalTicks { get; private set; }

    /// <summary>The queue priority and the aging cap, copied from the definition for the routing scan.</summary>
    public int Priority { get; private set; }

    public int MaxAgingBoost { get; private set; }

    public void Refresh()
    {
        AgingIntervalTicks = Definition.AgingInterval is { } interval && interval > TimeSpan.Zero ? interval.Ticks : 0;
        Priority = Definition.Priority;
        MaxAgingBoost = Definition.MaxAgingBoost;
    }

    public PriorityBucket BucketFor(int priority)
    {
        var i = 0;
        for (; i < Buckets.Count; i++)
        {
            if (Buckets[i].Priority == priority)
            {
                return Buckets[i];
            }

            if (Buckets[i].Priority < priority)
            {
                break;
            }
        }

        var bucket = new PriorityBucket(priority);
        Buckets.Insert(i, bucket);
        return bucket;
    }
}

internal enum DeadlineKind
{
    OfferTimeout,
    WrapUpEnd,
    MaxWait,
    Escalation,
    PreferredFallback,
}

internal readonly record struct Deadline(DeadlineKind Kind, object Target, long Stamp);

internal static class Empty
{
    public static readonly IReadOnlyDictionary<string, string> Attributes = ReadOnlyDictionary<string, string>.Empty;
}
