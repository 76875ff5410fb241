using ContactCenter.Testing;

namespace ContactCenter.Routing.Tests;

/// <summary>An inline engine on a manual clock that records every event, with short helpers for tests.</summary>
internal sealed class EngineHost : IDisposable
{
    public EngineHost(RoutingEngineOptions? options = null)
    {
        options ??= new RoutingEngineOptions();
        options.Dispatch = RoutingDispatch.Inline;
        options.RandomSeed ??= 42;
        Engine = new RoutingEngine(options, Clock);
        Engine.Subscribe(Events.Add);
    }

    public ManualTimeProvider Clock { get; } = new();

    public RoutingEngine Engine { get; }

    public List<RoutingEvent> Events { get; } = [];

    public RoutingResult Run(RoutingCommand command) => Engine.Execute(command);

    public void Ok(RoutingCommand command)
    {
        var result = Engine.Execute(command);
        Assert.True(result.Succeeded, $"{command}: {result}");
    }

    public void Queue(string name, string strategy = RoutingStrategies.LongestIdle, params string[] members) =>
        Ok(new ConfigureQueue(new QueueDefinition { Name = name, Strategy = strategy, Members = [.. members.Select(m => new QueueMember(m))] }));

    public void Queue(QueueDefinition definition) => Ok(new ConfigureQueue(definition));

    public void Agent(string id, IReadOnlyDictionary<string, int>? skills = null, bool logIn = true, AgentCapacity? capacity = null, TimeSpan? wrapUp = null)
    {
        Ok(new ConfigureAgent(new AgentDefinition
        {
            Id = id,
            Skills = skills ?? new Dictionary<string, int>(),
            Capacity = capacity ?? AgentCapacity.OneAtATime,
            WrapUp = wrapUp,
        }));
        if (logIn)
        {
            Ok(new LogIn(id));
        }
    }

    public RoutingResult Enqueue(string id, string queue, int priority = 0, WorkChannel channel = WorkChannel.Voice,
        IReadOnlyList<SkillRequirement>? skills = null, string? customer = null, string? preferred = null) =>
        Run(new Enqueue(new WorkItem
        {
            Id = id, Queue = queue, Priority = priority, Channel = channel, RequiredSkills = skills ?? [], CustomerId = customer, PreferredAgentId = preferred,
        }));

    /// <summary>The live offer the agent holds, from the event stream.</summary>
    public ItemOffered? OfferOf(string agentId)
    {
        var live = Engine.Core.OfferFor(agentId);
        return live is null ? null : Events.OfType<ItemOffered>().Last(o => o.OfferId == live.Value);
    }

    public ItemOffered RequireOffer(string agentId) => OfferOf(agentId) ?? throw new Xunit.Sdk.XunitException($"agent {agentId} holds no offer");

    /// <summary>Accepts the agent's live offer and returns the offered item id.</summary>
    public string Answer(string agentId)
    {
        var offer = RequireOffer(agentId);
        Ok(new Accept(offer.OfferId, agentId));
        return offer.ItemId;
    }

    public AgentStatus Status(string agentId) => Engine.GetSnapshot().Agents.Single(a => a.AgentId == agentId).Status;

    public QueueMetrics Metrics(string queue) => Engine.GetSnapshot().Queues.Single(q => q.Queue == queue);

    public void AssertConsistent()
    {
        var errors = Engine.Core.CheckInvariants();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    public void Dispose() => Engine.Dispose();
}
