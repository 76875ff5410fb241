namespace ContactCenter.Routing.Tests;

public sealed class StrategyTests
{
    private static EngineHost ThreeAgents(string strategy, Action<EngineHost>? history = null)
    {
        var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "q",
            Strategy = strategy,
            Members = [new QueueMember("a", Weight: 1), new QueueMember("b", Weight: 1), new QueueMember("c", Weight: 98)],
        });
        host.Agent("a", logIn: false);
        host.Agent("b", logIn: false);
        host.Agent("c", logIn: false);
        history?.Invoke(host);
        return host;
    }

    private static void LogInInOrder(EngineHost host, params string[] agents)
    {
        foreach (var agent in agents)
        {
            host.Ok(new LogIn(agent));
            host.Clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void Every_issue_strategy_is_built_in_under_its_kebab_case_name()
    {
        Assert.Equal(
            ["longest-idle", "fewest-calls", "least-talk-time", "round-robin", "top-down", "random", "weighted-random", "ring-all", "best-skill", "preferred-agent"],
            RoutingStrategies.Names);
        Assert.All(RoutingStrategies.Names, n => Assert.Equal(n, RoutingStrategies.Find(n)!.Name));
    }

    [Fact]
    public void Longest_idle_picks_the_agent_free_the_longest()
    {
        using var host = ThreeAgents(RoutingStrategies.LongestIdle);
        LogInInOrder(host, "c", "a", "b");

        host.Enqueue("x", "q");

        Assert.Equal("x", host.RequireOffer("c").ItemId);
    }

    [Fact]
    public void Top_down_always_picks_the_first_free_member_in_list_order()
    {
        using var host = ThreeAgents(RoutingStrategies.TopDown);
        LogInInOrder(host, "c", "b", "a");

        host.Enqueue("x", "q");
        Assert.NotNull(host.OfferOf("a"));
        host.Enqueue("y", "q");
        Assert.NotNull(host.OfferOf("b"));
    }

    [Fact]
    public void Round_robin_remembers_the_last_member_and_continues_after_it()
    {
        using var host = ThreeAgents(RoutingStrategies.RoundRobin);
        LogInInOrder(host, "a", "b", "c");
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            host.Enqueue($"x{i}", "q");
            var agent = new[] { "a", "b", "c" }.Single(a => host.OfferOf(a) is not null);
            order.Add(agent);
            host.Answer(agent);
            host.Ok(new Complete($"x{i}"));
        }

        Assert.Equal(["a", "b", "c", "a"], order);
    }

    [Fact]
    public void Fewest_calls_picks_the_member_who_answered_least_in_this_queue()
    {
        using var host = ThreeAgents(RoutingStrategies.FewestCalls);
        LogInInOrder(host, "a");
        host.Enqueue("h1", "q");
        host.Answer("a");
        host.Ok(new Complete("h1"));
        LogInInOrder(host, "c");

        // a has been idle longer, but c has answered fewer calls.
        host.Enqueue("next", "q");

        Assert.Equal("next", host.RequireOffer("c").ItemId);
    }

    [Fact]
    public void Least_talk_time_picks_the_member_with_the_least_handle_time()
    {
        using var host = ThreeAgents(RoutingStrategies.LeastTalkTime);
        LogInInOrder(host, "a", "b", "c");
        host.Enqueue("long", "q");
        var first = new[] { "a", "b", "c" }.Single(x => host.OfferOf(x) is not null);
        host.Answer(first);
        host.Enqueue("short", "q");
        var second = new[] { "a", "b", "c" }.Single(x => x != first && host.OfferOf(x) is not null);
        host.Answer(second);
        host.Clock.Advance(TimeSpan.FromSeconds(10));
        host.Ok(new Complete("short"));
        host.Clock.Advance(TimeSpan.FromSeconds(100));
        host.Ok(new Complete("long"));
        var third = new[] { "a", "b", "c" }.Single(x => x != first && x != second);

        host.Enqueue("n1", "q");
        Assert.NotNull(host.OfferOf(third));
        host.Enqueue("n2", "q");
        Assert.NotNull(host.OfferOf(second));
    }

    [Fact]
    public void Random_spreads_items_over_all_free_members()
    {
        var chosen = Distribution(RoutingStrategies.Random, 300);

        Assert.All(chosen.Values, count => Assert.InRange(count, 60, 140));
    }

    [Fact]
    public void Weighted_random_follows_member_weights()
    {
        var chosen = Distribution(RoutingStrategies.WeightedRandom, 300);

        // c has weight 98 of 100.
        Assert.InRange(chosen["c"], 270, 300);
    }

    private static Dictionary<string, int> Distribution(string strategy, int rounds)
    {
        using var host = ThreeAgents(strategy);
        LogInInOrder(host, "a", "b", "c");
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < rounds; i++)
        {
            host.Enqueue($"x{i}", "q");
            var agent = counts.Keys.Single(a => host.OfferOf(a) is not null);
            counts[agent]++;
            host.Answer(agent);
            host.Ok(new Complete($"x{i}"));
        }

        return counts;
    }

    [Fact]
    public void Best_skill_picks_the_highest_level_on_the_required_skills()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", Strategy = RoutingStrategies.BestSkill, SkillRequirements = [new SkillRequirement("billing", 1)] });
        host.Agent("novice", new Dictionary<string, int> { ["billing"] = 2 });
        host.Agent("expert", new Dictionary<string, int> { ["billing"] = 9 });
        host.Agent("middle", new Dictionary<string, int> { ["billing"] = 5 });

        host.Enqueue("x", "q");

        Assert.NotNull(host.OfferOf("expert"));
    }

    [Fact]
    public void Preferred_agent_gets_the_returning_customer_before_a_longer_idle_member()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "q",
            Strategy = RoutingStrategies.PreferredAgent,
            Members = [new QueueMember("alice"), new QueueMember("bob")],
        });
        host.Agent("bob");
        host.Enqueue("first-call", "q", customer: "cust-1");
        host.Answer("bob");
        host.Ok(new Complete("first-call"));
        host.Agent("alice", logIn: false);
        host.Clock.Advance(TimeSpan.FromHours(1));
        host.Ok(new LogIn("alice"));
        host.Clock.Advance(TimeSpan.FromDays(1));

        // Longest idle would pick bob anyway; make alice the longest idle by giving bob a fresh call.
        host.Enqueue("other", "q");
        host.Answer("bob");
        host.Ok(new Complete("other"));
        Assert.Equal(AgentStatus.Available, host.Status("alice"));

        host.Enqueue("again", "q", customer: "cust-1");

        Assert.Equal("again", host.RequireOffer("bob").ItemId);
        Assert.Null(host.OfferOf("alice"));
    }

    [Fact]
    public void Preferred_agent_falls_back_to_any_member_after_the_fallback_time()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "q",
            Strategy = RoutingStrategies.PreferredAgent,
            PreferredAgentFallback = TimeSpan.FromSeconds(30),
            Members = [new QueueMember("alice"), new QueueMember("bob")],
        });
        host.Agent("alice");
        host.Agent("bob", logIn: false);
        host.Ok(new RecordInteraction("cust-9", "bob"));
        host.Clock.Advance(TimeSpan.FromHours(2));

        host.Enqueue("call", "q", customer: "cust-9");
        Assert.Null(host.OfferOf("alice"));

        host.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("call", host.RequireOffer("alice").ItemId);
    }

    [Fact]
    public void Preferred_agent_history_expires_after_the_window()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "q",
            Strategy = RoutingStrategies.PreferredAgent,
            PreferredAgentWindow = TimeSpan.FromDays(3),
            Members = [new QueueMember("alice"), new QueueMember("bob")],
        });
        host.Agent("alice");
        host.Agent("bob", logIn: false);
        host.Ok(new RecordInteraction("cust-9", "bob"));
        host.Clock.Advance(TimeSpan.FromDays(4));

        host.Enqueue("call", "q", customer: "cust-9");

        Assert.NotNull(host.OfferOf("alice"));
    }

    [Fact]
    public void A_custom_strategy_plugs_in_by_name()
    {
        var options = new RoutingEngineOptions();
        options.CustomStrategies.Add(new LastMemberStrategy());
        using var host = new EngineHost(options);
        host.Queue("q", "last-member", "a", "b", "c");
        host.Agent("a");
        host.Agent("b");
        host.Agent("c");

        host.Enqueue("x", "q");

        Assert.NotNull(host.OfferOf("c"));
    }

    private sealed class LastMemberStrategy : IRoutingStrategy
    {
        public string Name => "last-member";

        public int Choose(StrategyContext context, ReadOnlySpan<AgentCandidate> candidates)
        {
            var best = -1;
            for (var i = 0; i < candidates.Length; i++)
            {
                if (best < 0 || candidates[i].MemberOrder > candidates[best].MemberOrder)
                {
                    best = i;
                }
            }

            return best;
        }
    }
}
