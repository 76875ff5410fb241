namespace ContactCenter.Ivr;

/// <summary>Limits and defaults of the interpreter. The defaults are safe for production.</summary>
public sealed class IvrInterpreterOptions
{
    /// <summary>The most nodes one session may run before it ends with an error (guards against endless loops; default 10,000).</summary>
    public int MaxStepsPerSession { get; set; } = 10_000;

    /// <summary>How deep sub-flow calls may nest (default 8).</summary>
    public int MaxSubflowDepth { get; set; } = 8;

    /// <summary>Whether each session keeps a trace of its steps (default true).</summary>
    public bool RecordTrace { get; set; } = true;

    /// <summary>The most trace entries kept per session; later steps still run but are not traced (default 1,000).</summary>
    public int MaxTraceEntries { get; set; } = 1_000;

    /// <summary>The text-to-speech voice until a <c>language</c> node sets one (default <c>en-us</c>).</summary>
    public string DefaultVoice { get; set; } = "en-us";

    /// <summary>The session language until a <c>language</c> node sets one (default <c>en-US</c>).</summary>
    public string DefaultLanguage { get; set; } = "en-US";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MaxStepsPerSession < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStepsPerSession), MaxStepsPerSession, "must be at least 1");
        }

        if (MaxSubflowDepth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSubflowDepth), MaxSubflowDepth, "must not be negative");
        }

        if (MaxTraceEntries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTraceEntries), MaxTraceEntries, "must not be negative");
        }

        if (string.IsNullOrWhiteSpace(DefaultVoice) || string.IsNullOrWhiteSpace(DefaultLanguage))
        {
            throw new ArgumentException("DefaultVoice and DefaultLanguage must not be empty", nameof(DefaultVoice));
        }
    }
}

/// <summary>Finds the compiled flow a <c>subflow</c> node calls, by flow id and version number or alias.</summary>
public interface IFlowResolver
{
    /// <summary>
    /// Returns the flow, or <see langword="null"/> when there is no such flow or version. A resolver may instead throw
    /// <see cref="FlowNotFoundException"/> to say why (which files or versions exist), or
    /// <see cref="InvalidFlowException"/> for a flow that does not compile.
    /// </summary>
    ValueTask<CompiledFlow?> ResolveAsync(string flowId, string versionOrAlias, CancellationToken cancellationToken);
}
