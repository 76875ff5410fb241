using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using ContactCenter.Ivr.Diagnostics;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Nodes;
using ContactCenter.Ivr.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Ivr;

/// <summary>
/// Runs compiled flows against calls. Thread-safe: one interpreter serves any number of concurrent sessions; each
/// <see cref="RunAsync"/> is one call. Nodes without I/O run synchronously; I/O nodes await the channel, the HTTP
/// requester or the text-to-speech engine without blocking a thread.
/// </summary>
public sealed class IvrInterpreter : IDisposable
{
    /// <summary>Creates an interpreter.</summary>
    /// <param name="options">Limits and defaults; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for trace times, business hours and HTTP timeouts (default: system).</param>
    /// <param name="httpRequester">Sends <c>http</c> node requests; without one, <c>http</c> nodes fail (and take their error branch).</param>
    /// <param name="textToSpeech">Synthesizes text prompts; without one, the channel receives the text itself.</param>
    /// <param name="flowResolver">Finds sub-flows; without one, <c>subflow</c> nodes fail.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="meterFactory">Creates the <c>ContactCenter.Ivr</c> meter (a private meter when <see langword="null"/>).</param>
    public IvrInterpreter(
        IvrInterpreterOptions? options = null,
        TimeProvider? timeProvider = null,
        IIvrHttpRequester? httpRequester = null,
        ITextToSpeech? textToSpeech = null,
        IFlowResolver? flowResolver = null,
        ILogger<IvrInterpreter>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        Options = options ?? new IvrInterpreterOptions();
        Options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        HttpRequester = httpRequester;
        TextToSpeech = textToSpeech;
        FlowResolver = flowResolver;
        Logger = (ILogger?)logger ?? NullLogger.Instance;
        Telemetry = new IvrTelemetry(meterFactory);
    }

    /// <summary>The options in use.</summary>
    public IvrInterpreterOptions Options { get; }

    /// <summary>The clock in use.</summary>
    public TimeProvider TimeProvider { get; }

    internal IIvrHttpRequester? HttpRequester { get; }

    internal ITextToSpeech? TextToSpeech { get; }

    internal IFlowResolver? FlowResolver { get; }

    internal ILogger Logger { get; }

    internal IvrTelemetry Telemetry { get; }

    /// <summary>Runs <paramref name="flow"/> on <paramref name="channel"/> until the session ends; never throws for a call problem.</summary>
    /// <param name="flow">The compiled flow (shared by all sessions).</param>
    /// <param name="channel">The call.</param>
    /// <param name="call">Caller and called numbers, session id and initial variables.</param>
    /// <param name="cancellationToken">Cancels the session (outcome <see cref="IvrOutcome.Cancelled"/>).</param>
    public async Task<IvrSessionResult> RunAsync(CompiledFlow flow, IIvrChannel channel, IvrCallInfo? call = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(channel);
        var startedAt = TimeProvider.GetUtcNow();
        var id = call?.SessionId ?? Guid.CreateVersion7(startedAt);
        var session = new IvrSession(id, flow, channel, this, cancellationToken);
        Initialize(session, call);
        if (Options.RecordTrace)
        {
            session.Trace = new List<IvrTraceEntry>(8);
        }
        else
        {
            session.Path = new List<string>(8);
        }

        Telemetry.SessionsStarted.Add(1);
        Telemetry.SessionsActive.Add(1);
        using var activity = IvrTelemetry.ActivitySource.StartActivity("ivr.session");
        if (activity is not null)
        {
            activity.SetTag("ivr.flow.id", flow.Id);
            activity.SetTag("ivr.session.id", id.ToString());
        }

        IvrLog.SessionStarted(Logger, id, flow.Id);
        var steps = 0;
        try
        {
            steps = await RunLoopAsync(session).ConfigureAwait(false);
        }
        finally
        {
            Telemetry.SessionsActive.Add(-1);
            Telemetry.Steps.Add(steps);
        }

        var endedAt = TimeProvider.GetUtcNow();
        Telemetry.SessionDuration.Record((endedAt - startedAt).TotalSeconds);
        activity?.SetTag("ivr.outcome", (session.Outcome ?? IvrOutcome.Hangup).ToString());
        IvrLog.SessionEnded(Logger, id, session.Outcome ?? IvrOutcome.Hangup, steps);
        return BuildResult(session, flow, steps, startedAt, endedAt);
    }

    /// <summary>Waits on the interpreter's clock; a <see cref="Simulation.SimulationClock"/> jumps instead of waiting.</summary>
    internal Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (TimeProvider is Simulation.SimulationClock clock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock.Advance(delay);
            return Task.CompletedTask;
        }

        return Task.Delay(delay, TimeProvider, cancellationToken);
    }

    /// <summary>Disposes the interpreter's meter.</summary>
    public void Dispose() => Telemetry.Dispose();

    private void Initialize(IvrSession session, IvrCallInfo? call)
    {
        var values = session.Values;
        values[SystemVariables.CallerSlot] = call?.CallerNumber ?? string.Empty;
        values[SystemVariables.CalledSlot] = call?.CalledNumber ?? string.Empty;
        values[SystemVariables.SessionIdSlot] = session.Id.ToString();
        values[SystemVariables.LanguageSlot] = Options.DefaultLanguage;
        values[SystemVariables.VoiceSlot] = Options.DefaultVoice;
        values[SystemVariables.AgentIdSlot] = string.Empty;
        if (call?.Variables is { } initial)
        {
            foreach (var (name, value) in initial)
            {
                if (!SystemVariables.IsSystem(name) && session.Flow.Variables.TryGetSlot(name, out var slot))
                {
                    values[slot] = value;
                }
            }
        }
    }

    private async Task<int> RunLoopAsync(IvrSession session)
    {
        var cancellationToken = session.CancellationToken;
        var index = session.Flow.StartIndex;
        var steps = 0;
        while (true)
        {
            var node = session.Flow.Nodes[index];
            if (++steps > Options.MaxStepsPerSession)
            {
                session.Fail($"the session ran more than {Options.MaxStepsPerSession} steps (a loop without input?)");
                Record(session, node, "error", "limit", null, null);
                await HangUpQuietlyAsync(session).ConfigureAwait(false);
                return steps - 1;
            }

            if (node.ReadsNow)
            {
                session.Values[SystemVariables.NowSlot] = TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }

            Step step;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pending = node.ExecuteAsync(session);
                step = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
                if (step.Next == Step.Call)
                {
                    step = await CallAsync(session, node, step).ConfigureAwait(false);
                    if (step.Next >= 0 && session.PendingCall is null)
                    {
                        index = step.Next;
                        continue;
                    }
                }
            }
            catch (CallerHungUpException)
            {
                session.Outcome ??= IvrOutcome.CallerHangup;
                IvrLog.CallerHungUp(Logger, session.Id, node.Id);
                Record(session, node, "callerHangup", "hangup", null, null);
                return steps;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                session.Outcome = IvrOutcome.Cancelled;
                Record(session, node, "cancelled", "cancel", null, null);
                return steps;
            }
#pragma warning disable CA1031 // A failing node must never crash the call: any exception takes the node's error branch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                IvrLog.NodeFailed(Logger, session.Id, node.Id, ex.Message);
                session.Values[SystemVariables.LastErrorSlot] = ex.Message;
                if (node.ErrorIndex < 0)
                {
                    session.Fail($"node '{node.Id}' failed: {ex.Message}");
                    Record(session, node, "error", "error", ex.Message, null);
                    await HangUpQuietlyAsync(session).ConfigureAwait(false);
                    return steps;
                }

                step = new Step(node.ErrorIndex, TransitionNames.Error, "error", ex.Message);
            }

            if (step.Next >= 0)
            {
                Record(session, node, step.Transition, step.Action, step.Input, session.Flow.Nodes[step.Next].Id);
                index = step.Next;
                continue;
            }

            if (step.Next == Step.Return)
            {
                if (session.Stack is not { Count: > 0 } stack)
                {
                    await HangUpQuietlyAsync(session).ConfigureAwait(false);
                    session.Outcome ??= IvrOutcome.Hangup;
                    Record(session, node, "return", step.Action, null, null);
                    return steps;
                }

                var frame = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                CopyByName(session.Flow, session.Values, frame.Flow, frame.Values);
                var returnTo = frame.Flow.Nodes[frame.ReturnIndex];
                Record(session, node, "return", step.Action, null, frame.Flow.Id + ":" + returnTo.Id);
                session.Flow = frame.Flow;
                session.Values = frame.Values;
                index = frame.ReturnIndex;
                continue;
            }

            Record(session, node, step.Transition, step.Action, step.Input, null);
            return steps;
        }
    }

    /// <summary>Enters the sub-flow a <c>subflow</c> node asked for; returns the step to record (or a failure).</summary>
    private async ValueTask<Step> CallAsync(IvrSession session, NodeBase node, Step step)
    {
        var call = session.PendingCall!;
        session.PendingCall = null;
        if ((session.Stack?.Count ?? 0) >= Options.MaxSubflowDepth)
        {
            throw new NodeFailedException($"sub-flows nest deeper than {Options.MaxSubflowDepth}");
        }

        if (FlowResolver is null)
        {
            throw new NodeFailedException("no flow resolver is configured for sub-flows");
        }

        CompiledFlow? resolved;
        try
        {
            resolved = await FlowResolver.ResolveAsync(call.FlowId, call.Version, session.CancellationToken).ConfigureAwait(false);
        }
        catch (InvalidFlowException ex)
        {
            throw new NodeFailedException($"sub-flow '{call.FlowId}' version '{call.Version}' is invalid: {ex.Message}");
        }

        var callee = resolved ?? throw new NodeFailedException($"sub-flow '{call.FlowId}' version '{call.Version}' was not found");
        var values = callee.NewValues();
        CopyByName(session.Flow, session.Values, callee, values);
        (session.Stack ??= []).Add(new Frame(session.Flow, session.Values, call.ReturnIndex));
        var entry = callee.Nodes[callee.StartIndex];
        Record(session, node, step.Transition, step.Action, step.Input, callee.Id + ":" + entry.Id);
        session.Flow = callee;
        session.Values = values;
        return new Step(callee.StartIndex, step.Transition, step.Action);
    }

    private static void CopyByName(CompiledFlow from, string?[] fromValues, CompiledFlow to, string?[] toValues)
    {
        var names = to.Variables.Names;
        for (var slot = 0; slot < names.Count; slot++)
        {
            if (from.Variables.TryGetSlot(names[slot], out var source) && fromValues[source] is { } value)
            {
                toValues[slot] = value;
            }
        }
    }

    private void Record(IvrSession session, NodeBase node, string outcome, string action, string? input, string? next)
    {
        if (session.Trace is { } trace)
        {
            if (trace.Count < Options.MaxTraceEntries)
            {
                trace.Add(new IvrTraceEntry(TimeProvider.GetUtcNow(), node.Id, node.Type, action, input, outcome, next));
            }
        }
        else if (session.Path is { } path && path.Count < Options.MaxTraceEntries)
        {
            path.Add(node.Id);
        }
    }

    private static async ValueTask HangUpQuietlyAsync(IvrSession session)
    {
        try
        {
            await session.Channel.HangUpAsync(session.CancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the session already failed; a second failure must not hide the first.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static IvrSessionResult BuildResult(IvrSession session, CompiledFlow flow, int steps, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = session.Flow.Variables.Names;
        for (var slot = 0; slot < names.Count; slot++)
        {
            if (session.Values[slot] is { } value)
            {
                variables[names[slot]] = value;
            }
        }

        IReadOnlyList<IvrTraceEntry> trace = session.Trace ?? [];
        IReadOnlyList<string> path = session.Trace is { } t ? t.Select(e => e.NodeId).ToList() : session.Path ?? [];
        return new IvrSessionResult
        {
            SessionId = session.Id,
            FlowId = flow.Id,
            Outcome = session.Outcome ?? IvrOutcome.Hangup,
            Queue = session.Queue,
            AgentId = session.AgentId,
            TransferDestination = session.TransferDestination,
            Recording = session.Recording,
            Mailbox = session.Mailbox,
            SurveyScores = session.SurveyScores ?? new Dictionary<string, int>(),
            Error = session.Error,
            Variables = variables,
            Path = path,
            Trace = trace,
            Steps = steps,
            StartedAt = startedAt,
            EndedAt = endedAt,
        };
    }
}
