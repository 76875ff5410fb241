namespace ContactCenter.Routing.Tests;

public sealed class WrapUpTests
{
    [Fact]
    public void Queue_wrap_up_blocks_new_work_until_it_ends()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", WrapUp = TimeSpan.FromSeconds(30), Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("c1", "q");
        host.Answer("alice");
        host.Enqueue("c2", "q");

        host.Ok(new Complete("c1"));
        Assert.Equal(AgentStatus.WrapUp, host.Status("alice"));
        host.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(host.OfferOf("alice"));

        host.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("c2", host.RequireOffer("alice").ItemId);
    }

    [Fact]
    public void Agent_wrap_up_overrides_the_queue_setting()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", WrapUp = TimeSpan.FromSeconds(30), Members = [new QueueMember("alice")] });
        host.Agent("alice", wrapUp: TimeSpan.FromSeconds(5));
        host.Enqueue("c1", "q");
        host.Answer("alice");
        host.Ok(new Complete("c1"));

        host.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(AgentStatus.Available, host.Status("alice"));
    }

    [Fact]
    public void Wrap_up_ends_early_on_request_and_can_be_extended()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", WrapUp = TimeSpan.FromSeconds(30), Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("c1", "q");
        host.Answer("alice");
        host.Ok(new Complete("c1"));

        host.Ok(new ExtendWrapUp("alice", TimeSpan.FromSeconds(60)));
        host.Clock.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(AgentStatus.WrapUp, host.Status("alice"));
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AgentStatus.Available, host.Status("alice"));

        host.Enqueue("c2", "q");
        host.Answer("alice");
        host.Ok(new Complete("c2"));
        host.Clock.Advance(TimeSpan.FromSeconds(3));
        host.Ok(new EndWrapUp("alice"));
        Assert.Equal(AgentStatus.Available, host.Status("alice"));
        Assert.Equal(RoutingError.InvalidState, host.Run(new EndWrapUp("alice")).Error);
    }

    [Fact]
    public void Wrap_up_time_is_counted_once_for_an_agent_in_several_queues()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "sales", WrapUp = TimeSpan.FromSeconds(40), Members = [new QueueMember("alice")] });
        host.Queue(new QueueDefinition { Name = "service", WrapUp = TimeSpan.FromSeconds(40), Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("c1", "sales");
        host.Answer("alice");
        host.Clock.Advance(TimeSpan.FromSeconds(60));
        host.Ok(new Complete("c1"));
        host.Clock.Advance(TimeSpan.FromSeconds(40));

        var wrap = Assert.Single(host.Events.OfType<WrapUpEnded>());
        Assert.Equal(("sales", TimeSpan.FromSeconds(40)), (wrap.Queue, wrap.Duration));
        Assert.Equal(TimeSpan.FromSeconds(100), host.Metrics("sales").AverageHandleTime);
        Assert.Equal(0, host.Metrics("service").Completed);
        Assert.Equal(TimeSpan.Zero, host.Metrics("service").AverageHandleTime);
    }
}
