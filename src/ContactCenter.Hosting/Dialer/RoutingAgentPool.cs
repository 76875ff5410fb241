using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Events;
using ContactCenter.Routing;

namespace ContactCenter.Hosting.Dialer;

/// <summary>
/// The dialer's agent pool over Routing: the members of the campaign queue (<see cref="DialerHostOptions.AgentQueue"/>)
/// who are logged in. A reserved agent is set NotReady (<c>outbound</c>) in Routing so inbound calls leave them alone,
/// and Ready again when released. The dialer is told whenever an agent becomes available.
/// </summary>
internal sealed class RoutingAgentPool : IAgentPool, IDisposable
{
    internal const string ReservedReason = "outbound";

    private readonly AgentDirectory _agents;
    private readonly RoutingEngine _routing;
    private readonly ContactCenterEventHub _events;
    private readonly TimeProvider _time;
    private readonly string _queue;
    private readonly ConcurrentDictionary<string, byte> _reserved = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    public RoutingAgentPool(AgentDirectory agents, RoutingEngine routing, ContactCenterEventHub events, TimeProvider time, string queue)
    {
        _agents = agents;
        _routing = routing;
        _events = events;
        _time = time;
        _queue = queue;
        _subscription = routing.Subscribe(e =>
        {
            if (e is AgentStatusChanged { To: AgentStatus.Available } changed && IsMember(changed.AgentId))
            {
                AgentAvailable?.Invoke();
            }
        });
    }

    /// <summary>Raised when a member becomes available (the host calls <see cref="OutboundDialer.NotifyAgentAvailable"/>).</summary>
    public event Action? AgentAvailable;

    public int LoggedInAgents => Members().Count(a => a.State != nameof(AgentStatus.Offline));

    public int FreeAgents => Members().Count(a => a.State == nameof(AgentStatus.Available) && !_reserved.ContainsKey(a.Profile.Id));

    public bool TryReserve(string? agentId, [NotNullWhen(true)] out string? reservedAgentId)
    {
        foreach (var agent in Members())
        {
            if ((agentId is null || agent.Profile.Id == agentId) && agent.State == nameof(AgentStatus.Available) && _reserved.TryAdd(agent.Profile.Id, 0))
            {
                reservedAgentId = agent.Profile.Id;

                // Commands are applied in order by the routing writer: inbound offers stop before the next decision.
                _ = _routing.SendAsync(new SetNotReady(reservedAgentId, ReservedReason));
                return true;
            }
        }

        reservedAgentId = null;
        return false;
    }

    public void Release(string agentId)
    {
        if (_reserved.TryRemove(agentId, out _))
        {
            _ = _routing.SendAsync(new SetReady(agentId));
        }
    }

    public void OfferPreview(string agentId, PreviewOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        _events.Publish(ContactCenterEvent.Create("campaign.preview_offered", ContactCenterEventCategory.Campaign, _time.GetUtcNow(), new Dictionary<string, object?>
        {
            ["agentId"] = agentId,
            ["offerId"] = offer.Id,
            ["campaignId"] = offer.CampaignId,
            ["contactId"] = offer.Contact.Id,
            ["phoneNumber"] = offer.Contact.PhoneNumber,
            ["name"] = offer.Contact.Name,
            ["expiresAt"] = offer.ExpiresAt,
        }));
    }

    public void Dispose() => _subscription.Dispose();

    private bool IsMember(string agentId) => _agents.Find(agentId)?.Profile.Queues.Contains(_queue, StringComparer.Ordinal) ?? false;

    private IEnumerable<AgentView> Members() => _agents.List().Where(a => a.Profile.Queues.Contains(_queue, StringComparer.Ordinal));
}

/// <summary>
/// Starts the dialer after the runtime (campaigns restored from storage carry on; attempts cut by a crash are closed
/// as interrupted and retried by their rules, none dialed twice). At shutdown the dialer stops placing calls as soon as
/// the host begins stopping (<see cref="StoppingAsync"/>, before any service stops), so a draining host places no new
/// calls, while the campaign calls in progress keep reporting to it through the runtime's drain. Only once every
/// service has stopped (<see cref="StoppedAsync"/>) are the dispositions still due given and the dialer disposed: the
/// stored campaign states stay as they were and every attempt keeps its outcome, so the next start carries on without
/// dialing anyone twice.
/// A connected campaign call whose agent gives no disposition within <see cref="DialerHostOptions.DispositionTimeout"/>
/// (or by the end of the shutdown) gets <see cref="DialerHostOptions.DefaultDisposition"/>; then the agent returns to the
/// pool (Ready).
/// </summary>
internal sealed class DialerHostedService(
    OutboundDialer dialer,
    RoutingAgentPool pool,
    Calls.ContactCenterRuntime runtime,
    Microsoft.Extensions.Options.IOptions<ContactCenterOptions> options,
    TimeProvider time) : Microsoft.Extensions.Hosting.IHostedLifecycleService
{
    private readonly ConcurrentDictionary<Guid, (ITimer Timer, string AgentId)> _pending = new();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        pool.AgentAvailable += dialer.NotifyAgentAvailable;
        runtime.CampaignCallCompleted += OnCompleted;
        dialer.Restore();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        dialer.StopPlacingCalls();
        return Task.CompletedTask;
    }

    // Called before the runtime's StopAsync (hosted services stop in reverse order): its calls have yet to drain.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        pool.AgentAvailable -= dialer.NotifyAgentAvailable;
        runtime.CampaignCallCompleted -= OnCompleted;
        foreach (var callId in _pending.Keys)
        {
            CloseWithDefaultDisposition(callId);
        }

        dialer.Dispose();
        return Task.CompletedTask;
    }

    private void OnCompleted(Guid callId, string agentId)
    {
        // Listed before it can fire, so a short timeout finds itself in the list.
        var timer = time.CreateTimer(_ => CloseWithDefaultDisposition(callId), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pending[callId] = (timer, agentId);
        timer.Change(options.Value.Dialer.DispositionTimeout, Timeout.InfiniteTimeSpan);
    }

    private void CloseWithDefaultDisposition(Guid callId)
    {
        if (!_pending.TryRemove(callId, out var pending))
        {
            return;
        }

        pending.Timer.Dispose();

        // False when the agent already gave a disposition: nothing to do.
        dialer.SubmitDisposition(callId, AgentDisposition.Final(options.Value.Dialer.DefaultDisposition));

        // The dialer leaves a connected agent's return to the pool to the host: wrap-up is over, Ready again.
        pool.Release(pending.AgentId);
    }
}
