namespace ContactCenter.Dialer;

/// <content>Placing calls, their progress, connecting, abandoning and resolving attempts.</content>
public sealed partial class OutboundDialer
{
    /// <summary>Writes the attempt and the contact state, then queues the dial. Called under the lock.</summary>
    private void PlaceCall(CampaignRuntime c, ContactState contact, string? agentId)
    {
        var now = _time.GetUtcNow();
        var callerId = c.Settings.CallerIds?.Choose(contact.PhoneNumber) ?? string.Empty;
        contact.Attempts++;
        SetContactStatus(c, contact, ContactStatus.Dialing);
        contact.NextAttemptAt = null;
        var call = new OutboundCall(this, Guid.CreateVersion7(now), c.Id, contact.ToRecord(c.Id), callerId, c.Settings.RingTimeout)
        {
            AgentId = agentId,
            AgentGuaranteed = agentId is not null,
            AttemptNumber = contact.Attempts,
            Campaign = c,
            State = contact,
            PlacedAt = now,
            DialedAt = now.UtcTicks,
            Phase = CallPhase.Dialing,
        };

        // Durable before the call exists: a restart sees this attempt and never dials the contact twice.
        _store.SaveAttempt(AttemptOf(call, null, null, null), call.Contact);
        _active[call.Id] = call;
        CampaignRuntime.AddTo(c.Ringing, call);
        if (agentId is null)
        {
            c.UnreservedRinging++;
        }

        c.Dials++;
        call.Timer = _time.CreateTimer(_callTimerCallback, call, c.Settings.RingTimeout, Timeout.InfiniteTimeSpan);
        DialerTelemetry.CallsPlaced.Add(1);
        Enqueue(PortActionKind.Dial, call);
    }

    private static AttemptRecord AttemptOf(OutboundCall call, CallOutcome? outcome, DateTimeOffset? endedAt, string? disposition) => new(
        call.Id, call.CampaignId, call.Contact.Id, call.AttemptNumber, call.PhoneNumber, call.CallerId, call.PlacedAt,
        outcome, endedAt, call.AgentId, disposition);

    internal void OnRinging(OutboundCall call)
    {
        lock (_gate)
        {
            // The ring timeout counts from the first ring, so an unanswered call rings for the whole timeout.
            if (call.Phase == CallPhase.Dialing && !call.RingingReported && !_disposed)
            {
                call.RingingReported = true;
                call.Timer?.Change(call.RingTimeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    internal void OnAnswered(OutboundCall call)
    {
        lock (_gate)
        {
            if (call.Phase != CallPhase.Dialing || _disposed)
            {
                return;
            }

            call.Timer?.Dispose();
            call.Timer = null;
            call.Phase = CallPhase.Answered;
            call.AnsweredAt = NowTicks;
            if (_amd is not null)
            {
                Enqueue(PortActionKind.DetectMachine, call);
            }
            else
            {
                OnPersonLocked(call);
            }
        }

        Flush();
    }

    internal void OnAmdVerdict(OutboundCall call, AmdVerdict verdict)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (call.ClassifiedAsMachine)
            {
                // A person verdict after a machine one: the detector revised itself.
                if (verdict == AmdVerdict.Person)
                {
                    CountPersonClassifiedAsMachine(call);
                }
            }
            else if (call.Phase != CallPhase.Answered)
            {
                return;
            }
            else if (verdict == AmdVerdict.Person)
            {
                OnPersonLocked(call);
            }
            else
            {
                var c = call.Campaign!;
                c.MachineAnswers++;
                call.ClassifiedAsMachine = true;
                call.EndedAt = _time.GetUtcNow();
                DialerTelemetry.CallsAnswered.Add(1, new KeyValuePair<string, object?>("answered_by", "machine"));
                Enqueue(PortActionKind.HangUp, call);
                EndUnconnected(call, CallOutcome.AnsweredByMachine);
                PaceAll();
            }
        }

        Flush();
    }

    /// <summary>A person behind a call detection called a machine: the call counts as abandoned, after the fact.</summary>
    internal bool OnPersonClassifiedAsMachine(OutboundCall call)
    {
        bool counted;
        lock (_gate)
        {
            counted = !_disposed && CountPersonClassifiedAsMachine(call);
        }

        Flush();
        return counted;
    }

    private bool CountPersonClassifiedAsMachine(OutboundCall call)
    {
        if (!call.ClassifiedAsMachine || call.MisclassificationReported)
        {
            return false;
        }

        call.MisclassificationReported = true;
        var c = call.Campaign!;
        var now = _time.GetUtcNow();
        c.MachineAnswers--;
        c.LiveAnswers++;
        c.Abandoned++;
        c.Compliance.AddLive(now.UtcTicks, abandoned: true);
        c.Controller.Observe(abandoned: true);
        DialerTelemetry.CallsAbandoned.Add(1);
        DialerLog.PersonClassifiedAsMachine(_log, c.Id, call.Id);

        var contact = call.State!;
        contact.LastAbandonedAt = now;
        if (contact.Attempts == call.AttemptNumber && contact.Status == ContactStatus.Pending)
        {
            // Not dialed since: the abandoned-redial rules replace the machine retry.
            contact.LastOutcome = CallOutcome.Abandoned;
            if (c.Settings.RedialAbandonedWithGuaranteedAgent)
            {
                contact.RequiresAgent = true;
            }
            else if (contact.NextAttemptAt is not { } next || next < now + c.Settings.AbandonedRedialBlock)
            {
                contact.NextAttemptAt = now + c.Settings.AbandonedRedialBlock;
            }

            QueueContact(c, contact, now);
        }

        _store.SaveAttempt(AttemptOf(call, CallOutcome.Abandoned, call.EndedAt, null), contact.ToRecord(c.Id));
        PaceAll();
        return true;
    }

    internal void OnFailed(OutboundCall call, CallOutcome outcome)
    {
        if (outcome is CallOutcome.AnsweredByPerson or CallOutcome.AnsweredByMachine or CallOutcome.Abandoned or CallOutcome.Interrupted)
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "ReportFailed takes busy, no answer, rejected, invalid number or network error.");
        }

        lock (_gate)
        {
            if (call.Phase is not (CallPhase.Dialing or CallPhase.Answered) || _disposed)
            {
                return;
            }

            EndUnconnected(call, outcome);
            PaceAll();
        }

        Flush();
    }

    internal void OnHangUp(OutboundCall call)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            switch (call.Phase)
            {
                case CallPhase.Dialing:
                    // Hang-up before answer: the network gave up.
                    EndUnconnected(call, CallOutcome.NoAnswer);
                    break;
                case CallPhase.Answered:
                case CallPhase.WaitingForAgent:
                    // The person hung up before reaching an agent: counted as abandoned, conservatively.
                    if (call.Phase == CallPhase.Answered)
                    {
                        RecordLiveAnswer(call);
                    }

                    Abandon(call, playMessage: false);
                    break;
                case CallPhase.Connected when call.Campaign!.Settings.Mode == DialingMode.Agentless:
                    _active.Remove(call.Id);
                    CampaignRuntime.RemoveFrom(call.Campaign.Handling, call);
                    call.Phase = CallPhase.Ended;
                    Resolve(call.Campaign, call, CallOutcome.AnsweredByPerson, null);
                    break;
                default:
                    // Connected: talk is over; the agent's disposition closes the attempt after wrap-up.
                    break;
            }

            PaceAll();
        }

        Flush();
    }

    private void OnCallTimer(OutboundCall call)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (call.Phase == CallPhase.Dialing)
            {
                Enqueue(PortActionKind.HangUp, call);
                EndUnconnected(call, CallOutcome.NoAnswer);
                PaceAll();
            }
            else if (call.Phase == CallPhase.WaitingForAgent)
            {
                Abandon(call, playMessage: true);
                PaceAll();
            }
        }

        Flush();
    }

    /// <summary>A person is on the line (the greeting is over): connect, hand to the flow, or wait for an agent.</summary>
    private void OnPersonLocked(OutboundCall call)
    {
        var c = call.Campaign!;
        RecordLiveAnswer(call);
        if (c.Settings.Mode == DialingMode.Agentless)
        {
            LeaveRinging(call);
            call.Phase = CallPhase.Connected;
            call.ConnectedAt = NowTicks;
            CampaignRuntime.AddTo(c.Handling, call);
            Enqueue(PortActionKind.Flow, call, c.Settings.AgentlessFlowId);
            return;
        }

        if (call.AgentId is not null)
        {
            Connect(call, call.AgentId);
            return;
        }

        if (_waiting.Count == 0 && _agents.TryReserve(null, out var agent))
        {
            Connect(call, agent);
            return;
        }

        LeaveRinging(call);
        call.Phase = CallPhase.WaitingForAgent;
        call.PersonAt = NowTicks;
        _waiting.Add(call);
        call.Timer = _time.CreateTimer(_callTimerCallback, call, c.Settings.ConnectDeadline, Timeout.InfiniteTimeSpan);
    }

    private void RecordLiveAnswer(OutboundCall call)
    {
        var c = call.Campaign!;
        var ring = Seconds(NowTicks - call.DialedAt);
        c.Live.Add(true);
        c.LiveRingTime.Add(ring);
        c.LiveAnswers++;
        DialerTelemetry.CallsAnswered.Add(1, new KeyValuePair<string, object?>("answered_by", "person"));
        DialerTelemetry.RingTime.Record(ring);
    }

    private void Connect(OutboundCall call, string agentId)
    {
        var c = call.Campaign!;
        LeaveRinging(call);
        call.Timer?.Dispose();
        call.Timer = null;
        call.AgentId = agentId;
        call.Phase = CallPhase.Connected;
        call.ConnectedAt = NowTicks;
        if (c.FirstConnectTicks == 0)
        {
            c.FirstConnectTicks = call.ConnectedAt;
        }

        CampaignRuntime.AddTo(c.Handling, call);
        if (c.Settings.Mode != DialingMode.Agentless)
        {
            c.Compliance.AddLive(NowTicks, abandoned: false);
            if (!call.AgentGuaranteed)
            {
                c.Controller.Observe(abandoned: false);
            }
        }

        Enqueue(PortActionKind.Connect, call, agentId);
    }

    /// <summary>Connects waiting live answers, oldest first, while agents are free.</summary>
    private void ServeWaiting()
    {
        while (_waiting.Count > 0)
        {
            if (!_agents.TryReserve(null, out var agent))
            {
                return;
            }

            var call = _waiting[0];
            _waiting.RemoveAt(0);
            Connect(call, agent);
        }
    }

    private void Abandon(OutboundCall call, bool playMessage)
    {
        var c = call.Campaign!;
        _waiting.Remove(call);
        LeaveRinging(call);
        call.Timer?.Dispose();
        call.Timer = null;
        c.Abandoned++;
        c.Compliance.AddLive(NowTicks, abandoned: true);
        c.Controller.Observe(abandoned: true);
        DialerTelemetry.CallsAbandoned.Add(1);
        DialerLog.Abandoned(_log, c.Id, call.Id);
        if (playMessage)
        {
            Enqueue(PortActionKind.Compliance, call, c.Settings.ComplianceMessagePrompt);
        }

        if (call.AgentId is not null)
        {
            Enqueue(PortActionKind.Release, null, call.AgentId);
        }

        _active.Remove(call.Id);
        call.Phase = CallPhase.Ended;
        call.State!.LastAbandonedAt = _time.GetUtcNow();
        Resolve(c, call, CallOutcome.Abandoned, null);
    }

    /// <summary>Ends a call that never reached an agent: busy, no answer, machine, failure.</summary>
    private void EndUnconnected(OutboundCall call, CallOutcome outcome)
    {
        var c = call.Campaign!;
        call.Timer?.Dispose();
        call.Timer = null;
        c.Live.Add(false);

        LeaveRinging(call);
        _active.Remove(call.Id);
        call.Phase = CallPhase.Ended;
        if (call.AgentId is not null)
        {
            Enqueue(PortActionKind.Release, null, call.AgentId);
            call.AgentId = null;
        }

        Resolve(c, call, outcome, null);
    }

    private void LeaveRinging(OutboundCall call)
    {
        var c = call.Campaign!;
        if (call.Slot >= 0 && call.Phase is CallPhase.Dialing or CallPhase.Answered)
        {
            c.RingingTime.Add(Seconds(NowTicks - call.DialedAt));
            CampaignRuntime.RemoveFrom(c.Ringing, call);
            if (!call.AgentGuaranteed)
            {
                c.UnreservedRinging--;
            }
        }
    }

    private void ApplyDisposition(CampaignRuntime c, OutboundCall call, AgentDisposition disposition)
    {
        var contact = call.State!;
        var now = _time.GetUtcNow();
        contact.LastDisposition = disposition.Code;
        contact.LastOutcome = CallOutcome.AnsweredByPerson;
        contact.IsCallback = disposition.Kind == DispositionKind.Callback;
        contact.CallbackAgentId = contact.IsCallback && disposition.CallbackForSameAgent ? call.AgentId : null;
        if (contact.Status == ContactStatus.Removed)
        {
            // Removed while the call was up: record the disposition, do not bring the contact back.
        }
        else if (disposition.Kind is DispositionKind.Callback or DispositionKind.Retry)
        {
            contact.NextAttemptAt = disposition.Kind == DispositionKind.Callback
                ? disposition.CallbackAt ?? now + RetryRules.DefaultInterval
                : now + c.Settings.RetryRules.For(CallOutcome.AnsweredByPerson).Interval;
            SetContactStatus(c, contact, ContactStatus.Pending);
            QueueContact(c, contact, now);
        }
        else
        {
            if (disposition.Kind == DispositionKind.DoNotCall)
            {
                c.DoNotCall.Add(contact.PhoneNumber);
            }

            SetContactStatus(c, contact, ContactStatus.Completed);
        }

        _store.SaveAttempt(AttemptOf(call, CallOutcome.AnsweredByPerson, now, disposition.Code), contact.ToRecord(c.Id));
        CheckCompleted(c);
    }

    /// <summary>Closes an attempt and applies the retry rule of its outcome to the contact.</summary>
    private void Resolve(CampaignRuntime c, OutboundCall call, CallOutcome outcome, string? disposition)
    {
        var contact = call.State!;
        var now = _time.GetUtcNow();
        contact.LastOutcome = outcome;
        contact.IsCallback = false;
        contact.CallbackAgentId = null;
        if (contact.Status == ContactStatus.Dialing)
        {
            var rule = c.Settings.RetryRules.For(outcome);
            if (outcome == CallOutcome.AnsweredByPerson)
            {
                SetContactStatus(c, contact, ContactStatus.Completed);
            }
            else if (contact.Attempts < rule.MaxAttempts)
            {
                var next = now + rule.Interval;
                if (outcome == CallOutcome.Abandoned)
                {
                    if (c.Settings.RedialAbandonedWithGuaranteedAgent)
                    {
                        contact.RequiresAgent = true;
                    }
                    else if (now + c.Settings.AbandonedRedialBlock > next)
                    {
                        next = now + c.Settings.AbandonedRedialBlock;
                    }
                }

                contact.NextAttemptAt = next;
                SetContactStatus(c, contact, ContactStatus.Pending);
                QueueContact(c, contact, now);
            }
            else
            {
                SetContactStatus(c, contact, ContactStatus.Exhausted);
            }
        }

        _store.SaveAttempt(AttemptOf(call, outcome, now, disposition), contact.ToRecord(c.Id));
        CheckCompleted(c);
    }

    private static void SetContactStatus(CampaignRuntime c, ContactState contact, ContactStatus status)
    {
        var wasOpen = contact.IsOpen;
        contact.Status = status;
        if (wasOpen && !contact.IsOpen)
        {
            c.OpenContacts--;
            c.Finished++;
        }
        else if (!wasOpen && contact.IsOpen)
        {
            c.OpenContacts++;
            c.Finished--;
        }
    }

    private void CheckCompleted(CampaignRuntime c)
    {
        if (c.State == CampaignState.Running && c.Settings.CompleteWhenExhausted && c.OpenContacts == 0 && c.Ringing.Count == 0 && c.Handling.Count == 0)
        {
            SetState(c, CampaignState.Completed);
        }
    }

    internal void SetState(CampaignRuntime c, CampaignState state)
    {
        c.State = state;
        if (state == CampaignState.Running && c.StartedAt is null)
        {
            c.StartedAt = _time.GetUtcNow();
        }

        _store.SaveCampaign(c.ToRecord());
        DialerLog.StateChanged(_log, c.Id, c.Settings.Name, state);
    }

    private void OnPreviewTimeout(PreviewState preview)
    {
        lock (_gate)
        {
            if (_disposed || !_previews.Remove(preview.Id))
            {
                return;
            }

            preview.Timer?.Dispose();
            if (preview.Campaign.Settings.PreviewTimeoutAction == PreviewTimeoutAction.Dial && preview.Campaign.State == CampaignState.Running)
            {
                PlaceCall(preview.Campaign, preview.Contact, preview.AgentId);
            }
            else
            {
                SkipPreviewLocked(preview);
            }

            PaceAll();
        }

        Flush();
    }

    private void SkipPreviewLocked(PreviewState preview)
    {
        var c = preview.Campaign;
        var contact = preview.Contact;
        Enqueue(PortActionKind.Release, null, preview.AgentId);
        contact.NextAttemptAt = _time.GetUtcNow() + RetryRules.DefaultInterval;
        SetContactStatus(c, contact, ContactStatus.Pending);
        _store.SaveContacts([contact.ToRecord(c.Id)]);
        QueueContact(c, contact, _time.GetUtcNow());
    }
}
