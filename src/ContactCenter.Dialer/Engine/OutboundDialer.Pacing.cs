using ContactCenter.Dialer.Pacing;

namespace ContactCenter.Dialer;

/// <content>Contact queues and the pacing pass.</content>
public sealed partial class OutboundDialer
{
    private const long MinimumDecisionSpacingTicks = TimeSpan.TicksPerSecond / 4;

    // The share of the room under the cap that the abandons expected from calls in flight may use.
    private const double RoomShare = 0.15;

    // Predictive pacing needs room for this many abandons under the cap; below it, progressive (no abandons).
    private const double MinimumRoom = 5;

    internal static ContactState FromRecord(CampaignRuntime c, ContactRecord r)
    {
        var zone = CampaignSettings.FindZone(r.TimeZoneId) ?? c.DefaultZone;
        return new ContactState
        {
            Id = r.Id,
            Sequence = r.Sequence,
            PhoneNumber = r.PhoneNumber,
            Name = r.Name,
            TimeZoneId = zone.Id,
            Priority = r.Priority,
            Fields = r.Fields,
            Zone = c.ZoneFor(zone),
            OrderKey = c.OrderKeyFor(r.Sequence, r.Priority),
            Status = r.Status,
            Attempts = r.Attempts,
            NextAttemptAt = r.NextAttemptAt,
            LastOutcome = r.LastOutcome,
            LastAbandonedAt = r.LastAbandonedAt,
            CallbackAgentId = r.CallbackAgentId,
            IsCallback = r.IsCallback,
            LastDisposition = r.LastDisposition,

            // Not stored: an abandoned contact waiting for its redial still needs an agent reserved first after a restart.
            RequiresAgent = r.Status == ContactStatus.Pending && r.LastOutcome == CallOutcome.Abandoned && c.Settings.RedialAbandonedWithGuaranteedAgent,
        };
    }

    /// <summary>Registers a contact with its campaign and queues it when it is open.</summary>
    private static void Track(CampaignRuntime c, ContactState contact, DateTimeOffset now)
    {
        c.Contacts[contact.Id] = contact;
        if (contact.Status != ContactStatus.Removed)
        {
            c.Numbers[contact.PhoneNumber] = contact.Id;
        }

        if (contact.IsOpen)
        {
            c.OpenContacts++;
            QueueContact(c, contact, now);
        }
        else
        {
            c.Finished++;
        }
    }

    /// <summary>Puts a pending contact in the queue it belongs to now (scheduled, callback, or its zone's ready queue).</summary>
    private static void QueueContact(CampaignRuntime c, ContactState contact, DateTimeOffset now)
    {
        var version = ++contact.QueueVersion;
        if (contact.NextAttemptAt is { } at && at > now)
        {
            c.Scheduled.Enqueue((contact, version), at.UtcTicks);
        }
        else if (contact.IsCallback && contact.CallbackAgentId is not null)
        {
            c.AgentCallbacks.Add((contact, version));
        }
        else if (contact.IsCallback)
        {
            c.Callbacks.Enqueue((contact, version), (contact.NextAttemptAt?.UtcTicks ?? 0, contact.Sequence));
        }
        else
        {
            contact.Zone.Ready.Enqueue((contact, version), contact.OrderKey);
        }
    }

    private static bool IsCurrent((ContactState Contact, int Version) entry) =>
        entry.Contact.QueueVersion == entry.Version && entry.Contact.Status == ContactStatus.Pending;

    private static void MoveDue(CampaignRuntime c, DateTimeOffset now)
    {
        while (c.Scheduled.TryPeek(out var entry, out var due) && due <= now.UtcTicks)
        {
            c.Scheduled.Dequeue();
            if (IsCurrent(entry))
            {
                QueueContact(c, entry.Contact, now);
            }
        }
    }

    /// <summary>The next contact to dial now: due callbacks first, then the best head among open zones. Skips do-not-call numbers.</summary>
    private bool TryTakeNext(CampaignRuntime c, DateTimeOffset now, out ContactState contact)
    {
        while (c.Callbacks.TryPeek(out var entry, out _))
        {
            if (!IsCurrent(entry))
            {
                c.Callbacks.Dequeue();
                continue;
            }

            if (!entry.Contact.Zone.IsOpen(c.Settings.CallingWindows, now))
            {
                break;
            }

            c.Callbacks.Dequeue();
            if (Dialable(c, entry.Contact))
            {
                contact = entry.Contact;
                return true;
            }
        }

        while (true)
        {
            ZoneQueue? best = null;
            (long, long) bestKey = default;
            foreach (var zone in c.Zones.Values)
            {
                if (zone.Ready.Count == 0 || !zone.IsOpen(c.Settings.CallingWindows, now))
                {
                    continue;
                }

                while (zone.Ready.TryPeek(out var head, out var key))
                {
                    if (IsCurrent(head))
                    {
                        if (best is null || key.CompareTo(bestKey) < 0)
                        {
                            best = zone;
                            bestKey = key;
                        }

                        break;
                    }

                    zone.Ready.Dequeue();
                }
            }

            if (best is null)
            {
                contact = null!;
                return false;
            }

            var taken = best.Ready.Dequeue().Contact;
            if (Dialable(c, taken))
            {
                contact = taken;
                return true;
            }
        }
    }

    /// <summary>The dial-time check: a number on a do-not-call list is finished without a call.</summary>
    private bool Dialable(CampaignRuntime c, ContactState contact)
    {
        contact.QueueVersion++;
        if (GlobalDoNotCall.Contains(contact.PhoneNumber) || c.DoNotCall.Contains(contact.PhoneNumber))
        {
            SetContactStatus(c, contact, ContactStatus.DoNotCall);
            _store.SaveContacts([contact.ToRecord(c.Id)]);
            return false;
        }

        return true;
    }

    /// <summary>One pacing pass over every running campaign, highest priority first.</summary>
    private void PaceAll()
    {
        if (_pacing || _placingStopped || _disposed)
        {
            return;
        }

        _pacing = true;
        try
        {
            var now = _time.GetUtcNow();
            double claimed = 0;
            foreach (var c in _campaigns)
            {
                if (c.State != CampaignState.Running)
                {
                    continue;
                }

                if (c.Settings.EndAt is { } end && now >= end)
                {
                    SetState(c, CampaignState.Completed);
                    continue;
                }

                MoveDue(c, now);
                ServeAgentCallbacks(c, now);
                switch (c.Settings.Mode)
                {
                    case DialingMode.Agentless:
                        while (c.Ringing.Count + c.Handling.Count < c.Settings.MaxConcurrentCalls && TryTakeNext(c, now, out var contact))
                        {
                            PlaceCall(c, contact, null);
                        }

                        break;
                    case DialingMode.Preview:
                        PaceWithReservedAgents(c, now, preview: true);
                        break;
                    case DialingMode.Progressive:
                        PaceWithReservedAgents(c, now, preview: false);
                        break;
                    default:
                        PacePredictive(c, now, ref claimed);
                        break;
                }

                CheckCompleted(c);
            }
        }
        finally
        {
            _pacing = false;
        }
    }

    private void ServeAgentCallbacks(CampaignRuntime c, DateTimeOffset now)
    {
        for (var i = c.AgentCallbacks.Count - 1; i >= 0; i--)
        {
            var entry = c.AgentCallbacks[i];
            if (!IsCurrent(entry))
            {
                c.AgentCallbacks.RemoveAt(i);
                continue;
            }

            if (!entry.Contact.Zone.IsOpen(c.Settings.CallingWindows, now) || !_agents.TryReserve(entry.Contact.CallbackAgentId, out var agent))
            {
                continue;
            }

            c.AgentCallbacks.RemoveAt(i);
            if (Dialable(c, entry.Contact))
            {
                PlaceCall(c, entry.Contact, agent);
            }
            else
            {
                Enqueue(PortActionKind.Release, null, agent);
            }
        }
    }

    /// <summary>Preview and progressive: one contact per free agent, the agent reserved first, so nothing is abandoned.</summary>
    private void PaceWithReservedAgents(CampaignRuntime c, DateTimeOffset now, bool preview)
    {
        while (_agents.FreeAgents > 0)
        {
            if (!TryTakeNext(c, now, out var contact))
            {
                return;
            }

            if (!_agents.TryReserve(null, out var agent))
            {
                QueueContact(c, contact, now);
                return;
            }

            if (preview)
            {
                Offer(c, contact, agent, now);
            }
            else
            {
                PlaceCall(c, contact, agent);
            }
        }
    }

    private void Offer(CampaignRuntime c, ContactState contact, string agent, DateTimeOffset now)
    {
        SetContactStatus(c, contact, ContactStatus.Dialing);
        var state = new PreviewState(Guid.CreateVersion7(now), c, contact, agent);
        _previews[state.Id] = state;
        state.Timer = _time.CreateTimer(_previewTimerCallback, state, c.Settings.PreviewTimeout, Timeout.InfiniteTimeSpan);
        Enqueue(PortActionKind.Offer, null, agent, new PreviewOffer(state.Id, c.Id, contact.ToRecord(c.Id), now + c.Settings.PreviewTimeout));
    }

    /// <summary>Whether predictive pacing must fall back to progressive: thin statistics, few agents, or no room under the cap.</summary>
    private bool UseProgressiveFallback(CampaignRuntime c, int loggedIn)
    {
        if (c.Live.LiveAnswers < c.Settings.MinimumLiveAnswersForPredictive || loggedIn < c.Settings.MinimumAgentsForPredictive)
        {
            return true;
        }

        // Handle times measured too early are biased toward short calls (the long ones have not ended yet):
        // trust them once the observation span covers three mean handle times and 50 calls.
        if (c.HandleTime.Count < 50 || NowTicks - c.FirstConnectTicks < 3 * c.HandleTime.Mean * TimeSpan.TicksPerSecond)
        {
            return true;
        }

        // Keep room for a few more abandons under the cap over the compliance window.
        if (!HasRoomUnderCap(c, NowTicks))
        {
            if (c.LastDecisionPredictive && c.Compliance.Abandoned > 0)
            {
                DialerLog.CapReached(_log, c.Id, c.Compliance.Rate);
            }

            return true;
        }

        return false;
    }

    /// <summary>Whether the compliance window has room for a few more abandons under the cap (else predictive pacing stops).</summary>
    private static bool HasRoomUnderCap(CampaignRuntime c, long nowTicks)
    {
        c.Compliance.Advance(nowTicks);
        return Room(c) >= MinimumRoom;
    }

    /// <summary>Whether the campaign's compliance window leaves room for predictive pacing now (tests).</summary>
    internal bool HasRoomUnderCap(Guid campaignId)
    {
        lock (_gate)
        {
            return HasRoomUnderCap(_byId[campaignId], NowTicks);
        }
    }

    /// <summary>How many more abandons the compliance window can take before it reaches the cap.</summary>
    private static double Room(CampaignRuntime c) => (c.Settings.AbandonCap * c.Compliance.LiveAnswers) - c.Compliance.Abandoned;

    private void PacePredictive(CampaignRuntime c, DateTimeOffset now, ref double claimed)
    {
        var loggedIn = _agents.LoggedInAgents;
        if (UseProgressiveFallback(c, loggedIn))
        {
            c.LastDecisionPredictive = false;
            PaceWithReservedAgents(c, now, preview: false);
            return;
        }

        c.LastDecisionPredictive = true;
        if (now.UtcTicks - c.LastDecisionTicks < MinimumDecisionSpacingTicks)
        {
            // A decision moments ago already counted these calls and agents; the next event or tick decides again.
            return;
        }

        c.LastDecisionTicks = now.UtcTicks;
        var n = DecidePredictive(c, now.UtcTicks, loggedIn, claimed);
        var pLive = c.Live.Probability;
        claimed += (c.UnreservedRinging + n) * pLive;
        for (var i = 0; i < n; i++)
        {
            if (!TryTakeNext(c, now, out var contact))
            {
                return;
            }

            if (contact.RequiresAgent)
            {
                // An abandoned contact redialed within the block only with an agent reserved first.
                if (_agents.TryReserve(null, out var agent))
                {
                    contact.RequiresAgent = false;
                    PlaceCall(c, contact, agent);
                }
                else
                {
                    contact.NextAttemptAt = now + RetryRules.MinimumInterval;
                    QueueContact(c, contact, now);
                }

                continue;
            }

            PlaceCall(c, contact, null);
        }
    }

    /// <summary>Places the next contact's call without reserving an agent, exactly as a predictive decision does (tests).</summary>
    internal OutboundCall? DialNextUnreserved(Guid campaignId)
    {
        OutboundCall? placed = null;
        lock (_gate)
        {
            var c = _byId[campaignId];
            var now = _time.GetUtcNow();
            MoveDue(c, now);
            if (TryTakeNext(c, now, out var contact))
            {
                PlaceCall(c, contact, null);
                placed = _active.Values.Single(call => call.State == contact && call.Phase == CallPhase.Dialing);
            }
        }

        Flush();
        return placed;
    }

    /// <summary>Builds the pacing input from the campaign's live state and asks the pacer how many calls to launch.</summary>
    private int DecidePredictive(CampaignRuntime c, long nowTicks, int loggedIn, double claimed)
    {
        if (_busyBuffer.Length < c.Handling.Count)
        {
            _busyBuffer = new double[c.Handling.Count * 2];
        }

        if (_ringBuffer.Length < c.Ringing.Count)
        {
            _ringBuffer = new double[c.Ringing.Count * 2];
        }

        var busy = 0;
        foreach (var call in c.Handling)
        {
            _busyBuffer[busy++] = Seconds(nowTicks - call.ConnectedAt);
        }

        var ringing = 0;
        foreach (var call in c.Ringing)
        {
            if (!call.AgentGuaranteed)
            {
                _ringBuffer[ringing++] = Seconds(nowTicks - call.DialedAt);
            }
        }

        c.Compliance.Advance(nowTicks);
        var maxLines = (int)(c.Settings.MaxLinesPerAgent * loggedIn);
        var input = new PacingInput
        {
            FreeAgents = Math.Max(0, _agents.FreeAgents - claimed),
            WaitingForAgent = _waiting.Count,
            LiveAnswerProbability = c.Live.Probability,
            HorizonSeconds = c.LiveRingTime.Mean + c.Settings.ConnectDeadline.TotalSeconds,
            AllowedAbandonRatio = c.Controller.AllowedRatio(c.Compliance.Rate),
            MaxNewCalls = Math.Min(Math.Max(0, maxLines - c.Ringing.Count), Math.Max(1, loggedIn)),
            MaxExpectedAbandons = Math.Max(0, Room(c) - 1) * RoomShare,
        };

        c.HandleTime.Refresh(_busyBuffer.AsSpan(0, busy));
        c.LiveRingTime.Refresh();
        c.RingingTime.Refresh();
        return PredictivePacer.Decide(input, _busyBuffer.AsSpan(0, busy), _ringBuffer.AsSpan(0, ringing), c.HandleTime, c.LiveRingTime, c.RingingTime);
    }
}
