using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Routing.Tests;

/// <summary>
/// Random interleavings of agent and item commands (login, logout, state changes, enqueue, abandon, accept, reject,
/// timeouts by advancing the clock, complete, wrap-up) against a model kept from the event stream. After every
/// command: no agent reserved without a live offer, no item assigned twice, no item lost, counts that add up.
/// </summary>
public sealed class ModelInterleavingTests
{
    private static readonly string[] AgentIds = ["a0", "a1", "a2", "a3", "a4"];

    [Fact]
    public void Random_interleavings_keep_every_invariant()
    {
        var operations = Gen.Choose(0, int.MaxValue).ArrayOf();
        var property = Prop.ForAll(Arb.From(operations), ops => RunModel(ops));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void The_model_check_catches_a_broken_invariant()
    {
        // Guards the guard: corrupt the state behind the engine's back and the check must report it.
        using var host = Build();
        host.Enqueue("x", "sales");
        var item = host.Engine.Core.Items.Single();
        item.Queue.WaitingCount++;

        Assert.NotEmpty(host.Engine.Core.CheckInvariants());
    }

    private static EngineHost Build()
    {
        var host = new EngineHost(new RoutingEngineOptions { NotReadyOnOfferTimeout = true });
        var everyone = AgentIds.Select((a, i) => new QueueMember(a, Priority: 1 + (i % 3), Weight: 1 + i)).ToArray();
        host.Queue(new QueueDefinition
        {
            Name = "sales",
            Strategy = RoutingStrategies.LongestIdle,
            Members = everyone,
            WrapUp = TimeSpan.FromSeconds(10),
            AgingInterval = TimeSpan.FromSeconds(15),
            Escalation = [new EscalationStep { After = TimeSpan.FromSeconds(40), MoveToQueue = "overflow" }],
        });
        host.Queue(new QueueDefinition
        {
            Name = "service",
            Priority = 2,
            Strategy = RoutingStrategies.RingAll,
            Members = everyone[..3],
            MaxWait = TimeSpan.FromSeconds(90),
            OfferTimeout = TimeSpan.FromSeconds(12),
            LeaveWhen = EmptyQueueCondition.NoMemberLoggedIn,
        });
        host.Queue(new QueueDefinition
        {
            Name = "overflow",
            Strategy = RoutingStrategies.BestSkill,
            SkillRequirements = [new SkillRequirement("general", 1)],
            Escalation = [new EscalationStep { After = TimeSpan.FromSeconds(20), LowerLevelsBy = 5 }],
        });
        for (var i = 0; i < AgentIds.Length; i++)
        {
            host.Agent(AgentIds[i], new Dictionary<string, int> { ["general"] = 1 + (i * 2), ["spanish"] = 1 + i }, logIn: false,
                capacity: i == 4 ? new AgentCapacity { MaxTotal = 2, PerChannel = new Dictionary<WorkChannel, int> { [WorkChannel.Chat] = 2 } } : null,
                wrapUp: i == 1 ? TimeSpan.FromSeconds(5) : null);
        }

        return host;
    }

    private static bool RunModel(int[] ops)
    {
        using var host = Build();
        var live = new HashSet<string>();
        var assignedOnce = new HashSet<string>();
        var staleOffers = new List<(Guid Offer, string Agent)>();
        var next = 0;
        host.Engine.Subscribe(e =>
        {
            switch (e)
            {
                case ItemEnqueued x:
                    Assert.True(live.Add(x.ItemId), $"{x.ItemId} enqueued twice");
                    break;
                case ItemAssigned x:
                    Assert.True(assignedOnce.Add(x.ItemId), $"{x.ItemId} assigned twice");
                    break;
                case ItemAbandoned x:
                    Assert.True(live.Remove(x.ItemId));
                    break;
                case ItemExited x:
                    Assert.True(live.Remove(x.ItemId));
                    break;
                case ItemCompleted x:
                    Assert.True(live.Remove(x.ItemId));
                    break;
                case ItemOffered x:
                    foreach (var agent in x.AgentIds)
                    {
                        staleOffers.Add((x.OfferId, agent));
                    }

                    break;
            }
        });

        string[] Live(Func<Engine.ItemState, bool> filter) =>
            [.. host.Engine.Core.Items.Where(filter).Select(i => i.Id).Order(StringComparer.Ordinal)];

        foreach (var op in ops)
        {
            var kind = op % 12;
            var agent = AgentIds[(op / 12) % AgentIds.Length];
            var arg = op / 60;
            switch (kind)
            {
                case 0:
                    host.Run(new LogIn(agent, arg % 4 == 0 ? "meeting" : null));
                    break;
                case 1:
                    host.Run(new LogOut(agent));
                    break;
                case 2:
                    host.Run(new SetNotReady(agent, "break"));
                    break;
                case 3:
                    host.Run(new SetReady(agent));
                    break;
                case 4:
                case 5:
                    var queue = (arg % 3) switch { 0 => "sales", 1 => "service", _ => "overflow" };
                    var result = host.Enqueue($"i{next++}", queue, priority: arg % 4,
                        channel: arg % 5 == 0 ? WorkChannel.Chat : WorkChannel.Voice,
                        skills: arg % 7 == 0 ? [new SkillRequirement("spanish", 3)] : null);
                    Assert.True(result.Succeeded || result.Error is RoutingError.QueueFull or RoutingError.QueueEmpty, result.ToString());
                    break;
                case 6:
                    var waiting = Live(i => i.Phase != Engine.ItemPhase.Assigned);
                    if (waiting.Length > 0)
                    {
                        Assert.True(host.Run(new Abandon(waiting[arg % waiting.Length])).Succeeded);
                    }

                    break;
                case 7:
                    if (host.OfferOf(agent) is { } offer)
                    {
                        Assert.True(host.Run(new Accept(offer.OfferId, agent)).Succeeded);
                    }
                    else if (staleOffers.Count > 0)
                    {
                        // An accept for an offer that is no longer live (or another agent's) is refused.
                        var (stale, staleAgent) = staleOffers[arg % staleOffers.Count];
                        if (host.Engine.Core.OfferFor(staleAgent) != stale)
                        {
                            Assert.Equal(RoutingError.OfferNotLive, host.Run(new Accept(stale, staleAgent)).Error);
                        }
                    }

                    break;
                case 8:
                    if (host.OfferOf(agent) is { } rejected)
                    {
                        Assert.True(host.Run(new Reject(rejected.OfferId, agent)).Succeeded);
                    }

                    break;
                case 9:
                    host.Clock.Advance(TimeSpan.FromSeconds(1 + (arg % 30)));
                    break;
                case 10:
                    var assigned = Live(i => i.Phase == Engine.ItemPhase.Assigned);
                    if (assigned.Length > 0)
                    {
                        Assert.True(host.Run(new Complete(assigned[arg % assigned.Length])).Succeeded);
                    }

                    break;
                default:
                    if (arg % 2 == 0)
                    {
                        host.Run(new EndWrapUp(agent));
                    }
                    else
                    {
                        host.Run(new ExtendWrapUp(agent, TimeSpan.FromSeconds(5)));
                    }

                    break;
            }

            host.AssertConsistent();
            Assert.Equal(live.Order(StringComparer.Ordinal), Live(_ => true));
            var snapshot = host.Engine.GetSnapshot();
            foreach (var q in snapshot.Queues)
            {
                Assert.Equal(q.Offered, q.Answered + q.Abandoned + q.Exited + q.EscalatedOut + q.Waiting + q.Ringing);
            }

            Assert.Equal(AgentIds.Length, snapshot.AgentsByStatus.Values.Sum());
        }

        return true;
    }
}
