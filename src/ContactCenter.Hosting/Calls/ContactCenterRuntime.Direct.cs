using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Ivr;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Storage;
using ContactCenter.Routing;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Hosting.Calls;

/// <summary>Calls that skip the IVR: emergency numbers, and one extension dialing another.</summary>
internal sealed partial class ContactCenterRuntime
{
    private SipIvrChannel CreateIvrChannel(ContactCall call) =>
        new(
            call.Caller,
            call.CallerMedia!,
            Media,
            this,
            VoicemailStore.For(_storage),
            call.Id,
            new SipIvrChannelOptions { PromptDirectory = _options.Flows.PromptDirectory ?? "." },
            _time,
            _loggerFactory.CreateLogger("ContactCenter.Hosting.Ivr"),
            _speech);

    /// <summary>An emergency number: straight to the emergency destination, never queued, never refused for caps or blocklist.</summary>
    private Task RunEmergencyAsync(SipCall sip, string from, string dialed) =>
        RunDirectAsync(sip, from, dialed, CallDirection.Inbound, call =>
        {
            var destination = _options.EmergencyDestination;
            if (destination is null)
            {
                return Task.FromResult(new PlacedLeg(null, "no emergency destination is configured (ContactCenter:EmergencyDestination)"));
            }

            if (destination.StartsWith("trunk:", StringComparison.Ordinal))
            {
                // The number the caller dialled, through the named trunk: the carrier routes it.
                return DialNumberAsync(call, "emergency", dialed, from, [new SipHeader("Priority", "emergency")], trunk: destination["trunk:".Length..]);
            }

            var uri = SipUri.Parse(destination);
            var port = uri.Port ?? 5060;
            var transport = uri.Transport is { } t && SipTransportProtocols.TryParse(t, out var parsed) ? parsed : SipTransportProtocol.Udp;
            var endPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(uri.Host.Trim('[', ']')), port);
            return Task.FromResult(PlaceLeg(call, "emergency", null, Guid.Empty, uri, new SipDestination(transport, endPoint), from, [new SipHeader("Priority", "emergency")], null));
        });

    /// <summary>An extension dialed another extension.</summary>
    private Task RunInternalCallAsync(SipCall sip, string from, string extension) =>
        RunDirectAsync(sip, from, extension, CallDirection.Internal, call => RingExtensionAsync(call, "extension", _agents.FindByExtension(extension)?.Id, Guid.Empty, extension, [], from));

    private async Task RunDirectAsync(SipCall sip, string from, string dialed, CallDirection direction, Func<ContactCall, Task<PlacedLeg>> place)
    {
        var call = new ContactCall(Guid.CreateVersion7(_time.GetUtcNow()), direction, sip, from, dialed, _time.GetUtcNow());
        call.AddLeg(new CallLeg("caller", from, dialed, call.StartedAt, SipCallId: sip.CallId));
        _calls[call.Id] = call;
        sip.StateChanged += (_, state) =>
        {
            if (state == SipCallState.Terminated)
            {
                call.Signals.Writer.TryWrite(new CallerEndedSignal());
            }
        };
        Publish(ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, new()
        {
            ["callId"] = call.Id,
            ["direction"] = direction.ToString().ToLowerInvariant(),
            ["from"] = from,
            ["to"] = dialed,
        });
        try
        {
            byte[] answer;
            try
            {
                call.CallerMedia = CallMedia.Open(Media);
                answer = call.CallerMedia.Answer(sip.RemoteSdp);
            }
            catch (Exception e) when (e is SdpFormatException or SdpNegotiationException or InvalidOperationException)
            {
                call.Status = CallStatus.SystemError;
                call.HangupParty = HangupParty.System;
                await RefuseAsync(sip, from, dialed, 488, "Not Acceptable Here", e.Message.Replace('"', '\'')).ConfigureAwait(false);
                return;
            }

            var placed = await place(call).ConfigureAwait(false);
            if (placed.Leg is not { } leg)
            {
                call.Status = CallStatus.SystemError;
                call.HangupParty = HangupParty.System;
                await RefuseAsync(sip, from, dialed, 480, "Temporarily Unavailable", placed.Problem ?? "the destination cannot be reached").ConfigureAwait(false);
                return;
            }

            await sip.RingAsync().ConfigureAwait(false);
            while (true)
            {
                var signal = await call.Signals.Reader.ReadAsync().ConfigureAwait(false);
                if (signal is CallerEndedSignal)
                {
                    call.HangupParty = HangupParty.Caller;
                    call.Status = CallStatus.AbandonedWhileRinging;
                    await CancelLegAsync(leg).ConfigureAwait(false);
                    return;
                }

                if (signal is LegSignal { Answered: false } failed && failed.Leg == leg)
                {
                    await leg.Media.DisposeAsync().ConfigureAwait(false);
                    var code = leg.FinalStatus is >= 400 and < 700 and not 401 and not 407 ? leg.FinalStatus.Value : 480;
                    call.Status = CallStatus.AgentDidNotAnswer;
                    call.HangupParty = HangupParty.System; // nobody answered: the contact center ends the call
                    await RefuseAsync(sip, from, dialed, code, Reason(code), "the destination did not answer").ConfigureAwait(false);
                    return;
                }

                if (signal is LegSignal { Answered: true } answered && answered.Leg == leg)
                {
                    break;
                }
            }

            await sip.AnswerAsync(answer).ConfigureAwait(false);
            call.AnsweredAt = _time.GetUtcNow();
            call.AgentId = leg.AgentId;
            call.AgentAnsweredAt = leg.AnsweredAt;
            call.Status = CallStatus.NormalEnd;
            await ConnectUntilEndAsync(call, leg, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.CallFailed(_logger, call.Id, e);
            call.Status = CallStatus.SystemError;
        }
        finally
        {
            if (!call.CallerGone)
            {
                await HangUpQuietlyAsync(sip).ConfigureAwait(false);
            }

            if (call.CallerMedia is { } media)
            {
                await media.DisposeAsync().ConfigureAwait(false);
            }

            await FinishAsync(call).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes queue figures at most once a second while anything changes.</summary>
    private async Task PublishQueueStatisticsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_queueStatisticsDue)
            {
                continue;
            }

            _queueStatisticsDue = false;
            var snapshot = await _routing.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
            foreach (var queue in snapshot.Queues)
            {
                Publish(ContactCenterEventTypes.QueueStatistics, ContactCenterEventCategory.Queue, new()
                {
                    ["queue"] = queue.Queue,
                    ["waiting"] = queue.Waiting,
                    ["ringing"] = queue.Ringing,
                    ["longestWaitSeconds"] = queue.LongestWait.TotalSeconds,
                    ["serviceLevel"] = queue.ServiceLevel,
                    ["asaSeconds"] = queue.AverageSpeedOfAnswer.TotalSeconds,
                    ["answered"] = queue.Answered,
                    ["abandoned"] = queue.Abandoned,
                });
            }
        }
    }
}
