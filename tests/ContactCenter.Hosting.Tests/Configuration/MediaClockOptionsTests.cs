using System.Net;
using ContactCenter.Hosting.Media;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Configuration;

public sealed class MediaClockOptionsTests
{
    [Theory]
    [InlineData("-1")]
    [InlineData("257")]
    public void Clock_threads_out_of_range_fail_start_up_naming_the_key(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ContactCenter:Media:ClockThreads"] = value,
        }).Build();
        var collection = new ServiceCollection();
        collection.AddContactCenter(configuration);
        using var services = collection.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ContactCenterOptions>>().Value);

        Assert.Contains("ContactCenter:Media:ClockThreads: must be 0 (the media clock's default: the processor count) or a thread count from 1 to 256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_clock_gets_the_configured_thread_count_or_the_processor_count_by_default()
    {
        using var configured = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 44000, 44099, TimeProvider.System, NullLoggerFactory.Instance, clockThreads: 3);
        using var byDefault = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 44100, 44199, TimeProvider.System, NullLoggerFactory.Instance);

        Assert.Equal(3, configured.Clock.Parallelism);
        Assert.Equal(Environment.ProcessorCount, byDefault.Clock.Parallelism);
    }
}
