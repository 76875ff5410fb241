namespace ContactCenter.Routing.Tests;

public sealed class OfferLifecycleTests
{
    [Fact]
    public void Enqueued_item_is_offered_to_a_free_member_and_assigned_on_accept()
    {
        using var host = new EngineHost();
        host.Queue("sales", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");

        Assert.True(host.Enqueue("c1", "sales").Succeeded);
        var offer = host.RequireOffer("alice");
        Assert.Equal("c1", offer.ItemId);
        Assert.Equal(AgentStatus.Reserved, host.Status("alice"));

        host.Ok(new Accept(offer.OfferId, "alice"));

        Assert.Equal(AgentStatus.Busy, host.Status("alice"));
        var assigned = Assert.Single(host.Events.OfType<ItemAssigned>());
        Assert.Equal(("c1", "alice"), (assigned.ItemId, assigned.AgentId));
        host.AssertConsistent();
    }

    [Fact]
    public void Offer_times_out_and_item_returns_to_head_of_queue_and_agent_goes_not_ready()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", OfferTimeout = TimeSpan.FromSeconds(15), Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("old", "q");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        host.Enqueue("new", "q");

        host.Clock.Advance(TimeSpan.FromSeconds(15));

        var timedOut = Assert.Single(host.Events.OfType<OfferTimedOut>());
        Assert.Equal("old", timedOut.ItemId);
        Assert.Equal(AgentStatus.NotReady, host.Status("alice"));
        Assert.Equal("ring-no-answer", host.Engine.GetSnapshot().Agents[0].NotReadyReason);
        Assert.Equal(1, host.Engine.GetPosition("old")!.Position);
        Assert.Equal(2, host.Engine.GetPosition("new")!.Position);
        host.AssertConsistent();
    }

    [Fact]
    public void With_the_option_off_an_agent_stays_available_after_a_ring_no_answer_and_gets_other_work()
    {
        using var host = new EngineHost(new RoutingEngineOptions { NotReadyOnOfferTimeout = false });
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("first", "q");
        host.Enqueue("second", "q");

        host.Clock.Advance(TimeSpan.FromSeconds(20));

        // "first" is not offered to alice again (she let it ring); she gets "second".
        Assert.Equal("second", host.RequireOffer("alice").ItemId);
        Assert.Equal(1, host.Engine.GetPosition("first")!.Position);
        host.AssertConsistent();
    }

    [Fact]
    public void Accept_after_the_caller_abandoned_is_refused_and_the_agent_is_free()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        var offer = host.RequireOffer("alice");

        host.Ok(new Abandon("c1"));
        var late = host.Run(new Accept(offer.OfferId, "alice"));

        Assert.Equal(RoutingError.OfferNotLive, late.Error);
        Assert.Equal(AgentStatus.Available, host.Status("alice"));
        Assert.Contains(host.Events.OfType<OfferCancelled>(), e => e.Reason == "abandoned");
        host.AssertConsistent();
    }

    [Fact]
    public void Accept_after_the_offer_timed_out_is_refused()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        var offer = host.RequireOffer("alice");

        host.Clock.Advance(TimeSpan.FromSeconds(21));

        Assert.Equal(RoutingError.OfferNotLive, host.Run(new Accept(offer.OfferId, "alice")).Error);
        Assert.Empty(host.Events.OfType<ItemAssigned>());
    }

    [Fact]
    public void Rejected_item_goes_back_to_the_head_and_to_another_agent_not_the_one_who_rejected()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.TopDown, "alice", "bob");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        var offer = host.RequireOffer("alice");

        host.Ok(new Reject(offer.OfferId, "alice"));
        Assert.Null(host.OfferOf("alice"));
        Assert.Equal(1, host.Engine.GetPosition("c1")!.Position);

        host.Agent("bob");
        Assert.Equal("c1", host.RequireOffer("bob").ItemId);
        Assert.Equal(AgentStatus.Available, host.Status("alice"));
        host.AssertConsistent();
    }

    [Fact]
    public void Ring_all_offers_every_free_member_and_the_first_accept_wins()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.RingAll, "a", "b", "c");
        host.Agent("a");
        host.Agent("b");
        host.Agent("c");

        host.Enqueue("c1", "q");
        var offer = Assert.Single(host.Events.OfType<ItemOffered>());
        Assert.Equal(["a", "b", "c"], offer.AgentIds.Order());

        host.Ok(new Accept(offer.OfferId, "b"));
        Assert.Equal(RoutingError.OfferNotLive, host.Run(new Accept(offer.OfferId, "a")).Error);

        Assert.Equal(AgentStatus.Busy, host.Status("b"));
        Assert.Equal(AgentStatus.Available, host.Status("a"));
        Assert.Equal(AgentStatus.Available, host.Status("c"));
        Assert.Equal(2, host.Events.OfType<OfferCancelled>().Count(e => e.Reason == "answered-elsewhere"));
        host.AssertConsistent();
    }

    [Fact]
    public void Logging_out_while_reserved_withdraws_the_offer_and_requeues_the_item()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");

        host.Ok(new LogOut("alice"));

        Assert.Equal(AgentStatus.Offline, host.Status("alice"));
        Assert.Equal(1, host.Metrics("q").Waiting);
        host.AssertConsistent();
    }

    [Fact]
    public void Logging_out_while_handling_work_is_refused_with_a_reason()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        host.Answer("alice");

        var result = host.Run(new LogOut("alice"));

        Assert.Equal(RoutingError.InvalidState, result.Error);
        Assert.Contains("alice", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_ready_requested_while_busy_applies_when_the_work_ends()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        host.Answer("alice");
        host.Enqueue("c2", "q");

        host.Ok(new SetNotReady("alice", "lunch"));
        Assert.Equal(AgentStatus.Busy, host.Status("alice"));
        host.Ok(new Complete("c1"));

        Assert.Equal(AgentStatus.NotReady, host.Status("alice"));
        Assert.Equal(1, host.Metrics("q").Waiting);
        host.Ok(new SetReady("alice"));
        Assert.Equal("c2", host.RequireOffer("alice").ItemId);
    }

    [Fact]
    public void Unknown_ids_and_bad_definitions_get_precise_errors()
    {
        using var host = new EngineHost();
        Assert.Equal(RoutingError.UnknownQueue, host.Enqueue("c1", "nowhere").Error);
        Assert.Equal(RoutingError.UnknownAgent, host.Run(new LogIn("ghost")).Error);
        Assert.Equal(RoutingError.UnknownItem, host.Run(new Complete("nothing")).Error);
        var badStrategy = host.Run(new ConfigureQueue(new QueueDefinition { Name = "q", Strategy = "fastest" }));
        Assert.Equal(RoutingError.InvalidArgument, badStrategy.Error);
        Assert.Contains("fastest", badStrategy.Message, StringComparison.Ordinal);
        var badPriority = host.Run(new ConfigureQueue(new QueueDefinition { Name = "q", Members = [new QueueMember("a", Priority: 9)] }));
        Assert.Contains("priority 9", badPriority.Message, StringComparison.Ordinal);
        var badLevel = host.Run(new ConfigureAgent(new AgentDefinition { Id = "a", Skills = new Dictionary<string, int> { ["fr"] = 0 } }));
        Assert.Contains("'fr'", badLevel.Message, StringComparison.Ordinal);
        host.Queue("q");
        host.Enqueue("dup", "q");
        Assert.Equal(RoutingError.DuplicateItem, host.Enqueue("dup", "q").Error);
    }

    [Fact]
    public void Answered_offers_do_not_leave_their_timeouts_piling_up()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        var offers = new HashSet<Guid>();
        for (var i = 0; i < 20_000; i++)
        {
            host.Enqueue($"c{i}", "q");
            offers.Add(host.RequireOffer("alice").OfferId);
            host.Answer("alice");
            host.Ok(new Complete($"c{i}"));
            if (i % 1000 == 0)
            {
                host.Events.Clear();
            }
        }

        Assert.Equal(20_000, offers.Count);
        Assert.InRange(host.Engine.Core.DeadlineCount, 0, 8192);
    }

    [Fact]
    public void Withdrawing_a_ringing_item_cancels_the_offer_frees_the_agent_and_counts_as_exited_not_abandoned()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        var offer = host.RequireOffer("alice");

        host.Ok(new Withdraw("c1", "overflow"));

        Assert.Equal(RoutingError.OfferNotLive, host.Run(new Accept(offer.OfferId, "alice")).Error);
        Assert.Equal(AgentStatus.Available, host.Status("alice"));
        Assert.Contains(host.Events.OfType<OfferCancelled>(), e => e.Reason == "overflow");
        Assert.Contains(host.Events.OfType<ItemExited>(), e => e.ItemId == "c1" && e.Reason == "overflow");
        var metrics = host.Metrics("q");
        Assert.Equal(1, metrics.Exited);
        Assert.Equal(0, metrics.Abandoned);
        host.AssertConsistent();
    }

    [Fact]
    public void Withdrawing_a_waiting_item_removes_it_and_an_assigned_item_cannot_be_withdrawn()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice");
        host.Enqueue("c1", "q");
        host.Enqueue("c2", "q");
        var offer = host.RequireOffer("alice");
        host.Ok(new Accept(offer.OfferId, "alice"));

        host.Ok(new Withdraw("c2", "moved"));
        Assert.Null(host.Engine.GetPosition("c2"));
        Assert.Equal(0, host.Metrics("q").Waiting);

        var refused = host.Run(new Withdraw("c1", "moved"));
        Assert.Equal(RoutingError.InvalidState, refused.Error);
        Assert.Equal(RoutingError.UnknownItem, host.Run(new Withdraw("nope", "moved")).Error);
        host.AssertConsistent();
    }
}
