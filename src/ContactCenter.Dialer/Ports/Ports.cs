using System.Diagnostics.CodeAnalysis;

namespace ContactCenter.Dialer;

/// <summary>
/// Places outbound calls and acts on them. Progress comes back through the <see cref="OutboundCall"/>'s
/// <c>Report*</c> methods. Implementations should not block; they may report from any thread.
/// </summary>
public interface IOutboundCallPort
{
    /// <summary>Places the call to <see cref="OutboundCall.PhoneNumber"/> presenting <see cref="OutboundCall.CallerId"/>.</summary>
    void Dial(OutboundCall outboundCall);

    /// <summary>Bridges an answered call to an agent.</summary>
    void Connect(OutboundCall outboundCall, string agentId);

    /// <summary>Plays the compliance message to an answered call that got no agent, then hangs up.</summary>
    void PlayComplianceMessage(OutboundCall outboundCall, string prompt);

    /// <summary>Hands an answered call to an IVR flow (agentless campaigns).</summary>
    void StartFlow(OutboundCall outboundCall, string flowId);

    /// <summary>Hangs the call up (ring timeout, machine answer, campaign stopped).</summary>
    void HangUp(OutboundCall outboundCall);
}

/// <summary>
/// The agents the dialer may use. The dialer reserves a free agent before connecting a call to it; the agent
/// becomes free again when the pool says so (the pool then calls <see cref="OutboundDialer.NotifyAgentAvailable"/>).
/// </summary>
public interface IAgentPool
{
    /// <summary>Agents logged in to the dialer's campaigns.</summary>
    int LoggedInAgents { get; }

    /// <summary>Agents free now (not reserved, not on a call, not in wrap-up).</summary>
    int FreeAgents { get; }

    /// <summary>Reserves a free agent, or the given one when <paramref name="agentId"/> is set and that agent is free.</summary>
    bool TryReserve(string? agentId, [NotNullWhen(true)] out string? reservedAgentId);

    /// <summary>Gives back a reserved agent that was not connected to a call.</summary>
    void Release(string agentId);

    /// <summary>Shows a contact to a reserved agent, who answers with <see cref="OutboundDialer.AcceptPreview"/> or <see cref="OutboundDialer.SkipPreview"/>.</summary>
    void OfferPreview(string agentId, PreviewOffer offer);
}

/// <summary>Answering-machine detection: classifies an answered call and reports with <see cref="OutboundCall.ReportAmdVerdict"/>.</summary>
public interface IAnsweringMachineDetector
{
    /// <summary>Starts listening to the answered call.</summary>
    void Start(OutboundCall outboundCall);
}

/// <summary>A contact shown to an agent in preview mode.</summary>
/// <param name="Id">The offer id to accept or skip.</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Contact">The contact.</param>
/// <param name="ExpiresAt">When the offer times out.</param>
public sealed record PreviewOffer(Guid Id, Guid CampaignId, ContactRecord Contact, DateTimeOffset ExpiresAt);

/// <summary>
/// The campaign store: campaigns, contacts and attempts. The dialer writes an attempt and its contact's state
/// before it places the call, so a new dialer over the same store resumes without dialing anyone twice.
/// </summary>
public interface ICampaignStore
{
    /// <summary>Inserts or replaces a campaign.</summary>
    void SaveCampaign(CampaignRecord campaign);

    /// <summary>Inserts or replaces contacts (one transaction).</summary>
    void SaveContacts(IReadOnlyList<ContactRecord> contacts);

    /// <summary>Inserts or replaces an attempt and its contact's state together (one transaction).</summary>
    void SaveAttempt(AttemptRecord attempt, ContactRecord contact);

    /// <summary>Every campaign.</summary>
    IReadOnlyList<CampaignRecord> LoadCampaigns();

    /// <summary>The contacts of a campaign.</summary>
    IReadOnlyList<ContactRecord> LoadContacts(Guid campaignId);

    /// <summary>The attempts of a campaign that have no outcome yet.</summary>
    IReadOnlyList<AttemptRecord> LoadOpenAttempts(Guid campaignId);

    /// <summary>
    /// The attempts of a campaign placed at or after <paramref name="since"/>, with or without an outcome, oldest
    /// first. <see cref="OutboundDialer.Restore"/> rebuilds the campaign's compliance window and statistics from them.
    /// </summary>
    /// <param name="campaignId">The campaign.</param>
    /// <param name="since">The earliest <see cref="AttemptRecord.PlacedAt"/> returned (inclusive).</param>
    IReadOnlyList<AttemptRecord> LoadAttempts(Guid campaignId, DateTimeOffset since);

    /// <summary>Adds an E.164 number to a do-not-call list; adding it again changes nothing.</summary>
    /// <param name="campaignId">The campaign whose list it is; null for the global list.</param>
    /// <param name="phoneNumber">The E.164 number.</param>
    void SaveDoNotCall(Guid? campaignId, string phoneNumber);

    /// <summary>Removes an E.164 number from a do-not-call list; removing a number that is not listed changes nothing.</summary>
    /// <param name="campaignId">The campaign whose list it is; null for the global list.</param>
    /// <param name="phoneNumber">The E.164 number.</param>
    void RemoveDoNotCall(Guid? campaignId, string phoneNumber);

    /// <summary>The numbers of a do-not-call list, in no particular order.</summary>
    /// <param name="campaignId">The campaign whose list it is; null for the global list.</param>
    IReadOnlyList<string> LoadDoNotCall(Guid? campaignId);
}
