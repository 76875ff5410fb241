namespace ContactCenter.Dialer;

/// <summary>
/// One outbound call placed by the dialer. The call port and the answering-machine detector report progress
/// through its <c>Report*</c> methods; reports that make no sense in the call's state are ignored.
/// </summary>
public sealed class OutboundCall
{
    private readonly OutboundDialer _owner;

    internal OutboundCall(OutboundDialer owner, Guid id, Guid campaignId, ContactRecord contact, string callerId, TimeSpan ringTimeout)
    {
        _owner = owner;
        Id = id;
        CampaignId = campaignId;
        Contact = contact;
        CallerId = callerId;
        RingTimeout = ringTimeout;
    }

    /// <summary>The call id (also the attempt id in the campaign store).</summary>
    public Guid Id { get; }

    /// <summary>The campaign placing the call.</summary>
    public Guid CampaignId { get; }

    /// <summary>The contact called.</summary>
    public ContactRecord Contact { get; }

    /// <summary>The E.164 number dialed.</summary>
    public string PhoneNumber => Contact.PhoneNumber;

    /// <summary>The caller ID to present (empty: the trunk's own).</summary>
    public string CallerId { get; }

    /// <summary>How long the dialer lets it ring.</summary>
    public TimeSpan RingTimeout { get; }

    /// <summary>The agent reserved for (or connected to) the call, if any.</summary>
    public string? AgentId { get; internal set; }

    internal CallPhase Phase { get; set; }

    internal long DialedAt { get; set; }

    internal long AnsweredAt { get; set; }

    internal long ConnectedAt { get; set; }

    internal ITimer? Timer { get; set; }

    internal bool AgentGuaranteed { get; set; }

    internal int AttemptNumber { get; set; }

    internal int Slot { get; set; } = -1;

    internal CampaignRuntime? Campaign { get; set; }

    internal ContactState? State { get; set; }

    internal DateTimeOffset PlacedAt { get; set; }

    internal long PersonAt { get; set; }

    internal bool RingingReported { get; set; }

    internal bool ClassifiedAsMachine { get; set; }

    internal bool MisclassificationReported { get; set; }

    internal DateTimeOffset EndedAt { get; set; }

    /// <summary>The far end is ringing: the ring timeout restarts from now, so the call rings for at least the whole timeout.</summary>
    public void ReportRinging() => _owner.OnRinging(this);

    /// <summary>The far end answered (a person or a machine; detection follows when a detector is configured).</summary>
    public void ReportAnswered() => _owner.OnAnswered(this);

    /// <summary>
    /// The answering-machine detector's verdict. A <see cref="AmdVerdict.Person"/> verdict after a
    /// <see cref="AmdVerdict.Machine"/> one (the detector revised itself) is the same as <see cref="ReportPersonClassifiedAsMachine"/>.
    /// </summary>
    public void ReportAmdVerdict(AmdVerdict verdict) => _owner.OnAmdVerdict(this, verdict);

    /// <summary>
    /// A person was on this call although answering-machine detection classified it as a machine (the detector revised
    /// its verdict, or an agent or IVR found a person later). The call counts as abandoned: in the campaign's
    /// abandonment rate and compliance window, in the pacing controller, and in the contact's abandoned-redial block;
    /// its attempt is stored again with <see cref="CallOutcome.Abandoned"/>.
    /// </summary>
    /// <returns>True when counted; false when the call was not classified as a machine or was already reported.</returns>
    public bool ReportPersonClassifiedAsMachine() => _owner.OnPersonClassifiedAsMachine(this);

    /// <summary>The call failed before it was answered (busy, no answer, rejected, invalid number, network error).</summary>
    public void ReportFailed(CallOutcome outcome) => _owner.OnFailed(this, outcome);

    /// <summary>The call ended after it was answered (either side hung up).</summary>
    public void ReportHangUp() => _owner.OnHangUp(this);
}

internal enum CallPhase
{
    Dialing,
    Answered,
    WaitingForAgent,
    Connected,
    Ended,
}
