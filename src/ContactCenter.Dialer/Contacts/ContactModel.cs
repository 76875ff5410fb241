namespace ContactCenter.Dialer;

/// <summary>A contact to add to a campaign.</summary>
/// <param name="PhoneNumber">E.164, or a national format of the campaign's default country.</param>
/// <param name="Name">The person's name, shown to agents.</param>
/// <param name="TimeZoneId">An IANA (or Windows) time zone id; the campaign's default zone when null.</param>
/// <param name="Priority">Higher is dialed first when the campaign orders by priority.</param>
/// <param name="Fields">Custom fields shown to agents and passed to the call.</param>
public sealed record ContactInput(
    string PhoneNumber,
    string? Name = null,
    string? TimeZoneId = null,
    int Priority = 0,
    IReadOnlyDictionary<string, string>? Fields = null);

/// <summary>A bad CSV line: where, and why.</summary>
/// <param name="LineNumber">The 1-based line on which the bad record starts.</param>
/// <param name="Message">What is wrong, naming the column.</param>
public sealed record ContactImportError(int LineNumber, string Message);

/// <summary>The result of an import: how many contacts were added, how many duplicates were dropped, the bad lines.</summary>
/// <param name="Imported">Contacts added to the campaign.</param>
/// <param name="Duplicates">Lines whose normalized number was already in the campaign.</param>
/// <param name="Errors">One entry per bad line; every other line was imported.</param>
public sealed record ContactImportResult(int Imported, int Duplicates, IReadOnlyList<ContactImportError> Errors);

/// <summary>The stored state of one contact.</summary>
/// <param name="Id">Unique across nodes.</param>
/// <param name="CampaignId">The campaign it belongs to.</param>
/// <param name="Sequence">Upload order within the campaign.</param>
/// <param name="PhoneNumber">Normalized E.164 number.</param>
/// <param name="Name">Display name.</param>
/// <param name="TimeZoneId">Its time zone id (calling windows are evaluated there).</param>
/// <param name="Priority">Contact priority (higher first when ordering by priority).</param>
/// <param name="Fields">Custom fields.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Attempts">Attempts placed so far.</param>
/// <param name="NextAttemptAt">When it may be dialed next (null: now).</param>
/// <param name="LastOutcome">The outcome of its last attempt.</param>
/// <param name="LastAbandonedAt">When a call to it was last abandoned.</param>
/// <param name="CallbackAgentId">The agent a scheduled callback is for (null: anyone).</param>
/// <param name="IsCallback">Whether <paramref name="NextAttemptAt"/> is a callback an agent scheduled.</param>
/// <param name="LastDisposition">The last agent disposition code.</param>
public sealed record ContactRecord(
    Guid Id,
    Guid CampaignId,
    long Sequence,
    string PhoneNumber,
    string? Name,
    string TimeZoneId,
    int Priority,
    IReadOnlyDictionary<string, string> Fields,
    ContactStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    CallOutcome? LastOutcome,
    DateTimeOffset? LastAbandonedAt,
    string? CallbackAgentId,
    bool IsCallback,
    string? LastDisposition);

/// <summary>One call attempt, written before the call is placed and updated with its outcome.</summary>
/// <param name="Id">Unique across nodes; also the call id given to the call port.</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="ContactId">The contact.</param>
/// <param name="Number">1 for the first attempt of the contact, then 2, ...</param>
/// <param name="PhoneNumber">The number dialed.</param>
/// <param name="CallerId">The caller ID presented.</param>
/// <param name="PlacedAt">When the attempt was recorded, just before dialing.</param>
/// <param name="Outcome">Null while the call is in progress.</param>
/// <param name="EndedAt">When the outcome was known.</param>
/// <param name="AgentId">The agent connected or reserved.</param>
/// <param name="DispositionCode">The agent's disposition code.</param>
public sealed record AttemptRecord(
    Guid Id,
    Guid CampaignId,
    Guid ContactId,
    int Number,
    string PhoneNumber,
    string CallerId,
    DateTimeOffset PlacedAt,
    CallOutcome? Outcome,
    DateTimeOffset? EndedAt,
    string? AgentId,
    string? DispositionCode);

/// <summary>The stored state of a campaign.</summary>
/// <param name="Id">Unique across nodes.</param>
/// <param name="Settings">Its settings.</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="StartedAt">When it first ran (the compliance window of its life starts here).</param>
/// <param name="NextSequence">The next upload sequence number.</param>
public sealed record CampaignRecord(Guid Id, CampaignSettings Settings, CampaignState State, DateTimeOffset? StartedAt, long NextSequence);

/// <summary>What an agent decided about a connected call.</summary>
/// <param name="Code">The disposition code (e.g. "SALE", "NOT_INTERESTED").</param>
/// <param name="Kind">What happens to the contact.</param>
/// <param name="CallbackAt">For <see cref="DispositionKind.Callback"/>: when to call back.</param>
/// <param name="CallbackForSameAgent">For callbacks: true for this agent only, false for anyone.</param>
public sealed record AgentDisposition(string Code, DispositionKind Kind = DispositionKind.Final, DateTimeOffset? CallbackAt = null, bool CallbackForSameAgent = false)
{
    /// <summary>A final disposition with <paramref name="code"/>.</summary>
    public static AgentDisposition Final(string code) => new(code);
}

/// <summary>What an agent disposition does to the contact.</summary>
public enum DispositionKind
{
    /// <summary>The contact is finished.</summary>
    Final,

    /// <summary>Retry per the campaign's rule for answered calls (or the default interval).</summary>
    Retry,

    /// <summary>Call back at the given time.</summary>
    Callback,

    /// <summary>Add the number to the campaign's do-not-call list and finish the contact.</summary>
    DoNotCall,
}
