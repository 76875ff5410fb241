using ContactCenter.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.Routing.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddContactCenterRouting_registers_one_engine_on_the_container_clock_with_the_configured_options()
    {
        var clock = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddContactCenterRouting(o => o.Dispatch = RoutingDispatch.Inline);
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<RoutingEngine>();

        Assert.Same(engine, provider.GetRequiredService<RoutingEngine>());
        Assert.Equal(RoutingDispatch.Inline, engine.Dispatch);
        Assert.Equal(clock.GetUtcNow(), engine.GetSnapshot().Timestamp);
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_engine_is_created_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddContactCenterRouting(o => o.MaxItems = 0);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<RoutingEngine>());

        Assert.Contains("MaxItems", error.Message, StringComparison.Ordinal);
    }
}
