namespace ContactCenter.Routing.Tests;

public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_program_answers_one_call_in_background_mode()
    {
        await using var engine = new RoutingEngine();
        var log = new List<RoutingEvent>();
        engine.Subscribe(log.Add);

        await engine.SendAsync(new ConfigureQueue(new QueueDefinition
        {
            Name = "sales",
            Strategy = RoutingStrategies.LongestIdle,
            Members = [new QueueMember("alice"), new QueueMember("bob", Priority: 2)],
        }));
        await engine.SendAsync(new ConfigureAgent(new AgentDefinition { Id = "alice" }));
        await engine.SendAsync(new ConfigureAgent(new AgentDefinition { Id = "bob" }));
        await engine.SendAsync(new LogIn("alice"));

        Guid offerId = default;
        engine.Subscribe(e => { if (e is ItemOffered o) offerId = o.OfferId; });
        await engine.SendAsync(new Enqueue(new WorkItem { Id = WorkItem.NewId(), Queue = "sales" }));

        // SendAsync completes only after the command's events were delivered, so the offer id is known here.
        Assert.NotEqual(Guid.Empty, offerId);
        var accepted = await engine.SendAsync(new Accept(offerId, "alice"));
        Assert.Equal("ok", accepted.ToString());
        var snapshot = await engine.GetSnapshotAsync();
        Assert.Equal(1, snapshot.Queues[0].Answered);
        Assert.Contains(log, e => e is ItemAssigned { AgentId: "alice" });
    }
}
