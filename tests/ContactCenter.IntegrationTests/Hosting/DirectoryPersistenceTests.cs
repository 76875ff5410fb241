using ContactCenter.Hosting;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Numbers;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Agents and number bindings made through the API are stored before they are acknowledged and survive a restart.</summary>
public sealed class DirectoryPersistenceTests
{
    private static void Configure(ContactCenterOptions options)
    {
        options.Queues = [new QueueOptions { Name = "Support" }];
        options.Agents = [new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Support"] }];
    }

    [Fact]
    public async Task An_agent_and_a_number_created_at_run_time_are_there_again_after_a_restart_on_top_of_the_configuration()
    {
        var root = Path.Combine(Path.GetTempPath(), "cc-host-" + Guid.NewGuid().ToString("N"));
        var first = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure, root);
        first.KeepDataOnDispose = true;
        await using (first)
        {
            var agents = first.Services.GetRequiredService<IAgentDirectory>();
            await agents.SaveAsync(new AgentProfile { Id = "grace", Extension = "1002", Password = "pw-1002", Skills = new Dictionary<string, int> { ["support"] = 70 }, Queues = ["Support"] });
            await agents.SaveAsync(new AgentProfile { Id = "ada", Name = "Ada L.", Extension = "1001", Password = "pw-1001", Queues = ["Support"] });
            var numbers = first.Services.GetRequiredService<INumberDirectory>();
            await numbers.BindAsync(new NumberBinding { Number = "+1 800 555 0111", Flow = "main-menu@live", MaxConcurrentCalls = 5 });
            await numbers.BindAsync(new NumberBinding { Number = "+18005550112", Flow = "main-menu@live" });
            Assert.True(await numbers.RemoveAsync("+18005550112"));
        }

        await using var second = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure, root);
        var restored = second.Services.GetRequiredService<IAgentDirectory>();
        var grace = restored.Find("grace");
        Assert.NotNull(grace);
        Assert.Equal("1002", grace!.Profile.Extension);
        Assert.Equal(70, grace.Profile.Skills["support"]);
        Assert.Equal("Ada L.", restored.Find("ada")!.Profile.Name); // the API's change wins over the configuration
        var number = second.Services.GetRequiredService<INumberDirectory>().Find("+18005550111");
        Assert.NotNull(number);
        Assert.Equal(5, number!.MaxConcurrentCalls);
        Assert.Null(second.Services.GetRequiredService<INumberDirectory>().Find("+18005550112"));
    }
}
