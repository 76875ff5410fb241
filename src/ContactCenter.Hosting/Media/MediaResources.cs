using System.Net;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Media;

/// <summary>
/// The media shared by every call of a host: one pacing clock, the RTP port range, the decoded prompt cache
/// and the address written into SDP. Owned by the host; disposed when it stops.
/// </summary>
internal sealed class MediaResources : IDisposable
{
    public MediaResources(IPAddress rtpAddress, IPAddress advertisedAddress, int minPort, int maxPort, TimeProvider time, ILoggerFactory loggerFactory, MediaCapabilities? capabilities = null, RtpSessionOptions? sessionOptions = null, int clockRealtimePriority = 0, int clockThreads = 0, int clockNice = 0)
    {
        Time = time;
        LoggerFactory = loggerFactory;
        AdvertisedAddress = advertisedAddress;
        var clockLogger = loggerFactory.CreateLogger("ContactCenter.Media");
        Clock = clockThreads > 0
            ? new MediaClock(time, logger: clockLogger) { RealtimePriority = clockRealtimePriority, ThreadNice = clockNice, Parallelism = clockThreads }
            : new MediaClock(time, logger: clockLogger) { RealtimePriority = clockRealtimePriority, ThreadNice = clockNice };
        Ports = new RtpPortAllocator(rtpAddress, minPort, maxPort);
        Capabilities = capabilities ?? new MediaCapabilities();
        SessionOptions = sessionOptions ?? new RtpSessionOptions();
        Logger = loggerFactory.CreateLogger("ContactCenter.Media");
    }

    public MediaClock Clock { get; }

    public RtpPortAllocator Ports { get; }

    public PromptCache Prompts { get; } = new();

    public IPAddress AdvertisedAddress { get; }

    public MediaCapabilities Capabilities { get; }

    public RtpSessionOptions SessionOptions { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger { get; }

    public void Start() => Clock.Start();

    public void Dispose() => Clock.Dispose();
}

/// <summary>The media of one call leg: its RTP session and its side of the SDP offer/answer.</summary>
internal sealed class CallMedia : IAsyncDisposable
{
    private int _disposed;

    private CallMedia(RtpSession rtp, SdpSession sdp)
    {
        Rtp = rtp;
        Sdp = sdp;
    }

    public RtpSession Rtp { get; }

    public SdpSession Sdp { get; }

    /// <summary>The negotiated audio, once an offer/answer completed.</summary>
    public NegotiatedAudio? Audio { get; private set; }

    /// <summary>Opens an RTP session on the host's port range (throws when the range is exhausted).</summary>
    public static CallMedia Open(MediaResources resources, MediaCapabilities? capabilities = null)
    {
        var rtp = RtpSession.Open(resources.Ports, resources.Clock, resources.Time, resources.SessionOptions, resources.Logger);
        var sdp = new SdpSession(resources.AdvertisedAddress, rtp.LocalRtpEndPoint.Port, capabilities ?? resources.Capabilities);
        return new CallMedia(rtp, sdp);
    }

    /// <summary>Answers the remote offer, applies it to RTP and starts sending; returns our SDP answer.</summary>
    /// <exception cref="SdpFormatException">The offer is not valid SDP.</exception>
    /// <exception cref="SdpNegotiationException">Nothing in the offer is acceptable (answer 488).</exception>
    public byte[] Answer(ReadOnlyMemory<byte> remoteOffer)
    {
        var result = Sdp.CreateAnswer(SessionDescription.Parse(remoteOffer.Span));
        Apply(result.Audio);
        return result.Answer.ToUtf8();
    }

    /// <summary>Our offer (for an outgoing leg, a re-INVITE or a hold).</summary>
    public byte[] Offer() => Sdp.CreateOffer().ToUtf8();

    /// <summary>Takes the remote answer to our offer, applies it and starts sending.</summary>
    public void AcceptAnswer(ReadOnlyMemory<byte> remoteAnswer) => Apply(Sdp.AcceptAnswer(SessionDescription.Parse(remoteAnswer.Span)));

    private void Apply(NegotiatedAudio audio)
    {
        Audio = audio;
        Rtp.Apply(audio);
        Rtp.Start();
    }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? Rtp.DisposeAsync() : ValueTask.CompletedTask;
}
