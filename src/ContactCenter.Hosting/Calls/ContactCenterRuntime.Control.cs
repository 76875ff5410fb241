using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Calls;

/// <summary>Call control for the API and supervisors; requests are posted to the call's own loop and awaited.</summary>
internal sealed partial class ContactCenterRuntime : ICallControl
{
    public IReadOnlyList<ActiveCallInfo> ActiveCalls => [.. _calls.Values.OrderBy(c => c.StartedAt).Select(c => c.Describe())];

    internal bool RecordingEnabled => _options.Recording.Enabled;

    internal DateTimeOffset Now => _time.GetUtcNow();

    internal ContactCenterStorage Storage => _storage;

    public ActiveCallInfo? Find(Guid callId) => _calls.TryGetValue(callId, out var call) ? call.Describe() : null;

    public Task HangUpAsync(Guid callId, CancellationToken cancellationToken = default)
    {
        var call = Require(callId);
        call.HangupParty = HangupParty.System;
        if (_outbound.ContainsKey(callId))
        {
            call.Signals.Writer.TryWrite(new DialerSignal(DialerAction.HangUp, null));
            return Task.CompletedTask;
        }

        var legs = new List<Task> { HangUpQuietlyAsync(call.Caller) };
        if (call.Connected is { } connected)
        {
            legs.Add(connected.HangUpAsync());
        }

        return Task.WhenAll(legs).WaitAsync(cancellationToken);
    }

    public Task SetHoldAsync(Guid callId, bool hold, CancellationToken cancellationToken = default) =>
        PostAsync(callId, done => new HoldSignal(hold, done), [ActiveCallPhase.Talking, ActiveCallPhase.Held], "put on hold", cancellationToken);

    public Task TransferAsync(Guid callId, CallTransferTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (string.IsNullOrWhiteSpace(target.Destination))
        {
            throw new CallControlException(CallControlError.BadRequest, "the transfer needs a destination");
        }

        switch (target.Kind)
        {
            case CallTransferKind.Queue when !_queues.Exists(target.Destination):
                throw new CallControlException(CallControlError.NotFound, $"no queue is named '{target.Destination}'");
            case CallTransferKind.Agent when _agents.Find(target.Destination) is null:
                throw new CallControlException(CallControlError.NotFound, $"no agent has id '{target.Destination}'");
            case CallTransferKind.Number when PhoneNumbers.Normalize(target.Destination).Length == 0:
                throw new CallControlException(CallControlError.BadRequest, $"'{target.Destination}' is not a phone number");
        }

        return PostAsync(
            callId,
            done => new TransferSignal(target, done),
            target.Kind == CallTransferKind.Queue ? [ActiveCallPhase.Queued, ActiveCallPhase.RingingAgent, ActiveCallPhase.Talking, ActiveCallPhase.Held] : [ActiveCallPhase.Talking, ActiveCallPhase.Held],
            "transferred",
            cancellationToken,
            target.Kind == CallTransferKind.Queue ? null : _options.TransferRingTimeout); // the answer comes once the target picks up
    }

    public Task SetRecordingPausedAsync(Guid callId, bool paused, CancellationToken cancellationToken = default)
    {
        var call = Require(callId);
        if (call.Session is not { } session || !session.SetRecordingPaused(paused))
        {
            throw new CallControlException(CallControlError.InvalidState, "the call is not being recorded");
        }

        return Task.CompletedTask;
    }

    public Task MonitorAsync(Guid callId, string supervisorAgentId, MonitorMode mode, CancellationToken cancellationToken = default)
    {
        if (_agents.Find(supervisorAgentId) is null)
        {
            throw new CallControlException(CallControlError.NotFound, $"no agent has id '{supervisorAgentId}'");
        }

        return PostAsync(callId, done => new MonitorSignal(supervisorAgentId, mode, done), [ActiveCallPhase.Talking, ActiveCallPhase.Held], "monitored", cancellationToken);
    }

    public async Task<Guid> ClickToCallAsync(string agentId, string number, CancellationToken cancellationToken = default)
    {
        var agent = _agents.Find(agentId) ?? throw new CallControlException(CallControlError.NotFound, $"no agent has id '{agentId}'");
        if (agent.Device is null)
        {
            throw new CallControlException(CallControlError.Unavailable, $"agent '{agentId}' is not logged in to a device");
        }

        if (PhoneNumbers.Normalize(number).Length == 0)
        {
            throw new CallControlException(CallControlError.BadRequest, $"'{number}' is not a phone number");
        }

        if (agent.State != nameof(AgentStatus.NotReady) && agent.State != nameof(AgentStatus.Available))
        {
            throw new CallControlException(CallControlError.InvalidState, $"agent '{agentId}' is {agent.State}");
        }

        // The agent's phone rings first (showing the number to call); once it answers, the number is dialed.
        await _agents.SetStateAsync(agentId, ready: false, "outbound-call", cancellationToken).ConfigureAwait(false);
        var placeholder = new ContactCall(Guid.CreateVersion7(_time.GetUtcNow()), CallDirection.Outbound, null, agentId, number, _time.GetUtcNow());
        var agentLeg = agent.Device.Kind == AgentDeviceKind.Extension
            ? await RingExtensionAsync(placeholder, "agent", agentId, Guid.Empty, agent.Device.Address, [new SipHeader("X-CC-Dial", number)], number).ConfigureAwait(false)
            : await DialNumberAsync(placeholder, "agent", agent.Device.Address, number, [new SipHeader("X-CC-Dial", number)], agentId).ConfigureAwait(false);
        if (agentLeg.Leg is null)
        {
            await _agents.SetStateAsync(agentId, ready: true, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw new CallControlException(CallControlError.Unavailable, agentLeg.Problem ?? "the agent's device cannot be reached");
        }

        Track(RunClickToCallAsync(placeholder, agentLeg.Leg, agentId, number));
        return placeholder.Id;
    }

    private async Task RunClickToCallAsync(ContactCall call, AgentLeg agentLeg, string agentId, string number)
    {
        try
        {
            while (true)
            {
                var signal = await call.Signals.Reader.ReadAsync().ConfigureAwait(false);
                if (signal is LegSignal { Answered: false })
                {
                    await agentLeg.Media.DisposeAsync().ConfigureAwait(false);
                    return;
                }

                if (signal is LegSignal { Answered: true })
                {
                    break;
                }
            }

            var outbound = await DialNumberAsync(call, "customer", number, _options.Trunks.FirstOrDefault()?.CallerId.Default ?? agentId, []).ConfigureAwait(false);
            if (outbound.Leg is not { } customer)
            {
                await agentLeg.HangUpAsync().ConfigureAwait(false);
                await agentLeg.Media.DisposeAsync().ConfigureAwait(false);
                return;
            }

            // The agent hears the customer's phone ring through the trunk's early media, or silence.
            while (true)
            {
                var signal = await call.Signals.Reader.ReadAsync().ConfigureAwait(false);
                if (signal is ConnectedLegEnded ended && ended.Leg == agentLeg)
                {
                    await CancelLegAsync(customer).ConfigureAwait(false);
                    await agentLeg.Media.DisposeAsync().ConfigureAwait(false);
                    return;
                }

                if (signal is LegSignal { Answered: false } failed && failed.Leg == customer)
                {
                    await customer.Media.DisposeAsync().ConfigureAwait(false);
                    await agentLeg.HangUpAsync().ConfigureAwait(false);
                    await agentLeg.Media.DisposeAsync().ConfigureAwait(false);
                    return;
                }

                if (signal is LegSignal { Answered: true } answered && answered.Leg == customer)
                {
                    break;
                }
            }

            using var relay = new RtpRelay(agentLeg.Media.Rtp, customer.Media.Rtp);
            while (true)
            {
                var signal = await call.Signals.Reader.ReadAsync().ConfigureAwait(false);
                if (signal is ConnectedLegEnded ended)
                {
                    await (ended.Leg == agentLeg ? customer : agentLeg).HangUpAsync().ConfigureAwait(false);
                    break;
                }
            }

            relay.Dispose();
            await customer.Media.DisposeAsync().ConfigureAwait(false);
            await agentLeg.Media.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _agents.SetStateAsync(agentId, ready: true).ConfigureAwait(false);
            }
            catch (AgentDirectoryException)
            {
                // The agent logged out meanwhile.
            }
        }
    }

    internal void PublishHeld(ContactCall call, bool held) =>
        Publish(ContactCenterEventTypes.CallHeld, ContactCenterEventCategory.Call, new() { ["callId"] = call.Id, ["held"] = held });

    internal void PublishEvent(string type, ContactCenterEventCategory category, Dictionary<string, object?> data) => Publish(type, category, data);

    internal PromptPlayer CreateHoldMusic() => HoldMusic();

    private async Task<PlacedLegResult> RingSupervisorAsync(ContactCall call, string supervisorId)
    {
        var device = _agents.DeviceOf(supervisorId);
        if (device is null)
        {
            return new PlacedLegResult(null, $"supervisor '{supervisorId}' is not logged in to a device");
        }

        var placed = device.Kind == AgentDeviceKind.Extension
            ? await RingExtensionAsync(call, "supervisor", supervisorId, Guid.Empty, device.Address, [new SipHeader("X-CC-Call-Id", call.Id.ToString())], call.From).ConfigureAwait(false)
            : await DialNumberAsync(call, "supervisor", device.Address, call.From, [], supervisorId).ConfigureAwait(false);
        return new PlacedLegResult(placed.Leg, placed.Problem);
    }

    private static void SetMonitor(ContactCall call, string supervisorId, MonitorMode? mode)
    {
        lock (call.Monitors)
        {
            if (mode is { } m)
            {
                call.Monitors[supervisorId] = m;
            }
            else
            {
                call.Monitors.Remove(supervisorId);
            }
        }
    }

    /// <summary>The call in progress with this id, or null (tests use it to follow a call's lifetime).</summary>
    internal ContactCall? FindCall(Guid callId) => _calls.GetValueOrDefault(callId);

    private ContactCall Require(Guid callId) =>
        _calls.TryGetValue(callId, out var call) ? call : throw new CallControlException(CallControlError.NotFound, $"no call in progress has id {callId}");

    /// <summary>Posts a request to the call's loop and waits for its answer: 10 s, plus <paramref name="ringing"/> when a target rings first.</summary>
    private async Task PostAsync(
        Guid callId, Func<TaskCompletionSource, CallSignal> signal, ActiveCallPhase[] phases, string what, CancellationToken cancellationToken, TimeSpan? ringing = null)
    {
        var call = Require(callId);
        if (!phases.Contains(call.Phase))
        {
            throw new CallControlException(CallControlError.InvalidState, $"call {callId} is in phase {call.Phase} and cannot be {what} now");
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Signals.Writer.TryWrite(signal(done));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10) + (ringing ?? TimeSpan.Zero), _time, cancellationToken).ConfigureAwait(false);
    }

    private sealed record PlacedLegResult(AgentLeg? Leg, string? Problem);
}
