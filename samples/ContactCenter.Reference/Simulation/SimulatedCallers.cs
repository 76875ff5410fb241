using System.Globalization;
using System.Net;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Reference.Simulation;

/// <summary>How a simulated caller's call ended.</summary>
internal enum SimulatedCallOutcome
{
    /// <summary>Not answered: rejected, busy, timed out.</summary>
    Failed,

    /// <summary>Answered, then ended by the contact center before an agent answered (closed, voicemail, error).</summary>
    EndedBeforeAgent,

    /// <summary>The caller ran out of patience in the queue and hung up.</summary>
    Abandoned,

    /// <summary>The caller talked with an agent.</summary>
    Completed,
}

/// <summary>Where a simulated call stands; raised after the wait of that stage has started.</summary>
internal enum SimulatedCallStage
{
    /// <summary>Waiting to press the digits of step <see cref="SimulatedCallProgress.Step"/>.</summary>
    Menu,

    /// <summary>In the queue, waiting for an agent (the patience wait is running).</summary>
    Queued,

    /// <summary>Talking with an agent.</summary>
    Talking,

    /// <summary>The agent left; waiting to press the survey score.</summary>
    Survey,

    /// <summary>Waiting for the contact center to hang up.</summary>
    Closing,
}

/// <summary>A simulated call's progress.</summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="Stage">The stage just entered.</param>
/// <param name="Step">The menu step (0-based) in <see cref="SimulatedCallStage.Menu"/>.</param>
internal sealed record SimulatedCallProgress(string CallId, SimulatedCallStage Stage, int Step);

/// <summary>The result of one simulated call.</summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="Script">The script walked.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="FinalStatus">The final SIP status of the INVITE (200 when answered).</param>
/// <param name="DigitsSent">Every digit pressed, in order.</param>
/// <param name="SurveyScore">The score pressed, when the survey was answered.</param>
internal sealed record SimulatedCallResult(string CallId, string Script, SimulatedCallOutcome Outcome, int? FinalStatus, string DigitsSent, int? SurveyScore);

/// <summary>
/// A load generator: places calls to the main number at <see cref="SimulatedCallersOptions.CallsPerMinute"/>, walks
/// the IVR with RFC 4733 digits at the script's times, waits in the queue up to its patience (then abandons), knows
/// it reached an agent by the agent's connected signal digit, talks, and after the agent's hang-up signal answers the
/// survey with a digit. Over real SIP/RTP through one user agent; timers from the <see cref="TimeProvider"/> given.
/// </summary>
internal sealed class SimulatedCallers : SimulatedParty
{
    private readonly SimulatedCallersOptions _options;
    private readonly SipUri _target;
    private readonly SipDestination _destination;
    private SipUserAgent? _agent;
    private Task? _arrivals;
    private long _placed;
    private long _failed;
    private long _abandoned;
    private long _completed;
    private long _endedBeforeAgent;
    private long _connected;
    private long _surveys;
    private long _skipped;
    private int _active;

    /// <summary>Creates the load generator; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the key.</exception>
    public SimulatedCallers(SimulatedCallersOptions options, SimulationMedia media, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
        : base(media, Validated(options).Seed, time, loggerFactory, "ContactCenter.Reference.Simulation.Callers")
    {
        _options = options;
        _target = SipUri.Parse(options.Target);
        _destination = string.IsNullOrWhiteSpace(options.Destination)
            ? new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse(_target.Host.Trim('[', ']')), _target.Port ?? 5060))
            : SimulationAddresses.Parse(options.Destination, ReferenceSimulationOptions.SectionName + ":Callers:Destination");
    }

    /// <summary>Raised as each call moves on (after the wait of the new stage has started).</summary>
    public event Action<SimulatedCallProgress>? Progress;

    /// <summary>Raised when a call is over.</summary>
    public event Action<SimulatedCallResult>? CallEnded;

    /// <summary>Calls placed.</summary>
    public long Placed => Interlocked.Read(ref _placed);

    /// <summary>Calls up now.</summary>
    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>Calls not answered by the contact center.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Calls that reached an agent.</summary>
    public long Connected => Interlocked.Read(ref _connected);

    /// <summary>Calls abandoned in the queue.</summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>Calls that ended after talking with an agent.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Calls the contact center ended before an agent answered.</summary>
    public long EndedBeforeAgent => Interlocked.Read(ref _endedBeforeAgent);

    /// <summary>Surveys answered.</summary>
    public long SurveysAnswered => Interlocked.Read(ref _surveys);

    /// <summary>Arrivals skipped because <see cref="SimulatedCallersOptions.MaxConcurrentCalls"/> calls were up.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Binds the user agent and starts the arrivals (when <see cref="SimulatedCallersOptions.CallsPerMinute"/> is above 0).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var options = new SipUserAgentOptions { ContactUser = "caller" };
        options.Endpoint.Transport.Listen.Add(new SipListenAddress(SipTransportProtocol.Udp, new IPEndPoint(Media.Address, _options.SipPort)));
        options.Endpoint.UserAgent = "ContactCenter-SimulatedCaller";
        _agent = new SipUserAgent(options, LoggerFactory, Time);
        await _agent.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_options.CallsPerMinute > 0)
        {
            SimulationLog.CallersStarted(Logger, _options.Target, _options.CallsPerMinute, _options.MaxConcurrentCalls);
            _arrivals = RunArrivalsAsync(Stopping);
        }
    }

    /// <summary>Places one call now and returns its result when it is over.</summary>
    /// <param name="script">The script to walk; null picks one by weight.</param>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    public Task<SimulatedCallResult> PlaceCallAsync(CallerScript? script = null)
    {
        var agent = _agent ?? throw new InvalidOperationException("The simulated callers are not started.");
        var task = RunCallAsync(agent, script ?? PickScript());
        Track(task);
        return task;
    }

    /// <summary>Closes the socket once the arrivals stopped and the calls were hung up.</summary>
    protected override async ValueTask ReleaseAsync()
    {
        if (_arrivals is not null)
        {
            await _arrivals.ConfigureAwait(false);
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SimulatedCallersOptions Validated(SimulatedCallersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(ReferenceSimulationOptions.SectionName + ":Callers");
        return options;
    }

    private async Task RunArrivalsAsync(CancellationToken stopping)
    {
        var mean = TimeSpan.FromMinutes(1 / _options.CallsPerMinute);
        while (!stopping.IsCancellationRequested)
        {
            var u = Random(r => r.NextDouble());

            var gap = _options.PoissonArrivals ? TimeSpan.FromTicks((long)(-Math.Log(1 - u) * mean.Ticks)) : mean;
            try
            {
                await Task.Delay(gap, Time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (ActiveCalls >= _options.MaxConcurrentCalls)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }

            _ = PlaceCallAsync();
        }
    }

    private async Task<SimulatedCallResult> RunCallAsync(SipUserAgent agent, CallerScript script)
    {
        var (rtp, sdp, offer) = Media.Offer();
        var digits = new System.Text.StringBuilder();
        int? score = null;
        SipCall? call = null;
        var outcome = SimulatedCallOutcome.Failed;
        Interlocked.Increment(ref _placed);
        Interlocked.Increment(ref _active);
        try
        {
            call = agent.Call(new SipCallRequest
            {
                Target = _target,
                Destination = _destination,
                From = SipUri.Parse($"sip:{CallerId()}@{Media.Address}"),
                Sdp = offer.ToUtf8(),
            });
            var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            call.StateChanged += (_, state) =>
            {
                if (state is SipCallState.Established or SipCallState.Terminated)
                {
                    answered.TrySetResult();
                }
            };
            if (call.State is SipCallState.Established or SipCallState.Terminated)
            {
                answered.TrySetResult();
            }

            using (Stopping.Register(() => answered.TrySetResult()))
            {
                await answered.Task.ConfigureAwait(false);
            }

            if (call.State != SipCallState.Established)
            {
                return Finish(call, script, SimulatedCallOutcome.Failed, digits, score);
            }

            rtp.Apply(sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span)));
            var connected = Signal(rtp, _options.ConnectedSignal);
            var agentLeft = Signal(rtp, _options.AgentLeftSignal);
            rtp.MediaTimedOut += (_, _) => _ = call.HangUpAsync().AsTask();
            rtp.Start();

            // The menu: each step's digits after its wait.
            for (var i = 0; i < script.Steps.Count; i++)
            {
                using var wait = StartWait(script.Steps[i].After);
                Report(call, SimulatedCallStage.Menu, i);
                if (!await wait.WaitAsync(call.Ended).ConfigureAwait(false))
                {
                    return Finish(call, script, SimulatedCallOutcome.EndedBeforeAgent, digits, score);
                }

                Press(rtp, script.Steps[i].Digits);
                digits.Append(script.Steps[i].Digits);
            }

            // The queue: an agent's connected signal, or patience runs out.
            using (var patience = StartWait(Draw(_options.Patience)))
            {
                Report(call, SimulatedCallStage.Queued, 0);
                if (await patience.WaitAsync(call.Ended, connected).ConfigureAwait(false))
                {
                    await call.HangUpAsync().ConfigureAwait(false);
                    return Finish(call, script, SimulatedCallOutcome.Abandoned, digits, score);
                }
            }

            if (!connected.IsCompleted)
            {
                return Finish(call, script, SimulatedCallOutcome.EndedBeforeAgent, digits, score);
            }

            outcome = SimulatedCallOutcome.Completed;
            Interlocked.Increment(ref _connected);
            using (var talk = StartWait(Draw(_options.TalkTime)))
            {
                Report(call, SimulatedCallStage.Talking, 0);
                if (await talk.WaitAsync(call.Ended, agentLeft).ConfigureAwait(false))
                {
                    await call.HangUpAsync().ConfigureAwait(false);
                    return Finish(call, script, outcome, digits, score);
                }
            }

            if (call.State == SipCallState.Terminated || !agentLeft.IsCompleted)
            {
                return Finish(call, script, outcome, digits, score);
            }

            // The agent left: the survey question plays; answer it (or not), then let the contact center say goodbye.
            var (answersSurvey, drawn) = Random(r => (r.NextDouble() < _options.SurveyAnswerRate, r.Next(_options.SurveyScoreMin, _options.SurveyScoreMax + 1)));

            if (answersSurvey)
            {
                using var delay = StartWait(_options.SurveyDelay);
                Report(call, SimulatedCallStage.Survey, 0);
                if (await delay.WaitAsync(call.Ended).ConfigureAwait(false))
                {
                    var key = drawn.ToString(CultureInfo.InvariantCulture);
                    Press(rtp, key);
                    digits.Append(key);
                    score = drawn;
                    Interlocked.Increment(ref _surveys);
                }
            }

            using (var grace = StartWait(_options.EndGrace))
            {
                Report(call, SimulatedCallStage.Closing, 0);
                if (await grace.WaitAsync(call.Ended).ConfigureAwait(false))
                {
                    await call.HangUpAsync().ConfigureAwait(false);
                }
            }

            return Finish(call, script, outcome, digits, score);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException or SdpFormatException or SdpNegotiationException)
        {
            SimulationLog.CallFailed(Logger, "caller", call?.CallId ?? "-", e.Message);
            if (call is not null)
            {
                await call.HangUpAsync().ConfigureAwait(false);
            }

            return Finish(call, script, outcome, digits, score);
        }
        finally
        {
            if (call is not null && call.State != SipCallState.Terminated)
            {
                await call.HangUpAsync().ConfigureAwait(false); // stopping
            }

            await rtp.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _active);
        }
    }

    private SimulatedCallResult Finish(SipCall? call, CallerScript script, SimulatedCallOutcome outcome, System.Text.StringBuilder digits, int? score)
    {
        switch (outcome)
        {
            case SimulatedCallOutcome.Failed:
                Interlocked.Increment(ref _failed);
                break;
            case SimulatedCallOutcome.Abandoned:
                Interlocked.Increment(ref _abandoned);
                break;
            case SimulatedCallOutcome.EndedBeforeAgent:
                Interlocked.Increment(ref _endedBeforeAgent);
                break;
            default:
                Interlocked.Increment(ref _completed);
                break;
        }

        var result = new SimulatedCallResult(call?.CallId ?? "", script.Name, outcome, call?.FinalStatus, digits.ToString(), score);
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            var name = outcome.ToString();
            SimulationLog.CallerEnded(Logger, result.CallId, name, script.Name);
        }
        CallEnded?.Invoke(result);
        return result;
    }

    private static Task Signal(RtpSession rtp, string digit)
    {
        if (string.IsNullOrEmpty(digit))
        {
            return new TaskCompletionSource().Task; // never: no signal configured
        }

        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rtp.Dtmf.DigitReceived += (_, e) =>
        {
            if (e.Digit.Digit == digit[0])
            {
                heard.TrySetResult();
            }
        };
        return heard.Task;
    }

    /// <summary>Presses digits: RFC 4733 events when negotiated, in-band tones otherwise.</summary>
    private static void Press(RtpSession rtp, string digits)
    {
        if (rtp.Audio?.TelephoneEventPayloadType is not null)
        {
            rtp.SendDtmf(digits);
            return;
        }

        var items = new List<PromptItem>();
        foreach (var digit in digits)
        {
            items.Add(PromptItem.Tone(ToneSpec.ForDigit(digit)));
            items.Add(PromptItem.Silence(TimeSpan.FromMilliseconds(80)));
        }

        rtp.Source = new PromptPlayer(items);
    }

    private void Report(SipCall call, SimulatedCallStage stage, int step) => Progress?.Invoke(new SimulatedCallProgress(call.CallId, stage, step));

    private string CallerId() => _options.CallerIdPrefix + Random(r => r.Next(0, 10_000_000)).ToString("D7", CultureInfo.InvariantCulture);

    private CallerScript PickScript()
    {
        var scripts = _options.EffectiveScripts;
        var total = scripts.Sum(s => s.Weight);
        var pick = Random(r => r.NextDouble()) * total;

        foreach (var script in scripts)
        {
            pick -= script.Weight;
            if (pick < 0)
            {
                return script;
            }
        }

        return scripts[^1];
    }
}
