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

    public static string Of(CallStatus value) => Name(Statuses, value);

    public static string Of(HangupParty value) => Name(Parties, value);

    public static string Of(CallDirection value) => Name(Directions, value);

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
