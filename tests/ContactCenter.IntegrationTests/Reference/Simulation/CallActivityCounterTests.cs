using ContactCenter.Hosting.Events;
using ContactCenter.Reference.Simulation;
using ContactCenter.Testing;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>The console's call counts come from the event hub: in progress until each call's end, today since local midnight.</summary>
public sealed class CallActivityCounterTests
{
    [Fact]
    public async Task Counts_calls_in_progress_and_calls_today_with_a_reset_at_local_midnight()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 22, 50, 0, TimeSpan.Zero))
        {
            LocalZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"), // 23:50 local
        };
        await using var counter = new CallActivityCounter(new ContactCenterEventHub(), time);

        counter.Observe(Event(ContactCenterEventTypes.CallStarted, "a", time));
        counter.Observe(Event(ContactCenterEventTypes.CallStarted, "b", time));
        counter.Observe(Event(ContactCenterEventTypes.CallStarted, "c", time));
        counter.Observe(Event(ContactCenterEventTypes.CallEnded, "b", time));
        counter.Observe(Event(ContactCenterEventTypes.CallEnded, "b", time)); // a repeated end changes nothing

        Assert.Equal(2, counter.InProgress);
        Assert.Equal(3, counter.Today);
        time.Advance(TimeSpan.FromMinutes(10)); // local midnight
        Assert.Equal(0, counter.Today);
        Assert.Equal(2, counter.InProgress);
        counter.Observe(Event(ContactCenterEventTypes.CallStarted, "d", time));
        Assert.Equal(1, counter.Today);
        Assert.Equal(3, counter.InProgress);
    }

    [Fact]
    public async Task Reads_call_events_published_on_the_hub()
    {
        var hub = new ContactCenterEventHub();
        var time = new ManualTimeProvider();
        await using var counter = new CallActivityCounter(hub, time);

        hub.Publish(Event(ContactCenterEventTypes.AgentStateChanged, "x", time));
        hub.Publish(Event(ContactCenterEventTypes.CallStarted, "a", time));
        hub.Publish(Event(ContactCenterEventTypes.CallStarted, "b", time));
        await counter.DisposeAsync(); // publishing is synchronous; disposing drains what was published before

        Assert.Equal(2, counter.Today);
        Assert.Equal(2, counter.InProgress);
    }

    private static ContactCenterEvent Event(string type, string callId, TimeProvider time) =>
        ContactCenterEvent.Create(type, ContactCenterEventCategory.Call, time.GetUtcNow(), new Dictionary<string, object?> { ["callId"] = callId });
}
