using System.Threading.Channels;

namespace ContactCenter.Hosting.Events;

/// <summary>
/// The in-process publish/subscribe point for <see cref="ContactCenterEvent"/>s. Publishing never blocks: each
/// subscriber has its own bounded buffer, and a subscriber that falls behind loses its oldest events (counted in
/// <see cref="EventSubscription.Dropped"/>) rather than slowing calls down. Thread-safe.
/// </summary>
public sealed class ContactCenterEventHub
{
    private readonly object _gate = new();
    private EventSubscription[] _subscriptions = [];

    /// <summary>Publishes an event to every current subscriber.</summary>
    public void Publish(ContactCenterEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.Offer(@event);
        }
    }

    /// <summary>Subscribes to events that pass <paramref name="filter"/> (all when null), buffering at most <paramref name="capacity"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public EventSubscription Subscribe(Func<ContactCenterEvent, bool>? filter = null, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new EventSubscription(this, filter, capacity);
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    internal void Remove(EventSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = Array.FindAll(_subscriptions, s => !ReferenceEquals(s, subscription));
        }
    }
}

/// <summary>A subscription to <see cref="ContactCenterEventHub"/>: read events from <see cref="Reader"/>; dispose to stop.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly ContactCenterEventHub _hub;
    private readonly Func<ContactCenterEvent, bool>? _filter;
    private readonly Channel<ContactCenterEvent> _channel;
    private long _dropped;

    internal EventSubscription(ContactCenterEventHub hub, Func<ContactCenterEvent, bool>? filter, int capacity)
    {
        _hub = hub;
        _filter = filter;
        _channel = Channel.CreateBounded<ContactCenterEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>The events, in publication order.</summary>
    public ChannelReader<ContactCenterEvent> Reader => _channel.Reader;

    /// <summary>How many events were dropped because the reader fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Stops the subscription; <see cref="Reader"/> completes.</summary>
    public void Dispose()
    {
        _hub.Remove(this);
        _channel.Writer.TryComplete();
    }

    internal void Offer(ContactCenterEvent @event)
    {
        if (_filter is null || _filter(@event))
        {
            _channel.Writer.TryWrite(@event);
        }
    }
}
