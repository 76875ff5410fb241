using System.Globalization;
using ContactCenter.Routing;
using ContactCenter.Routing.Engine;

namespace ContactCenter.Benchmarks.Routing;

/// <summary>
/// The load: 10,000 agents, 100 queues, 50 skills, every agent busy and 10,000 items waiting.
/// Queue q requires skill q % 50; each agent has 3 skills, so it is a member of about 6 queues.
/// </summary>
internal sealed class RoutingFixture : IDisposable
{
    public const int Agents = 10_000;
    public const int Queues = 100;
    public const int Skills = 50;
    public const int Waiting = 10_000;

    private readonly string[] _current = new string[Agents];
    private long _next;

    public RoutingFixture()
    {
        Engine = new RoutingEngine(new RoutingEngineOptions { Dispatch = RoutingDispatch.Inline, RandomSeed = 1 });
        for (var q = 0; q < Queues; q++)
        {
            Check(Engine.Execute(new ConfigureQueue(new QueueDefinition
            {
                Name = QueueName(q),
                Priority = q % 3,
                SkillRequirements = [new SkillRequirement(SkillName(q % Skills), 1)],
                AgingInterval = TimeSpan.FromSeconds(30),
                OfferTimeout = TimeSpan.FromHours(1),
            })));
        }

        for (var a = 0; a < Agents; a++)
        {
            var skills = new Dictionary<string, int>
            {
                [SkillName(a % Skills)] = 1 + (a % 10),
                [SkillName((a * 7 + 3) % Skills)] = 1 + (a % 7),
                [SkillName((a * 13 + 11) % Skills)] = 1 + (a % 5),
            };
            Check(Engine.Execute(new ConfigureAgent(new AgentDefinition { Id = AgentName(a), Skills = skills })));
        }

        // Every agent takes one item and stays busy; then 10,000 more items wait.
        for (var a = 0; a < Agents; a++)
        {
            Check(Engine.Execute(new LogIn(AgentName(a))));
            var item = NextItem(a % Queues);
            Check(Engine.Execute(new Enqueue(item)));
            var offer = Engine.Core.OfferFor(AgentName(a));
            if (offer is null)
            {
                // The item went to another free agent that logged in earlier; find whoever holds it.
                continue;
            }

            Check(Engine.Execute(new Accept(offer.Value, AgentName(a))));
            _current[a] = item.Id;
        }

        foreach (var item in Engine.Core.Items)
        {
            if (item.Agent is { } holder)
            {
                _current[int.Parse(holder.Id.AsSpan(1), CultureInfo.InvariantCulture)] = item.Id;
            }
        }

        for (var i = 0; i < Waiting; i++)
        {
            Check(Engine.Execute(new Enqueue(NextItem(i % Queues))));
        }

        AgentStates = [.. Engine.Core.Agents];
    }

    public RoutingEngine Engine { get; }

    public AgentState[] AgentStates { get; }

    public static string QueueName(int q) => "q" + q.ToString(CultureInfo.InvariantCulture);

    public static string SkillName(int s) => "skill" + s.ToString(CultureInfo.InvariantCulture);

    public static string AgentName(int a) => "a" + a.ToString(CultureInfo.InvariantCulture);

    public WorkItem NextItem(int queue) => new()
    {
        Id = "i" + (++_next).ToString(CultureInfo.InvariantCulture),
        Queue = QueueName(queue),
        Priority = (int)(_next % 3),
    };

    /// <summary>
    /// One steady-state cycle for agent <paramref name="a"/>: it completes its item, the engine picks the best
    /// waiting item across its queues and offers it (a decision), the agent accepts, and a new item arrives
    /// (a second decision, which finds nobody free) so 10,000 items keep waiting.
    /// </summary>
    public void Cycle(int a)
    {
        var agent = AgentName(a);
        if (_current[a] is { } current)
        {
            Check(Engine.Execute(new Complete(current)));
        }

        if (Engine.Core.OfferFor(agent) is { } offer)
        {
            Check(Engine.Execute(new Accept(offer, agent)));
            _current[a] = AgentStates[a].ActiveItems[0].Id;
        }
        else
        {
            _current[a] = null!;
        }

        Check(Engine.Execute(new Enqueue(NextItem((int)(_next % Queues)))));
    }

    /// <summary>
    /// The decision made when <paramref name="agent"/> finishes its item: its voice slot is freed for the duration
    /// of the call only, so the state is unchanged and the call can be repeated for every agent.
    /// </summary>
    public static ItemState? FindBestAsIfFree(RoutingCore core, AgentState agent)
    {
        agent.ActivePerChannel[(int)WorkChannel.Voice]--;
        agent.ActiveCount--;
        var item = core.FindBestItem(agent);
        agent.ActivePerChannel[(int)WorkChannel.Voice]++;
        agent.ActiveCount++;
        return item;
    }

    public static void Check(RoutingResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    public void Dispose() => Engine.Dispose();
}
