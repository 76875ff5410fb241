using System.Threading.Channels;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// One call through the contact center (the caller's leg plus whatever it is connected to), with everything its call
/// record needs. Mutated by the call's own flow (IVR, then queue) and by call-control requests posted to
/// <see cref="Signals"/>; read by anyone for <see cref="ActiveCallInfo"/>.
/// </summary>
internal sealed class ContactCall
{
    private readonly object _gate = new();
    private readonly List<CallLeg> _legs = [];

    public ContactCall(Guid id, CallDirection direction, SipCall? caller, string from, string to, DateTimeOffset startedAt)
    {
        Id = id;
        Direction = direction;
        _caller = caller;
        From = from;
        To = to;
        StartedAt = startedAt;
    }

    public Guid Id { get; }

    public CallDirection Direction { get; }

    /// <summary>
    /// The caller's SIP call: the inbound call, or for a campaign call the answered customer leg once an agentless flow
    /// took it over (<see cref="AdoptCustomer"/>). Until then a call we placed has none: its legs are in
    /// <see cref="Connected"/> and the legs list.
    /// </summary>
    public SipCall Caller => _caller ?? throw new InvalidOperationException($"call {Id} was placed by the contact center and has no inbound leg");

    private SipCall? _caller;

    public string From { get; }

    public string To { get; }

    public DateTimeOffset StartedAt { get; }

    public NumberBinding? Number { get; set; }

    public CallMedia? CallerMedia { get; set; }

    /// <summary>The flow's channel to the caller, once the flow has queued or transferred the call; it answers the INVITE.</summary>
    public ContactCenter.Hosting.Ivr.SipIvrChannel? Ivr { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public DateTimeOffset? QueueEnteredAt { get; set; }

    public DateTimeOffset? QueueExitedAt { get; set; }

    public DateTimeOffset? AgentAnsweredAt { get; set; }

    public ActiveCallPhase Phase { get; set; } = ActiveCallPhase.Setup;

    public string? Queue { get; set; }

    public string? AgentId { get; set; }

    /// <summary>The agent (or transfer target) leg connected to the caller, if any.</summary>
    public AgentLeg? Connected { get; set; }

    public CallRecorder? Recorder { get; set; }

    /// <summary>The media session while the caller is connected to an agent.</summary>
    public ConnectedSession? Session { get; set; }

    public Guid? RecordingId { get; set; }

    public CallStatus? Status { get; set; }

    public HangupParty HangupParty { get; set; }

    /// <summary>
    /// How many work items the call has had in Routing. Each wait in a queue is a new item, numbered from this, so the
    /// events of an item it left (its withdrawal's ItemExited) are never taken for those of the next.
    /// </summary>
    public int QueueItems { get; set; }

    public int? SurveyScore { get; set; }

    public string? IvrTrace { get; set; }

    /// <summary>
    /// Set by the runtime when the drain timeout passed with the call still up and it hung the call up: the call record
    /// then says the system ended it (<see cref="CallStatus.SystemError"/>, <see cref="HangupParty.System"/>), whatever
    /// the call's own loop made of the hang-up (a queued caller abandoning, a caller ending the talk).
    /// </summary>
    public bool EndedByShutdown
    {
        get => _endedByShutdown;
        set => _endedByShutdown = value;
    }

    private volatile bool _endedByShutdown;

    public Dictionary<string, MonitorMode> Monitors { get; } = new(StringComparer.Ordinal);

    /// <summary>The hold music playing to the caller while queued or held, if any.</summary>
    public PromptPlayer? Hold { get; set; }

    /// <summary>Call-control requests for the call's flow to carry out (hold, transfer, monitor, hang up).</summary>
    public Channel<CallSignal> Signals { get; } = Channel.CreateUnbounded<CallSignal>(new UnboundedChannelOptions { SingleReader = false });

    public bool CallerGone => _caller is null || _caller.State == SipCallState.Terminated;

    /// <summary>
    /// Makes the answered customer leg of a campaign call the call's <see cref="Caller"/>, so an agentless flow (IVR,
    /// queue, transfer) treats the customer as it treats an inbound caller. Called once, by the call's own loop.
    /// </summary>
    public void AdoptCustomer(SipCall customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (_caller is not null && !ReferenceEquals(_caller, customer))
        {
            throw new InvalidOperationException($"call {Id} already has a caller leg ({_caller.CallId})");
        }

        _caller = customer;
    }

    public void AddLeg(CallLeg leg)
    {
        lock (_gate)
        {
            _legs.Add(leg);
        }
    }

    public void UpdateLeg(string sipCallId, Func<CallLeg, CallLeg> update)
    {
        lock (_gate)
        {
            var i = _legs.FindIndex(l => l.SipCallId == sipCallId);
            if (i >= 0)
            {
                _legs[i] = update(_legs[i]);
            }
        }
    }

    public IReadOnlyList<CallLeg> Legs()
    {
        lock (_gate)
        {
            return [.. _legs];
        }
    }

    public ActiveCallInfo Describe()
    {
        Dictionary<string, MonitorMode> monitors;
        lock (Monitors)
        {
            monitors = new Dictionary<string, MonitorMode>(Monitors, StringComparer.Ordinal);
        }

        return new ActiveCallInfo(
            Id,
            Direction == CallDirection.Outbound ? "outbound" : Direction == CallDirection.Internal ? "internal" : "inbound",
            From,
            To,
            Phase,
            Queue,
            AgentId,
            StartedAt,
            AnsweredAt,
            Recorder is not null,
            Recorder?.IsPaused ?? false,
            monitors);
    }
}

/// <summary>
/// A leg the contact center placed for a call: an agent's phone, a transfer target, a supervisor. A leg to a
/// registered extension has its <see cref="Call"/> at once; a leg through a trunk gets it once the trunk manager has
/// an answer (until then <see cref="HangUpAsync"/> cancels the attempt).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source never has a timer, so it holds nothing to release; it lives as long as the leg.")]
internal sealed class AgentLeg
{
    private readonly CancellationTokenSource _placing = new();

    public AgentLeg(string role, string? agentId, Guid offerId, string target, CallMedia media, DateTimeOffset startedAt)
    {
        Role = role;
        AgentId = agentId;
        OfferId = offerId;
        Target = target;
        Media = media;
        StartedAt = startedAt;
    }

    public string Role { get; }

    public string? AgentId { get; }

    public Guid OfferId { get; }

    /// <summary>Where the leg goes (a contact URI or a number).</summary>
    public string Target { get; }

    /// <summary>The SIP call, once placed (at once for extensions, at the answer for trunk calls).</summary>
    public SipCall? Call { get; private set; }

    public CallMedia Media { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public bool CancelledByUs { get; set; }

    /// <summary>Whether the answer was already signalled (a retransmitted 2xx must not signal twice).</summary>
    public bool Signalled { get; set; }

    /// <summary>The final status when the leg failed before a SIP call existed (no trunk, all refused).</summary>
    public int? FailureStatus { get; set; }

    public int? FinalStatus => Call?.FinalStatus ?? FailureStatus;

    /// <summary>Cancels an attempt still being placed.</summary>
    public CancellationToken Placing => _placing.Token;

    public void Attach(SipCall call) => Call = call;

    /// <summary>Hangs up (BYE or CANCEL), or stops the trunk attempt when no call exists yet.</summary>
    public async Task HangUpAsync()
    {
        if (Call is not { } call)
        {
            CancelledByUs = true;
            await _placing.CancelAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            await call.HangUpAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            // Ended on its own meanwhile.
        }
    }
}

/// <summary>Something that happened to a call that its flow must react to.</summary>
internal abstract record CallSignal;

/// <summary>A routing event about one of the call's work items (a call that moves between queues has one per queue).</summary>
internal sealed record RoutingSignal(ContactCenter.Routing.RoutingEvent Event, string ItemId) : CallSignal;

/// <summary>A leg we placed answered, or ended before answering.</summary>
internal sealed record LegSignal(AgentLeg Leg, bool Answered) : CallSignal;

/// <summary>The connected leg (agent, transfer target) hung up.</summary>
internal sealed record ConnectedLegEnded(AgentLeg Leg) : CallSignal;

/// <summary>An announcement of position and expected wait, synthesised for one of the call's work items, is ready to play.</summary>
internal sealed record AnnouncementSignal(ContactCenter.Sip.Media.AudioClip Clip, string ItemId) : CallSignal;

/// <summary>A timer of the call fired (ring timeout; overflow and announcement, which name the work item they were set for).</summary>
internal sealed record TimerSignal(string Kind, string? ItemId = null) : CallSignal;

/// <summary>Call control asked for hold or unhold.</summary>
internal sealed record HoldSignal(bool Hold, TaskCompletionSource Done) : CallSignal;

/// <summary>Call control asked for a blind transfer.</summary>
internal sealed record TransferSignal(CallTransferTarget Target, TaskCompletionSource Done) : CallSignal;

/// <summary>Call control asked for a supervisor to join.</summary>
internal sealed record MonitorSignal(string SupervisorId, MonitorMode Mode, TaskCompletionSource Done) : CallSignal;

/// <summary>The caller hung up.</summary>
internal sealed record CallerEndedSignal : CallSignal;
