namespace ContactCenter.Routing.Tests;

public sealed class PriorityAndAgingTests
{
    [Fact]
    public void Agent_in_several_queues_gets_the_highest_priority_item_first()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "low", Priority = 0, Members = [new QueueMember("alice")] });
        host.Queue(new QueueDefinition { Name = "high", Priority = 5, Members = [new QueueMember("alice")] });
        host.Agent("alice", logIn: false);
        host.Enqueue("old-low", "low");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        host.Enqueue("new-high", "high");

        host.Ok(new LogIn("alice"));

        Assert.Equal("new-high", host.RequireOffer("alice").ItemId);
    }

    [Fact]
    public void Item_priority_adds_to_queue_priority_and_equal_priorities_go_to_the_longest_waiting()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "a", Priority = 1, Members = [new QueueMember("alice")] });
        host.Queue(new QueueDefinition { Name = "b", Priority = 0, Members = [new QueueMember("alice")] });
        host.Agent("alice", logIn: false);
        host.Enqueue("a-1", "a");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        host.Enqueue("b-urgent", "b", priority: 1);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        host.Enqueue("b-vip", "b", priority: 2);

        host.Ok(new LogIn("alice"));
        Assert.Equal("b-vip", host.Answer("alice"));
        host.Ok(new Complete("b-vip"));

        // a-1 (1 + 0) and b-urgent (0 + 1) tie: the one waiting longer wins.
        Assert.Equal("a-1", host.Answer("alice"));
    }

    [Fact]
    public void Without_aging_a_low_priority_item_starves_behind_a_steady_stream_of_urgent_ones()
    {
        var served = ServeUnderPressure(aging: null);

        Assert.DoesNotContain("low", served);
    }

    [Fact]
    public void With_aging_a_low_priority_item_is_served_despite_a_steady_stream_of_urgent_ones()
    {
        var served = ServeUnderPressure(aging: TimeSpan.FromSeconds(30));

        // Priority gap 3 at one point per 30 s: the low item outranks new urgent items after 90 s.
        var position = served.IndexOf("low");
        Assert.InRange(position, 0, 6);
    }

    private static List<string> ServeUnderPressure(TimeSpan? aging)
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", AgingInterval = aging, MaxAgingBoost = 10, Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("busy", "q", priority: 3);
        host.Answer("alice");
        host.Enqueue("low", "q", priority: 0);
        var served = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            // Every 20 s an urgent item arrives and the agent finishes one.
            host.Clock.Advance(TimeSpan.FromSeconds(20));
            host.Enqueue($"urgent-{i}", "q", priority: 3);
            var current = host.Engine.Core.Items.Single(x => x.Phase == Engine.ItemPhase.Assigned).Id;
            host.Ok(new Complete(current));
            served.Add(host.Answer("alice"));
        }

        host.AssertConsistent();
        return served;
    }

    [Fact]
    public void Member_priority_offers_to_priority_1_members_before_priority_2()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", Members = [new QueueMember("backup", Priority: 2), new QueueMember("primary", Priority: 1)] });
        host.Agent("backup");
        host.Agent("primary");

        host.Enqueue("c1", "q");
        Assert.Equal("c1", host.RequireOffer("primary").ItemId);

        host.Enqueue("c2", "q");
        Assert.Equal("c2", host.RequireOffer("backup").ItemId);
    }

    [Fact]
    public void Position_and_expected_wait_follow_routing_order_and_staffing()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", DefaultHandleTime = TimeSpan.FromMinutes(4), Members = [new QueueMember("a"), new QueueMember("b")] });
        host.Agent("a");
        host.Agent("b");
        host.Enqueue("x", "q");
        host.Answer("a");
        host.Enqueue("y", "q");
        host.Answer("b");
        host.Enqueue("p0", "q");
        host.Enqueue("p1", "q");
        host.Enqueue("vip", "q", priority: 5);

        Assert.Equal(1, host.Engine.GetPosition("vip")!.Position);
        var last = host.Engine.GetPosition("p1")!;
        Assert.Equal(3, last.Position);
        // 3 positions x 4 minutes / 2 staffed agents.
        Assert.Equal(TimeSpan.FromMinutes(6), last.ExpectedWait);
        Assert.Null(host.Engine.GetPosition("x"));
    }
}
