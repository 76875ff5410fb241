using System.Globalization;

namespace ContactCenter.Routing.Engine;

/// <summary>Read-only views of the state: snapshots, positions and the invariants tests check.</summary>
internal sealed partial class RoutingCore
{
    private static readonly AgentStatus[] AllStatuses = Enum.GetValues<AgentStatus>();

    public RoutingSnapshot BuildSnapshot()
    {
        var queues = new QueueMetrics[_queueList.Count];
        for (var i = 0; i < queues.Length; i++)
        {
            queues[i] = BuildQueueMetrics(_queueList[i]);
        }

        var agents = new AgentMetrics[_agentList.Count];
        var byStatus = NewStatusCounts();
        for (var i = 0; i < agents.Length; i++)
        {
            var agent = _agentList[i];
            byStatus[agent.Status]++;
            var times = StatusTimes(agent);
            agents[i] = new AgentMetrics
            {
                AgentId = agent.Id,
                Status = agent.Status,
                NotReadyReason = agent.Status == AgentStatus.NotReady ? agent.NotReadyReason : null,
                TimeInStatus = TimeSpan.FromTicks(_now - agent.StatusSince),
                ActiveItems = agent.ActiveCount,
                Answered = agent.Answered,
                HandleTime = TimeSpan.FromTicks(agent.HandleTicks),
                Occupancy = Occupancy(times.Occupied, times.Staffed),
            };
        }

        return new RoutingSnapshot(new DateTimeOffset(_now, TimeSpan.Zero), queues, agents, byStatus, Decisions);
    }

    private static Dictionary<AgentStatus, int> NewStatusCounts()
    {
        var counts = new Dictionary<AgentStatus, int>(AllStatuses.Length);
        foreach (var status in AllStatuses)
        {
            counts[status] = 0;
        }

        return counts;
    }

    private (long Occupied, long Staffed) StatusTimes(AgentState agent)
    {
        var t = agent.TimeInStatus;
        long Time(AgentStatus s) => t[(int)s] + (agent.Status == s ? _now - agent.StatusSince : 0);
        var occupied = Time(AgentStatus.Reserved) + Time(AgentStatus.Busy) + Time(AgentStatus.WrapUp);
        return (occupied, occupied + Time(AgentStatus.Available));
    }

    private static double Occupancy(long occupied, long staffed) => staffed <= 0 ? 0 : (double)occupied / staffed;

    private QueueMetrics BuildQueueMetrics(QueueState queue)
    {
        long longest = 0;
        foreach (var bucket in queue.Buckets)
        {
            for (var item = bucket.Head; item is not null; item = item.Next)
            {
                longest = Math.Max(longest, _now - item.EnqueuedAt);
            }
        }

        var members = NewStatusCounts();
        long occupied = 0, staffed = 0;
        foreach (var membership in queue.Members)
        {
            members[membership.Agent.Status]++;
            var times = StatusTimes(membership.Agent);
            occupied += times.Occupied;
            staffed += times.Staffed;
        }

        var slDenominator = queue.Answered + queue.Abandoned - queue.ShortAbandoned;
        return new QueueMetrics
        {
            Queue = queue.Name,
            Waiting = queue.WaitingCount,
            Ringing = queue.RingingCount,
            LongestWait = TimeSpan.FromTicks(longest),
            Offered = queue.Offered,
            Refused = queue.Refused,
            Answered = queue.Answered,
            AnsweredWithinThreshold = queue.AnsweredWithinThreshold,
            Abandoned = queue.Abandoned,
            ShortAbandoned = queue.ShortAbandoned,
            Exited = queue.Exited,
            EscalatedOut = queue.EscalatedOut,
            Completed = queue.Completed,
            ServiceLevel = slDenominator == 0 ? 1 : (double)queue.AnsweredWithinThreshold / slDenominator,
            AverageSpeedOfAnswer = queue.Answered == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(queue.WaitAnsweredTicks / queue.Answered),
            AverageHandleTime = queue.Completed == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((queue.HandleTicks + queue.WrapTicks) / queue.Completed),
            Occupancy = Occupancy(occupied, staffed),
            MembersByStatus = members,
            ExpectedWait = ExpectedWait(queue, queue.WaitingCount + 1),
        };
    }

    private static TimeSpan ExpectedWait(QueueState queue, int position) =>
        TimeSpan.FromTicks((long)(position * queue.HandleEstimateTicks / Math.Max(1, queue.ReadyMembers)));

    public QueuePosition? Position(string itemId)
    {
        if (itemId is null || !_items.TryGetValue(itemId, out var item) || item.Phase == ItemPhase.Assigned)
        {
            return null;
        }

        var queue = item.Queue;
        if (item.Phase == ItemPhase.Offered)
        {
            return new QueuePosition(itemId, queue.Name, 0, TimeSpan.Zero);
        }

        var mine = Score(item);
        var ahead = 0;
        foreach (var bucket in queue.Buckets)
        {
            for (var other = bucket.Head; other is not null; other = other.Next)
            {
                var score = Score(other);
                if (score > mine || (score == mine && (other.EnqueuedAt < item.EnqueuedAt
                    || (other.EnqueuedAt == item.EnqueuedAt && BucketOrder(other, item)))))
                {
                    ahead++;
                }
            }
        }

        var position = ahead + 1;
        return new QueuePosition(itemId, queue.Name, position, ExpectedWait(queue, position));
    }

    private static bool BucketOrder(ItemState a, ItemState b)
    {
        if (!ReferenceEquals(a.Bucket, b.Bucket) || ReferenceEquals(a, b))
        {
            return false;
        }

        for (var x = a.Next; x is not null; x = x.Next)
        {
            if (ReferenceEquals(x, b))
            {
                return true;
            }
        }

        return false;
    }

    private long Score(ItemState item)
    {
        var queue = item.Queue;
        long score = queue.Definition.Priority + item.Item.Priority;
        var aging = queue.AgingIntervalTicks;
        if (aging > 0)
        {
            score += Math.Min(queue.Definition.MaxAgingBoost, (_now - item.EnqueuedAt) / aging);
        }

        return score;
    }

    /// <summary>The live offer an agent holds, if any (for tests, benchmarks and the simulator).</summary>
    public Guid? OfferFor(string agentId) =>
        _agents.TryGetValue(agentId, out var agent) && agent.PendingOffer is { } offer ? offer.Id : null;

    /// <summary>Checks every structural invariant; returns the violations found (empty when consistent).</summary>
    public List<string> CheckInvariants()
    {
        var errors = new List<string>();
        void Fail(string message) => errors.Add(message);
        var assignedTo = new Dictionary<ItemState, AgentState>();
        foreach (var agent in _agentList)
        {
            if ((agent.PendingOffer is not null) != (agent.Status == AgentStatus.Reserved))
            {
                Fail($"agent {agent.Id}: status {agent.Status} but offer {(agent.PendingOffer is null ? "none" : "held")}");
            }

            if (agent.PendingOffer is { } offer && (!offer.Live || !_offers.ContainsKey(offer.Id) || !offer.Agents.Contains(agent)))
            {
                Fail($"agent {agent.Id}: reserved by an offer that is not live");
            }

            if (agent.ActiveCount != agent.ActiveItems.Count)
            {
                Fail($"agent {agent.Id}: ActiveCount {agent.ActiveCount} but {agent.ActiveItems.Count} items");
            }

            foreach (var item in agent.ActiveItems)
            {
                if (!assignedTo.TryAdd(item, agent))
                {
                    Fail($"item {item.Id}: assigned to {assignedTo[item].Id} and {agent.Id}");
                }

                if (item.Phase != ItemPhase.Assigned || !ReferenceEquals(item.Agent, agent) || !_items.ContainsKey(item.Id))
                {
                    Fail($"item {item.Id}: held by {agent.Id} but not assigned to it");
                }
            }

            if (agent.InAvailableSets != Routable(agent))
            {
                Fail($"agent {agent.Id}: availability index out of date");
            }

            if (!agent.LoggedIn && (agent.ActiveCount > 0 || agent.PendingOffer is not null))
            {
                Fail($"agent {agent.Id}: offline with work");
            }

            if (agent.InAvailableSets && FindBestItemQuietly(agent) is { } waiting)
            {
                Fail($"agent {agent.Id}: available while item {waiting.Id} it may take is waiting");
            }
        }

        foreach (var offer in _offers.Values)
        {
            if (!offer.Live || offer.Agents.Count == 0 || offer.Item.Phase != ItemPhase.Offered || !ReferenceEquals(offer.Item.Offer, offer))
            {
                Fail($"offer {offer.Id}: inconsistent with item {offer.Item.Id}");
            }

            foreach (var agent in offer.Agents)
            {
                if (!ReferenceEquals(agent.PendingOffer, offer))
                {
                    Fail($"offer {offer.Id}: agent {agent.Id} does not hold it");
                }
            }
        }

        foreach (var queue in _queueList)
        {
            var waiting = 0;
            foreach (var bucket in queue.Buckets)
            {
                var n = 0;
                for (var item = bucket.Head; item is not null; item = item.Next)
                {
                    n++;
                    if (item.Phase != ItemPhase.Waiting || !ReferenceEquals(item.Queue, queue) || !_items.ContainsKey(item.Id))
                    {
                        Fail($"item {item.Id}: in queue {queue.Name} but not waiting there");
                    }
                }

                if (n != bucket.Count)
                {
                    Fail($"queue {queue.Name}: bucket {bucket.Priority} count {bucket.Count} but {n} items");
                }

                waiting += n;
            }

            var ringing = 0;
            var assigned = 0;
            foreach (var item in _items.Values)
            {
                if (ReferenceEquals(item.Queue, queue))
                {
                    ringing += item.Phase == ItemPhase.Offered ? 1 : 0;
                    assigned += item.Phase == ItemPhase.Assigned ? 1 : 0;
                }
            }

            if (waiting != queue.WaitingCount || ringing != queue.RingingCount)
            {
                Fail($"queue {queue.Name}: counts waiting {queue.WaitingCount}/{waiting} ringing {queue.RingingCount}/{ringing}");
            }

            var accounted = queue.Answered + queue.Abandoned + queue.Exited + queue.EscalatedOut + waiting + ringing;
            if (queue.Offered != accounted)
            {
                Fail(string.Create(CultureInfo.InvariantCulture,
                    $"queue {queue.Name}: offered {queue.Offered} != answered {queue.Answered} + abandoned {queue.Abandoned} + exited {queue.Exited} + escalated {queue.EscalatedOut} + waiting {waiting} + ringing {ringing}"));
            }

            if (queue.Answered != queue.Completed + assigned)
            {
                Fail($"queue {queue.Name}: answered {queue.Answered} != completed {queue.Completed} + in progress {assigned}");
            }

            int loggedIn = 0, ready = 0;
            foreach (var membership in queue.Members)
            {
                loggedIn += membership.Agent.LoggedIn ? 1 : 0;
                ready += membership.Agent.LoggedIn && membership.Agent.NotReadyReason is null ? 1 : 0;
            }

            if (loggedIn != queue.LoggedInMembers || ready != queue.ReadyMembers)
            {
                Fail($"queue {queue.Name}: member counts out of date");
            }
        }

        foreach (var item in _items.Values)
        {
            if (item.Phase == ItemPhase.Assigned && !assignedTo.ContainsKey(item))
            {
                Fail($"item {item.Id}: assigned but no agent holds it");
            }

            if (item.Phase == ItemPhase.Offered && (item.Offer is null || !item.Offer.Live))
            {
                Fail($"item {item.Id}: ringing without a live offer");
            }
        }

        return errors;
    }

    private ItemState? FindBestItemQuietly(AgentState agent)
    {
        var decisions = Decisions;
        var item = FindBestItem(agent);
        Decisions = decisions;
        return item;
    }
}
