using System.Collections.Concurrent;
using System.Net;
using ContactCenter.Ivr;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Reference.Simulation;

/// <summary>
/// The media every simulated party shares: one <see cref="MediaClock"/> pacing all their RTP sessions, one
/// <see cref="RtpPortAllocator"/> over the simulation's own port range, and spoken prompts synthesized once with
/// espeak-ng (a tone sequence, with a logged warning, when espeak-ng or sox is missing).
/// </summary>
internal sealed class SimulationMedia : IDisposable
{
    private readonly SimulationMediaOptions _options;
    private readonly ILogger _logger;
    private readonly ILogger _mediaLogger;
    private readonly ITextToSpeech? _speech;
    private readonly PromptCache _prompts = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<SimulatedPrompt>>> _spoken = new(StringComparer.Ordinal);
    private int _speechWarned;

    /// <summary>Creates the shared media and starts its clock.</summary>
    /// <param name="options">Address, port range and speech settings.</param>
    /// <param name="mediaTime">The clock that paces RTP (the system clock when null).</param>
    /// <param name="loggerFactory">Where warnings go.</param>
    /// <param name="speech">The text-to-speech engine; espeak-ng when null and <see cref="SimulationMediaOptions.Speech"/> is on.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the key.</exception>
    public SimulationMedia(SimulationMediaOptions options, TimeProvider? mediaTime = null, ILoggerFactory? loggerFactory = null, ITextToSpeech? speech = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(ReferenceSimulationOptions.SectionName + ":Media");
        _options = options;
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger("ContactCenter.Reference.Simulation");
        _mediaLogger = factory.CreateLogger(MediaLogCategory);
        _speech = options.Speech ? speech ?? new EspeakNgTextToSpeech() : null;
        MediaTime = mediaTime ?? TimeProvider.System;
        Address = options.IPAddress;
        Ports = new RtpPortAllocator(Address, options.RtpPortMin, options.RtpPortMax);
        Clock = new MediaClock(MediaTime, logger: _mediaLogger);
        Clock.Start();
    }

    /// <summary>The log category of the simulation's media clock and RTP sessions (stalls, latching), apart so it can be quietened.</summary>
    public const string MediaLogCategory = "ContactCenter.Reference.Simulation.Media";

    /// <summary>The local address for SIP and RTP.</summary>
    public IPAddress Address { get; }

    /// <summary>The clock pacing every simulated RTP session.</summary>
    public MediaClock Clock { get; }

    /// <summary>The simulation's RTP ports.</summary>
    public RtpPortAllocator Ports { get; }

    /// <summary>The time source of the media clock and RTP sessions.</summary>
    public TimeProvider MediaTime { get; }

    /// <summary>
    /// The prompt speaking <paramref name="text"/>, synthesized once; <paramref name="fallback"/> when speech is off
    /// or fails (logged once as a warning naming the cause).
    /// </summary>
    public Task<SimulatedPrompt> SpeakAsync(string text, SimulatedPrompt fallback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fallback);
        if (_speech is null)
        {
            return Task.FromResult(fallback);
        }

        return _spoken.GetOrAdd(text, t => new Lazy<Task<SimulatedPrompt>>(() => SynthesizeAsync(t, fallback, cancellationToken))).Value;
    }

    /// <summary>Opens an RTP session and answers <paramref name="remoteOffer"/> with it (not started).</summary>
    /// <exception cref="SdpFormatException">The offer is malformed.</exception>
    /// <exception cref="SdpNegotiationException">Nothing in the offer can be used.</exception>
    public async ValueTask<(RtpSession Rtp, SdpAnswerResult Answer)> AnswerAsync(ReadOnlyMemory<byte> remoteOffer, RtpSessionOptions? rtpOptions = null)
    {
        var offer = SessionDescription.Parse(remoteOffer.Span);
        var rtp = RtpSession.Open(Ports, Clock, MediaTime, rtpOptions, _mediaLogger);
        try
        {
            var sdp = new SdpSession(Address, rtp.LocalRtpEndPoint.Port);
            var answer = sdp.CreateAnswer(offer);
            rtp.Apply(answer.Audio);
            return (rtp, answer);
        }
        catch
        {
            await rtp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens an RTP session and its SDP offer, for a call we place.</summary>
    public (RtpSession Rtp, SdpSession Sdp, SessionDescription Offer) Offer(RtpSessionOptions? rtpOptions = null)
    {
        var rtp = RtpSession.Open(Ports, Clock, MediaTime, rtpOptions, _mediaLogger);
        var sdp = new SdpSession(Address, rtp.LocalRtpEndPoint.Port);
        return (rtp, sdp, sdp.CreateOffer());
    }

    /// <summary>Stops the clock.</summary>
    public void Dispose() => Clock.Dispose();

    private async Task<SimulatedPrompt> SynthesizeAsync(string text, SimulatedPrompt fallback, CancellationToken cancellationToken)
    {
        try
        {
            var path = await _speech!.SynthesizeAsync(text, _options.Voice, cancellationToken).ConfigureAwait(false);
            var clip = _prompts.Get(path);
            return new SimulatedPrompt([PromptItem.Clip(clip)], clip.Duration);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or ArgumentException or OperationCanceledException)
        {
            if (Interlocked.Exchange(ref _speechWarned, 1) == 0)
            {
                SimulationLog.SpeechUnavailable(_logger, e.Message);
            }

            return fallback;
        }
    }
}

/// <summary>What a simulated party plays: a spoken clip or a tone sequence, with its length.</summary>
/// <param name="Items">The clips, tones and silences, in order.</param>
/// <param name="Duration">How long one play lasts.</param>
internal sealed record SimulatedPrompt(IReadOnlyList<PromptItem> Items, TimeSpan Duration)
{
    /// <summary>A sequence of short tones (the fallback when speech is not available).</summary>
    /// <param name="frequencies">One tone per frequency, in Hz.</param>
    /// <param name="toneLength">The length of each tone.</param>
    /// <param name="gap">The silence after each tone.</param>
    public static SimulatedPrompt Tones(IEnumerable<double> frequencies, TimeSpan toneLength, TimeSpan gap)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        var items = new List<PromptItem>();
        var duration = TimeSpan.Zero;
        foreach (var frequency in frequencies)
        {
            items.Add(PromptItem.Tone(new ToneSpec([frequency], toneLength, TimeSpan.Zero, Cycles: 1)));
            items.Add(PromptItem.Silence(gap));
            duration += toneLength + gap;
        }

        return new SimulatedPrompt(items, duration);
    }

    /// <summary>A new player of this prompt (one per call).</summary>
    public PromptPlayer Play() => new(Items);
}
