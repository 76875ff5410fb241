using System.Text.Json;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Ivr;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Calls;

/// <summary>Incoming calls: admission (emergency, drain, caps, blocklist, numbers), the IVR flow, and the call record.</summary>
internal sealed partial class ContactCenterRuntime
{
    private async ValueTask OnIncomingCallAsync(SipCall sip)
    {
        var invite = sip.InitialInvite;
        var dialed = UserOf(invite.RequestUri);
        var from = invite.From is { } fromHeader ? UserOf(fromHeader.Uri) : "anonymous";
        if (_emergency.Contains(PhoneNumbers.Normalize(dialed)))
        {
            // Before every limit of ours (drain, call caps, trunk screening, overload, blocklist): an emergency call
            // is never refused by the contact center.
            Track(RunEmergencyAsync(sip, from, dialed));
            return;
        }

        if (_draining)
        {
            await RefuseAsync(sip, from, dialed, 503, "Service Unavailable", "the contact center is shutting down", [new SipHeader("Retry-After", "30")]).ConfigureAwait(false);
            return;
        }

        if (_calls.Count >= _options.MaxConcurrentCalls)
        {
            await RefuseAsync(sip, from, dialed, 503, "Service Unavailable", "the concurrent call limit is reached", [new SipHeader("Retry-After", "5")]).ConfigureAwait(false);
            return;
        }

        if (_trunks is not null && !(await _trunks.ScreenAsync(sip).ConfigureAwait(false)).Accepted)
        {
            return; // refused by the trunk screening (unknown source, trunk at its call limit)
        }

        if (_overload?.IsOverloaded() == true)
        {
            await RefuseAsync(sip, from, dialed, 503, "Service Unavailable", $"the media clock is overloaded ({_overload.LastWindowSkips} ticks skipped in the last second)", [new SipHeader("Retry-After", "5")]).ConfigureAwait(false);
            return;
        }

        if (_blocked.Contains(PhoneNumbers.Normalize(from)))
        {
            await RefuseAsync(sip, from, dialed, 603, "Decline", "the caller is on the blocklist").ConfigureAwait(false);
            return;
        }

        var binding = _numbers.Find(dialed);
        if (binding is null)
        {
            if (ContactCenterOptionsValidator.IsExtension(dialed) && _agents.FindByExtension(dialed) is not null)
            {
                Track(RunInternalCallAsync(sip, from, dialed));
                return;
            }

            await RefuseAsync(sip, from, dialed, 404, "Not Found", "no flow is bound to the number").ConfigureAwait(false);
            return;
        }

        if (!_numbers.TryStartCall(binding))
        {
            await RefuseAsync(sip, from, dialed, 486, "Busy Here", $"number {binding.Number} is at its cap of {binding.MaxConcurrentCalls} calls").ConfigureAwait(false);
            return;
        }

        var call = new ContactCall(Guid.CreateVersion7(_time.GetUtcNow()), CallDirection.Inbound, sip, from, dialed, _time.GetUtcNow()) { Number = binding };
        call.AddLeg(new CallLeg("caller", from, dialed, call.StartedAt, SipCallId: sip.CallId));
        _calls[call.Id] = call;
        Track(RunFlowAsync(call, binding));
    }

    private async Task RunFlowAsync(ContactCall call, NumberBinding binding)
    {
        HostingLog.CallStarted(_logger, call.Id, call.From, call.To, binding.Flow);
        Publish(ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, new()
        {
            ["callId"] = call.Id,
            ["direction"] = "inbound",
            ["from"] = call.From,
            ["to"] = call.To,
        });
        call.Caller.StateChanged += (_, state) =>
        {
            if (state == SipCallState.Terminated)
            {
                call.Signals.Writer.TryWrite(new CallerEndedSignal());
            }
        };
        SipIvrChannel? channel = null;
        try
        {
            var flow = await _flows.ResolveAsync(FlowReference.Parse(binding.Flow)).ConfigureAwait(false);
            if (flow is null)
            {
                call.Status = CallStatus.SystemError;
                call.HangupParty = HangupParty.System;
                await call.Caller.RejectAsync(480, "Temporarily Unavailable", [new SipHeader("Reason", $"SIP;cause=480;text=\"flow {binding.Flow} is not published\"")]).ConfigureAwait(false);
                return;
            }

            try
            {
                call.CallerMedia = CallMedia.Open(Media);
            }
            catch (InvalidOperationException e)
            {
                call.Status = CallStatus.SystemError;
                call.HangupParty = HangupParty.System;
                await call.Caller.RejectAsync(503, "Service Unavailable", [new SipHeader("Reason", $"SIP;cause=503;text=\"{e.Message.Replace('"', '\'')}\"")]).ConfigureAwait(false);
                return;
            }

            call.Phase = ActiveCallPhase.Ivr;
            channel = CreateIvrChannel(call);
            var result = await _interpreter.RunAsync(
                flow,
                channel,
                new IvrCallInfo { CallerNumber = call.From, CalledNumber = call.To, SessionId = call.Id }).ConfigureAwait(false);
            Conclude(call, result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.CallFailed(_logger, call.Id, e);
            call.Status = CallStatus.SystemError;
            call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.System : call.HangupParty;
        }
        finally
        {
            if (!call.CallerGone)
            {
                call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.System : call.HangupParty;
                await HangUpQuietlyAsync(call.Caller).ConfigureAwait(false);
            }

            if (channel is not null)
            {
                call.AnsweredAt ??= channel.AnsweredAt; // when the flow answered, not when it ended
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            if (call.CallerMedia is { } media)
            {
                await media.DisposeAsync().ConfigureAwait(false);
            }

            _numbers.EndCall(binding);
            await FinishAsync(call).ConfigureAwait(false);
        }
    }

    /// <summary>Derives the call's status, survey score and trace from the IVR session result.</summary>
    private static void Conclude(ContactCall call, IvrSessionResult result)
    {
        call.SurveyScore ??= result.SurveyScores.Count > 0 ? result.SurveyScores.Values.Last() : null;
        call.IvrTrace = JsonSerializer.Serialize(
            result.Trace.Select(t => new IvrTraceLine(t.NodeId, t.NodeType, t.Action, t.Input, t.Outcome)).ToList(),
            HostingJsonContext.Default.ListIvrTraceLine);
        var closed = result.Trace.Any(t => t.NodeType == "hours" && t.Outcome == "closed");
        if (result.Outcome == IvrOutcome.CallerHangup)
        {
            call.HangupParty = call.HangupParty == HangupParty.Unknown ? HangupParty.Caller : call.HangupParty;
            call.Status ??= call.AgentAnsweredAt is not null ? CallStatus.NormalEnd : closed ? CallStatus.OutsideHours : CallStatus.AbandonedInIvr;
            return;
        }

        // The flow ended: the caller may still have hung up first (ending a voicemail by hanging up, say).
        var callerHungUp = call.Caller.EndReason is SipCallEndReason.RemoteHangUp or SipCallEndReason.Cancelled;
        call.HangupParty = call.HangupParty == HangupParty.Unknown ? callerHungUp ? HangupParty.Caller : HangupParty.System : call.HangupParty;
        if (call.RecordingId is null && Guid.TryParse(result.Recording, out var voicemail))
        {
            call.RecordingId = voicemail; // a call that left a voicemail is recorded by it
        }

        call.Status ??= result.Outcome switch
        {
            IvrOutcome.Error => CallStatus.SystemError,
            IvrOutcome.TransferToNumber or IvrOutcome.TransferToExtension => CallStatus.Transferred,
            _ when closed => CallStatus.OutsideHours,
            _ => CallStatus.NormalEnd,
        };
    }

    /// <summary>Writes the call record and tells everyone the call is over.</summary>
    private async Task FinishAsync(ContactCall call)
    {
        _calls.TryRemove(call.Id, out _);
        if (call.EndedByShutdown)
        {
            call.Status = CallStatus.SystemError;
            call.HangupParty = HangupParty.System;
        }

        var now = _time.GetUtcNow();
        var status = call.Status ?? (call.AgentAnsweredAt is not null ? CallStatus.NormalEnd : CallStatus.AbandonedInIvr);
        var record = new CallDetailRecord
        {
            Id = call.Id,
            Direction = call.Direction,
            CallerNumber = call.From,
            CalledNumber = call.To,
            StartedAt = call.StartedAt,
            AnsweredAt = call.AnsweredAt,
            QueueEnteredAt = call.QueueEnteredAt,
            QueueExitedAt = call.QueueExitedAt,
            AgentAnsweredAt = call.AgentAnsweredAt,
            EndedAt = now,
            Status = status,
            HangupParty = call.HangupParty,
            AgentId = call.AgentId,
            QueueId = call.Queue,
            IvrTrace = call.IvrTrace,
            SurveyScore = call.SurveyScore,
            RecordingId = call.RecordingId,
            Legs = [.. call.Legs().Select(l => l.EndedAt is null ? l with { EndedAt = now } : l)],
        };
        try
        {
            await _storage.CallRecords.AddAsync(record).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            HostingLog.RecordFailed(_logger, call.Id, e);
        }

        HostingLog.CallEnded(_logger, call.Id, status.ToString(), call.HangupParty.ToString());
        Publish(ContactCenterEventTypes.CallEnded, ContactCenterEventCategory.Call, new()
        {
            ["callId"] = call.Id,
            ["status"] = status.ToString(),
            ["hangupParty"] = call.HangupParty.ToString(),
        });
        Publish(ContactCenterEventTypes.CallRecordWritten, ContactCenterEventCategory.Call, new()
        {
            ["callId"] = record.Id,
            ["direction"] = record.Direction.ToString(),
            ["callerNumber"] = record.CallerNumber,
            ["calledNumber"] = record.CalledNumber,
            ["startedAt"] = record.StartedAt,
            ["answeredAt"] = record.AnsweredAt,
            ["queueEnteredAt"] = record.QueueEnteredAt,
            ["queueExitedAt"] = record.QueueExitedAt,
            ["agentAnsweredAt"] = record.AgentAnsweredAt,
            ["endedAt"] = record.EndedAt,
            ["status"] = record.Status.ToString(),
            ["hangupParty"] = record.HangupParty.ToString(),
            ["agentId"] = record.AgentId,
            ["queue"] = record.QueueId,
            ["surveyScore"] = record.SurveyScore,
            ["recordingId"] = record.RecordingId,
        });
    }

    private async Task RefuseAsync(SipCall sip, string from, string to, int status, string reason, string why, IEnumerable<SipHeader>? headers = null)
    {
        HostingLog.CallRefused(_logger, sip.CallId, from, to, status, why);
        var all = (headers ?? []).Append(new SipHeader("Reason", $"SIP;cause={status};text=\"{why}\""));
        await sip.RejectAsync(status, reason, all).ConfigureAwait(false);
    }

    private static string UserOf(AbsoluteUri uri) => uri switch
    {
        SipUri sip => sip.User ?? sip.Host,
        TelUri tel => tel.Number,
        _ => uri.ToString(),
    };
}

/// <summary>One IVR step as stored in a call record's trace.</summary>
internal sealed record IvrTraceLine(string Node, string Type, string Action, string? Input, string Outcome);
