using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Configuration;

public sealed class DrainTimeoutTests
{
    [Fact]
    public void The_default_drain_and_what_stopping_does_after_it_fit_in_the_hosts_default_shutdown_timeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new ContactCenterOptions().DrainTimeout);
        Assert.Equal(new HostOptions().ShutdownTimeout, ShutdownTimeout(drainTimeout: null, shutdownTimeout: null));
    }

    [Fact]
    public void A_longer_drain_raises_the_hosts_shutdown_timeout_to_the_drain_plus_15_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(135), ShutdownTimeout("00:02:00", shutdownTimeout: null));
        Assert.Equal(TimeSpan.FromSeconds(300), ShutdownTimeout("00:02:00", TimeSpan.FromSeconds(300))); // never lowered
    }

    [Fact]
    public void An_invalid_configuration_leaves_the_shutdown_timeout_alone_and_fails_at_start_naming_the_key()
    {
        var collection = Services("-00:00:01", shutdownTimeout: null);
        using var services = collection.BuildServiceProvider();

        Assert.Equal(new HostOptions().ShutdownTimeout, services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ContactCenterOptions>>().Value);
        Assert.Contains("ContactCenter:DrainTimeout: must not be negative", error.Message, StringComparison.Ordinal);
    }

    private static TimeSpan ShutdownTimeout(string? drainTimeout, TimeSpan? shutdownTimeout)
    {
        using var services = Services(drainTimeout, shutdownTimeout).BuildServiceProvider();
        return services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    private static ServiceCollection Services(string? drainTimeout, TimeSpan? shutdownTimeout)
    {
        var values = new Dictionary<string, string?>();
        if (drainTimeout is not null)
        {
            values["ContactCenter:DrainTimeout"] = drainTimeout;
        }

        var collection = new ServiceCollection();
        if (shutdownTimeout is { } timeout)
        {
            collection.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        }

        collection.AddContactCenter(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return collection;
    }
}
