using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// The dialer's call port over trunks: each campaign call is a contact-center call (listed, recorded when connected,
/// with a call record); progress goes back to the dialer through <see cref="OutboundCall"/>'s reports.
/// </summary>
internal sealed partial class ContactCenterRuntime : IOutboundCallPort
{
    private readonly ConcurrentDictionary<Guid, ContactCall> _outbound = new();
    private readonly ConcurrentDictionary<Guid, AgentLeg> _answeredCustomers = new();

    /// <summary>Raised when a campaign call that reached an agent has ended (call id, agent id): the agent's disposition is due.</summary>
    public event Action<Guid, string>? CampaignCallCompleted;

    public void Dial(OutboundCall outboundCall)
    {
        ArgumentNullException.ThrowIfNull(outboundCall);
        if (_draining || !IsRunning)
        {
            outboundCall.ReportFailed(CallOutcome.NetworkError);
            return;
        }

        var callerId = string.IsNullOrWhiteSpace(outboundCall.CallerId)
            ? _options.Trunks.FirstOrDefault()?.CallerId.Default ?? "anonymous"
            : outboundCall.CallerId;
        var call = new ContactCall(outboundCall.Id, CallDirection.Outbound, null, callerId, outboundCall.PhoneNumber, _time.GetUtcNow());
        _calls[call.Id] = call;
        _outbound[outboundCall.Id] = call;
        Track(RunOutboundAsync(call, outboundCall));
    }

    public void Connect(OutboundCall outboundCall, string agentId) => Post(outboundCall, new DialerSignal(DialerAction.Connect, agentId));

    public void PlayComplianceMessage(OutboundCall outboundCall, string prompt) => Post(outboundCall, new DialerSignal(DialerAction.Compliance, prompt));

    public void StartFlow(OutboundCall outboundCall, string flowId) => Post(outboundCall, new DialerSignal(DialerAction.Flow, flowId));

    public void HangUp(OutboundCall outboundCall) => Post(outboundCall, new DialerSignal(DialerAction.HangUp, null));

    private void Post(OutboundCall outboundCall, DialerSignal signal)
    {
        ArgumentNullException.ThrowIfNull(outboundCall);
        if (_outbound.TryGetValue(outboundCall.Id, out var call))
        {
            call.Signals.Writer.TryWrite(signal);
        }
    }

    private async Task RunOutboundAsync(ContactCall call, OutboundCall outboundCall)
    {
        Publish(ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, new()
        {
            ["callId"] = call.Id,
            ["direction"] = "outbound",
            ["from"] = call.From,
            ["to"] = call.To,
            ["campaignId"] = outboundCall.CampaignId,
        });
        AgentLeg? customer = null;
        AgentLeg? agent = null;
        ConnectedSession? session = null;
        var reported = false;
        try
        {
            var placed = await DialNumberAsync(call, "customer", outboundCall.PhoneNumber, call.From, [new SipHeader("X-CC-Campaign", outboundCall.CampaignId.ToString())]).ConfigureAwait(false);
            if (placed.Leg is not { } leg)
            {
                call.Status = CallStatus.SystemError;
                outboundCall.ReportFailed(CallOutcome.NetworkError);
                reported = true;
                return;
            }

            customer = leg;
            using var noAnswer = _time.CreateTimer(static s => ((ContactCall)s!).Signals.Writer.TryWrite(new TimerSignal("ring-timeout")), call, outboundCall.RingTimeout, Timeout.InfiniteTimeSpan);
            while (true)
            {
                var signal = await call.Signals.Reader.ReadAsync().ConfigureAwait(false);
                switch (signal)
                {
                    case TimerSignal { Kind: "ring-timeout" } when customer.AnsweredAt is null:
                        await customer.HangUpAsync().ConfigureAwait(false);
                        break;

                    case LegSignal { Answered: false } failed when failed.Leg == customer:
                        call.Status = CallStatus.NormalEnd;
                        outboundCall.ReportFailed(Outcome(customer.FinalStatus));
                        reported = true;
                        return;

                    case LegSignal { Answered: true } answered when answered.Leg == customer:
                        call.AnsweredAt = _time.GetUtcNow();
                        call.CallerMedia = customer.Media;
                        _answeredCustomers[outboundCall.Id] = customer;
                        outboundCall.ReportAnswered();
                        break;

                    case DialerSignal { Action: DialerAction.Connect } connect when customer.AnsweredAt is not null && agent is null:
                        var ring = await RingAgentDeviceAsync(call, connect.Argument!, outboundCall).ConfigureAwait(false);
                        if (ring is null)
                        {
                            // No device: the dialer's connect deadline runs out and it plays the compliance message.
                            break;
                        }

                        agent = ring;
                        break;

                    case LegSignal { Answered: true } agentAnswered when agentAnswered.Leg == agent:
                        call.AgentId = agent!.AgentId;
                        call.AgentAnsweredAt = _time.GetUtcNow();
                        session = new ConnectedSession(this, call, agent);
                        call.Session = session;
                        session.Bridge();
                        session.StartRecording();
                        Publish(ContactCenterEventTypes.CallConnected, ContactCenterEventCategory.Call, new() { ["callId"] = call.Id, ["agentId"] = agent.AgentId, ["campaignId"] = outboundCall.CampaignId });
                        break;

                    case LegSignal { Answered: false } agentMissed when agentMissed.Leg == agent:
                        await agent!.Media.DisposeAsync().ConfigureAwait(false);
                        agent = null;
                        break;

                    case MachineMessageSignal message when customer.AnsweredAt is not null && agent is null && customer.Call is { } machine:
                        // Inline: the dialer's hang-up for the machine (queued behind this) is carried out once the message is left.
                        await LeaveMachineMessageAsync(call, customer, machine, message).ConfigureAwait(false);
                        break;

                    case DialerSignal { Action: DialerAction.Compliance } compliance when customer.AnsweredAt is not null:
                        await PlayThenHangUpAsync(call, customer, compliance.Argument!).ConfigureAwait(false);
                        break;

                    case DialerSignal { Action: DialerAction.Flow } flow when customer.AnsweredAt is not null && agent is null && customer.Call is { } customerCall:
                        // Agentless: the flow owns the customer until it ends; the dialer resolves the attempt at the hang-up,
                        // whatever happened in the flow (a failure is logged below, and the attempt is not left open).
                        try
                        {
                            await RunAgentlessFlowAsync(call, customer, customerCall, flow.Argument ?? "", outboundCall).ConfigureAwait(false);
                        }
                        finally
                        {
                            if (customerCall.State != SipCallState.Terminated)
                            {
                                call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.System : call.HangupParty;
                                await customer.HangUpAsync().ConfigureAwait(false);
                            }

                            outboundCall.ReportHangUp();
                            reported = true;
                        }

                        return;

                    case DialerSignal { Action: DialerAction.HangUp }:
                        call.HangupParty = HangupParty.System;
                        await customer.HangUpAsync().ConfigureAwait(false);
                        if (agent is not null)
                        {
                            await agent.HangUpAsync().ConfigureAwait(false);
                        }

                        break;

                    case ConnectedLegEnded ended when ended.Leg == customer:
                        call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.Caller : call.HangupParty;
                        if (agent is not null)
                        {
                            await agent.HangUpAsync().ConfigureAwait(false);
                        }

                        call.Status ??= CallStatus.NormalEnd; // not when we hung up (no agent: NoAgentAvailable)
                        outboundCall.ReportHangUp();
                        reported = true;
                        return;

                    case ConnectedLegEnded ended when ended.Leg == agent:
                        call.HangupParty = HangupParty.Agent;
                        await customer.HangUpAsync().ConfigureAwait(false);
                        break;

                    case HoldSignal hold when session is not null:
                        session.SetHold(hold.Hold);
                        hold.Done.TrySetResult();
                        break;

                    case HoldSignal or TransferSignal or MonitorSignal:
                        Refuse(signal, "this campaign call cannot do that now");
                        break;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            HostingLog.CallFailed(_logger, call.Id, e);
            call.Status = CallStatus.SystemError;
            if (!reported)
            {
                outboundCall.ReportFailed(CallOutcome.NetworkError);
            }
        }
        finally
        {
            session?.Dispose();
            if (session is not null)
            {
                await session.FinishRecordingAsync().ConfigureAwait(false);
            }

            if (agent is not null)
            {
                await agent.HangUpAsync().ConfigureAwait(false);
                await agent.Media.DisposeAsync().ConfigureAwait(false);
            }

            if (customer is not null)
            {
                await customer.Media.DisposeAsync().ConfigureAwait(false);
            }

            _outbound.TryRemove(outboundCall.Id, out _);
            _answeredCustomers.TryRemove(outboundCall.Id, out _);
            await FinishAsync(call).ConfigureAwait(false);
            if (call.AgentAnsweredAt is not null && call.AgentId is { } agentId)
            {
                CampaignCallCompleted?.Invoke(outboundCall.Id, agentId);
            }
        }
    }

    /// <summary>
    /// Runs an agentless campaign's flow over the answered customer leg, as an inbound call's flow runs: prompts, digits
    /// (RFC 4733, SIP INFO), recordings, and the flow's ends (hang up, queue to agents, transfer). The customer becomes
    /// the call's caller, so the queue and transfer logic and the call record treat them as an inbound caller. A flow
    /// that cannot be resolved is logged and the customer hung up. Returns once the flow is over and the customer gone.
    /// </summary>
    private async Task RunAgentlessFlowAsync(ContactCall call, AgentLeg customer, SipCall customerCall, string flowId, OutboundCall outboundCall)
    {
        CompiledFlow? flow = null;
        string problem;
        try
        {
            flow = await _flows.ResolveAsync(FlowReference.Parse(flowId)).ConfigureAwait(false);
            problem = "no such flow is published";
        }
#pragma warning disable CA1031 // Whatever keeps the flow from loading (bad id, storage down), the call is ended and the attempt closed.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            problem = e.Message;
        }

        if (flow is null)
        {
            HostingLog.AgentlessFlowUnavailable(_logger, outboundCall.CampaignId, call.Id, flowId, problem);
            call.Status = CallStatus.SystemError;
            call.HangupParty = HangupParty.System;
            await customer.HangUpAsync().ConfigureAwait(false);
            return;
        }

        HostingLog.AgentlessFlowStarted(_logger, outboundCall.CampaignId, call.Id, flowId);
        call.AdoptCustomer(customerCall);

        // From now on call control (hang up, hold, transfer) and shutdown treat the customer as an inbound caller.
        _outbound.TryRemove(outboundCall.Id, out _);
        customerCall.StateChanged += (_, state) =>
        {
            if (state == SipCallState.Terminated)
            {
                call.Signals.Writer.TryWrite(new CallerEndedSignal());
            }
        };
        if (customerCall.State == SipCallState.Terminated)
        {
            call.Signals.Writer.TryWrite(new CallerEndedSignal());
        }

        call.Phase = ActiveCallPhase.Ivr;
        var channel = CreateIvrChannel(call);
        try
        {
            var result = await _interpreter.RunAsync(
                flow,
                channel,
                new IvrCallInfo
                {
                    CallerNumber = outboundCall.PhoneNumber,
                    CalledNumber = call.From,
                    SessionId = call.Id,
                    Variables = ContactVariables(outboundCall),
                }).ConfigureAwait(false);
            Conclude(call, result);
        }
        finally
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What an agentless flow may know of the contact (the flow declares the ones it uses among its variables):
    /// <c>campaign_id</c>, <c>contact_phone</c>, <c>contact_name</c> and every custom CSV field as <c>contact_&lt;field&gt;</c>.
    /// </summary>
    private static Dictionary<string, string> ContactVariables(OutboundCall outboundCall)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["campaign_id"] = outboundCall.CampaignId.ToString(),
            ["contact_phone"] = outboundCall.PhoneNumber,
        };
        if (outboundCall.Contact.Name is { } name)
        {
            variables["contact_name"] = name;
        }

        foreach (var (key, value) in outboundCall.Contact.Fields)
        {
            variables.TryAdd("contact_" + key, value);
        }

        return variables;
    }

    /// <summary>
    /// The answered customer leg of a campaign call in progress, for answering-machine detection; false when the call
    /// is unknown, over, or not answered.
    /// </summary>
    internal bool TryGetAnsweredCustomer(Guid outboundCallId, [NotNullWhen(true)] out CallMedia? media, [NotNullWhen(true)] out SipCall? customer)
    {
        if (_answeredCustomers.TryGetValue(outboundCallId, out var leg) && leg.Call is { State: not SipCallState.Terminated } call)
        {
            media = leg.Media;
            customer = call;
            return true;
        }

        media = null;
        customer = null;
        return false;
    }

    /// <summary>Rings the reserved agent's device for an answered campaign call; null when the agent has none.</summary>
    private async Task<AgentLeg?> RingAgentDeviceAsync(ContactCall call, string agentId, OutboundCall outboundCall)
    {
        var device = _agents.DeviceOf(agentId);
        if (device is null)
        {
            HostingLog.AgentUnreachable(_logger, call.Id, agentId, "not logged in to a device");
            return null;
        }

        IReadOnlyList<SipHeader> headers =
        [
            new("X-CC-Call-Id", call.Id.ToString()),
            new("X-CC-Campaign", outboundCall.CampaignId.ToString()),
            new("X-CC-Contact", HeaderSafe(outboundCall.Contact.Name ?? outboundCall.PhoneNumber)),
        ];
        var placed = device.Kind == AgentDeviceKind.Extension
            ? await RingExtensionAsync(call, "agent", agentId, Guid.Empty, device.Address, headers, outboundCall.PhoneNumber).ConfigureAwait(false)
            : await DialNumberAsync(call, "agent", device.Address, outboundCall.PhoneNumber, headers, agentId).ConfigureAwait(false);
        if (placed.Leg is null)
        {
            HostingLog.AgentUnreachable(_logger, call.Id, agentId, placed.Problem ?? "unreachable");
        }

        return placed.Leg;
    }

    /// <summary>
    /// Asks the call's loop to leave <paramref name="prompt"/> on the answering machine of a campaign call: after
    /// <paramref name="silence"/> of quiet (the beep is over; at most <paramref name="maximumWait"/>) the prompt plays,
    /// and only then is the dialer's hang-up carried out. False when the call is no longer in progress.
    /// </summary>
    internal bool LeaveMachineMessage(Guid outboundCallId, string prompt, TimeSpan silence, TimeSpan maximumWait, double silenceThreshold)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        return _outbound.TryGetValue(outboundCallId, out var call)
            && call.Signals.Writer.TryWrite(new MachineMessageSignal(prompt, silence, maximumWait, silenceThreshold));
    }

    private async Task LeaveMachineMessageAsync(ContactCall call, AgentLeg customer, SipCall machine, MachineMessageSignal message)
    {
        var beep = new SilenceDetector(message.Silence, message.MaximumWait, message.SilenceThreshold);
        customer.Media.Rtp.AddSink(beep);
        try
        {
            if (await Task.WhenAny(beep.Completion, machine.Ended).ConfigureAwait(false) != beep.Completion)
            {
                return;
            }
        }
        finally
        {
            customer.Media.Rtp.RemoveSink(beep);
            beep.Stop();
        }

        var clip = await ResolveClipAsync(message.Prompt).ConfigureAwait(false);
        if (clip is null)
        {
            HostingLog.MachineMessageUnavailable(_logger, call.Id, message.Prompt.Length);
            return;
        }

        var player = PromptPlayer.Play(clip);
        customer.Media.Rtp.Source = player;
        try
        {
            await Task.WhenAny(player.Completion, machine.Ended).WaitAsync(clip.Duration + TimeSpan.FromSeconds(5), _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The media clock stalled; the hang-up that follows ends the message.
        }

        HostingLog.MachineMessageLeft(_logger, call.Id, (long)clip.Duration.TotalMilliseconds, (long)beep.Elapsed.TotalMilliseconds);
    }

    /// <summary>A WAV prompt, or text spoken by the text-to-speech engine; null when it cannot be played.</summary>
    private async Task<AudioClip?> ResolveClipAsync(string prompt) =>
        prompt.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ? TryClip(prompt)
        : _speech is null ? null
        : TryClip(await _speech.SynthesizeAsync(prompt, _options.Flows.Voice, CancellationToken.None).ConfigureAwait(false));

    private async Task PlayThenHangUpAsync(ContactCall call, AgentLeg customer, string prompt)
    {
        var clip = await ResolveClipAsync(prompt).ConfigureAwait(false);
        if (clip is not null)
        {
            var player = PromptPlayer.Play(clip);
            customer.Media.Rtp.Source = player;
            await player.Completion.WaitAsync(clip.Duration + TimeSpan.FromSeconds(5), _time).ConfigureAwait(false);
        }

        call.HangupParty = HangupParty.System;
        call.Status = CallStatus.NoAgentAvailable;
        await customer.HangUpAsync().ConfigureAwait(false);
    }

    private static CallOutcome Outcome(int? status) => status switch
    {
        486 or 600 => CallOutcome.Busy,
        404 or 484 or 604 => CallOutcome.InvalidNumber,
        408 or 480 or 487 => CallOutcome.NoAnswer,
        603 => CallOutcome.Rejected,
        _ => CallOutcome.NetworkError,
    };
}

/// <summary>What the dialer asked of a campaign call.</summary>
internal enum DialerAction
{
    Connect,
    Compliance,
    Flow,
    HangUp,
}

/// <summary>A dialer request for a campaign call (agent id, prompt or flow id in <see cref="Argument"/>).</summary>
internal sealed record DialerSignal(DialerAction Action, string? Argument) : CallSignal;

/// <summary>Leave a message on the answering machine of a campaign call once it is quiet (see <see cref="ContactCenterRuntime.LeaveMachineMessage"/>).</summary>
internal sealed record MachineMessageSignal(string Prompt, TimeSpan Silence, TimeSpan MaximumWait, double SilenceThreshold) : CallSignal;
