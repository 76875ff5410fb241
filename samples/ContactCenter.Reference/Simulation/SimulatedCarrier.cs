using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Reference.Simulation;

/// <summary>What the simulated carrier does with a call.</summary>
internal enum CarrierOutcome
{
    /// <summary>A person answers after the ring time, says hello, talks and hangs up.</summary>
    Human,

    /// <summary>An answering machine answers with a long greeting and a beep, records, then hangs up.</summary>
    Machine,

    /// <summary>486 Busy Here.</summary>
    Busy,

    /// <summary>Rings until the dialer cancels (or 480 after the no-answer timeout).</summary>
    NoAnswer,
}

/// <summary>A call offered to the simulated carrier and what it decided.</summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="Number">The number dialled (Request-URI user).</param>
/// <param name="Outcome">What the carrier does with it.</param>
internal sealed record CarrierCall(string CallId, string Number, CarrierOutcome Outcome);

/// <summary>
/// The carrier the predictive campaign dials through: a SIP endpoint that, for each INVITE, draws an outcome by the
/// configured weights (person, answering machine, busy, no answer), rings, answers with a short "Hello?" or a long
/// machine greeting and beep, stays on the line, then hangs up. Timers come from the <see cref="TimeProvider"/> given.
/// </summary>
internal sealed class SimulatedCarrier : SimulatedParty
{
    private readonly SimulatedCarrierOptions _options;
    private readonly long[] _outcomes = new long[4];
    private SimulatedPrompt _human = SimulatedPrompt.Tones([700, 900], TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100));
    private SimulatedPrompt _machine = SimulatedPrompt.Tones([400, 500, 600, 500, 400, 500, 600, 500, 400, 500, 600, 500, 400, 500, 600, 500], TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(150));
    private SipUserAgent? _agent;
    private long _offered;
    private int _active;

    /// <summary>Creates the carrier; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the key.</exception>
    public SimulatedCarrier(SimulatedCarrierOptions options, SimulationMedia media, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
        : base(media, Validated(options).Seed, time, loggerFactory, "ContactCenter.Reference.Simulation.Carrier")
    {
        _options = options;
    }

    /// <summary>Raised when a call arrives, once its outcome is drawn and its first wait has started.</summary>
    public event Action<CarrierCall>? CallOffered;

    /// <summary>Calls offered.</summary>
    public long Offered => Interlocked.Read(ref _offered);

    /// <summary>Calls up now (ringing or answered).</summary>
    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>Where the carrier listens (after <see cref="StartAsync"/>).</summary>
    public System.Net.IPEndPoint? LocalEndPoint => _agent?.Endpoint.LocalAddresses[0].EndPoint;

    /// <summary>How many calls got <paramref name="outcome"/>.</summary>
    public long Count(CarrierOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    /// <summary>Prepares the greetings and binds the listen address.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _human = await Media.SpeakAsync(_options.HumanGreeting, _human, cancellationToken).ConfigureAwait(false);
        var machine = await Media.SpeakAsync(_options.MachineGreeting, _machine, cancellationToken).ConfigureAwait(false);
        _machine = ReferenceEquals(machine, _machine) ? machine
            : machine with { Items = [.. machine.Items, PromptItem.Tone(ToneSpec.Beep)], Duration = machine.Duration + ToneSpec.Beep.On };
        var listen = SimulationAddresses.Parse(_options.Listen, ReferenceSimulationOptions.SectionName + ":Campaign:Listen", listen: true);
        var options = new SipUserAgentOptions { ContactUser = "carrier" };
        options.Endpoint.Transport.Listen.Add(new Sip.Transport.SipListenAddress(listen.Protocol, listen.EndPoint));
        options.Endpoint.UserAgent = "ContactCenter-SimulatedCarrier";
        _agent = new SipUserAgent(options, LoggerFactory, Time) { IncomingCall = OnIncomingAsync };
        await _agent.StartAsync(cancellationToken).ConfigureAwait(false);
        SimulationLog.CarrierStarted(Logger, _options.Listen, _options.Human, _options.Machine, _options.Busy, _options.NoAnswer);
    }

    /// <summary>Closes the socket once the calls were hung up.</summary>
    protected override async ValueTask ReleaseAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SimulatedCarrierOptions Validated(SimulatedCarrierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(ReferenceSimulationOptions.SectionName + ":Campaign");
        return options;
    }

    private async ValueTask OnIncomingAsync(SipCall call)
    {
        Interlocked.Increment(ref _offered);
        var outcome = Draw();
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        var first = outcome switch
        {
            CarrierOutcome.Busy => _options.BusyDelay,
            CarrierOutcome.NoAnswer => _options.NoAnswerTimeout,
            _ => Draw(_options.RingTime),
        };
        var ringing = StartWait(first);
        var number = call.InitialInvite.RequestUri is SipUri uri ? uri.User ?? "" : call.InitialInvite.RequestUri.ToString();
        try
        {
            if (outcome != CarrierOutcome.Busy)
            {
                await call.RingAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            ringing.Dispose();
            throw;
        }

        CallOffered?.Invoke(new CarrierCall(call.CallId, number, outcome));
        Track(RunAsync(call, outcome, ringing));
    }

    private async Task RunAsync(SipCall call, CarrierOutcome outcome, SimulationTimer ringing)
    {
        RtpSession? rtp = null;
        SimulationTimer? stay = null;
        Interlocked.Increment(ref _active);
        try
        {
            bool elapsed;
            using (ringing)
            {
                elapsed = await ringing.WaitAsync(call.Ended).ConfigureAwait(false);
            }

            if (call.State == SipCallState.Terminated)
            {
                return; // the dialer cancelled
            }

            if (!elapsed || outcome == CarrierOutcome.NoAnswer)
            {
                await call.RejectAsync(480, "Temporarily Unavailable").ConfigureAwait(false);
                return;
            }

            if (outcome == CarrierOutcome.Busy)
            {
                await call.RejectAsync(486, "Busy Here").ConfigureAwait(false);
                return;
            }

            SdpAnswerResult answer;
            try
            {
                (rtp, answer) = await Media.AnswerAsync(call.RemoteSdp).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SdpFormatException or SdpNegotiationException)
            {
                await call.RejectAsync(488, "Not Acceptable Here").ConfigureAwait(false);
                SimulationLog.CallFailed(Logger, "carrier", call.CallId, e.Message);
                return;
            }

            var greeting = outcome == CarrierOutcome.Machine ? _machine : _human;
            rtp.MediaTimedOut += (_, _) => _ = call.HangUpAsync().AsTask();
            rtp.Source = greeting.Play();
            rtp.Start();
            var stayFor = outcome == CarrierOutcome.Machine ? greeting.Duration + _options.MachineRecordTime : Draw(_options.TalkTime);
            stay = StartWait(stayFor);
            await call.AnswerAsync(answer.Answer.ToUtf8()).ConfigureAwait(false);
            await stay.WaitAsync(call.Ended).ConfigureAwait(false);
            await call.HangUpAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            SimulationLog.CallFailed(Logger, "carrier", call.CallId, e.Message);
            await call.HangUpAsync().ConfigureAwait(false);
        }
        finally
        {
            stay?.Dispose();
            if (rtp is not null)
            {
                await rtp.DisposeAsync().ConfigureAwait(false);
            }

            Interlocked.Decrement(ref _active);
        }
    }

    private CarrierOutcome Draw()
    {
        var total = _options.Human + _options.Machine + _options.Busy + _options.NoAnswer;
        var pick = Random(r => r.NextDouble()) * total;

        if ((pick -= _options.Human) < 0)
        {
            return CarrierOutcome.Human;
        }

        if ((pick -= _options.Machine) < 0)
        {
            return CarrierOutcome.Machine;
        }

        return pick - _options.Busy < 0 ? CarrierOutcome.Busy : CarrierOutcome.NoAnswer;
    }
}
