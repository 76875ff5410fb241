namespace ContactCenter.Ivr.Flows;

/// <summary>
/// The variable names a compiled flow uses, each mapped to a slot in the session's value array.
/// System variables always occupy the first slots, in the order of <see cref="SystemVariables.All"/>.
/// </summary>
internal sealed class VariableTable
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    public VariableTable()
    {
        foreach (var name in SystemVariables.All)
        {
            Slot(name);
        }
    }

    public int Count => _names.Count;

    public IReadOnlyList<string> Names => _names;

    public int Slot(string name)
    {
        if (_slots.TryGetValue(name, out var slot))
        {
            return slot;
        }

        slot = _names.Count;
        _slots.Add(name, slot);
        _names.Add(name);
        return slot;
    }

    public bool TryGetSlot(string name, out int slot) => _slots.TryGetValue(name, out slot);
}

/// <summary>The variables the interpreter maintains for every session (read them as <c>${sys.caller}</c>, ...).</summary>
internal static class SystemVariables
{
    public const string Caller = "sys.caller";
    public const string Called = "sys.called";
    public const string SessionId = "sys.sessionId";
    public const string QueuePosition = "sys.queuePosition";
    public const string ExpectedWait = "sys.expectedWait";
    public const string AgentId = "sys.agentId";
    public const string RingSeconds = "sys.ringSeconds";
    public const string TalkSeconds = "sys.talkSeconds";
    public const string Now = "sys.now";
    public const string Language = "sys.language";
    public const string Voice = "sys.voice";
    public const string LastError = "sys.lastError";
    public const string LastInput = "sys.lastInput";

    public const int CallerSlot = 0;
    public const int CalledSlot = 1;
    public const int SessionIdSlot = 2;
    public const int QueuePositionSlot = 3;
    public const int ExpectedWaitSlot = 4;
    public const int AgentIdSlot = 5;
    public const int RingSecondsSlot = 6;
    public const int TalkSecondsSlot = 7;
    public const int NowSlot = 8;
    public const int LanguageSlot = 9;
    public const int VoiceSlot = 10;
    public const int LastErrorSlot = 11;
    public const int LastInputSlot = 12;

    public static readonly string[] All =
    [
        Caller, Called, SessionId, QueuePosition, ExpectedWait, AgentId, RingSeconds, TalkSeconds, Now, Language, Voice,
        LastError, LastInput,
    ];

    public static bool IsSystem(string name) => name.StartsWith("sys.", StringComparison.Ordinal);
}
