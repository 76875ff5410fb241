using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr.Runtime;

/// <summary>
/// The mutable state of one call in a flow: the variable slots, the type-ahead digit, the sub-flow stack and
/// the trace. Everything shared (nodes, templates, schedules) lives in the <see cref="CompiledFlow"/>.
/// </summary>
internal sealed class IvrSession
{
    private ulong _random;

    public IvrSession(Guid id, CompiledFlow flow, IIvrChannel channel, IvrInterpreter interpreter, CancellationToken cancellationToken)
    {
        Id = id;
        Flow = flow;
        Channel = channel;
        Interpreter = interpreter;
        CancellationToken = cancellationToken;
        Values = flow.NewValues();
        var bytes = id.ToByteArray();
        _random = BitConverter.ToUInt64(bytes, 0) ^ BitConverter.ToUInt64(bytes, 8);
    }

    public Guid Id { get; }

    public CompiledFlow Flow { get; set; }

    public IIvrChannel Channel { get; }

    public IvrInterpreter Interpreter { get; }

    public CancellationToken CancellationToken { get; }

    public string?[] Values { get; set; }

    /// <summary>A digit pressed during an interruptible prompt, waiting for the next menu or collect node.</summary>
    public char PendingDigit { get; set; }

    public List<Frame>? Stack { get; set; }

    public PendingCall? PendingCall { get; set; }

    /// <summary>The outcome so far: the first significant one (queue, transfer, voicemail) is kept; errors and cancellation override it.</summary>
    public IvrOutcome? Outcome { get; set; }

    public string? Queue { get; set; }

    public string? AgentId { get; set; }

    public string? TransferDestination { get; set; }

    public string? Recording { get; set; }

    public string? Mailbox { get; set; }

    public string? Error { get; set; }

    public Dictionary<string, int>? SurveyScores { get; set; }

    public List<IvrTraceEntry>? Trace { get; set; }

    public List<string>? Path { get; set; }

    public bool Answered { get; set; }

    public string Voice => Values[SystemVariables.VoiceSlot] ?? Interpreter.Options.DefaultVoice;

    public string Language => Values[SystemVariables.LanguageSlot] ?? Interpreter.Options.DefaultLanguage;

    /// <summary>A uniform number in [0, 1), deterministic for a given session id (splitmix64).</summary>
    public double NextRandom()
    {
        var z = _random += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public string Render(Template template) => template.Render(Values);

    public void Set(int slot, string? value) => Values[slot] = value;

    public string? Get(int slot) => Values[slot];

    /// <summary>Takes the type-ahead digit, if any.</summary>
    public char TakePendingDigit()
    {
        var digit = PendingDigit;
        PendingDigit = '\0';
        return digit;
    }

    public void Fail(string error)
    {
        Outcome = IvrOutcome.Error;
        Error = error;
    }
}

/// <summary>A caller's place on the sub-flow stack.</summary>
internal sealed record Frame(CompiledFlow Flow, string?[] Values, int ReturnIndex);

/// <summary>A sub-flow call requested by a <c>subflow</c> node.</summary>
internal sealed record PendingCall(string FlowId, string Version, int ReturnIndex);
