namespace ContactCenter.Routing.Tests;

public sealed class QueueRuleTests
{
    private static readonly Dictionary<string, int> Spanish5 = new() { ["spanish"] = 5 };

    [Fact]
    public void Full_queue_refuses_new_items_and_counts_them()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", MaxSize = 2 });
        host.Enqueue("a", "q");
        host.Enqueue("b", "q");

        var refused = host.Enqueue("c", "q");

        Assert.Equal(RoutingError.QueueFull, refused.Error);
        Assert.Contains("'q'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.Metrics("q").Refused);
        Assert.Single(host.Events.OfType<ItemRefused>());
    }

    [Fact]
    public void Item_leaves_after_the_maximum_wait()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", MaxWait = TimeSpan.FromMinutes(2) });
        host.Enqueue("a", "q");

        host.Clock.Advance(TimeSpan.FromMinutes(2));

        var exited = Assert.Single(host.Events.OfType<ItemExited>());
        Assert.Equal(("a", "max-wait"), (exited.ItemId, exited.Reason));
        Assert.Equal(0, host.Metrics("q").Waiting);
        host.AssertConsistent();
    }

    [Fact]
    public void Join_is_refused_when_no_member_is_logged_in()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", RefuseJoinWhen = EmptyQueueCondition.NoMemberLoggedIn, Members = [new QueueMember("alice")] });
        host.Agent("alice", logIn: false);

        Assert.Equal(RoutingError.QueueEmpty, host.Enqueue("a", "q").Error);

        host.Ok(new LogIn("alice", NotReadyReason: "meeting"));
        Assert.True(host.Enqueue("a", "q").Succeeded);
    }

    [Fact]
    public void Waiting_items_leave_when_the_last_ready_member_goes_not_ready()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "q", LeaveWhen = EmptyQueueCondition.NoMemberReady, Members = [new QueueMember("alice")] });
        host.Agent("alice");
        host.Enqueue("a", "q");
        host.Answer("alice");
        host.Enqueue("b", "q");

        host.Ok(new SetNotReady("alice", "break"));
        Assert.Empty(host.Events.OfType<ItemExited>());
        host.Ok(new Complete("a"));

        var exited = Assert.Single(host.Events.OfType<ItemExited>());
        Assert.Equal(("b", "queue-empty"), (exited.ItemId, exited.Reason));
    }

    [Fact]
    public void Item_skills_restrict_which_members_may_take_it()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "english-only", "bilingual");
        host.Agent("english-only");
        host.Agent("bilingual", Spanish5);

        host.Enqueue("hola", "q", skills: [new SkillRequirement("spanish", 3)]);

        Assert.NotNull(host.OfferOf("bilingual"));
        Assert.Null(host.OfferOf("english-only"));
    }

    [Fact]
    public void Skill_requirements_make_every_qualified_agent_a_member()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition { Name = "es", SkillRequirements = [new SkillRequirement("spanish", 4)] });
        host.Agent("weak", new Dictionary<string, int> { ["spanish"] = 3 });
        host.Agent("strong", Spanish5);

        host.Enqueue("x", "es");

        Assert.NotNull(host.OfferOf("strong"));
        Assert.Equal(1, host.Metrics("es").MembersByStatus.Values.Sum());
    }

    [Fact]
    public void Escalation_lowers_required_levels_after_the_step_time()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "q",
            Members = [new QueueMember("junior")],
            Escalation = [new EscalationStep { After = TimeSpan.FromSeconds(60), LowerLevelsBy = 3 }],
        });
        host.Agent("junior", new Dictionary<string, int> { ["spanish"] = 2 });
        host.Enqueue("x", "q", skills: [new SkillRequirement("spanish", 5)]);
        Assert.Null(host.OfferOf("junior"));

        host.Clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal("x", host.RequireOffer("junior").ItemId);
        Assert.Contains(host.Events.OfType<ItemEscalated>(), e => !e.Skipped);
    }

    [Fact]
    public void Escalation_moves_the_item_to_another_queue_keeping_its_wait()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "tier1",
            Members = [new QueueMember("busy")],
            Escalation = [new EscalationStep { After = TimeSpan.FromSeconds(45), MoveToQueue = "overflow" }],
        });
        host.Queue("overflow", RoutingStrategies.LongestIdle, "spare");
        host.Agent("busy");
        host.Enqueue("first", "tier1");
        host.Answer("busy");
        host.Agent("spare");
        host.Enqueue("x", "tier1");
        Assert.Null(host.OfferOf("spare"));

        host.Clock.Advance(TimeSpan.FromSeconds(45));
        host.Answer("spare");

        var assigned = host.Events.OfType<ItemAssigned>().Last();
        Assert.Equal(("x", "overflow", TimeSpan.FromSeconds(45)), (assigned.ItemId, assigned.Queue, assigned.Wait));
        Assert.Equal(1, host.Metrics("tier1").EscalatedOut);
        host.AssertConsistent();
    }

    [Fact]
    public void Escalation_step_is_skipped_at_once_when_nobody_there_is_ready()
    {
        using var host = new EngineHost();
        host.Queue(new QueueDefinition
        {
            Name = "tier1",
            Members = [new QueueMember("busy")],
            Escalation =
            [
                new EscalationStep { After = TimeSpan.FromSeconds(30), MoveToQueue = "nobody-home" },
                new EscalationStep { After = TimeSpan.FromSeconds(300), MoveToQueue = "overflow" },
            ],
        });
        host.Queue("nobody-home", RoutingStrategies.LongestIdle, "absent");
        host.Queue("overflow", RoutingStrategies.LongestIdle, "spare");
        host.Agent("absent", logIn: false);
        host.Agent("busy");
        host.Enqueue("first", "tier1");
        host.Answer("busy");
        host.Agent("spare");
        host.Enqueue("x", "tier1");

        host.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("x", host.RequireOffer("spare").ItemId);
        var steps = host.Events.OfType<ItemEscalated>().ToList();
        Assert.True(steps[0].Skipped);
        Assert.Equal(("overflow", false), (steps[1].ToQueue, steps[1].Skipped));
    }

    [Fact]
    public void Voice_is_exclusive_while_chats_share_capacity()
    {
        using var host = new EngineHost();
        host.Queue("q", RoutingStrategies.LongestIdle, "alice");
        host.Agent("alice", capacity: new AgentCapacity
        {
            MaxTotal = 3,
            PerChannel = new Dictionary<WorkChannel, int> { [WorkChannel.Chat] = 2, [WorkChannel.Voice] = 1 },
        });

        host.Enqueue("chat1", "q", channel: WorkChannel.Chat);
        host.Answer("alice");
        host.Enqueue("voice", "q", channel: WorkChannel.Voice);
        host.Enqueue("chat2", "q", channel: WorkChannel.Chat);
        Assert.Equal("chat2", host.Answer("alice"));
        host.Enqueue("chat3", "q", channel: WorkChannel.Chat);
        Assert.Null(host.OfferOf("alice"));

        host.Ok(new Complete("chat1"));
        Assert.Equal("chat3", host.Answer("alice"));
        host.Ok(new Complete("chat2"));
        host.Ok(new Complete("chat3"));

        Assert.Equal("voice", host.Answer("alice"));
        host.Enqueue("chat4", "q", channel: WorkChannel.Chat);
        Assert.Null(host.OfferOf("alice"));
        host.AssertConsistent();
    }

    [Fact]
    public void Escalation_cycles_between_queues_stop_after_the_move_limit()
    {
        using var host = new EngineHost();
        host.Queue("a", RoutingStrategies.LongestIdle, "x");
        host.Agent("x");
        host.Enqueue("keeps-x-busy", "a");
        host.Answer("x");
        host.Queue(new QueueDefinition { Name = "a", Members = [new QueueMember("x")], Escalation = [new EscalationStep { After = TimeSpan.Zero, MoveToQueue = "b" }] });
        host.Queue(new QueueDefinition { Name = "b", Members = [new QueueMember("x")], Escalation = [new EscalationStep { After = TimeSpan.Zero, MoveToQueue = "a" }] });

        host.Enqueue("ping", "a");
        host.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(8, host.Events.OfType<ItemEscalated>().Count(e => !e.Skipped));
        Assert.Equal(1, host.Metrics("a").Waiting + host.Metrics("b").Waiting);
        host.AssertConsistent();
    }
}
