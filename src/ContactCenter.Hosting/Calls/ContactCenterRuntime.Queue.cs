using System.Globalization;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Ivr;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// Queued calls: the caller waits in Routing hearing hold music and announcements; an offer rings the agent's device;
/// the answered leg is bridged to the caller and recorded until one side hangs up. Every decision for a call is taken
/// by its own loop over <see cref="ContactCall.Signals"/>, so a call's state is never touched by two threads.
/// </summary>
internal sealed partial class ContactCenterRuntime : IIvrCallRouter
{
    public async ValueTask<QueueTransferResult> QueueAsync(SipIvrChannel channel, QueueTransferRequest request, CancellationToken cancellationToken)
    {
        if (!_calls.TryGetValue(channel.CallId, out var call))
        {
            return Failed(request.Queue);
        }

        var queue = request.Queue;
        if (!_queues.Exists(queue))
        {
            return Failed(queue);
        }

        call.Ivr = channel;

        var overflowAfter = request.OverflowAfter;
        var initialPosition = 0;
        var expectedWait = TimeSpan.Zero;
        var ringDuration = TimeSpan.Zero;
        var first = true;
        call.QueueEnteredAt ??= _time.GetUtcNow();
        while (true)
        {
            var itemId = $"{call.Id:N}-{++call.QueueItems}";
            var outcome = await WaitInQueueAsync(call, request, queue, itemId, overflowAfter, cancellationToken).ConfigureAwait(false);
            if (first)
            {
                first = false;
                initialPosition = outcome.InitialPosition;
                expectedWait = outcome.ExpectedWait;
            }

            ringDuration += outcome.RingDuration;
            switch (outcome.Kind)
            {
                case QueueOutcomeKind.Completed:
                    return new QueueTransferResult(QueueTransferStatus.Completed, queue, call.AgentId, initialPosition, expectedWait, ringDuration, outcome.TalkDuration);
                case QueueOutcomeKind.Overflow when request.OverflowQueue is { } next && next != queue && _queues.Exists(next) && outcome.ByTimer:
                    // The node's skills were asked of the first queue's agents; the overflow queue serves the caller
                    // with its own agents and requirements (that is what overflowing widens).
                    queue = next;
                    request = request with { Skills = [] };
                    overflowAfter = null;
                    continue;
                case QueueOutcomeKind.Overflow:
                    call.QueueExitedAt ??= _time.GetUtcNow();
                    call.Status = CallStatus.NoAgentAvailable;
                    call.Phase = ActiveCallPhase.Ivr;
                    return new QueueTransferResult(QueueTransferStatus.Overflow, queue, null, initialPosition, expectedWait, ringDuration, TimeSpan.Zero);
                case QueueOutcomeKind.Requeue:
                    if (outcome.NextQueue != queue)
                    {
                        request = request with { Skills = [] }; // as for an overflow: the new queue's own requirements
                    }

                    queue = outcome.NextQueue!;
                    overflowAfter = null;
                    continue;
                case QueueOutcomeKind.Ended:
                    // Thrown once, here, for the IVR (its channel reports a hang-up so); the queue's own methods return it.
                    throw new CallerHungUpException();
                default:
                    call.Phase = ActiveCallPhase.Ivr;
                    return Failed(queue);
            }
        }
    }

    public async ValueTask<TransferResult> TransferAsync(SipIvrChannel channel, TransferRequest request, CancellationToken cancellationToken)
    {
        if (!_calls.TryGetValue(channel.CallId, out var call))
        {
            return new TransferResult(false, "the call is over");
        }

        call.Ivr = channel;

        var leg = request.Target == TransferTarget.Extension
            ? await RingExtensionAsync(call, "transfer", null, Guid.Empty, request.Destination, [], call.From).ConfigureAwait(false)
            : await DialNumberAsync(call, "transfer", request.Destination, request.CallerId ?? call.From, []).ConfigureAwait(false);
        if (leg.Leg is not { } placed)
        {
            return new TransferResult(false, leg.Problem);
        }

        using var ring = _time.CreateTimer(static s => ((ContactCall)s!).Signals.Writer.TryWrite(new TimerSignal("ring-timeout")), call, request.RingTimeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            var signal = await NextSignalAsync(call, cancellationToken).ConfigureAwait(false);
            switch (signal)
            {
                case CallerEndedSignal:
                    placed.CancelledByUs = true;
                    await placed.HangUpAsync().ConfigureAwait(false);
                    await placed.Media.DisposeAsync().ConfigureAwait(false);
                    throw new CallerHungUpException();
                case TimerSignal { Kind: "ring-timeout" } when placed.AnsweredAt is null:
                    placed.CancelledByUs = true;
                    await placed.HangUpAsync().ConfigureAwait(false);
                    await placed.Media.DisposeAsync().ConfigureAwait(false);
                    return new TransferResult(false, "no answer");
                case LegSignal { Answered: false } ended when ended.Leg == placed:
                    await placed.Media.DisposeAsync().ConfigureAwait(false);
                    return new TransferResult(false, placed.FinalStatus is { } code ? $"{code} {Reason(code)}" : "failed");
                case LegSignal { Answered: true } answered when answered.Leg == placed:
                    call.Status = CallStatus.Transferred;
                    await ConnectUntilEndAsync(call, placed, cancellationToken).ConfigureAwait(false);
                    return new TransferResult(true, null);
                case HoldSignal or TransferSignal or MonitorSignal:
                    Refuse(signal, "the call is being transferred");
                    break;
            }
        }
    }

    /// <summary>The caller waits in <paramref name="queue"/> as item <paramref name="itemId"/> until served, overflowed or gone.</summary>
    private async Task<QueueOutcome> WaitInQueueAsync(
        ContactCall call, QueueTransferRequest request, string queue, string itemId, TimeSpan? overflowAfter, CancellationToken cancellationToken)
    {
        var ringing = new Dictionary<(Guid Offer, string Agent), AgentLeg>();
        var ringTime = TimeSpan.Zero;
        ITimer? overflow = null;
        ITimer? announce = null;
        _callsByItem[itemId] = call;
        call.Queue = queue;
        call.Phase = ActiveCallPhase.Queued;
        StartHold(call, request.Prompt);
        try
        {
            var enqueued = await _routing.SendAsync(
                new Enqueue(new WorkItem
                {
                    Id = itemId,
                    Queue = queue,
                    Priority = request.Priority,
                    RequiredSkills = [.. request.Skills.Select(s => new SkillRequirement(s, 1))],
                    Attributes = request.AttachedData,
                    CustomerId = call.From,
                }),
                cancellationToken).ConfigureAwait(false);
            if (!enqueued.Succeeded)
            {
                return enqueued.Error == RoutingError.UnknownQueue ? QueueOutcome.Failure : QueueOutcome.Overflowed(false, 0, TimeSpan.Zero);
            }

            var position = await _routing.GetPositionAsync(itemId, cancellationToken).ConfigureAwait(false);
            var initialPosition = position?.Position ?? 1;
            var expectedWait = position?.ExpectedWait ?? TimeSpan.Zero;
            Publish(ContactCenterEventTypes.CallQueued, ContactCenterEventCategory.Call, new()
            {
                ["callId"] = call.Id,
                ["queue"] = queue,
                ["position"] = initialPosition,
                ["expectedWaitSeconds"] = expectedWait.TotalSeconds,
            });
            if (overflowAfter is { } after)
            {
                overflow = _time.CreateTimer(static s => QueueTimerFired(s!, "overflow"), (call, itemId), after, Timeout.InfiniteTimeSpan);
            }

            if (_options.Hold.AnnouncementInterval > TimeSpan.Zero)
            {
                var every = _options.Hold.AnnouncementInterval;
                announce = _time.CreateTimer(static s => QueueTimerFired(s!, "announce"), (call, itemId), every, every);
            }

            while (true)
            {
                var signal = await NextSignalAsync(call, cancellationToken).ConfigureAwait(false);
                switch (signal)
                {
                    case RoutingSignal routed when routed.ItemId != itemId:
                    case TimerSignal { ItemId: { } owner } when owner != itemId:
                        // Left over from the item this call had in its previous queue: the ItemExited of its withdrawal
                        // on overflow or transfer, or a timer that fired as it left.
                        break;

                    case CallerEndedSignal:
                        call.HangupParty = HangupParty.Caller;
                        call.Status = ringing.Count > 0 ? CallStatus.AbandonedWhileRinging : CallStatus.AbandonedInQueue;
                        call.QueueExitedAt ??= _time.GetUtcNow();
                        await _routing.SendAsync(new Abandon(itemId), CancellationToken.None).ConfigureAwait(false);
                        return QueueOutcome.CallOver;

                    case RoutingSignal { Event: ItemOffered offer }:
                        foreach (var agentId in offer.AgentIds)
                        {
                            var placed = await RingAgentAsync(call, offer.OfferId, agentId, queue, request.AttachedData).ConfigureAwait(false);
                            if (placed is null)
                            {
                                await _routing.SendAsync(new Reject(offer.OfferId, agentId), CancellationToken.None).ConfigureAwait(false);
                                continue;
                            }

                            ringing[(offer.OfferId, agentId)] = placed;
                            call.Phase = ActiveCallPhase.RingingAgent;
                            Publish(ContactCenterEventTypes.CallOffered, ContactCenterEventCategory.Call, new() { ["callId"] = call.Id, ["agentId"] = agentId, ["queue"] = queue });
                        }

                        break;

                    case RoutingSignal { Event: OfferTimedOut timedOut }:
                        foreach (var agentId in timedOut.AgentIds)
                        {
                            if (ringing.Remove((timedOut.OfferId, agentId), out var leg))
                            {
                                ringTime += _time.GetUtcNow() - leg.StartedAt;
                                await CancelLegAsync(leg).ConfigureAwait(false);
                                call.Status = CallStatus.AgentDidNotAnswer;
                            }
                        }

                        call.Phase = ringing.Count > 0 ? ActiveCallPhase.RingingAgent : ActiveCallPhase.Queued;
                        break;

                    case RoutingSignal { Event: OfferCancelled cancelled }:
                        if (ringing.Remove((cancelled.OfferId, cancelled.AgentId), out var withdrawn))
                        {
                            await CancelLegAsync(withdrawn).ConfigureAwait(false);
                        }

                        call.Phase = ringing.Count > 0 ? ActiveCallPhase.RingingAgent : ActiveCallPhase.Queued;
                        break;

                    case RoutingSignal { Event: ItemEscalated escalated }:
                        call.Queue = queue = escalated.ToQueue;
                        break;

                    case RoutingSignal { Event: ItemExited exited }:
                        foreach (var leg in ringing.Values)
                        {
                            await CancelLegAsync(leg).ConfigureAwait(false);
                        }

                        ringing.Clear();
                        _ = exited;
                        return QueueOutcome.Overflowed(false, initialPosition, expectedWait) with { RingDuration = ringTime };

                    case LegSignal { Answered: false } failed:
                        if (ringing.Remove((failed.Leg.OfferId, failed.Leg.AgentId!)))
                        {
                            ringTime += _time.GetUtcNow() - failed.Leg.StartedAt;
                            await failed.Leg.Media.DisposeAsync().ConfigureAwait(false);
                            if (!failed.Leg.CancelledByUs)
                            {
                                // Declined, busy or unreachable: the item goes back to the head of the queue for others.
                                await _routing.SendAsync(new Reject(failed.Leg.OfferId, failed.Leg.AgentId!), CancellationToken.None).ConfigureAwait(false);
                                call.Status = CallStatus.AgentDidNotAnswer;
                            }
                        }

                        call.Phase = ringing.Count > 0 ? ActiveCallPhase.RingingAgent : ActiveCallPhase.Queued;
                        break;

                    case LegSignal { Answered: true } answered:
                        var key = (answered.Leg.OfferId, answered.Leg.AgentId!);
                        if (!ringing.Remove(key))
                        {
                            await CancelLegAsync(answered.Leg).ConfigureAwait(false);
                            break;
                        }

                        var accepted = await _routing.SendAsync(new Accept(answered.Leg.OfferId, answered.Leg.AgentId!), CancellationToken.None).ConfigureAwait(false);
                        if (!accepted.Succeeded)
                        {
                            await CancelLegAsync(answered.Leg).ConfigureAwait(false);
                            break;
                        }

                        ringTime += _time.GetUtcNow() - answered.Leg.StartedAt;
                        foreach (var other in ringing.Values)
                        {
                            await CancelLegAsync(other).ConfigureAwait(false);
                        }

                        ringing.Clear();
                        overflow?.Dispose();
                        overflow = null;
                        announce?.Dispose();
                        announce = null;
                        var talk = await TalkAsync(call, answered.Leg, itemId, cancellationToken).ConfigureAwait(false);
                        while (talk is { Kind: QueueOutcomeKind.Handover, NextLeg: { } next })
                        {
                            talk = await TalkAsync(call, next, itemId, cancellationToken).ConfigureAwait(false);
                        }

                        return talk with { InitialPosition = initialPosition, ExpectedWait = expectedWait, RingDuration = ringTime };

                    case TimerSignal { Kind: "overflow" }:
                        var withdrawal = await _routing.SendAsync(new Withdraw(itemId, "overflow"), CancellationToken.None).ConfigureAwait(false);
                        if (!withdrawal.Succeeded)
                        {
                            break; // already assigned: the answer signal follows
                        }

                        foreach (var leg in ringing.Values)
                        {
                            await CancelLegAsync(leg).ConfigureAwait(false);
                        }

                        ringing.Clear();
                        return QueueOutcome.Overflowed(true, initialPosition, expectedWait) with { RingDuration = ringTime };

                    case TimerSignal { Kind: "announce" }:
                        if (ringing.Count == 0)
                        {
                            // Spoken off the call's loop: an offer arriving meanwhile rings the agent without waiting for speech.
                            Track(PrepareAnnouncementAsync(call, itemId));
                        }

                        break;

                    case AnnouncementSignal announcement when announcement.ItemId == itemId:
                        if (ringing.Count == 0)
                        {
                            PlayAnnouncement(call, announcement.Clip);
                        }

                        break;

                    case TransferSignal { Target.Kind: CallTransferKind.Queue } move when _queues.Exists(move.Target.Destination):
                        var moved = await _routing.SendAsync(new Withdraw(itemId, "transferred"), CancellationToken.None).ConfigureAwait(false);
                        if (!moved.Succeeded)
                        {
                            move.Done.TrySetException(new CallControlException(CallControlError.InvalidState, $"the call cannot leave queue {queue} now: {moved.Message}"));
                            break;
                        }

                        foreach (var leg in ringing.Values)
                        {
                            await CancelLegAsync(leg).ConfigureAwait(false);
                        }

                        ringing.Clear();
                        move.Done.TrySetResult();
                        return QueueOutcome.MoveTo(move.Target.Destination);

                    case HoldSignal or TransferSignal or MonitorSignal:
                        Refuse(signal, $"the call is waiting in queue {queue}");
                        break;
                }
            }
        }
        catch
        {
            // A failure here (an agent directory error while ringing, say) must not leave the item in Routing, where it
            // would be offered to agents whose phones nobody rings. Withdrawing an item already gone does nothing.
            try
            {
                await _routing.SendAsync(new Withdraw(itemId, "error"), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // Routing is stopping: the item goes with it.
            }

            throw;
        }
        finally
        {
            overflow?.Dispose();
            announce?.Dispose();
            foreach (var leg in ringing.Values)
            {
                await CancelLegAsync(leg).ConfigureAwait(false);
            }

            StopHold(call);
            _callsByItem.TryRemove(itemId, out _);
        }
    }

    /// <summary>Tells the call that a timer set for one of its work items (state: the call and the item id) fired.</summary>
    private static void QueueTimerFired(object state, string kind)
    {
        var (call, itemId) = ((ContactCall, string))state;
        call.Signals.Writer.TryWrite(new TimerSignal(kind, itemId));
    }

    /// <summary>Caller and agent talk until one hangs up or call control moves the caller on.</summary>
    private async Task<QueueOutcome> TalkAsync(ContactCall call, AgentLeg leg, string itemId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        leg.AnsweredAt ??= now;
        call.AgentAnsweredAt ??= now;
        call.QueueExitedAt ??= now;
        call.AgentId = leg.AgentId;
        call.Status = null;
        HostingLog.AgentConnected(_logger, call.Id, leg.AgentId!);
        Publish(ContactCenterEventTypes.CallConnected, ContactCenterEventCategory.Call, new() { ["callId"] = call.Id, ["agentId"] = leg.AgentId, ["queue"] = call.Queue });
        var session = new ConnectedSession(this, call, leg);
        var pendingSupervisors = new Dictionary<AgentLeg, (string Id, MonitorMode Mode)>();
        var completed = false;
        call.Session = session;
        try
        {
            if (!await AnswerCallerAsync(call).ConfigureAwait(false))
            {
                call.HangupParty = HangupParty.Caller;
                await leg.HangUpAsync().ConfigureAwait(false);
                return QueueOutcome.CallOver;
            }

            session.Bridge();
            session.StartRecording();
            while (true)
            {
                var signal = await NextSignalAsync(call, cancellationToken).ConfigureAwait(false);
                switch (signal)
                {
                    case ConnectedLegEnded ended when ended.Leg == leg:
                        call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.Agent : call.HangupParty;
                        await CompleteAsync(itemId).ConfigureAwait(false);
                        completed = true;
                        return QueueOutcome.Served(_time.GetUtcNow() - leg.AnsweredAt!.Value);

                    case CallerEndedSignal:
                        call.HangupParty = HangupParty.Caller;
                        await leg.HangUpAsync().ConfigureAwait(false);
                        await CompleteAsync(itemId).ConfigureAwait(false);
                        completed = true;
                        call.Status = CallStatus.NormalEnd;
                        return QueueOutcome.CallOver;

                    case HoldSignal hold:
                        session.SetHold(hold.Hold);
                        hold.Done.TrySetResult();
                        break;

                    case MonitorSignal monitor:
                        if (session.ChangeMode(monitor.SupervisorId, monitor.Mode) || pendingSupervisors.Values.Any(p => p.Id == monitor.SupervisorId))
                        {
                            SetMonitor(call, monitor.SupervisorId, monitor.Mode);
                            monitor.Done.TrySetResult();
                            break;
                        }

                        var supervisorLeg = await RingSupervisorAsync(call, monitor.SupervisorId).ConfigureAwait(false);
                        if (supervisorLeg.Leg is null)
                        {
                            monitor.Done.TrySetException(new CallControlException(CallControlError.Unavailable, supervisorLeg.Problem ?? "the supervisor cannot be reached"));
                            break;
                        }

                        pendingSupervisors[supervisorLeg.Leg] = (monitor.SupervisorId, monitor.Mode);
                        SetMonitor(call, monitor.SupervisorId, monitor.Mode);
                        monitor.Done.TrySetResult();
                        break;

                    case LegSignal { Answered: true } joined when pendingSupervisors.Remove(joined.Leg, out var wanted):
                        session.Join(joined.Leg, call.Monitors.GetValueOrDefault(wanted.Id, wanted.Mode));
                        break;

                    case LegSignal { Answered: false } missed when pendingSupervisors.Remove(missed.Leg, out var gone):
                        SetMonitor(call, gone.Id, null);
                        await missed.Leg.Media.DisposeAsync().ConfigureAwait(false);
                        break;

                    case ConnectedLegEnded supervisor when supervisor.Leg.Role == "supervisor":
                        session.RemoveMonitor(supervisor.Leg);
                        SetMonitor(call, supervisor.Leg.AgentId!, null);
                        await supervisor.Leg.Media.DisposeAsync().ConfigureAwait(false);
                        break;

                    case TransferSignal { Target.Kind: CallTransferKind.Number or CallTransferKind.Agent } handOver:
                        // The agent stays on the call until the target answers, so a failed transfer leaves the caller with somebody.
                        if (await HandOverAsync(call, session, leg, itemId, handOver, cancellationToken).ConfigureAwait(false) is { } handedOver)
                        {
                            completed = true;
                            return handedOver;
                        }

                        break;

                    case TransferSignal transfer:
                        leg.CancelledByUs = true;
                        await leg.HangUpAsync().ConfigureAwait(false);
                        await CompleteAsync(itemId).ConfigureAwait(false);
                        completed = true;
                        session.Dispose();
                        transfer.Done.TrySetResult();
                        return QueueOutcome.MoveTo(transfer.Target.Destination);
                }
            }
        }
        finally
        {
            if (!completed)
            {
                await CompleteAsync(itemId).ConfigureAwait(false);
            }

            var supervisors = session.Supervisors.Concat(pendingSupervisors.Keys).ToList();
            session.Dispose();
            foreach (var supervisor in supervisors)
            {
                await CancelLegAsync(supervisor).ConfigureAwait(false);
                SetMonitor(call, supervisor.AgentId!, null);
            }

            await session.FinishRecordingAsync().ConfigureAwait(false);
            await leg.Media.DisposeAsync().ConfigureAwait(false);
            if (leg.OfferId == Guid.Empty)
            {
                // Reached by a transfer, not offered by Routing: the agent was reserved (NotReady "transfer") until now.
                await WrapUpTransferAgentAsync(leg.AgentId!, call.Queue).ConfigureAwait(false);
            }

            call.Connected = null;
            call.Session = null;
            call.Phase = ActiveCallPhase.Ivr;
        }
    }

    /// <summary>
    /// A blind transfer out of a conversation to a number or a named agent: the target rings (at most
    /// <see cref="ContactCenterOptions.TransferRingTimeout"/>) while the caller is on hold, and the agent is released only
    /// once it answers; then the caller is bridged to the number, or talks with the new agent as with the first.
    /// When the target cannot be reached or does not answer, the request fails and the caller is back with the agent, or
    /// back in the queue when the agent hung up meanwhile. Null: the transfer failed and the conversation goes on.
    /// </summary>
    private async Task<QueueOutcome?> HandOverAsync(
        ContactCall call, ConnectedSession session, AgentLeg agent, string itemId, TransferSignal transfer, CancellationToken cancellationToken)
    {
        var toAgent = transfer.Target.Kind == CallTransferKind.Agent;
        var placed = toAgent
            ? await RingTransferAgentAsync(call, transfer.Target.Destination).ConfigureAwait(false)
            : await DialNumberAsync(call, "transfer", transfer.Target.Destination, call.From, []).ConfigureAwait(false);
        if (placed.Leg is not { } target)
        {
            transfer.Done.TrySetException(new CallControlException(CallControlError.Unavailable, placed.Problem ?? "the target cannot be reached"));
            return null;
        }

        var wasHeld = call.Phase == ActiveCallPhase.Held;
        var agentGone = false;
        session.SetHold(true);
        using var ring = _time.CreateTimer(static s => QueueTimerFired(s!, "transfer-ring"), (call, itemId), _options.TransferRingTimeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            string? failure = null;
            var signal = await NextSignalAsync(call, cancellationToken).ConfigureAwait(false);
            switch (signal)
            {
                case CallerEndedSignal:
                    call.HangupParty = HangupParty.Caller;
                    call.Status = CallStatus.NormalEnd;
                    transfer.Done.TrySetException(new CallControlException(CallControlError.InvalidState, "the caller hung up during the transfer"));
                    await CancelLegAsync(target).ConfigureAwait(false);
                    await ReleaseTransferAgentAsync(target, noAnswer: false).ConfigureAwait(false);
                    await agent.HangUpAsync().ConfigureAwait(false);
                    await CompleteAsync(itemId).ConfigureAwait(false);
                    return QueueOutcome.CallOver;

                case ConnectedLegEnded ended when ended.Leg == agent:
                    // The agent moved on (as after any blind transfer): wrap-up starts; the caller keeps waiting for the target.
                    agentGone = true;
                    await CompleteAsync(itemId).ConfigureAwait(false);
                    break;

                case LegSignal { Answered: true } answered when answered.Leg == target:
                    agent.CancelledByUs = true;
                    await agent.HangUpAsync().ConfigureAwait(false);
                    await CompleteAsync(itemId).ConfigureAwait(false);
                    session.Dispose();
                    transfer.Done.TrySetResult();
                    if (toAgent)
                    {
                        return QueueOutcome.TalkTo(target);
                    }

                    call.Status = CallStatus.Transferred;
                    await ConnectUntilEndAsync(call, target, cancellationToken).ConfigureAwait(false);
                    return QueueOutcome.CallOver;

                case LegSignal { Answered: false } failed when failed.Leg == target:
                    await target.Media.DisposeAsync().ConfigureAwait(false);
                    failure = target.FinalStatus is { } code ? $"{code} {Reason(code)}" : "the call failed";
                    break;

                case TimerSignal { Kind: "transfer-ring" }:
                    await CancelLegAsync(target).ConfigureAwait(false);
                    failure = string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.TransferRingTimeout.TotalSeconds:0.#} s");
                    break;

                case HoldSignal or TransferSignal or MonitorSignal:
                    Refuse(signal, "the call is being transferred");
                    break;
            }

            if (failure is null)
            {
                continue;
            }

            transfer.Done.TrySetException(new CallControlException(CallControlError.NotAnswered, $"{transfer.Target.Destination} did not take the call ({failure})"));
            await ReleaseTransferAgentAsync(target, noAnswer: signal is TimerSignal).ConfigureAwait(false);
            if (agentGone)
            {
                session.Dispose();
                return QueueOutcome.MoveTo(call.Queue!);
            }

            session.SetHold(wasHeld);
            return null;
        }
    }

    /// <summary>
    /// Rings a named agent's device for a transfer, whatever queues the agent is a member of: only when logged in and
    /// Available, and reserved meanwhile (NotReady, reason <c>transfer</c>) so Routing offers them nothing else.
    /// </summary>
    private async Task<PlacedLeg> RingTransferAgentAsync(ContactCall call, string agentId)
    {
        var agent = _agents.Find(agentId);
        if (agent?.Device is null)
        {
            return new PlacedLeg(null, $"agent '{agentId}' is not logged in to a device");
        }

        if (agent.State != nameof(AgentStatus.Available))
        {
            return new PlacedLeg(null, $"agent '{agentId}' is {agent.State}");
        }

        await TrySetAgentStateAsync(agentId, ready: false, "transfer").ConfigureAwait(false); // logged out meanwhile: the ring below finds no device
        var leg = await RingAgentAsync(call, Guid.Empty, agentId, call.Queue ?? "", new Dictionary<string, string>()).ConfigureAwait(false);
        return leg is null ? new PlacedLeg(null, $"agent '{agentId}' cannot be reached on their device") : new PlacedLeg(leg, null);
    }

    /// <summary>
    /// An agent reached by a transfer wraps up as after a routed call: NotReady <c>wrap-up</c> for the wrap-up time of
    /// the call's queue, then ready, unless the agent changed state meanwhile.
    /// </summary>
    private async Task WrapUpTransferAgentAsync(string agentId, string? queue)
    {
        var wrapUp = queue is null ? TimeSpan.Zero : _queues.Find(queue)?.WrapUp ?? TimeSpan.Zero;
        if (wrapUp <= TimeSpan.Zero)
        {
            await TrySetAgentStateAsync(agentId, ready: true, null).ConfigureAwait(false);
            return;
        }

        await TrySetAgentStateAsync(agentId, ready: false, TransferWrapUpReason).ConfigureAwait(false);
        Track(EndAsync());

        async Task EndAsync()
        {
            try
            {
                await Task.Delay(wrapUp, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopping: the agents go with the host
            }

            if (_agents.Find(agentId) is { State: "NotReady", Reason: TransferWrapUpReason })
            {
                await TrySetAgentStateAsync(agentId, ready: true, null).ConfigureAwait(false);
            }
        }
    }

    private const string TransferWrapUpReason = "wrap-up";

    /// <summary>After a transfer to an agent did not connect: ready again, or NotReady (<c>ring-no-answer</c>) as after a missed offer.</summary>
    private Task ReleaseTransferAgentAsync(AgentLeg target, bool noAnswer) =>
        target.Role == "agent" ? TrySetAgentStateAsync(target.AgentId!, ready: !noAnswer, noAnswer ? "ring-no-answer" : null) : Task.CompletedTask;

    private async Task TrySetAgentStateAsync(string agentId, bool ready, string? reason)
    {
        try
        {
            await _agents.SetStateAsync(agentId, ready, reason).ConfigureAwait(false);
        }
        catch (AgentDirectoryException)
        {
            // The agent logged out meanwhile.
        }
    }

    /// <summary>Bridges the caller to an answered leg (no agent, no routing) until one side hangs up; then hangs up the other.</summary>
    private async Task ConnectUntilEndAsync(ContactCall call, AgentLeg leg, CancellationToken cancellationToken)
    {
        leg.AnsweredAt ??= _time.GetUtcNow();
        var session = new ConnectedSession(this, call, leg);
        try
        {
            if (!await AnswerCallerAsync(call).ConfigureAwait(false))
            {
                call.HangupParty = HangupParty.Caller;
                await leg.HangUpAsync().ConfigureAwait(false);
                return;
            }

            session.Bridge();
            while (true)
            {
                var signal = await NextSignalAsync(call, cancellationToken).ConfigureAwait(false);
                switch (signal)
                {
                    case CallerEndedSignal:
                        call.HangupParty = HangupParty.Caller;
                        await leg.HangUpAsync().ConfigureAwait(false);
                        return;
                    case ConnectedLegEnded ended when ended.Leg == leg:
                        call.HangupParty = HangupParty.Agent;
                        await HangUpQuietlyAsync(call.Caller).ConfigureAwait(false);
                        return;
                    case HoldSignal hold:
                        session.SetHold(hold.Hold);
                        hold.Done.TrySetResult();
                        break;
                    case TransferSignal or MonitorSignal:
                        Refuse(signal, "the call is connected to an external party");
                        break;
                }
            }
        }
        finally
        {
            session.Dispose();
            await leg.Media.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers the caller's INVITE when the flow has not (its prompts may have played as early media, 183): at the latest
    /// when an agent or a transfer target answers, so nobody is bridged to an unanswered call. False when the caller is gone.
    /// </summary>
    private static async Task<bool> AnswerCallerAsync(ContactCall call)
    {
        if (call.Ivr is not { IsAnswered: false } channel)
        {
            return true;
        }

        try
        {
            await channel.AnswerAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is CallerHungUpException or SdpNegotiationException or SdpFormatException)
        {
            return false; // gone, or its offer was refused with 488: the call is over either way
        }
    }

    /// <summary>
    /// The call's next signal. When the IVR channel cancels the wait because the caller hung up, that is reported as
    /// <see cref="CallerEndedSignal"/> so the queue logic records the abandonment where it happened.
    /// </summary>
    private static async ValueTask<CallSignal> NextSignalAsync(ContactCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.Signals.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (call.CallerGone)
        {
            return new CallerEndedSignal();
        }
    }

    private async Task CompleteAsync(string itemId)
    {
        var result = await _routing.SendAsync(new Complete(itemId), CancellationToken.None).ConfigureAwait(false);
        _ = result; // UnknownItem when already completed: nothing to do.
    }

    /// <summary>Rings the agent's device for an offer; null when the agent has no reachable device.</summary>
    private async Task<AgentLeg?> RingAgentAsync(ContactCall call, Guid offerId, string agentId, string queue, IReadOnlyDictionary<string, string> attached)
    {
        var device = _agents.DeviceOf(agentId);
        if (device is null)
        {
            HostingLog.AgentUnreachable(_logger, call.Id, agentId, "not logged in to a device");
            return null;
        }

        var headers = new List<SipHeader>
        {
            new("X-CC-Call-Id", call.Id.ToString()),
            new("X-CC-Queue", queue),
            new("X-CC-Caller", HeaderSafe(call.From)),
        };
        foreach (var (name, value) in attached)
        {
            if (HeaderName(name) is { } header)
            {
                headers.Add(new SipHeader(header, HeaderSafe(value)));
            }
        }

        var placed = device.Kind == AgentDeviceKind.Extension
            ? await RingExtensionAsync(call, "agent", agentId, offerId, device.Address, headers, call.From).ConfigureAwait(false)
            : await DialNumberAsync(call, "agent", device.Address, call.From, headers, agentId, offerId).ConfigureAwait(false);
        if (placed.Leg is null)
        {
            HostingLog.AgentUnreachable(_logger, call.Id, agentId, placed.Problem ?? "unreachable");
            await _agents.SetStateAsync(agentId, ready: false, "device-unreachable").ConfigureAwait(false);
            return null;
        }

        HostingLog.RingingAgent(_logger, call.Id, agentId, placed.Leg.Target);
        return placed.Leg;
    }

    /// <summary>Calls an extension's registered contact.</summary>
    private Task<PlacedLeg> RingExtensionAsync(ContactCall call, string role, string? agentId, Guid offerId, string extension, IReadOnlyList<SipHeader> headers, string callerId)
    {
        var bindings = Registrar.Lookup(extension);
        var binding = bindings.Count > 0 ? bindings[0] : null;
        if (binding is null || binding.Contact is not SipUri contact)
        {
            return Task.FromResult(new PlacedLeg(null, $"extension {extension} is not registered"));
        }

        var destination = new SipDestination(binding.Source.Protocol, binding.Source.RemoteEndPoint);
        return Task.FromResult(PlaceLeg(call, role, agentId, offerId, contact, destination, callerId, headers, null));
    }

    /// <summary>Calls a number through the outbound trunk or group (the trunk manager applies limits, caller-ID rules and failover).</summary>
    private Task<PlacedLeg> DialNumberAsync(
        ContactCall call, string role, string number, string callerId, IReadOnlyList<SipHeader> headers, string? agentId = null, Guid offerId = default, string? trunk = null)
    {
        var digits = PhoneNumbers.Normalize(number);
        if (digits.Length == 0)
        {
            return Task.FromResult(new PlacedLeg(null, $"'{number}' is not a phone number"));
        }

        trunk ??= _options.EffectiveOutboundTrunk;
        if (_trunks is null || trunk is null)
        {
            HostingLog.NoTrunk(_logger, call.Id, number, "no trunk is configured");
            return Task.FromResult(new PlacedLeg(null, "no trunk is configured for outbound calls (ContactCenter:Trunks)"));
        }

        CallMedia media;
        try
        {
            media = CallMedia.Open(Media);
        }
        catch (InvalidOperationException e)
        {
            return Task.FromResult(new PlacedLeg(null, e.Message));
        }

        var leg = new AgentLeg(role, agentId, offerId, digits, media, _time.GetUtcNow());
        var offer = media.Offer();
        Track(PlaceThroughTrunkAsync(call, leg, trunk, digits, callerId, headers, offer));
        return Task.FromResult(new PlacedLeg(leg, null));
    }

    private async Task PlaceThroughTrunkAsync(ContactCall call, AgentLeg leg, string trunk, string number, string callerId, IReadOnlyList<SipHeader> headers, byte[] offer)
    {
        SipCall sip;
        try
        {
            sip = await _trunks!.CallAsync(
                trunk,
                number,
                new SipTrunkCallOptions { CallerId = UserPart(callerId), DisplayName = callerId, Sdp = offer, Headers = headers },
                leg.Placing).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTrunkUnavailableException or OperationCanceledException)
        {
            if (e is SipTrunkUnavailableException)
            {
                HostingLog.NoTrunk(_logger, call.Id, number, e.Message);
            }

            leg.FailureStatus = e is OperationCanceledException ? 487 : 503;
            call.Signals.Writer.TryWrite(new LegSignal(leg, Answered: false));
            return;
        }

        leg.Attach(sip);
        call.AddLeg(new ContactCenter.Hosting.Storage.CallLeg(leg.Role, callerId, $"{number} via {trunk}", leg.StartedAt, SipCallId: sip.CallId));
        SipCallStates.Follow(sip, state => OnLegStateChanged(call, leg, state));
    }

    private PlacedLeg PlaceLeg(
        ContactCall call, string role, string? agentId, Guid offerId, SipUri target, SipDestination destination, string callerId,
        IReadOnlyList<SipHeader> headers, (string, string)? credentials)
    {
        CallMedia media;
        try
        {
            media = CallMedia.Open(Media);
        }
        catch (InvalidOperationException e)
        {
            return new PlacedLeg(null, e.Message);
        }

        var host = _options.Sip.AdvertisedHost ?? (SipEndPoints.Count > 0 ? SipEndPoints[0].EndPoint.Address.ToString() : null) ?? "127.0.0.1";
        var from = SipUri.Parse($"sip:{UserPart(callerId)}@{host}");
        var sip = UserAgent.Call(new SipCallRequest
        {
            Target = target,
            Destination = destination,
            From = from,
            FromDisplayName = callerId,
            Sdp = media.Offer(),
            Headers = headers,
            Credentials = credentials,
        });
        var leg = new AgentLeg(role, agentId, offerId, target.ToString(), media, _time.GetUtcNow());
        leg.Attach(sip);
        call.AddLeg(new ContactCenter.Hosting.Storage.CallLeg(role, callerId, target.ToString(), leg.StartedAt, SipCallId: sip.CallId));
        // The phone may have answered already (the INVITE left inside Call): Follow reports that too.
        SipCallStates.Follow(sip, state => OnLegStateChanged(call, leg, state));

        return new PlacedLeg(leg, null);
    }

    private void OnLegStateChanged(ContactCall call, AgentLeg leg, SipCallState state)
    {
        switch (state)
        {
            case SipCallState.Established when leg.AnsweredAt is null && !leg.Signalled:
                try
                {
                    leg.Media.AcceptAnswer(leg.Call!.RemoteSdp);
                }
                catch (Exception e) when (e is SdpFormatException or SdpNegotiationException or InvalidOperationException)
                {
                    _ = leg.HangUpAsync();
                    return;
                }

                leg.Signalled = true;
                leg.AnsweredAt = _time.GetUtcNow();
                call.UpdateLeg(leg.Call!.CallId, l => l with { AnsweredAt = leg.AnsweredAt });
                call.Signals.Writer.TryWrite(new LegSignal(leg, Answered: true));
                break;
            case SipCallState.Terminated:
                call.UpdateLeg(leg.Call!.CallId, l => l with { EndedAt = _time.GetUtcNow() });
                call.Signals.Writer.TryWrite(leg.AnsweredAt is null ? new LegSignal(leg, Answered: false) : new ConnectedLegEnded(leg));
                break;
        }
    }

    private static async Task CancelLegAsync(AgentLeg leg)
    {
        leg.CancelledByUs = true;
        await leg.HangUpAsync().ConfigureAwait(false);
        await leg.Media.DisposeAsync().ConfigureAwait(false);
    }

    private void OnRoutingEvent(RoutingEvent e)
    {
        var itemId = e switch
        {
            ItemEnqueued x => x.ItemId,
            ItemRefused x => x.ItemId,
            ItemOffered x => x.ItemId,
            OfferAccepted x => x.ItemId,
            OfferRejected x => x.ItemId,
            OfferTimedOut x => x.ItemId,
            OfferCancelled x => x.ItemId,
            ItemAssigned x => x.ItemId,
            ItemAbandoned x => x.ItemId,
            ItemCompleted x => x.ItemId,
            ItemEscalated x => x.ItemId,
            ItemExited x => x.ItemId,
            _ => null,
        };
        if (itemId is not null && _callsByItem.TryGetValue(itemId, out var call))
        {
            call.Signals.Writer.TryWrite(new RoutingSignal(e, itemId));
        }

        if (e is AgentStatusChanged status)
        {
            Publish(ContactCenterEventTypes.AgentStateChanged, ContactCenterEventCategory.Agent, new()
            {
                ["agentId"] = status.AgentId,
                ["from"] = status.From.ToString(),
                ["to"] = status.To.ToString(),
                ["reason"] = status.Reason,
            });
        }
        else if (e is ItemEnqueued or ItemAssigned or ItemAbandoned or ItemExited or ItemCompleted or ItemOffered)
        {
            _queueStatisticsDue = true;
        }
    }

    private void StartHold(ContactCall call, IvrPrompt? first)
    {
        if (call.CallerMedia is not { } media)
        {
            return;
        }

        var music = HoldMusic();
        call.Hold = music;
        if (first?.AudioFile is { } file && TryClip(file) is { } clip)
        {
            PlayBeforeMusic(call, media, clip, music);
        }
        else
        {
            media.Rtp.Source = music;
        }
    }

    /// <summary>Plays <paramref name="clip"/> to the caller, then the hold music again unless the hold ended meanwhile.</summary>
    private static void PlayBeforeMusic(ContactCall call, CallMedia media, AudioClip clip, PromptPlayer music)
    {
        var player = PromptPlayer.Play(clip);
        media.Rtp.Source = player;
        _ = player.Completion.ContinueWith(
            _ =>
            {
                if (ReferenceEquals(media.Rtp.Source, player) && ReferenceEquals(call.Hold, music))
                {
                    media.Rtp.Source = music;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static void StopHold(ContactCall call)
    {
        if (call.CallerMedia is { } media && media.Rtp.Source is PromptPlayer player)
        {
            player.Stop();
            media.Rtp.Source = null;
        }

        call.Hold?.Stop();
        call.Hold = null;
    }

    /// <summary>Speaks the caller's position and expected wait, then hands the clip to the call's loop to play.</summary>
    private async Task PrepareAnnouncementAsync(ContactCall call, string itemId)
    {
        if (_speech is null || await _routing.GetPositionAsync(itemId).ConfigureAwait(false) is not { } position)
        {
            return;
        }

        var minutes = Math.Max(1, (int)Math.Ceiling(position.ExpectedWait.TotalMinutes));
        var text = string.Format(
            CultureInfo.InvariantCulture,
            "You are number {0} in the queue. Your expected wait is about {1} minute{2}.",
            position.Position,
            minutes,
            minutes == 1 ? "" : "s");
        try
        {
            var path = await _speech.SynthesizeAsync(text, _options.Flows.Voice, CancellationToken.None).ConfigureAwait(false);
            if (TryClip(path) is { } clip)
            {
                call.Signals.Writer.TryWrite(new AnnouncementSignal(clip, itemId));
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            HostingLog.AnnouncementFailed(_logger, call.Id, e);
        }
    }

    /// <summary>On the call's loop: plays <paramref name="clip"/> instead of the hold music, then the music again.</summary>
    private static void PlayAnnouncement(ContactCall call, AudioClip clip)
    {
        if (call.CallerMedia is { } media && call.Hold is { } music && ReferenceEquals(media.Rtp.Source, music))
        {
            PlayBeforeMusic(call, media, clip, music);
        }
    }

    private PromptPlayer HoldMusic()
    {
        if (_options.Hold.MusicFile is { } file && TryClip(file) is { } clip)
        {
            return PromptPlayer.HoldMusic(clip);
        }

        // A soft arpeggio with pauses, so a caller on hold knows the line is alive.
        PromptItem Note(double hz) => PromptItem.Tone(new ToneSpec([hz], TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(60), Cycles: 1, Amplitude: 1500));
        return new PromptPlayer([Note(523.25), Note(659.25), Note(783.99), Note(659.25), PromptItem.Silence(TimeSpan.FromSeconds(1.5))], loops: 0);
    }

    private AudioClip? TryClip(string path)
    {
        try
        {
            return Media.Prompts.Get(_options.PromptPath(path));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException or FormatException)
        {
            return null;
        }
    }

    private static void Refuse(CallSignal signal, string why)
    {
        var done = signal switch
        {
            HoldSignal h => h.Done,
            TransferSignal t => t.Done,
            MonitorSignal m => m.Done,
            _ => null,
        };
        done?.TrySetException(new CallControlException(CallControlError.InvalidState, why));
    }

    private static QueueTransferResult Failed(string queue) =>
        new(QueueTransferStatus.Failed, queue, null, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static string Reason(int code) => code switch
    {
        486 => "Busy Here",
        480 => "Temporarily Unavailable",
        408 => "Request Timeout",
        603 => "Decline",
        404 => "Not Found",
        487 => "Request Terminated",
        _ => "failed",
    };

    /// <summary>An attached-data key as an <c>X-</c> header name (letters, digits, dashes), or null when nothing usable is left.</summary>
    internal static string? HeaderName(string key)
    {
        var chars = key.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray();
        if (chars.Length == 0)
        {
            return null;
        }

        var name = new string(chars);
        return name.StartsWith("X-", StringComparison.OrdinalIgnoreCase) ? name : "X-" + char.ToUpperInvariant(name[0]) + name[1..];
    }

    private static string HeaderSafe(string value) =>
        new([.. value.Where(c => c >= ' ' && c != '\x7f').Take(256)]);

    private static string UserPart(string callerId)
    {
        var user = new string([.. callerId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.' or '_')]);
        return user.Length == 0 ? "anonymous" : user;
    }

    private volatile bool _queueStatisticsDue;

    private sealed record PlacedLeg(AgentLeg? Leg, string? Problem);
}

/// <summary>How a stay in one queue ended.</summary>
internal enum QueueOutcomeKind
{
    Completed,
    Overflow,
    Requeue,
    Failed,

    /// <summary>The call is over: the caller hung up, or a transfer to a number took it and has ended.</summary>
    Ended,

    /// <summary>A transfer to a named agent was answered: the caller talks with <see cref="QueueOutcome.NextLeg"/> now.</summary>
    Handover,
}

/// <summary>The result of one stay in a queue.</summary>
internal sealed record QueueOutcome(QueueOutcomeKind Kind)
{
    public static QueueOutcome Failure { get; } = new(QueueOutcomeKind.Failed);

    public static QueueOutcome CallOver { get; } = new(QueueOutcomeKind.Ended);

    public bool ByTimer { get; init; }

    public int InitialPosition { get; init; }

    public TimeSpan ExpectedWait { get; init; }

    public TimeSpan RingDuration { get; init; }

    public TimeSpan TalkDuration { get; init; }

    public string? NextQueue { get; init; }

    public AgentLeg? NextLeg { get; init; }

    public static QueueOutcome Overflowed(bool byTimer, int position, TimeSpan wait) =>
        new(QueueOutcomeKind.Overflow) { ByTimer = byTimer, InitialPosition = position, ExpectedWait = wait };

    public static QueueOutcome Served(TimeSpan talk) => new(QueueOutcomeKind.Completed) { TalkDuration = talk };

    public static QueueOutcome TalkTo(AgentLeg leg) => new(QueueOutcomeKind.Handover) { NextLeg = leg };

    public static QueueOutcome MoveTo(string queue) => new(QueueOutcomeKind.Requeue) { NextQueue = queue };
}
