using System.Net;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Reference.Simulation;

/// <summary>What a simulated agent's phone is doing.</summary>
internal enum SimulatedAgentState
{
    /// <summary>Not registered with the registrar.</summary>
    Unregistered,

    /// <summary>Registered, no call.</summary>
    Idle,

    /// <summary>A call is ringing; the agent answers after the answer delay.</summary>
    Ringing,

    /// <summary>On a call.</summary>
    Talking,
}

/// <summary>One simulated agent as the console shows it.</summary>
/// <param name="Extension">The extension (SIP user).</param>
/// <param name="State">What the phone is doing.</param>
/// <param name="CallsAnswered">Calls answered since start.</param>
/// <param name="LastAttachedData">The <c>X-</c> headers of the last call answered (attached data), empty before.</param>
internal sealed record SimulatedAgentStatus(string Extension, SimulatedAgentState State, long CallsAnswered, IReadOnlyList<SipHeader> LastAttachedData);

/// <summary>A call a simulated agent answered.</summary>
/// <param name="Extension">The agent's extension.</param>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="From">The From header of the INVITE (the caller as the contact center presents it).</param>
/// <param name="AttachedData">The INVITE's <c>X-</c> headers: the attached data the contact center passed on.</param>
/// <param name="AnswerDelay">How long the phone rang.</param>
internal sealed record SimulatedAgentCall(string Extension, string CallId, string From, IReadOnlyList<SipHeader> AttachedData, TimeSpan AnswerDelay);

/// <summary>
/// N simulated agents' SIP phones. Each registers its extension (digest authentication) with the registrar, rings
/// on an INVITE, answers after <see cref="SimulatedAgentsOptions.AnswerDelay"/>, sends the connected signal digit
/// and plays a short spoken greeting, stays on the line for <see cref="SimulatedAgentsOptions.TalkTime"/>, sends
/// the hang-up signal digit and hangs up. A second call while one is up gets 486 Busy Here. One user agent (one UDP
/// port) per phone, so each registers its own contact; one shared media clock. Timers come from the
/// <see cref="TimeProvider"/> given; RTP is paced by <see cref="SimulationMedia.Clock"/>.
/// </summary>
internal sealed class SimulatedAgents : SimulatedParty
{
    private readonly SimulatedAgentsOptions _options;
    private readonly List<Phone> _phones = [];
    private SimulatedPrompt _greeting = SimulatedPrompt.Tones([523.25, 659.25, 783.99], TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(80));
    private long _answered;
    private long _missed;
    private int _active;

    /// <summary>Creates the agents; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the key.</exception>
    public SimulatedAgents(SimulatedAgentsOptions options, SimulationMedia media, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
        : base(media, Validated(options).Seed, time, loggerFactory, "ContactCenter.Reference.Simulation.Agents")
    {
        _options = options;
    }

    /// <summary>Raised when an agent answers a call (on a pool thread), with the call's attached data.</summary>
    public event Action<SimulatedAgentCall>? CallAnswered;

    /// <summary>Raised when an agent's call is over and the phone is idle again: the extension, the Call-ID, and whether it was answered.</summary>
    public event Action<string, string, bool>? CallEnded;

    /// <summary>Calls answered since start.</summary>
    public long CallsAnswered => Interlocked.Read(ref _answered);

    /// <summary>Calls that ended while ringing (cancelled by the contact center before the agent answered).</summary>
    public long CallsMissed => Interlocked.Read(ref _missed);

    /// <summary>Calls up now.</summary>
    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>Phones registered now.</summary>
    public int Registered => _phones.Count(p => p.Registration.State == SipRegistrationState.Registered);

    /// <summary>Every agent, in extension order.</summary>
    public IReadOnlyList<SimulatedAgentStatus> Agents => [.. _phones.Select(p => p.Status())];

    /// <summary>The SIP address (UDP) each phone listens on, by extension.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Addresses =>
        _phones.ToDictionary(p => p.Extension, p => p.Agent.Endpoint.LocalAddresses[0].EndPoint, StringComparer.Ordinal);

    /// <summary>
    /// Prepares the greeting, binds every phone and registers it; returns once every phone made its first attempt
    /// (failed registrations keep retrying in the background; see <see cref="Registered"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _greeting = await Media.SpeakAsync(_options.Greeting, _greeting, cancellationToken).ConfigureAwait(false);
        var registrar = SimulationAddresses.Parse(_options.Registrar, ReferenceSimulationOptions.SectionName + ":Agents:Registrar");
        for (var i = 0; i < _options.Count; i++)
        {
            var extension = _options.ExtensionAt(i);
            var agentOptions = new SipUserAgentOptions { ContactUser = extension };
            var port = _options.FirstSipPort == 0 ? 0 : _options.FirstSipPort + i;
            agentOptions.Endpoint.Transport.Listen.Add(new SipListenAddress(SipTransportProtocol.Udp, new IPEndPoint(Media.Address, port)));
            agentOptions.Endpoint.UserAgent = "ContactCenter-SimulatedAgent";
            var agent = new SipUserAgent(agentOptions, LoggerFactory, Time);
            var registration = new SipRegistrationClient(agent, new SipRegistrationOptions
            {
                Registrar = SipUri.Parse($"sip:{_options.Domain}"),
                Destination = registrar,
                AddressOfRecord = SipUri.Parse($"sip:{extension}@{_options.Domain}"),
                User = extension,
                Password = _options.PasswordOf(extension),
                Expires = _options.RegistrationExpires,
            }, Time);
            var phone = new Phone(this, extension, agent, registration);
            agent.IncomingCall = phone.OnIncomingAsync;
            registration.StateChanged += (_, state) =>
            {
                if (state == SipRegistrationState.Failed)
                {
                    SimulationLog.AgentRegistrationFailed(Logger, extension, _options.Registrar, registration.LastStatus);
                }
            };
            _phones.Add(phone);
            await agent.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(_phones.Select(p => p.Registration.StartAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Logger.IsEnabled(LogLevel.Information))
        {
            var registered = Registered;
            var range = $"{_options.ExtensionAt(0)}..{_options.ExtensionAt(_options.Count - 1)}";
            SimulationLog.AgentsRegistered(Logger, registered, _phones.Count, _options.Registrar, range);
        }
    }

    /// <summary>Unregisters every phone (briefly) and closes the sockets, once the calls have been hung up.</summary>
    protected override async ValueTask ReleaseAsync()
    {
        try
        {
            await Task.WhenAll(_phones.Select(p => p.Registration.StopAsync())).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The registrar did not answer the un-REGISTER; the bindings expire on their own.
        }

        foreach (var phone in _phones)
        {
            await phone.Registration.DisposeAsync().ConfigureAwait(false);
            await phone.Agent.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SimulatedAgentsOptions Validated(SimulatedAgentsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(ReferenceSimulationOptions.SectionName + ":Agents");
        return options;
    }

    /// <summary>One agent's phone: its user agent, its registration and its current call.</summary>
    private sealed class Phone(SimulatedAgents owner, string extension, SipUserAgent agent, SipRegistrationClient registration)
    {
        private readonly Lock _gate = new();
        private SipCall? _call;
        private SimulatedAgentState _state = SimulatedAgentState.Idle;
        private long _answered;
        private IReadOnlyList<SipHeader> _lastData = [];

        public string Extension { get; } = extension;

        public SipUserAgent Agent { get; } = agent;

        public SipRegistrationClient Registration { get; } = registration;

        public SimulatedAgentStatus Status()
        {
            lock (_gate)
            {
                var state = _state == SimulatedAgentState.Idle && Registration.State != SipRegistrationState.Registered
                    ? SimulatedAgentState.Unregistered : _state;
                return new SimulatedAgentStatus(Extension, state, _answered, _lastData);
            }
        }

        public async ValueTask OnIncomingAsync(SipCall call)
        {
            bool accepted;
            lock (_gate)
            {
                accepted = _call is null && !owner.IsStopping;
                if (accepted)
                {
                    _call = call;
                    _state = SimulatedAgentState.Ringing;
                }
            }

            if (!accepted)
            {
                await call.RejectAsync(486, "Busy Here").ConfigureAwait(false);
                return;
            }

            // The answer delay starts before the 180 goes out, so a test driving a manual clock can advance it on seeing the 180.
            var delay = owner.Draw(owner._options.AnswerDelay);
            var ringing = owner.StartWait(delay);
            try
            {
                await call.RingAsync().ConfigureAwait(false);
            }
            catch
            {
                ringing.Dispose();
                throw;
            }

            owner.Track(RunAsync(call, ringing, delay));
        }

        private async Task RunAsync(SipCall call, SimulationTimer ringing, TimeSpan delay)
        {
            RtpSession? rtp = null;
            SimulationTimer? talking = null;
            var answered = false;
            try
            {
                bool pickUp;
                using (ringing)
                {
                    pickUp = await ringing.WaitAsync(call.Ended).ConfigureAwait(false);
                }

                if (!pickUp)
                {
                    if (call.State == SipCallState.Terminated)
                    {
                        Interlocked.Increment(ref owner._missed);
                    }
                    else
                    {
                        await call.RejectAsync(480, "Temporarily Unavailable").ConfigureAwait(false); // stopping
                    }

                    return;
                }

                SdpAnswerResult answer;
                try
                {
                    (rtp, answer) = await owner.Media.AnswerAsync(call.RemoteSdp).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SdpFormatException or SdpNegotiationException)
                {
                    await call.RejectAsync(488, "Not Acceptable Here").ConfigureAwait(false);
                    SimulationLog.CallFailed(owner.Logger, "agent " + Extension, call.CallId, e.Message);
                    return;
                }

                rtp.MediaTimedOut += (_, _) => _ = call.HangUpAsync().AsTask();
                rtp.Source = owner._greeting.Play();
                rtp.Start();
                talking = owner.StartWait(owner.Draw(owner._options.TalkTime));
                await call.AnswerAsync(answer.Answer.ToUtf8()).ConfigureAwait(false);
                answered = true;
                var data = call.InitialInvite.ExtensionHeaders;
                lock (_gate)
                {
                    _state = SimulatedAgentState.Talking;
                    _answered++;
                    _lastData = data;
                }

                Interlocked.Increment(ref owner._answered);
                Interlocked.Increment(ref owner._active);
                Signal(rtp, owner._options.ConnectedSignal);
                var from = call.InitialInvite.Headers["From"] ?? "";
                if (owner.Logger.IsEnabled(LogLevel.Debug))
                {
                    var attached = string.Join(", ", data.Select(h => h.Name + "=" + h.Value));
                    SimulationLog.AgentAnswered(owner.Logger, Extension, call.CallId, from, (long)delay.TotalMilliseconds, attached);
                }
                owner.CallAnswered?.Invoke(new SimulatedAgentCall(Extension, call.CallId, from, data, delay));

                if (await talking.WaitAsync(call.Ended).ConfigureAwait(false))
                {
                    // Started before the digit goes out: whoever hears the digit may advance a manual clock at once.
                    using var lead = owner.StartWait(owner._options.HangUpSignalLead);
                    if (Signal(rtp, owner._options.HangUpSignal))
                    {
                        await lead.WaitAsync(call.Ended).ConfigureAwait(false);
                    }
                }

                await call.HangUpAsync().ConfigureAwait(false); // nothing when the other side already hung up
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
            {
                SimulationLog.CallFailed(owner.Logger, "agent " + Extension, call.CallId, e.Message);
                await call.HangUpAsync().ConfigureAwait(false);
            }
            finally
            {
                talking?.Dispose();
                if (answered)
                {
                    Interlocked.Decrement(ref owner._active);
                }

                if (rtp is not null)
                {
                    await rtp.DisposeAsync().ConfigureAwait(false);
                }

                lock (_gate)
                {
                    _call = null;
                    _state = SimulatedAgentState.Idle;
                }

                owner.CallEnded?.Invoke(Extension, call.CallId, answered);
            }
        }

        private static bool Signal(RtpSession rtp, string digit)
        {
            if (string.IsNullOrEmpty(digit) || rtp.Audio?.TelephoneEventPayloadType is null)
            {
                return false;
            }

            rtp.SendDtmf(digit);
            return true;
        }
    }
}
