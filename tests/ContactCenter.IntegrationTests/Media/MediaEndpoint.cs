using System.Collections.Concurrent;
using System.Net;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>
/// A small media endpoint built the way an application would build one: a <see cref="SipUserAgent"/> on loopback UDP,
/// one <see cref="MediaClock"/> and one <see cref="RtpPortAllocator"/> for every call, and per call an
/// <see cref="RtpSession"/> negotiated with an <see cref="SdpSession"/>. Answered calls play <see cref="Prompt"/> and
/// collect digits; outgoing calls are placed with an SDP offer. Sessions are kept after the call ends so a test can
/// read their counters.
/// </summary>
internal sealed class MediaEndpoint : IAsyncDisposable
{
    private readonly ConcurrentQueue<EndpointCall> _calls = new();
    private readonly TaskCompletionSource<EndpointCall> _firstIncoming = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MediaEndpoint(SipUserAgent agent, MediaClock clock, RtpPortAllocator ports, MediaCapabilities capabilities)
    {
        Agent = agent;
        Clock = clock;
        Ports = ports;
        Capabilities = capabilities;
    }

    public SipUserAgent Agent { get; }

    public MediaClock Clock { get; }

    public RtpPortAllocator Ports { get; }

    public MediaCapabilities Capabilities { get; }

    /// <summary>What an answered call plays; null sends silence.</summary>
    public Func<IAudioSource>? Prompt { get; set; }

    /// <summary>Called for each answered call after its session started (add sinks, send digits).</summary>
    public Action<EndpointCall>? OnAnswered { get; set; }

    public int SipPort => Agent.Endpoint.LocalAddresses[0].EndPoint.Port;

    public Task<EndpointCall> FirstIncoming => _firstIncoming.Task;

    public static async Task<MediaEndpoint> StartAsync(MediaCapabilities? capabilities = null)
    {
        var options = new SipUserAgentOptions { ContactUser = "media" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        var clock = new MediaClock(TimeProvider.System);
        clock.Start();
        var endpoint = new MediaEndpoint(agent, clock, new RtpPortAllocator(IPAddress.Loopback, 30000, 39999), capabilities ?? new MediaCapabilities());
        agent.IncomingCall = endpoint.AnswerAsync;
        await agent.StartAsync();
        return endpoint;
    }

    /// <summary>Places a call to <paramref name="port"/> on loopback with an SDP offer and applies the answer.</summary>
    public async Task<EndpointCall> CallAsync(int port)
    {
        var rtp = RtpSession.Open(Ports, Clock, TimeProvider.System);
        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port, Capabilities);
        var offer = sdp.CreateOffer();
        var call = await Agent.CallAsync(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:media@127.0.0.1:{port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, port)),
            Sdp = offer.ToUtf8(),
        }).WaitAsync(TimeSpan.FromSeconds(10));
        if (call.State != SipCallState.Established)
        {
            await rtp.DisposeAsync();
            throw new InvalidOperationException($"The call to port {port} ended in state {call.State} with status {call.FinalStatus}.");
        }

        var audio = sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span));
        rtp.Apply(audio);
        var placed = new EndpointCall(call, rtp, audio);
        _calls.Enqueue(placed);
        rtp.Start();
        return placed;
    }

    private async ValueTask AnswerAsync(SipCall call)
    {
        await call.RingAsync();
        var rtp = RtpSession.Open(Ports, Clock, TimeProvider.System);
        SdpAnswerResult answer;
        try
        {
            var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port, Capabilities);
            answer = sdp.CreateAnswer(SessionDescription.Parse(call.RemoteSdp.Span));
        }
        catch (Exception e) when (e is SdpFormatException or SdpNegotiationException)
        {
            await rtp.DisposeAsync();
            await call.RejectAsync(488, e.Message);
            _firstIncoming.TrySetException(e);
            return;
        }

        rtp.Apply(answer.Audio);
        var answered = new EndpointCall(call, rtp, answer.Audio);
        rtp.PayloadObserver = answered;
        rtp.Dtmf.DigitReceived += (_, e) => answered.AddDigit(e.Digit.Digit);
        rtp.Source = Prompt?.Invoke();
        _calls.Enqueue(answered);
        rtp.Start();
        OnAnswered?.Invoke(answered);
        await call.AnswerAsync(answer.Answer.ToUtf8());
        _firstIncoming.TrySetResult(answered);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls)
        {
            await call.Rtp.DisposeAsync();
        }

        await Agent.DisposeAsync();
        Clock.Dispose();
    }
}

/// <summary>One call of a <see cref="MediaEndpoint"/>: its dialog, its RTP session and the digits it collected.</summary>
internal sealed class EndpointCall(SipCall call, RtpSession rtp, NegotiatedAudio audio) : IRtpPayloadObserver
{
    private long _echoes;
    private long _foreign;

    private readonly Lock _gate = new();
    private readonly List<char> _digits = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public SipCall Call { get; } = call;

    public RtpSession Rtp { get; } = rtp;

    public NegotiatedAudio Audio { get; } = audio;

    public string Digits
    {
        get
        {
            lock (_gate)
            {
                return new string([.. _digits]);
            }
        }
    }

    /// <summary>Audio packets received carrying this session's own SSRC (our stream sent back by the peer).</summary>
    public long Echoes => Interlocked.Read(ref _echoes);

    /// <summary>Audio packets received from the peer's own stream.</summary>
    public long Foreign => Interlocked.Read(ref _foreign);

    void IRtpPayloadObserver.OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload) =>
        Interlocked.Increment(ref header.Ssrc == session.Ssrc ? ref _echoes : ref _foreign);

    /// <summary>Completes once <paramref name="count"/> digits have arrived.</summary>
    public Task WaitForDigitsAsync(int count)
    {
        lock (_gate)
        {
            if (_digits.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    internal void AddDigit(char digit)
    {
        lock (_gate)
        {
            _digits.Add(digit);
            foreach (var waiter in _waiters.Where(w => _digits.Count >= w.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
