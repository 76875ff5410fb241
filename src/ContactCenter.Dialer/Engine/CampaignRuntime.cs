using ContactCenter.Dialer.Pacing;

namespace ContactCenter.Dialer;

/// <summary>The mutable state of one contact inside the dialer (guarded by the dialer's lock).</summary>
internal sealed class ContactState
{
    public required Guid Id { get; init; }

    public required long Sequence { get; init; }

    public required string PhoneNumber { get; init; }

    public string? Name { get; init; }

    public required string TimeZoneId { get; init; }

    public int Priority { get; init; }

    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    public required ZoneQueue Zone { get; init; }

    public required (long Primary, long Secondary) OrderKey { get; init; }

    public ContactStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public CallOutcome? LastOutcome { get; set; }

    public DateTimeOffset? LastAbandonedAt { get; set; }

    public string? CallbackAgentId { get; set; }

    public bool IsCallback { get; set; }

    public string? LastDisposition { get; set; }

    public bool RequiresAgent { get; set; }

    public int QueueVersion { get; set; }

    public bool IsOpen => Status is ContactStatus.Pending or ContactStatus.Dialing;

    public ContactRecord ToRecord(Guid campaignId) => new(
        Id, campaignId, Sequence, PhoneNumber, Name, TimeZoneId, Priority, Fields, Status, Attempts, NextAttemptAt,
        LastOutcome, LastAbandonedAt, CallbackAgentId, IsCallback, LastDisposition);
}

/// <summary>The ready contacts of one time zone; whether the zone's calling window is open is cached per minute.</summary>
internal sealed class ZoneQueue(TimeZoneInfo zone)
{
    private long _cachedUntil = long.MinValue;
    private bool _cachedOpen;

    public TimeZoneInfo Zone { get; } = zone;

    public PriorityQueue<(ContactState Contact, int Version), (long, long)> Ready { get; } = new();

    public bool IsOpen(CallingWindows windows, DateTimeOffset now)
    {
        if (now.UtcTicks < _cachedUntil)
        {
            return _cachedOpen;
        }

        _cachedOpen = windows.IsOpen(now, Zone);
        _cachedUntil = ((now.UtcTicks / TimeSpan.TicksPerMinute) + 1) * TimeSpan.TicksPerMinute;
        return _cachedOpen;
    }
}

/// <summary>A preview offered to an agent.</summary>
internal sealed class PreviewState(Guid id, CampaignRuntime campaign, ContactState contact, string agentId)
{
    public Guid Id { get; } = id;

    public CampaignRuntime Campaign { get; } = campaign;

    public ContactState Contact { get; } = contact;

    public string AgentId { get; } = agentId;

    public ITimer? Timer { get; set; }
}

/// <summary>Everything the dialer keeps about one campaign (guarded by the dialer's lock).</summary>
internal sealed class CampaignRuntime
{
    private readonly Random _orderRandom;

    public CampaignRuntime(Guid id, CampaignSettings settings, CampaignState state, DateTimeOffset? startedAt, long nextSequence, ICampaignStore store)
    {
        Id = id;
        DoNotCall = new DoNotCallList(store, id);
        Settings = settings;
        State = state;
        StartedAt = startedAt;
        NextSequence = nextSequence;
        DefaultZone = CampaignSettings.FindZone(settings.DefaultTimeZoneId) ?? TimeZoneInfo.Utc;
        _orderRandom = new Random(id.GetHashCode());
        Live = new LiveAnswerWindow(settings.StatisticsWindow);
        LiveRingTime = new DurationDistribution(settings.StatisticsWindow, 0.5, 240);
        RingingTime = new DurationDistribution(settings.StatisticsWindow, 0.5, 240);
        HandleTime = new DurationDistribution(settings.StatisticsWindow, 2, 1800);
        Compliance = new ComplianceWindow(settings.ComplianceWindow == ComplianceWindowKind.Rolling24Hours ? TimeSpan.FromHours(24) : settings.CampaignLifeWindow);
        Controller = new AbandonController(settings.AbandonCap, settings.AbandonAim);
    }

    public Guid Id { get; }

    public CampaignSettings Settings { get; set; }

    public CampaignState State { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public long NextSequence { get; set; }

    public TimeZoneInfo DefaultZone { get; }

    public DoNotCallList DoNotCall { get; }

    public Dictionary<Guid, ContactState> Contacts { get; } = [];

    public Dictionary<string, Guid> Numbers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ZoneQueue> Zones { get; } = new(StringComparer.Ordinal);

    public PriorityQueue<(ContactState Contact, int Version), long> Scheduled { get; } = new();

    public PriorityQueue<(ContactState Contact, int Version), (long, long)> Callbacks { get; } = new();

    public List<(ContactState Contact, int Version)> AgentCallbacks { get; } = [];

    public List<OutboundCall> Ringing { get; } = [];

    public List<OutboundCall> Handling { get; } = [];

    public int OpenContacts { get; set; }

    public LiveAnswerWindow Live { get; }

    public DurationDistribution LiveRingTime { get; }

    public DurationDistribution HandleTime { get; }

    public DurationDistribution RingingTime { get; }

    public ComplianceWindow Compliance { get; }

    public AbandonController Controller { get; set; }

    public long Dials { get; set; }

    public long LiveAnswers { get; set; }

    public long MachineAnswers { get; set; }

    public long Abandoned { get; set; }

    public long Finished { get; set; }

    public bool LastDecisionPredictive { get; set; }

    public long LastDecisionTicks { get; set; } = long.MinValue / 2;

    public long FirstConnectTicks { get; set; }

    public int UnreservedRinging { get; set; }

    public CampaignRecord ToRecord() => new(Id, Settings, State, StartedAt, NextSequence);

    /// <summary>
    /// Rebuilds, after a restart, the counts a fresh runtime lacks from the campaign's stored attempts (oldest first):
    /// the totals, the live-answer window, the compliance window and the abandon controller. Attempts with no outcome
    /// or <see cref="CallOutcome.Interrupted"/> say nothing about the answer and count as dials only; an interrupted
    /// call that was connected is therefore missing from the live answers, which can only raise the measured rate.
    /// A live answer counts at its placing time (no later than it was counted live) and an abandon at its end.
    /// </summary>
    public void Replay(IReadOnlyList<AttemptRecord> attempts, DateTimeOffset now)
    {
        var countsForCompliance = Settings.Mode != DialingMode.Agentless;
        var events = new List<(long Ticks, bool Abandoned)>();
        foreach (var attempt in attempts)
        {
            Dials++;
            switch (attempt.Outcome)
            {
                case CallOutcome.AnsweredByPerson:
                    LiveAnswers++;
                    Live.Add(true);
                    if (countsForCompliance)
                    {
                        events.Add((attempt.PlacedAt.UtcTicks, false));
                    }

                    break;
                case CallOutcome.Abandoned:
                    LiveAnswers++;
                    Abandoned++;
                    Live.Add(true);
                    events.Add(((attempt.EndedAt ?? attempt.PlacedAt).UtcTicks, true));
                    break;
                case CallOutcome.AnsweredByMachine:
                    MachineAnswers++;
                    Live.Add(false);
                    break;
                case null or CallOutcome.Interrupted:
                    break;
                default:
                    Live.Add(false);
                    break;
            }
        }

        events.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
        foreach (var (ticks, abandoned) in events)
        {
            Compliance.AddLive(ticks, abandoned);
            Controller.Observe(abandoned);
        }

        Compliance.Advance(now.UtcTicks);
    }

    public ZoneQueue ZoneFor(TimeZoneInfo zone)
    {
        if (!Zones.TryGetValue(zone.Id, out var queue))
        {
            queue = new ZoneQueue(zone);
            Zones[zone.Id] = queue;
        }

        return queue;
    }

    public (long, long) OrderKeyFor(long sequence, int priority) => Settings.Order switch
    {
        ContactOrder.Random => (_orderRandom.NextInt64(), sequence),
        ContactOrder.Priority => (-priority, sequence),
        _ => (0, sequence),
    };

    public static void AddTo(List<OutboundCall> list, OutboundCall call)
    {
        call.Slot = list.Count;
        list.Add(call);
    }

    public static void RemoveFrom(List<OutboundCall> list, OutboundCall call)
    {
        var slot = call.Slot;
        if (slot < 0 || slot >= list.Count || !ReferenceEquals(list[slot], call))
        {
            return;
        }

        var last = list[^1];
        list[slot] = last;
        last.Slot = slot;
        list.RemoveAt(list.Count - 1);
        call.Slot = -1;
    }
}
