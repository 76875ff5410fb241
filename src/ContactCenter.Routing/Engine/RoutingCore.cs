using System.Buffers;
using System.Globalization;

namespace ContactCenter.Routing.Engine;

/// <summary>
/// All routing state and the rules that change it. Not thread-safe by design: exactly one writer
/// (<see cref="RoutingEngine"/>) calls <see cref="Apply"/>, one command at a time.
/// </summary>
internal sealed partial class RoutingCore
{
    private readonly RoutingEngineOptions _options;
    private readonly Dictionary<string, IRoutingStrategy> _strategies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _skills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentState> _agents = new(StringComparer.Ordinal);
    private readonly List<AgentState> _agentList = [];
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.Ordinal);
    private readonly List<QueueState> _queueList = [];
    private readonly Dictionary<string, ItemState> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Offer> _offers = [];
    private readonly Dictionary<string, (AgentState Agent, long At)> _lastAgentByCustomer = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Deadline, (long Due, long Sequence)> _deadlines = new();
    private long _deadlineSequence;
    private int _compactAt = 4096;
    private readonly Random _random;
    private AgentCandidate[] _candidates = new AgentCandidate[64];
    private Membership[] _candidateMembers = new Membership[64];
    private long _now;
    private readonly long _offerPrefix = BitConverter.ToInt64(Guid.NewGuid().ToByteArray());
    private long _offerCounter;

    /// <summary>Escalation moves per item; further move steps are skipped (stops zero-delay cycles between queues).</summary>
    internal const int MaxMovesPerItem = 8;

    public RoutingCore(RoutingEngineOptions options, long now)
    {
        _options = options;
        _now = now;
        _random = options.RandomSeed is { } seed ? new Random(seed) : new Random();
        foreach (var strategy in RoutingStrategies.All)
        {
            _strategies[strategy.Name] = strategy;
        }

        foreach (var strategy in options.CustomStrategies)
        {
            _strategies[strategy.Name] = strategy;
        }
    }

    /// <summary>Events produced by the commands applied so far and not yet delivered.</summary>
    public Queue<RoutingEvent> Outbox { get; } = new();

    /// <summary>Whether events are recorded (false while nobody listens, to keep the hot path allocation-free).</summary>
    public bool RecordEvents { get; set; }

    public long Decisions { get; private set; }

    /// <summary>The wait-time histogram, recorded once per answered item.</summary>
    public System.Diagnostics.Metrics.Histogram<double>? WaitTime { get; set; }

    /// <summary>Moves the core's clock forward (never back) for queries between commands.</summary>
    public void AdvanceClock(long now)
    {
        if (now > _now)
        {
            _now = now;
        }
    }

    public long Now => _now;

    public int ItemCount => _items.Count;

    /// <summary>Entries in the timer heap, live and dead (for tests of its bound).</summary>
    internal int DeadlineCount => _deadlines.Count;

    /// <summary>The earliest pending timer, in UTC ticks, or <see cref="long.MaxValue"/>.</summary>
    public long NextDue => _deadlines.TryPeek(out _, out var key) ? key.Due : long.MaxValue;

    internal IReadOnlyCollection<AgentState> Agents => _agentList;

    internal IReadOnlyCollection<QueueState> Queues => _queueList;

    internal IReadOnlyCollection<ItemState> Items => _items.Values;

    internal IReadOnlyCollection<Offer> LiveOffers => _offers.Values;

    public RoutingResult Apply(RoutingCommand command, long now)
    {
        if (now > _now)
        {
            _now = now;
        }

        return command switch
        {
            Enqueue c => ApplyEnqueue(c.Item),
            Accept c => ApplyAccept(c.OfferId, c.AgentId),
            Complete c => ApplyComplete(c.ItemId),
            Abandon c => ApplyAbandon(c.ItemId),
            Withdraw c => ApplyWithdraw(c.ItemId, c.Reason),
            Reject c => ApplyReject(c.OfferId, c.AgentId),
            ProcessDueTimers => ApplyDueTimers(),
            LogIn c => ApplyLogIn(c.AgentId, c.NotReadyReason),
            LogOut c => ApplyLogOut(c.AgentId),
            SetReady c => ApplySetReady(c.AgentId),
            SetNotReady c => ApplySetNotReady(c.AgentId, c.Reason),
            EndWrapUp c => ApplyEndWrapUp(c.AgentId),
            ExtendWrapUp c => ApplyExtendWrapUp(c.AgentId, c.By),
            RecordInteraction c => ApplyRecordInteraction(c.CustomerId, c.AgentId),
            ConfigureAgent c => ApplyConfigureAgent(c.Agent),
            ConfigureQueue c => ApplyConfigureQueue(c.Queue),
            null => RoutingResult.Fail(RoutingError.InvalidArgument, "the command is null"),
            _ => RoutingResult.Fail(RoutingError.InvalidArgument, $"unknown command type {command.GetType().Name}"),
        };
    }

    // ---------------------------------------------------------------- configuration

    private RoutingResult ApplyConfigureAgent(AgentDefinition? definition)
    {
        if (definition is null || string.IsNullOrWhiteSpace(definition.Id))
        {
            return Invalid("ConfigureAgent: the agent id is empty");
        }

        foreach (var (skill, level) in definition.Skills)
        {
            if (string.IsNullOrWhiteSpace(skill) || level is < 1 or > 100)
            {
                return Invalid($"agent '{definition.Id}': skill '{skill}' has level {level}; levels are 1 to 100");
            }
        }

        var capacity = definition.Capacity;
        if (capacity is null || capacity.MaxTotal < 1)
        {
            return Invalid($"agent '{definition.Id}': Capacity.MaxTotal must be at least 1");
        }

        foreach (var (channel, value) in capacity.PerChannel)
        {
            if (value < 0)
            {
                return Invalid($"agent '{definition.Id}': capacity for {channel} is {value}; it must be 0 or more");
            }
        }

        if (definition.WrapUp is { } wrap && wrap < TimeSpan.Zero)
        {
            return Invalid($"agent '{definition.Id}': WrapUp is negative");
        }

        if (!_agents.TryGetValue(definition.Id, out var agent))
        {
            agent = new AgentState(definition.Id) { Order = _agentList.Count, StatusSince = _now, IdleSince = _now };
            _agents.Add(definition.Id, agent);
            _agentList.Add(agent);
        }

        agent.Definition = definition;
        for (var c = 0; c < AgentState.ChannelCount; c++)
        {
            agent.ChannelCapacity[c] = capacity.For((WorkChannel)c);
            agent.ExclusiveChannel[c] = capacity.ExclusiveChannels.Contains((WorkChannel)c);
        }

        agent.MaxTotal = capacity.MaxTotal;
        var levels = new int[Math.Max(_skills.Count, 1) + definition.Skills.Count];
        foreach (var (skill, level) in definition.Skills)
        {
            var index = SkillIndex(skill);
            if (index >= levels.Length)
            {
                Array.Resize(ref levels, index + 1);
            }

            levels[index] = level;
        }

        agent.Levels = levels;
        RebuildMemberships(agent);
        UpdateAvailability(agent);
        TryRouteAgent(agent);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplyConfigureQueue(QueueDefinition? definition)
    {
        if (definition is null || string.IsNullOrWhiteSpace(definition.Name))
        {
            return Invalid("ConfigureQueue: the queue name is empty");
        }

        var name = definition.Name;
        if (definition.Strategy is null || !_strategies.TryGetValue(definition.Strategy, out var strategy))
        {
            return Invalid($"queue '{name}': unknown strategy '{definition.Strategy}'; known: {string.Join(", ", _strategies.Keys)}");
        }

        foreach (var member in definition.Members)
        {
            if (member is null || string.IsNullOrWhiteSpace(member.AgentId))
            {
                return Invalid($"queue '{name}': a member has no agent id");
            }

            if (member.Priority is < 1 or > 5)
            {
                return Invalid($"queue '{name}': member '{member.AgentId}' has priority {member.Priority}; member priorities are 1 (highest) to 5");
            }

            if (member.Weight < 1)
            {
                return Invalid($"queue '{name}': member '{member.AgentId}' has weight {member.Weight}; weights are 1 or more");
            }
        }

        if (definition.SkillMemberPriority is < 1 or > 5)
        {
            return Invalid($"queue '{name}': SkillMemberPriority is {definition.SkillMemberPriority}; it must be 1 to 5");
        }

        if (CheckRequirements(definition.SkillRequirements, $"queue '{name}'") is { } bad)
        {
            return Invalid(bad);
        }

        if (definition.MaxSize is < 0)
        {
            return Invalid($"queue '{name}': MaxSize is negative");
        }

        if (definition.MaxWait is { } maxWait && maxWait <= TimeSpan.Zero)
        {
            return Invalid($"queue '{name}': MaxWait must be positive");
        }

        if (definition.OfferTimeout <= TimeSpan.Zero)
        {
            return Invalid($"queue '{name}': OfferTimeout must be positive");
        }

        if (definition.ServiceLevelThreshold < TimeSpan.Zero || definition.ShortAbandonThreshold < TimeSpan.Zero
            || definition.WrapUp < TimeSpan.Zero || definition.PreferredAgentFallback < TimeSpan.Zero
            || definition.PreferredAgentWindow < TimeSpan.Zero || definition.DefaultHandleTime < TimeSpan.Zero)
        {
            return Invalid($"queue '{name}': thresholds, wrap-up, handle time and preferred-agent times must not be negative");
        }

        if (definition.AgingInterval is { } aging && aging <= TimeSpan.Zero)
        {
            return Invalid($"queue '{name}': AgingInterval must be positive (or null for no aging)");
        }

        if (definition.MaxAgingBoost < 0)
        {
            return Invalid($"queue '{name}': MaxAgingBoost is negative");
        }

        for (var i = 0; i < definition.Escalation.Count; i++)
        {
            var step = definition.Escalation[i];
            if (step is null || step.After < TimeSpan.Zero)
            {
                return Invalid($"queue '{name}': escalation step {i + 1} has a negative After");
            }

            if (i > 0 && step.After < definition.Escalation[i - 1].After)
            {
                return Invalid($"queue '{name}': escalation step {i + 1} comes before step {i}; order steps by After");
            }

            if (step.LowerLevelsBy < 0)
            {
                return Invalid($"queue '{name}': escalation step {i + 1} has a negative LowerLevelsBy");
            }

            if (string.Equals(step.MoveToQueue, name, StringComparison.Ordinal))
            {
                return Invalid($"queue '{name}': escalation step {i + 1} moves items to the same queue");
            }
        }

        if (!_queues.TryGetValue(name, out var queue))
        {
            queue = new QueueState(definition, _queueList.Count, strategy, _random);
            _queues.Add(name, queue);
            _queueList.Add(queue);
        }
        else
        {
            queue.Definition = definition;
            queue.Strategy = strategy;
        }

        queue.Requirements = Compile(definition.SkillRequirements);
        queue.Refresh();
        foreach (var agent in _agentList)
        {
            RebuildMemberships(agent);
        }

        foreach (var agent in _agentList)
        {
            UpdateAvailability(agent);
            TryRouteAgent(agent);
        }

        return RoutingResult.Ok;
    }

    private static string? CheckRequirements(IReadOnlyList<SkillRequirement> requirements, string where)
    {
        foreach (var requirement in requirements)
        {
            if (string.IsNullOrWhiteSpace(requirement.Skill) || requirement.MinimumLevel is < 1 or > 100)
            {
                return $"{where}: requirement on skill '{requirement.Skill}' at level {requirement.MinimumLevel}; levels are 1 to 100";
            }
        }

        return null;
    }

    private int SkillIndex(string skill)
    {
        if (!_skills.TryGetValue(skill, out var index))
        {
            index = _skills.Count;
            _skills.Add(skill, index);
        }

        return index;
    }

    private SkillNeed[] Compile(IReadOnlyList<SkillRequirement> requirements)
    {
        if (requirements.Count == 0)
        {
            return [];
        }

        var needs = new SkillNeed[requirements.Count];
        for (var i = 0; i < needs.Length; i++)
        {
            needs[i] = new SkillNeed(SkillIndex(requirements[i].Skill), requirements[i].MinimumLevel);
        }

        return needs;
    }

    private void RebuildMemberships(AgentState agent)
    {
        SetAvailable(agent, false);
        CountMember(agent, false, false);
        foreach (var membership in agent.Memberships)
        {
            membership.Queue.Members.Remove(membership);
        }

        var previous = agent.Memberships.ToArray();
        agent.Memberships.Clear();
        foreach (var queue in _queueList)
        {
            Membership? membership = null;
            var members = queue.Definition.Members;
            for (var i = 0; i < members.Count; i++)
            {
                if (string.Equals(members[i].AgentId, agent.Id, StringComparison.Ordinal))
                {
                    membership = new Membership(agent, queue, members[i].Priority, members[i].Weight, i);
                    break;
                }
            }

            if (membership is null && queue.Requirements.Length > 0 && Meets(agent, queue.Requirements))
            {
                membership = new Membership(agent, queue, queue.Definition.SkillMemberPriority, 1, members.Count + agent.Order);
            }

            if (membership is null)
            {
                continue;
            }

            foreach (var old in previous)
            {
                if (ReferenceEquals(old.Queue, queue))
                {
                    membership.Answered = old.Answered;
                    membership.TalkTicks = old.TalkTicks;
                }
            }

            agent.Memberships.Add(membership);
            queue.Members.Add(membership);
        }

        CountMember(agent, agent.LoggedIn, agent.LoggedIn && agent.NotReadyReason is null);
    }

    private static bool Meets(AgentState agent, SkillNeed[] needs)
    {
        foreach (var need in needs)
        {
            if (agent.Level(need.Skill) < need.Level)
            {
                return false;
            }
        }

        return true;
    }

    // ---------------------------------------------------------------- agents

    private RoutingResult ApplyLogIn(string agentId, string? notReadyReason)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (agent.LoggedIn)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is already logged in");
        }

        agent.LoggedIn = true;
        agent.NotReadyReason = string.IsNullOrWhiteSpace(notReadyReason) ? null : notReadyReason;
        agent.PendingNotReadyReason = null;
        agent.IdleSince = _now;
        AgentChanged(agent);
        TryRouteAgent(agent);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplyLogOut(string agentId)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (!agent.LoggedIn)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is not logged in");
        }

        if (agent.ActiveCount > 0)
        {
            return RoutingResult.Fail(RoutingError.InvalidState,
                $"agent '{agentId}' is handling {agent.ActiveCount.ToString(CultureInfo.InvariantCulture)} item(s); complete them before logging out");
        }

        if (agent.PendingOffer is { } offer)
        {
            WithdrawFromOffer(offer, agent, "agent-logged-out");
        }

        if (agent.InWrapUp)
        {
            FinishWrapUp(agent);
        }

        agent.LoggedIn = false;
        agent.NotReadyReason = null;
        agent.PendingNotReadyReason = null;
        AgentChanged(agent);
        CheckLeaveWhenEmpty(agent);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplySetReady(string agentId)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (!agent.LoggedIn)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is not logged in");
        }

        agent.NotReadyReason = null;
        agent.PendingNotReadyReason = null;
        if (agent.ActiveCount == 0 && !agent.InWrapUp && agent.PendingOffer is null && agent.Status == AgentStatus.NotReady)
        {
            agent.IdleSince = _now;
        }

        AgentChanged(agent);
        TryRouteAgent(agent);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplySetNotReady(string agentId, string reason)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Invalid($"SetNotReady for agent '{agentId}': the reason code is empty");
        }

        if (!agent.LoggedIn)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is not logged in");
        }

        if (agent.ActiveCount == 0 && !agent.InWrapUp && agent.PendingOffer is null)
        {
            agent.NotReadyReason = reason;
            agent.PendingNotReadyReason = null;
        }
        else
        {
            agent.PendingNotReadyReason = reason;
        }

        AgentChanged(agent);
        CheckLeaveWhenEmpty(agent);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplyEndWrapUp(string agentId)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (!agent.InWrapUp)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is not in wrap-up");
        }

        FinishWrapUp(agent);
        AgentFreed(agent, workEnded: true);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplyExtendWrapUp(string agentId, TimeSpan by)
    {
        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        if (by <= TimeSpan.Zero)
        {
            return Invalid($"ExtendWrapUp for agent '{agentId}': the extension must be positive");
        }

        if (!agent.InWrapUp)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"agent '{agentId}' is not in wrap-up");
        }

        agent.WrapUntil += by.Ticks;
        Schedule(new Deadline(DeadlineKind.WrapUpEnd, agent, agent.WrapUntil), agent.WrapUntil);
        return RoutingResult.Ok;
    }

    private RoutingResult ApplyRecordInteraction(string customerId, string agentId)
    {
        if (string.IsNullOrWhiteSpace(customerId))
        {
            return Invalid("RecordInteraction: the customer id is empty");
        }

        if (!TryAgent(agentId, out var agent, out var error))
        {
            return error;
        }

        _lastAgentByCustomer[customerId] = (agent, _now);
        return RoutingResult.Ok;
    }

    private bool TryAgent(string? agentId, out AgentState agent, out RoutingResult error)
    {
        if (agentId is not null && _agents.TryGetValue(agentId, out agent!))
        {
            error = default;
            return true;
        }

        error = RoutingResult.Fail(RoutingError.UnknownAgent, $"no agent has id '{agentId}'");
        agent = null!;
        return false;
    }

    private static RoutingResult Invalid(string message) => RoutingResult.Fail(RoutingError.InvalidArgument, message);

    /// <summary>Re-derives availability, member counts and status after any change to an agent.</summary>
    private void AgentChanged(AgentState agent)
    {
        CountMember(agent, agent.LoggedIn, agent.LoggedIn && agent.NotReadyReason is null);
        UpdateAvailability(agent);
        RefreshStatus(agent);
    }

    /// <summary>The agent may have no work left: a pending not-ready applies; after finished work it is idle from now.</summary>
    private void AgentFreed(AgentState agent, bool workEnded)
    {
        if (agent.ActiveCount == 0 && !agent.InWrapUp && agent.PendingOffer is null)
        {
            if (agent.PendingNotReadyReason is { } reason)
            {
                agent.NotReadyReason = reason;
                agent.PendingNotReadyReason = null;
            }

            if (workEnded)
            {
                agent.IdleSince = _now;
            }
        }

        AgentChanged(agent);
        if (agent.NotReadyReason is not null)
        {
            CheckLeaveWhenEmpty(agent);
        }

        TryRouteAgent(agent);
    }

    private static bool Routable(AgentState agent) =>
        agent.LoggedIn && agent.NotReadyReason is null && agent.PendingNotReadyReason is null && agent.PendingOffer is null
        && !agent.InWrapUp && agent.ExclusiveActive == 0 && agent.ActiveCount < agent.MaxTotal;

    private static void UpdateAvailability(AgentState agent) => SetAvailable(agent, Routable(agent));

    private static void SetAvailable(AgentState agent, bool available)
    {
        if (agent.InAvailableSets == available)
        {
            return;
        }

        agent.InAvailableSets = available;
        foreach (var membership in agent.Memberships)
        {
            var list = membership.Queue.Available;
            if (available)
            {
                membership.AvailableIndex = list.Count;
                list.Add(membership);
            }
            else
            {
                var index = membership.AvailableIndex;
                var last = list[^1];
                list[index] = last;
                last.AvailableIndex = index;
                list.RemoveAt(list.Count - 1);
                membership.AvailableIndex = -1;
            }
        }
    }

    private static void CountMember(AgentState agent, bool loggedIn, bool ready)
    {
        var loggedDelta = (loggedIn ? 1 : 0) - (agent.CountedLoggedIn ? 1 : 0);
        var readyDelta = (ready ? 1 : 0) - (agent.CountedReady ? 1 : 0);
        if (loggedDelta == 0 && readyDelta == 0)
        {
            return;
        }

        agent.CountedLoggedIn = loggedIn;
        agent.CountedReady = ready;
        foreach (var membership in agent.Memberships)
        {
            membership.Queue.LoggedInMembers += loggedDelta;
            membership.Queue.ReadyMembers += readyDelta;
        }
    }

    private static AgentStatus ComputeStatus(AgentState agent)
    {
        if (!agent.LoggedIn)
        {
            return AgentStatus.Offline;
        }

        if (agent.PendingOffer is not null)
        {
            return AgentStatus.Reserved;
        }

        if (agent.ActiveCount > 0)
        {
            return AgentStatus.Busy;
        }

        if (agent.InWrapUp)
        {
            return AgentStatus.WrapUp;
        }

        return agent.NotReadyReason is null ? AgentStatus.Available : AgentStatus.NotReady;
    }

    private void RefreshStatus(AgentState agent)
    {
        var status = ComputeStatus(agent);
        var reason = status == AgentStatus.NotReady ? agent.NotReadyReason : null;
        if (status == agent.Status && reason == agent.StatusReason)
        {
            return;
        }

        // A new not-ready reason (a break becoming lunch) is published too, from NotReady to NotReady.
        var from = agent.Status;
        if (status != from)
        {
            agent.TimeInStatus[(int)from] += _now - agent.StatusSince;
            agent.Status = status;
            agent.StatusSince = _now;
        }

        agent.StatusReason = reason;
        if (RecordEvents)
        {
            Publish(new AgentStatusChanged(agent.Id, from, status, reason));
        }

    }

    private void CheckLeaveWhenEmpty(AgentState agent)
    {
        foreach (var membership in agent.Memberships)
        {
            var queue = membership.Queue;
            if (queue.WaitingCount > 0 && Holds(queue, queue.Definition.LeaveWhen))
            {
                ExitAll(queue, "queue-empty");
            }
        }
    }

    private static bool Holds(QueueState queue, EmptyQueueCondition condition) => condition switch
    {
        EmptyQueueCondition.NoMemberLoggedIn => queue.LoggedInMembers == 0,
        EmptyQueueCondition.NoMemberReady => queue.ReadyMembers == 0,
        _ => false,
    };

    private void ExitAll(QueueState queue, string reason)
    {
        foreach (var bucket in queue.Buckets)
        {
            while (bucket.Head is { } item)
            {
                Exit(item, reason);
            }
        }
    }

    private void Exit(ItemState item, string reason)
    {
        var queue = item.Queue;
        RemoveWaiting(item);
        _items.Remove(item.Id);
        queue.Exited++;
        var wait = TimeSpan.FromTicks(_now - item.EnqueuedAt);
        if (RecordEvents)
        {
            Publish(new ItemExited(item.Id, queue.Name, reason, wait));
        }

    }

    // ---------------------------------------------------------------- items

    private RoutingResult ApplyEnqueue(WorkItem? item)
    {
        if (item is null || string.IsNullOrWhiteSpace(item.Id))
        {
            return Invalid("Enqueue: the item id is empty");
        }

        if (item.Queue is null || !_queues.TryGetValue(item.Queue, out var queue))
        {
            return RoutingResult.Fail(RoutingError.UnknownQueue, $"item '{item.Id}': no queue is named '{item.Queue}'");
        }

        if (item.Priority is < 0 or > 1000)
        {
            return Invalid($"item '{item.Id}': priority {item.Priority} is outside 0 to 1000");
        }

        if (!Enum.IsDefined(item.Channel))
        {
            return Invalid($"item '{item.Id}': unknown channel {(int)item.Channel}");
        }

        if (CheckRequirements(item.RequiredSkills, $"item '{item.Id}'") is { } bad)
        {
            return Invalid(bad);
        }

        if (_items.ContainsKey(item.Id))
        {
            return RoutingResult.Fail(RoutingError.DuplicateItem, $"item '{item.Id}' is already routed");
        }

        if (_items.Count >= _options.MaxItems)
        {
            return Refuse(item, queue, RoutingError.QueueFull,
                $"item '{item.Id}': the engine holds its maximum of {_options.MaxItems.ToString(CultureInfo.InvariantCulture)} items (RoutingEngineOptions.MaxItems)");
        }

        if (queue.Definition.MaxSize is { } maxSize && queue.WaitingCount >= maxSize)
        {
            return Refuse(item, queue, RoutingError.QueueFull,
                $"item '{item.Id}': queue '{queue.Name}' is full ({maxSize.ToString(CultureInfo.InvariantCulture)} waiting)");
        }

        if (Holds(queue, queue.Definition.RefuseJoinWhen))
        {
            return Refuse(item, queue, RoutingError.QueueEmpty,
                $"item '{item.Id}': queue '{queue.Name}' refuses new items while {queue.Definition.RefuseJoinWhen}");
        }

        var state = new ItemState(item, _now)
        {
            Needs = Compile(item.RequiredSkills),
        };
        if (item.PreferredAgentId is { } preferred)
        {
            state.PreferredAgentId = preferred;
        }
        else if (item.CustomerId is { } customer && string.Equals(queue.Definition.Strategy, RoutingStrategies.PreferredAgent, StringComparison.Ordinal)
            && _lastAgentByCustomer.TryGetValue(customer, out var last))
        {
            if (_now - last.At <= queue.Definition.PreferredAgentWindow.Ticks)
            {
                state.PreferredAgentId = last.Agent.Id;
            }
            else
            {
                _lastAgentByCustomer.Remove(customer);
            }
        }

        _items.Add(item.Id, state);
        EnterQueue(state, queue, byEnqueueTime: false);
        if (state.PreferredAgentId is not null)
        {
            state.PreferredUntil = _now + queue.Definition.PreferredAgentFallback.Ticks;
            Schedule(new Deadline(DeadlineKind.PreferredFallback, state, state.QueueStamp), state.PreferredUntil);
        }

        if (RecordEvents)
        {
            var position = queue.WaitingCount;
            if (RecordEvents)
            {
                Publish(new ItemEnqueued(item.Id, queue.Name, item.Channel, item.Priority, position));
            }

        }

        TryRouteItem(state);
        return RoutingResult.Ok;
    }

    private RoutingResult Refuse(WorkItem item, QueueState queue, RoutingError error, string message)
    {
        queue.Refused++;
        if (RecordEvents)
        {
            Publish(new ItemRefused(item.Id, queue.Name, error));
        }

        return RoutingResult.Fail(error, message);
    }

    private void EnterQueue(ItemState item, QueueState queue, bool byEnqueueTime)
    {
        item.Queue = queue;
        item.QueueEnteredAt = _now;
        item.QueueStamp++;
        item.EscalationIndex = 0;
        item.Phase = ItemPhase.Waiting;
        queue.Offered++;
        var bucket = queue.BucketFor(item.Item.Priority);
        if (byEnqueueTime)
        {
            bucket.AddByEnqueueTime(item);
        }
        else
        {
            bucket.AddLast(item);
        }

        queue.WaitingCount++;
        if (queue.Definition.MaxWait is { } maxWait)
        {
            Schedule(new Deadline(DeadlineKind.MaxWait, item, item.QueueStamp), _now + maxWait.Ticks);
        }

        ScheduleEscalation(item);
    }

    private void Schedule(Deadline deadline, long due)
    {
        _deadlines.Enqueue(deadline, (due, ++_deadlineSequence));
        if (_deadlines.Count > _compactAt)
        {
            CompactDeadlines();
        }
    }

    /// <summary>
    /// Deadlines are removed lazily (an accepted offer leaves its timeout behind). When dead entries pile up, the
    /// heap is rebuilt without them, so its size stays proportional to live offers, items and agents.
    /// </summary>
    private void CompactDeadlines()
    {
        var live = new List<(Deadline, (long, long))>(_deadlines.Count / 2);
        foreach (var entry in _deadlines.UnorderedItems)
        {
            if (!IsDead(entry.Element))
            {
                live.Add(entry);
            }
        }

        _deadlines.Clear();
        _deadlines.EnqueueRange(live);
        _compactAt = Math.Max(4096, live.Count * 2);
    }

    private bool IsDead(Deadline deadline) => deadline.Kind switch
    {
        DeadlineKind.OfferTimeout => !((Offer)deadline.Target).Live,
        DeadlineKind.WrapUpEnd => ((AgentState)deadline.Target).WrapUntil != deadline.Stamp,
        DeadlineKind.PreferredFallback => !_items.TryGetValue(((ItemState)deadline.Target).Id, out var preferring)
            || !ReferenceEquals(preferring, deadline.Target),
        _ => deadline.Target is not ItemState item || item.QueueStamp != deadline.Stamp || !_items.TryGetValue(item.Id, out var current)
            || !ReferenceEquals(current, item),
    };

    private void ScheduleEscalation(ItemState item)
    {
        var steps = item.Queue.Definition.Escalation;
        if (item.EscalationIndex < steps.Count)
        {
            var due = item.QueueEnteredAt + steps[item.EscalationIndex].After.Ticks;
            Schedule(new Deadline(DeadlineKind.Escalation, item, item.QueueStamp), Math.Max(due, _now));
        }
    }

    private static void RemoveWaiting(ItemState item)
    {
        item.Bucket!.Remove(item);
        item.Queue.WaitingCount--;
    }

    private void ReturnToHead(ItemState item)
    {
        var queue = item.Queue;
        item.Phase = ItemPhase.Waiting;
        item.Offer = null;
        queue.RingingCount--;
        queue.BucketFor(item.Item.Priority).AddFirst(item);
        queue.WaitingCount++;
        if (queue.Definition.MaxWait is { } maxWait && _now - item.QueueEnteredAt >= maxWait.Ticks)
        {
            Exit(item, "max-wait");
            return;
        }

        ScheduleEscalation(item);

        TryRouteItem(item);
    }

    private RoutingResult ApplyWithdraw(string itemId, string reason)
    {
        if (itemId is null || !_items.TryGetValue(itemId, out var item))
        {
            return RoutingResult.Fail(RoutingError.UnknownItem, $"no live item has id '{itemId}'");
        }

        if (item.Phase == ItemPhase.Assigned)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"item '{itemId}' is already assigned to agent '{item.Agent!.Id}'; use Complete");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return RoutingResult.Fail(RoutingError.InvalidArgument, "a withdrawal needs a reason");
        }

        if (item.Phase != ItemPhase.Offered)
        {
            Exit(item, reason);
            return RoutingResult.Ok;
        }

        var queue = item.Queue;
        var offer = item.Offer!;
        AgentState[] released = [.. offer.Agents];
        CloseOffer(offer);
        queue.RingingCount--;
        _items.Remove(itemId);
        queue.Exited++;
        item.Phase = ItemPhase.Assigned;
        if (RecordEvents)
        {
            foreach (var agent in released)
            {
                Publish(new OfferCancelled(item.Id, queue.Name, offer.Id, agent.Id, reason));
            }

            Publish(new ItemExited(item.Id, queue.Name, reason, TimeSpan.FromTicks(_now - item.EnqueuedAt)));
        }

        foreach (var agent in released)
        {
            agent.PendingOffer = null;
            AgentFreed(agent, workEnded: false);
        }

        return RoutingResult.Ok;
    }

    private RoutingResult ApplyAbandon(string itemId)
    {
        if (itemId is null || !_items.TryGetValue(itemId, out var item))
        {
            return RoutingResult.Fail(RoutingError.UnknownItem, $"no live item has id '{itemId}'");
        }

        if (item.Phase == ItemPhase.Assigned)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"item '{itemId}' is already assigned to agent '{item.Agent!.Id}'; use Complete");
        }

        var queue = item.Queue;
        _items.Remove(itemId);
        AgentState[]? released = null;
        if (item.Phase == ItemPhase.Offered)
        {
            var offer = item.Offer!;
            released = [.. offer.Agents];
            CloseOffer(offer);
            queue.RingingCount--;
            foreach (var agent in released)
            {
                agent.PendingOffer = null;
                if (RecordEvents)
                {
                    Publish(new OfferCancelled(item.Id, queue.Name, offer.Id, agent.Id, "abandoned"));
                }

            }
        }
        else
        {
            RemoveWaiting(item);
        }

        var wait = _now - item.EnqueuedAt;
        var isShort = wait < queue.Definition.ShortAbandonThreshold.Ticks;
        queue.Abandoned++;
        if (isShort)
        {
            queue.ShortAbandoned++;
        }

        item.Phase = ItemPhase.Assigned;
        if (RecordEvents)
        {
            Publish(new ItemAbandoned(item.Id, queue.Name, TimeSpan.FromTicks(wait), isShort));
        }

        if (released is not null)
        {
            foreach (var agent in released)
            {
                AgentFreed(agent, workEnded: false);
            }
        }

        return RoutingResult.Ok;
    }

    /// <summary>Finds an offer that is live and was made to this agent, or the precise refusal.</summary>
    private bool TryLiveOffer(Guid offerId, string agentId, out Offer offer, out AgentState agent, out RoutingResult error)
    {
        agent = null!;
        if (!_offers.TryGetValue(offerId, out offer!) || !offer.Live)
        {
            error = RoutingResult.Fail(RoutingError.OfferNotLive, $"offer {offerId} is not live (cancelled, timed out or taken)");
            return false;
        }

        if (!TryAgent(agentId, out agent, out error))
        {
            return false;
        }

        if (!offer.Agents.Contains(agent))
        {
            error = RoutingResult.Fail(RoutingError.OfferNotLive, $"offer {offerId} is not live for agent '{agentId}'");
            return false;
        }

        return true;
    }

    private RoutingResult ApplyAccept(Guid offerId, string agentId)
    {
        if (!TryLiveOffer(offerId, agentId, out var offer, out var agent, out var error))
        {
            return error;
        }

        var item = offer.Item;
        var queue = item.Queue;
        CloseOffer(offer);
        queue.RingingCount--;
        AgentState[]? others = null;
        if (offer.Agents.Count > 1)
        {
            others = new AgentState[offer.Agents.Count - 1];
            var n = 0;
            foreach (var other in offer.Agents)
            {
                if (!ReferenceEquals(other, agent))
                {
                    others[n++] = other;
                    other.PendingOffer = null;
                    if (RecordEvents)
                    {
                        Publish(new OfferCancelled(item.Id, queue.Name, offer.Id, other.Id, "answered-elsewhere"));
                    }

                }
            }
        }

        agent.PendingOffer = null;
        item.Phase = ItemPhase.Assigned;
        item.Offer = null;
        item.Agent = agent;
        item.AssignedAt = _now;
        var channel = (int)item.Item.Channel;
        agent.ActiveCount++;
        agent.ActivePerChannel[channel]++;
        if (IsExclusive(agent, item.Item.Channel))
        {
            agent.ExclusiveActive++;
        }

        agent.ActiveItems.Add(item);
        agent.Answered++;
        var wait = _now - item.EnqueuedAt;
        queue.Answered++;
        queue.WaitAnsweredTicks += wait;
        if (wait <= queue.Definition.ServiceLevelThreshold.Ticks)
        {
            queue.AnsweredWithinThreshold++;
        }

        var membership = MembershipOf(agent, queue);
        if (membership is not null)
        {
            membership.Answered++;
        }

        if (WaitTime is { Enabled: true } histogram)
        {
            histogram.Record(TimeSpan.FromTicks(wait).TotalSeconds, new KeyValuePair<string, object?>("routing.queue", queue.Name));
        }

        if (item.Item.CustomerId is { } customer)
        {
            _lastAgentByCustomer[customer] = (agent, _now);
        }

        if (RecordEvents)
        {
            Publish(new OfferAccepted(item.Id, queue.Name, offer.Id, agent.Id));
        }

        if (RecordEvents)
        {
            Publish(new ItemAssigned(item.Id, queue.Name, agent.Id, TimeSpan.FromTicks(wait)));
        }

        AgentChanged(agent);
        if (others is not null)
        {
            foreach (var other in others)
            {
                AgentFreed(other, workEnded: false);
            }
        }

        TryRouteAgent(agent);
        return RoutingResult.Ok;
    }

    private static Membership? MembershipOf(AgentState agent, QueueState queue)
    {
        foreach (var membership in agent.Memberships)
        {
            if (ReferenceEquals(membership.Queue, queue))
            {
                return membership;
            }
        }

        return null;
    }

    private static bool IsExclusive(AgentState agent, WorkChannel channel) => agent.ExclusiveChannel[(int)channel];

    private RoutingResult ApplyReject(Guid offerId, string agentId)
    {
        if (!TryLiveOffer(offerId, agentId, out var offer, out var agent, out var error))
        {
            return error;
        }

        var item = offer.Item;
        if (RecordEvents)
        {
            Publish(new OfferRejected(item.Id, item.Queue.Name, offer.Id, agent.Id));
        }

        (item.Excluded ??= []).Add(agent);
        offer.Agents.Remove(agent);
        agent.PendingOffer = null;
        if (offer.Agents.Count == 0)
        {
            CloseOffer(offer);
            ReturnToHead(item);
        }

        AgentFreed(agent, workEnded: false);
        return RoutingResult.Ok;
    }

    /// <summary>Takes an agent off a live offer because of something other than its own answer (logout).</summary>
    private void WithdrawFromOffer(Offer offer, AgentState agent, string reason)
    {
        var item = offer.Item;
        if (RecordEvents)
        {
            Publish(new OfferCancelled(item.Id, item.Queue.Name, offer.Id, agent.Id, reason));
        }

        offer.Agents.Remove(agent);
        agent.PendingOffer = null;
        if (offer.Agents.Count == 0)
        {
            CloseOffer(offer);
            ReturnToHead(item);
        }
    }

    private void CloseOffer(Offer offer)
    {
        offer.Live = false;
        _offers.Remove(offer.Id);
    }

    private RoutingResult ApplyComplete(string itemId)
    {
        if (itemId is null || !_items.TryGetValue(itemId, out var item))
        {
            return RoutingResult.Fail(RoutingError.UnknownItem, $"no live item has id '{itemId}'");
        }

        if (item.Phase != ItemPhase.Assigned)
        {
            return RoutingResult.Fail(RoutingError.InvalidState, $"item '{itemId}' is not assigned to an agent yet");
        }

        var agent = item.Agent!;
        var queue = item.Queue;
        _items.Remove(itemId);
        agent.ActiveItems.Remove(item);
        agent.ActiveCount--;
        agent.ActivePerChannel[(int)item.Item.Channel]--;
        if (IsExclusive(agent, item.Item.Channel))
        {
            agent.ExclusiveActive--;
        }

        var handle = _now - item.AssignedAt;
        agent.HandleTicks += handle;
        queue.Completed++;
        queue.HandleTicks += handle;
        var membership = MembershipOf(agent, queue);
        if (membership is not null)
        {
            membership.TalkTicks += handle;
        }

        var wrap = (agent.Definition.WrapUp ?? queue.Definition.WrapUp).Ticks;
        var smoothing = _options.HandleTimeSmoothing;
        queue.HandleEstimateTicks = ((1 - smoothing) * queue.HandleEstimateTicks) + (smoothing * (handle + wrap));
        if (RecordEvents)
        {
            Publish(new ItemCompleted(item.Id, queue.Name, agent.Id, TimeSpan.FromTicks(handle)));
        }

        if (wrap > 0 && agent.LoggedIn)
        {
            if (!agent.InWrapUp)
            {
                agent.WrapStart = _now;
                agent.WrapQueue = queue;
                agent.WrapUntil = _now + wrap;
            }
            else
            {
                agent.WrapUntil = Math.Max(agent.WrapUntil, _now + wrap);
            }

            Schedule(new Deadline(DeadlineKind.WrapUpEnd, agent, agent.WrapUntil), agent.WrapUntil);
        }

        AgentFreed(agent, workEnded: true);
        return RoutingResult.Ok;
    }

    /// <summary>Ends wrap-up now and credits its duration once, to the queue whose item started it.</summary>
    private void FinishWrapUp(AgentState agent)
    {
        var queue = agent.WrapQueue!;
        var duration = _now - agent.WrapStart;
        queue.WrapTicks += duration;
        agent.WrapUntil = long.MaxValue;
        agent.WrapQueue = null;
        if (RecordEvents)
        {
            Publish(new WrapUpEnded(agent.Id, queue.Name, TimeSpan.FromTicks(duration)));
        }

    }

    // ---------------------------------------------------------------- timers

    private RoutingResult ApplyDueTimers()
    {
        while (_deadlines.TryPeek(out var deadline, out var key) && key.Due <= _now)
        {
            _deadlines.Dequeue();
            switch (deadline.Kind)
            {
                case DeadlineKind.OfferTimeout:
                    OnOfferTimeout((Offer)deadline.Target);
                    break;
                case DeadlineKind.WrapUpEnd:
                    var agent = (AgentState)deadline.Target;
                    if (agent.InWrapUp && agent.WrapUntil == deadline.Stamp)
                    {
                        FinishWrapUp(agent);
                        AgentFreed(agent, workEnded: true);
                    }

                    break;
                case DeadlineKind.MaxWait:
                    var waiting = (ItemState)deadline.Target;
                    if (waiting.Phase == ItemPhase.Waiting && waiting.QueueStamp == deadline.Stamp && _items.ContainsKey(waiting.Id))
                    {
                        Exit(waiting, "max-wait");
                    }

                    break;
                case DeadlineKind.Escalation:
                    var escalating = (ItemState)deadline.Target;
                    if (escalating.QueueStamp == deadline.Stamp && _items.ContainsKey(escalating.Id))
                    {
                        Escalate(escalating);
                    }

                    break;
                case DeadlineKind.PreferredFallback:
                    var preferring = (ItemState)deadline.Target;
                    if (preferring.Phase == ItemPhase.Waiting && _items.ContainsKey(preferring.Id))
                    {
                        TryRouteItem(preferring);
                    }

                    break;
            }
        }

        return RoutingResult.Ok;
    }

    private void OnOfferTimeout(Offer offer)
    {
        if (!offer.Live)
        {
            return;
        }

        var item = offer.Item;
        var agents = offer.Agents.ToArray();
        CloseOffer(offer);
        if (RecordEvents)
        {
            var ids = new string[agents.Length];
            for (var i = 0; i < agents.Length; i++)
            {
                ids[i] = agents[i].Id;
            }

            if (RecordEvents)
            {
                Publish(new OfferTimedOut(item.Id, item.Queue.Name, offer.Id, ids));
            }

        }

        foreach (var agent in agents)
        {
            (item.Excluded ??= []).Add(agent);
            agent.PendingOffer = null;
            if (_options.NotReadyOnOfferTimeout)
            {
                agent.NotReadyReason = _options.OfferTimeoutReason;
                agent.PendingNotReadyReason = null;
            }

            AgentChanged(agent);
        }

        ReturnToHead(item);
        foreach (var agent in agents)
        {
            if (agent.NotReadyReason is not null)
            {
                CheckLeaveWhenEmpty(agent);
            }

            AgentFreed(agent, workEnded: false);
        }
    }

    private void Escalate(ItemState item)
    {
        var skipNext = false;
        while (true)
        {
            var queue = item.Queue;
            var steps = queue.Definition.Escalation;
            if (item.EscalationIndex >= steps.Count)
            {
                return;
            }

            var step = steps[item.EscalationIndex];
            if (!skipNext && _now < item.QueueEnteredAt + step.After.Ticks)
            {
                ScheduleEscalation(item);
                return;
            }

            if (item.Phase != ItemPhase.Waiting)
            {
                // Ringing: the step is checked again when the item returns to the queue.
                return;
            }

            var stepNumber = item.EscalationIndex + 1;
            item.EscalationIndex++;
            if (step.MoveToQueue is { } targetName)
            {
                if (!_queues.TryGetValue(targetName, out var target) || target.ReadyMembers == 0 || item.Moves >= MaxMovesPerItem)
                {
                    if (RecordEvents)
                    {
                        Publish(new ItemEscalated(item.Id, queue.Name, targetName, stepNumber, Skipped: true));
                    }

                    skipNext = true;
                    continue;
                }

                RemoveWaiting(item);
                item.Moves++;
                queue.EscalatedOut++;
                item.Excluded = null;
                EnterQueue(item, target, byEnqueueTime: true);
                if (RecordEvents)
                {
                    Publish(new ItemEscalated(item.Id, queue.Name, target.Name, stepNumber, Skipped: false));
                }

                TryRouteItem(item);
                return;
            }

            var widened = Widen(item.Needs, step);
            if (!AnyReadyMemberMeets(queue, widened))
            {
                if (RecordEvents)
                {
                    Publish(new ItemEscalated(item.Id, queue.Name, queue.Name, stepNumber, Skipped: true));
                }

                skipNext = true;
                continue;
            }

            item.Needs = widened;
            skipNext = false;
            if (RecordEvents)
            {
                Publish(new ItemEscalated(item.Id, queue.Name, queue.Name, stepNumber, Skipped: false));
            }

            TryRouteItem(item);
            if (item.Phase != ItemPhase.Waiting || !_items.ContainsKey(item.Id))
            {
                return;
            }
        }
    }

    private SkillNeed[] Widen(SkillNeed[] needs, EscalationStep step)
    {
        var result = new List<SkillNeed>(needs.Length);
        foreach (var need in needs)
        {
            var dropped = false;
            foreach (var skill in step.DropSkills)
            {
                if (_skills.TryGetValue(skill, out var index) && index == need.Skill)
                {
                    dropped = true;
                }
            }

            if (!dropped)
            {
                result.Add(need with { Level = Math.Max(1, need.Level - step.LowerLevelsBy) });
            }
        }

        return [.. result];
    }

    private static bool AnyReadyMemberMeets(QueueState queue, SkillNeed[] needs)
    {
        foreach (var membership in queue.Members)
        {
            var agent = membership.Agent;
            if (agent.LoggedIn && agent.NotReadyReason is null && Meets(agent, needs))
            {
                return true;
            }
        }

        return false;
    }

    // ---------------------------------------------------------------- decisions

    private bool Eligible(ItemState item, AgentState agent)
    {
        var channel = item.Channel;
        if (agent.ActivePerChannel[channel] >= agent.ChannelCapacity[channel])
        {
            return false;
        }

        if (agent.ActiveCount > 0 && agent.ExclusiveChannel[channel])
        {
            return false;
        }

        if (item.PreferredAgentId is { } preferred && _now < item.PreferredUntil && !string.Equals(preferred, agent.Id, StringComparison.Ordinal))
        {
            return false;
        }

        return Meets(agent, item.Needs) && !item.IsExcluded(agent);
    }

    /// <summary>Offers a waiting item to the best free member(s) of its queue, by member priority then strategy.</summary>
    private void TryRouteItem(ItemState item)
    {
        if (item.Phase != ItemPhase.Waiting)
        {
            return;
        }

        Decisions++;
        var queue = item.Queue;
        var available = queue.Available;
        if (available.Count == 0)
        {
            return;
        }

        var count = 0;
        var tier = int.MaxValue;
        for (var i = 0; i < available.Count; i++)
        {
            var membership = available[i];
            if (membership.Priority > tier || !Eligible(item, membership.Agent))
            {
                continue;
            }

            if (membership.Priority < tier)
            {
                tier = membership.Priority;
                count = 0;
            }

            if (count == _candidates.Length)
            {
                Array.Resize(ref _candidates, count * 2);
                Array.Resize(ref _candidateMembers, count * 2);
            }

            var agent = membership.Agent;
            _candidates[count] = new AgentCandidate(agent.Id, membership.Priority, membership.Order, membership.Weight,
                new DateTimeOffset(agent.IdleSince, TimeSpan.Zero), membership.Answered, TimeSpan.FromTicks(membership.TalkTicks), SkillScore(agent, item));
            _candidateMembers[count] = membership;
            count++;
        }

        if (count == 0)
        {
            return;
        }

        var strategy = queue.Strategy;
        var context = queue.Context;
        context.Item = item.Item;
        context.Now = new DateTimeOffset(_now, TimeSpan.Zero);
        context.PreferredAgentId = item.PreferredAgentId;
        if (strategy.OffersToAll)
        {
            var agents = ArrayPool<AgentState>.Shared.Rent(count);
            for (var i = 0; i < count; i++)
            {
                agents[i] = _candidateMembers[i].Agent;
            }

            MakeOffer(item, agents.AsSpan(0, count));
            Array.Clear(agents, 0, count);
            ArrayPool<AgentState>.Shared.Return(agents);
            return;
        }

        var chosen = strategy.Choose(context, _candidates.AsSpan(0, count));
        if (chosen >= 0 && chosen < count)
        {
            var agent = _candidateMembers[chosen].Agent;
            MakeOffer(item, new ReadOnlySpan<AgentState>(ref agent));
        }
    }

    private static int SkillScore(AgentState agent, ItemState item)
    {
        var score = 0;
        foreach (var need in item.Needs)
        {
            score += agent.Level(need.Skill);
        }

        foreach (var need in item.Queue.Requirements)
        {
            score += agent.Level(need.Skill);
        }

        return score;
    }

    /// <summary>
    /// An agent just became free: offer it the best item among all its queues, by effective priority
    /// (queue priority + item priority + aging) and then by the longest wait.
    /// </summary>
    private void TryRouteAgent(AgentState agent)
    {
        if (!agent.InAvailableSets)
        {
            return;
        }

        var best = FindBestItem(agent);
        if (best is not null)
        {
            MakeOffer(best, new ReadOnlySpan<AgentState>(ref agent));
        }
    }

    internal ItemState? FindBestItem(AgentState agent)
    {
        Decisions++;
        ItemState? best = null;
        long bestScore = long.MinValue;
        var memberships = agent.Memberships;
        var maxScan = _options.MaxScanPerPriority;
        for (var m = 0; m < memberships.Count; m++)
        {
            var queue = memberships[m].Queue;
            if (queue.WaitingCount == 0)
            {
                continue;
            }

            var agingTicks = queue.AgingIntervalTicks;
            var maxBoost = agingTicks > 0 ? queue.MaxAgingBoost : 0;
            var buckets = queue.Buckets;
            for (var b = 0; b < buckets.Count; b++)
            {
                var bucket = buckets[b];
                long basePriority = queue.Priority + bucket.Priority;
                if (best is not null && basePriority + maxBoost < bestScore)
                {
                    break;
                }

                var scanned = 0;
                for (var item = bucket.Head; item is not null && scanned < maxScan; item = item.Next, scanned++)
                {
                    if (!Eligible(item, agent))
                    {
                        continue;
                    }

                    var score = basePriority;
                    if (agingTicks > 0)
                    {
                        score += Math.Min(maxBoost, (_now - item.EnqueuedAt) / agingTicks);
                    }

                    if (best is null || score > bestScore || (score == bestScore && item.EnqueuedAt < best.EnqueuedAt))
                    {
                        best = item;
                        bestScore = score;
                    }

                    break;
                }
            }
        }

        return best;
    }

    private void MakeOffer(ItemState item, ReadOnlySpan<AgentState> agents)
    {
        var queue = item.Queue;
        var timeout = _now + queue.Definition.OfferTimeout.Ticks;
        var offer = new Offer(NextOfferId(), item, timeout);
        RemoveWaiting(item);
        queue.RingingCount++;
        item.Phase = ItemPhase.Offered;
        item.Offer = offer;
        _offers.Add(offer.Id, offer);
        foreach (var agent in agents)
        {
            offer.Agents.Add(agent);
            agent.PendingOffer = offer;
            SetAvailable(agent, false);
            RefreshStatus(agent);
        }

        Schedule(new Deadline(DeadlineKind.OfferTimeout, offer, 0), timeout);
        if (RecordEvents)
        {
            var ids = new string[agents.Length];
            for (var i = 0; i < agents.Length; i++)
            {
                ids[i] = agents[i].Id;
            }

            if (RecordEvents)
            {
                Publish(new ItemOffered(item.Id, queue.Name, offer.Id, ids));
            }

        }
    }

    /// <summary>
    /// A unique offer id without a clock read or a system random call per offer: a random 64-bit engine prefix
    /// (unique across nodes) followed by a counter.
    /// </summary>
    private Guid NextOfferId()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, _offerPrefix);
        BitConverter.TryWriteBytes(bytes[8..], ++_offerCounter);
        return new Guid(bytes);
    }

    private void Publish(RoutingEvent e)
    {
        e.Timestamp = new DateTimeOffset(_now, TimeSpan.Zero);
        Outbox.Enqueue(e);
    }
}
