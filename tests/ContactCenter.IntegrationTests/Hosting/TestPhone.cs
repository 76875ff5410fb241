using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// A SIP phone built from ContactCenter.Sip for end-to-end tests: registers as an extension, places calls with an
/// SDP offer, answers after a delay, plays a tone on every call and counts the audio it receives.
/// </summary>
internal sealed class TestPhone : IAsyncDisposable
{
    private readonly MediaClock _clock = new(TimeProvider.System);
    private readonly RtpPortAllocator _ports = new(IPAddress.Loopback, 46000, 49999);
    private readonly ConcurrentQueue<PhoneCall> _incoming = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private SipRegistrationClient? _registration;

    private TestPhone(SipUserAgent agent)
    {
        Agent = agent;
        _clock.Start();
    }

    public SipUserAgent Agent { get; }

    /// <summary>How long the phone rings before answering; null: never answers (rings until cancelled).</summary>
    public TimeSpan? AnswerAfter { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The status to reject with instead of answering, if any.</summary>
    public int? RejectWith { get; set; }

    public static async Task<TestPhone> StartAsync()
    {
        var options = new SipUserAgentOptions { ContactUser = "phone" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        var phone = new TestPhone(agent);
        agent.IncomingCall = phone.OnIncomingAsync;
        await agent.StartAsync();
        return phone;
    }

    public async Task RegisterAsync(string extension, string password, IPEndPoint registrar)
    {
        _registration = new SipRegistrationClient(Agent, new SipRegistrationOptions
        {
            Registrar = SipUri.Parse($"sip:{registrar}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, registrar),
            AddressOfRecord = SipUri.Parse($"sip:{extension}@{registrar}"),
            User = extension,
            Password = password,
            Expires = TimeSpan.FromMinutes(5),
        });
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _registration.StateChanged += (_, state) =>
        {
            if (state == SipRegistrationState.Registered)
            {
                registered.TrySetResult();
            }
        };
        await _registration.StartAsync();
        await registered.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Removes the registration (REGISTER with Expires: 0), as a phone switched off properly does.</summary>
    public Task UnregisterAsync() => _registration?.StopAsync() ?? Task.CompletedTask;

    /// <summary>Calls <paramref name="number"/> at the contact center and waits for the answer.</summary>
    public async Task<PhoneCall> CallAsync(string number, IPEndPoint contactCenter)
    {
        var rtp = RtpSession.Open(_ports, _clock, TimeProvider.System);
        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
        var call = await Agent.CallAsync(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:{number}@{contactCenter}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, contactCenter),
            From = SipUri.Parse("sip:+15551230000@127.0.0.1"),
            Sdp = Encoding.ASCII.GetBytes(sdp.CreateOffer().ToString()),
        });
        var phoneCall = new PhoneCall(call, rtp);
        if (call.State == SipCallState.Established)
        {
            rtp.Apply(sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span)));
            phoneCall.Start();
        }
        else
        {
            await rtp.DisposeAsync();
        }

        return phoneCall;
    }

    /// <summary>The next call that rang this phone (answered or not, per <see cref="AnswerAfter"/>).</summary>
    public async Task<PhoneCall> NextIncomingAsync(TimeSpan timeout)
    {
        if (!await _arrived.WaitAsync(timeout))
        {
            throw new TimeoutException($"no call reached the phone within {timeout}");
        }

        _incoming.TryDequeue(out var call);
        return call!;
    }

    private async ValueTask OnIncomingAsync(SipCall call)
    {
        var rtp = RtpSession.Open(_ports, _clock, TimeProvider.System);
        var phoneCall = new PhoneCall(call, rtp);
        _incoming.Enqueue(phoneCall);
        _arrived.Release();
        await call.RingAsync();
        if (RejectWith is { } code)
        {
            await call.RejectAsync(code);
            await rtp.DisposeAsync();
            return;
        }

        if (AnswerAfter is not { } delay)
        {
            _ = call.Ended.ContinueWith(_ => rtp.DisposeAsync().AsTask(), TaskScheduler.Default);
            return;
        }

        await Task.Delay(delay);
        if (call.State == SipCallState.Terminated)
        {
            await rtp.DisposeAsync();
            return;
        }

        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
        var answer = sdp.CreateAnswer(SessionDescription.Parse(call.RemoteSdp.Span));
        rtp.Apply(answer.Audio);
        phoneCall.Start();
        await call.AnswerAsync(answer.Answer.ToUtf8());
    }

    /// <summary>
    /// Answers a call that rang this phone (with <see cref="AnswerAfter"/> null) and plays <paramref name="greeting"/>
    /// instead of the usual tone: what the called party says when they pick up (a person's hello, a machine's message).
    /// </summary>
    public static async Task AnswerWithAsync(PhoneCall call, IAudioSource greeting)
    {
        var sdp = new SdpSession(IPAddress.Loopback, call.Rtp.LocalRtpEndPoint.Port);
        var answer = sdp.CreateAnswer(SessionDescription.Parse(call.Call.RemoteSdp.Span));
        call.Rtp.Apply(answer.Audio);
        call.Start();
        call.Rtp.Source = greeting;
        await call.Call.AnswerAsync(answer.Answer.ToUtf8());
    }

    public async ValueTask DisposeAsync()
    {
        if (_registration is not null)
        {
            await _registration.DisposeAsync();
        }

        await Agent.DisposeAsync();
        _clock.Dispose();
    }
}

/// <summary>A call of a <see cref="TestPhone"/>: plays a tone, counts received audio, sends digits.</summary>
internal sealed class PhoneCall(SipCall call, RtpSession rtp) : IAudioSink, IRtpPayloadObserver
{
    private long _frames;
    private long _loudFrames;
    private long _loudPackets;

    public SipCall Call { get; } = call;

    public RtpSession Rtp { get; } = rtp;

    /// <summary>Frames received with audible content.</summary>
    public long LoudFrames => Interlocked.Read(ref _loudFrames);

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>
    /// Audio packets received with audible content, counted as they arrive: unlike <see cref="LoudFrames"/>, not
    /// thinned when the phone's own clock falls behind on a busy machine and its jitter buffer drops frames.
    /// </summary>
    public long LoudPackets => Interlocked.Read(ref _loudPackets);

    public void Start()
    {
        Rtp.AddSink(this);
        Rtp.PayloadObserver = this;
        Rtp.Source = new ToneSource(new ToneSpec([350], TimeSpan.FromSeconds(1), TimeSpan.Zero, Cycles: 0, Amplitude: 2500));
        Rtp.Start();
        _ = Call.Ended.ContinueWith(_ => Rtp.DisposeAsync().AsTask(), TaskScheduler.Default);
    }

    public void Write(ReadOnlySpan<short> frame)
    {
        Interlocked.Increment(ref _frames);
        foreach (var sample in frame)
        {
            if (Math.Abs((int)sample) > 500)
            {
                Interlocked.Increment(ref _loudFrames);
                return;
            }
        }
    }

    void IRtpPayloadObserver.OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        foreach (var encoded in payload)
        {
            var sample = header.PayloadType == 8 ? G711.DecodeALaw(encoded) : G711.DecodeMuLaw(encoded);
            if (Math.Abs((int)sample) > 500)
            {
                Interlocked.Increment(ref _loudPackets);
                return;
            }
        }
    }

    public async Task WaitForAudioAsync(long frames, TimeSpan timeout)
    {
        var start = LoudFrames;
        using var cts = new CancellationTokenSource(timeout);
        while (LoudFrames - start < frames)
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
