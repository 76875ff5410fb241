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
    public void Clock_threads_out_of_range_fail_start_up_naming_the_key(string value) =>
        Assert.Contains("ContactCenter:Media:ClockThreads: must be 0 (the media clock's default: the processor count) or a thread count from 1 to 256", StartUpError("ContactCenter:Media:ClockThreads", value), StringComparison.Ordinal);

    [Fact]
    public void The_clock_gets_the_configured_thread_count_or_the_processor_count_by_default()
    {
        using var configured = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 44000, 44099, TimeProvider.System, NullLoggerFactory.Instance, clockThreads: 3);
        using var byDefault = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 44100, 44199, TimeProvider.System, NullLoggerFactory.Instance);

        Assert.Equal(3, configured.Clock.Parallelism);
        Assert.Equal(Environment.ProcessorCount, byDefault.Clock.Parallelism);
    }

    [Theory]
    [InlineData("-21")]
    [InlineData("20")]
    public void A_clock_nice_value_out_of_range_fails_start_up_naming_the_key(string value) =>
        Assert.Contains("ContactCenter:Media:ClockNice: must be a nice value from -20 (most favoured) to 19", StartUpError("ContactCenter:Media:ClockNice", value), StringComparison.Ordinal);

    [Fact]
    public void The_clock_threads_are_favoured_by_default_and_get_the_configured_nice_value()
    {
        Assert.Equal(-10, new ContactCenterOptions().Media.ClockNice);
        using var configured = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 44200, 44299, TimeProvider.System, NullLoggerFactory.Instance, clockNice: 4);

        Assert.Equal(4, configured.Clock.ThreadNice);
    }

    [Fact]
    public void Shedding_is_off_by_default_and_a_negative_threshold_fails_start_up_naming_the_key()
    {
        Assert.Equal(0, new ContactCenterOptions().Media.ShedAboveSkippedTicksPerSecond);
        Assert.Contains("ContactCenter:Media:ShedAboveSkippedTicksPerSecond: must be 0", StartUpError("ContactCenter:Media:ShedAboveSkippedTicksPerSecond", "-1"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_overload_guard_says_overloaded_for_the_second_after_the_clock_skipped_more_than_the_threshold()
    {
        var time = new ContactCenter.Testing.ManualTimeProvider();
        long skipped = 0;
        var guard = new MediaOverloadGuard(() => skipped, time, threshold: 50);
        var never = new MediaOverloadGuard(() => skipped, time, threshold: 0);

        time.Advance(TimeSpan.FromSeconds(1));
        skipped = 50;
        Assert.False(guard.IsOverloaded()); // 50 in the first second: not more than the threshold

        time.Advance(TimeSpan.FromSeconds(1));
        skipped = 50 + 95;
        Assert.True(guard.IsOverloaded());
        Assert.Equal(95, guard.LastWindowSkips);
        Assert.False(never.IsOverloaded());

        // Within the second measured the verdict holds; a second without skips lets calls in again.
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(guard.IsOverloaded());
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(guard.IsOverloaded());

        // A long quiet spell is scaled to one second: 150 skips over 3 s are 50 a second, not overloaded.
        time.Advance(TimeSpan.FromSeconds(3));
        skipped += 150;
        Assert.False(guard.IsOverloaded());
        Assert.Equal(50, guard.LastWindowSkips);
    }

    /// <summary>The validation error that the configured <paramref name="key"/> set to <paramref name="value"/> stops start-up with.</summary>
    private static string StartUpError(string key, string value) => StartUp.Error((key, value));
}
