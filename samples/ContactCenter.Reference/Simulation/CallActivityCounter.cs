using ContactCenter.Hosting.Events;

namespace ContactCenter.Reference.Simulation;

/// <summary>
/// Counts calls for the console summary from the event hub: calls in progress (<c>call.started</c> without its
/// <c>call.ended</c> yet) and calls started since local midnight (the clock's time zone).
/// </summary>
internal sealed class CallActivityCounter : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly EventSubscription _subscription;
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private DateOnly _day;
    private long _today;

    /// <summary>Subscribes to <paramref name="hub"/>'s call events.</summary>
    public CallActivityCounter(ContactCenterEventHub hub, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _time = time ?? TimeProvider.System;
        _day = CurrentDay();
        _subscription = hub.Subscribe(e => e.Type is ContactCenterEventTypes.CallStarted or ContactCenterEventTypes.CallEnded, capacity: 65_536);
        _loop = ReadAsync();
    }

    /// <summary>Calls started and not yet ended.</summary>
    public int InProgress
    {
        get
        {
            lock (_gate)
            {
                return _inProgress.Count;
            }
        }
    }

    /// <summary>Calls started since local midnight.</summary>
    public long Today
    {
        get
        {
            lock (_gate)
            {
                Roll();
                return _today;
            }
        }
    }

    /// <summary>Applies one event (what the subscription loop does with each).</summary>
    public void Observe(ContactCenterEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var id = @event.Data.TryGetValue("callId", out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
        lock (_gate)
        {
            Roll();
            if (@event.Type == ContactCenterEventTypes.CallStarted)
            {
                _today++;
                if (id is not null)
                {
                    _inProgress.Add(id);
                }
            }
            else if (id is not null)
            {
                _inProgress.Remove(id);
            }
        }
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _loop.ConfigureAwait(false);
    }

    private async Task ReadAsync()
    {
        await foreach (var e in _subscription.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Observe(e);
        }
    }

    private void Roll()
    {
        var day = CurrentDay();
        if (day != _day)
        {
            _day = day;
            _today = 0;
        }
    }

    private DateOnly CurrentDay() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _time.LocalTimeZone).DateTime);
}
