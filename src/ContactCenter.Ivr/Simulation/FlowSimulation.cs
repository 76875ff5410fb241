namespace ContactCenter.Ivr.Simulation;

/// <summary>What to simulate: the caller's script, the time, variables and stubs.</summary>
public sealed class SimulationOptions
{
    /// <summary>The caller's script, for example <c>1,#,12345#</c> (see <see cref="ScriptedChannel"/>).</summary>
    public string Script { get; init; } = string.Empty;

    /// <summary>When the call starts (business hours are checked against it). Default: now.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>The caller's number.</summary>
    public string CallerNumber { get; init; } = "+15550100";

    /// <summary>The number dialled.</summary>
    public string CalledNumber { get; init; } = "+15550199";

    /// <summary>Initial variables.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }

    /// <summary>
    /// Answers <c>http</c> nodes; default: a <see cref="StubHttpRequester"/> with no stubs (every request gets 404).
    /// A factory receives the simulation clock so latencies run in virtual time.
    /// </summary>
    public Func<SimulationClock, IIvrHttpRequester>? HttpRequester { get; init; }

    /// <summary>Finds sub-flows, or <see langword="null"/>.</summary>
    public IFlowResolver? FlowResolver { get; init; }

    /// <summary>Interpreter options (default: the defaults).</summary>
    public IvrInterpreterOptions? InterpreterOptions { get; init; }
}

/// <summary>The result of a simulated call: the session result and the channel with its log.</summary>
/// <param name="Result">The session's outcome, variables and trace.</param>
/// <param name="Channel">The scripted channel (its <see cref="ScriptedChannel.Log"/> lists what the caller heard).</param>
public sealed record SimulationRun(IvrSessionResult Result, ScriptedChannel Channel);

/// <summary>Runs a flow against a scripted caller in virtual time, as <c>contactcenter ivr run</c> does.</summary>
public static class FlowSimulation
{
    /// <summary>Simulates one call of <paramref name="flow"/>.</summary>
    /// <exception cref="FormatException">The script is malformed.</exception>
    public static async Task<SimulationRun> RunAsync(CompiledFlow flow, SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(options);
        var clock = new SimulationClock(options.StartTime ?? DateTimeOffset.UtcNow);
        var channel = new ScriptedChannel(options.Script, clock);
        var http = options.HttpRequester?.Invoke(clock) ?? new StubHttpRequester(clock);
        using var interpreter = new IvrInterpreter(options.InterpreterOptions, clock, http, textToSpeech: null, options.FlowResolver);
        var call = new IvrCallInfo
        {
            CallerNumber = options.CallerNumber,
            CalledNumber = options.CalledNumber,
            Variables = options.Variables,
        };
        var result = await interpreter.RunAsync(flow, channel, call, cancellationToken).ConfigureAwait(false);
        return new SimulationRun(result, channel);
    }
}
