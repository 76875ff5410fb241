using ContactCenter.Dialer;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The text stored for each enum value: stable snake_case names, so reordering or adding a member never changes what
/// a stored row means, and a person reading the database sees words.
/// </summary>
internal static class StoredNames
{
    private static readonly Dictionary<CallStatus, string> Statuses = new()
    {
        [CallStatus.NormalEnd] = "normal_end",
        [CallStatus.AbandonedInIvr] = "abandoned_in_ivr",
        [CallStatus.AbandonedInQueue] = "abandoned_in_queue",
        [CallStatus.AbandonedWhileRinging] = "abandoned_while_ringing",
        [CallStatus.NoAgentAvailable] = "no_agent_available",
        [CallStatus.OutsideHours] = "outside_hours",
        [CallStatus.AgentDidNotAnswer] = "agent_did_not_answer",
        [CallStatus.Transferred] = "transferred",
        [CallStatus.SystemError] = "system_error",
    };

    private static readonly Dictionary<HangupParty, string> Parties = new()
    {
        [HangupParty.Unknown] = "unknown",
        [HangupParty.Caller] = "caller",
        [HangupParty.Agent] = "agent",
        [HangupParty.System] = "system",
    };

    private static readonly Dictionary<CallDirection, string> Directions = new()
    {
        [CallDirection.Inbound] = "inbound",
        [CallDirection.Outbound] = "outbound",
        [CallDirection.Internal] = "internal",
    };

    private static readonly Dictionary<CampaignState, string> CampaignStates = new()
    {
        [CampaignState.Draft] = "draft",
        [CampaignState.Scheduled] = "scheduled",
        [CampaignState.Running] = "running",
        [CampaignState.Paused] = "paused",
        [CampaignState.Stopped] = "stopped",
        [CampaignState.Completed] = "completed",
    };

    private static readonly Dictionary<ContactStatus, string> ContactStatuses = new()
    {
        [ContactStatus.Pending] = "pending",
        [ContactStatus.Dialing] = "dialing",
        [ContactStatus.Completed] = "completed",
        [ContactStatus.Exhausted] = "exhausted",
        [ContactStatus.DoNotCall] = "do_not_call",
        [ContactStatus.Removed] = "removed",
    };

    private static readonly Dictionary<CallOutcome, string> Outcomes = new()
    {
        [CallOutcome.AnsweredByPerson] = "answered_by_person",
        [CallOutcome.AnsweredByMachine] = "answered_by_machine",
        [CallOutcome.Busy] = "busy",
        [CallOutcome.NoAnswer] = "no_answer",
        [CallOutcome.Rejected] = "rejected",
        [CallOutcome.InvalidNumber] = "invalid_number",
        [CallOutcome.NetworkError] = "network_error",
        [CallOutcome.Abandoned] = "abandoned",
        [CallOutcome.Interrupted] = "interrupted",
    };

    public static string Of(CallStatus value) => Name(Statuses, value);

    public static string Of(HangupParty value) => Name(Parties, value);

    public static string Of(CallDirection value) => Name(Directions, value);

    public static string Of(CampaignState value) => Name(CampaignStates, value);

    public static string Of(ContactStatus value) => Name(ContactStatuses, value);

    public static string Of(CallOutcome value) => Name(Outcomes, value);

    public static CampaignState ParseCampaignState(string text) => Parse(CampaignStates, text);

    public static ContactStatus ParseContactStatus(string text) => Parse(ContactStatuses, text);

    public static CallOutcome ParseOutcome(string text) => Parse(Outcomes, text);

    public static CallStatus Status(string text) => Parse(Statuses, text);

    public static HangupParty Party(string text) => Parse(Parties, text);

    public static CallDirection Direction(string text) => Parse(Directions, text);

    private static string Name<T>(Dictionary<T, string> names, T value)
        where T : struct, Enum =>
        names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a defined {typeof(T).Name}");

    private static T Parse<T>(Dictionary<T, string> names, string text)
        where T : struct, Enum
    {
        foreach (var (value, name) in names)
        {
            if (name == text)
            {
                return value;
            }
        }

        throw new StorageException($"the database holds '{text}', which is not a {typeof(T).Name} this build knows (was it written by a newer version?)");
    }
}
