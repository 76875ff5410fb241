using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Sip.Media;

/// <summary>Options of an <see cref="RtpSession"/>.</summary>
public sealed class RtpSessionOptions
{
    /// <summary>End the call when no RTP arrives for this long (default 30 s; <see cref="TimeSpan.Zero"/> disables).</summary>
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Send media back to where the peer's media comes from (default true).</summary>
    public bool SymmetricRtp { get; set; } = true;

    /// <summary>Jitter buffer depth in frames (default 3).</summary>
    public int JitterBufferDepth { get; set; } = 3;

    /// <summary>Interval between RTCP reports (default 5 s).</summary>
    public TimeSpan RtcpInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The DTMF methods accepted on this call (default RFC 4733 and SIP INFO).</summary>
    public DtmfMethod DtmfMethods { get; set; } = DtmfMethod.Rfc4733 | DtmfMethod.SipInfo;

    /// <summary>Send silence when no source plays (keeps NAT bindings and the peer's media timeout alive; default true).</summary>
    public bool SendSilenceWhenIdle { get; set; } = true;

    /// <summary>The RTCP CNAME (default a random id).</summary>
    public string? Cname { get; set; }

    /// <summary>
    /// Read received RTP on the media clock, just before each playout, instead of as each datagram arrives
    /// (default false). Reading on the tick makes no system call wait and needs no thread per packet, which roughly
    /// halves the receive cost at hundreds of calls; in exchange a relayed packet waits up to one ptime longer, and
    /// arrival times (hence the RTCP jitter the session reports) are those of the tick, so jitter below one ptime is
    /// not seen. RTCP is still read as it arrives.
    /// </summary>
    public bool ReceiveOnClockTick { get; set; }

    /// <summary>
    /// With <see cref="ReceiveOnClockTick"/>: the most packets a read on a late tick hands to a relay (default 5,
    /// 100 ms of 20 ms packets). When the clock fell behind (it skipped this session's previous packet interval), what
    /// waited longest is too late for the far end's jitter buffer and would only add delay and load, so only the newest
    /// this many are forwarded and the relayed stream's timestamp jumps over the rest (marker set). A read on a tick
    /// that came on time forwards everything waiting (up to 50 packets): all of it arrived since the previous read, so
    /// a burst from the sender (network jitter, a peer catching up) goes on as it came, for the far end's jitter
    /// buffer to absorb. Recorders and digit detection still get every packet. From 1 to 250.
    /// </summary>
    public int RelayBacklogLimit { get; set; } = 5;

    internal void Validate()
    {
        if (RelayBacklogLimit is < 1 or > 250)
        {
            throw new ArgumentOutOfRangeException(nameof(RelayBacklogLimit), RelayBacklogLimit, "RtpSessionOptions.RelayBacklogLimit must be from 1 to 250 packets.");
        }

        if (MediaTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MediaTimeout), MediaTimeout, "RtpSessionOptions.MediaTimeout must be zero (off) or positive.");
        }

        if (JitterBufferDepth is < 1 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(JitterBufferDepth), JitterBufferDepth, "RtpSessionOptions.JitterBufferDepth must be from 1 to 20 frames.");
        }

        if (RtcpInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RtcpInterval), RtcpInterval, "RtpSessionOptions.RtcpInterval must be at least 1 s.");
        }
    }
}

/// <summary>Receives the raw payload of each valid audio packet as it arrives (used to relay without decoding).</summary>
public interface IRtpPayloadObserver
{
    /// <summary>Called on the receive path for each accepted audio packet.</summary>
    void OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload);

    /// <summary>
    /// Called, before the packets that follow them, for accepted audio packets not handed over because newer ones
    /// were waiting behind them (see <see cref="RtpSessionOptions.RelayBacklogLimit"/>).
    /// </summary>
    /// <param name="session">The receiving session.</param>
    /// <param name="packets">How many were passed over.</param>
    /// <param name="samples">The audio they held, in samples (their payload bytes for G.711).</param>
    void OnPayloadsPassedOver(RtpSession session, int packets, int samples)
    {
    }
}

/// <summary>Counters of one session.</summary>
/// <param name="PacketsSent">RTP packets sent.</param>
/// <param name="PacketsReceived">RTP packets accepted.</param>
/// <param name="PacketsLost">Packets lost (RFC 3550 cumulative).</param>
/// <param name="Jitter">Interarrival jitter in milliseconds.</param>
/// <param name="PacketsRefused">Packets refused: malformed, from an unlatched source, or failing SRTP.</param>
/// <param name="RemoteFractionLost">The loss the peer reported for our stream (0-1), from its last RTCP report.</param>
/// <param name="RtcpReceived">RTCP packets received and understood.</param>
/// <param name="FramesSkipped">
/// Audio frames of this session's own source (prompts, music, a mixer) not sent because the media clock skipped their
/// interval: the machine fell behind, and media time stays on the wall clock. A relayed leg forwards what arrives as
/// it is read, so it skips none.
/// </param>
public readonly record struct RtpSessionStatistics(long PacketsSent, long PacketsReceived, long PacketsLost, double Jitter, long PacketsRefused, double RemoteFractionLost, long RtcpReceived, long FramesSkipped);

/// <summary>
/// One call's audio over RTP: receives on a UDP port pair, plays received audio through a jitter buffer to
/// sinks, sends what a source produces every ptime on the shared <see cref="MediaClock"/>, sends and receives
/// RFC 4733 DTMF, writes RTCP reports, latches to the peer's real address (symmetric RTP) and reports a media
/// timeout. Create it with <see cref="Open"/>, apply the negotiated SDP with <see cref="Apply"/>, then
/// <see cref="Start"/>.
/// </summary>
public sealed class RtpSession : IMediaClockSubscriber, IAsyncDisposable
{
    private readonly IRtpTransport _transport;
    private readonly MediaClock _clock;
    private readonly TimeProvider _time;
    private readonly RtpSessionOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly RtpPacketizer _packetizer;
    // RFC 3550 keeps reception statistics per source. Peers may send telephone-events on another SSRC than their
    // audio, so each source gets its own (a few at most; the least recently heard is dropped beyond that).
    private const int MaxTrackedSources = 4;
    private readonly Dictionary<uint, (RtpReceiverStatistics Statistics, long LastHeard)> _sources = [];
    private uint? _audioSource;
    private long _accepted;
    private readonly TelephoneEventReceiver _eventReceiver = new();
    private readonly InBandDtmfDetector _inBand;
    private readonly JitterBuffer _jitter;
    private readonly long _startTimestamp;
    private readonly string _id = Guid.CreateVersion7().ToString("N")[..12];
    private readonly string _cname;
    private readonly byte[] _payload = new byte[480];
    private readonly byte[] _encoded = new byte[480];
    private readonly short[] _pcm = new short[480];
    private readonly byte[] _rtcpBuffer = new byte[512];
    private IAudioSink[] _sinks = [];
    private NegotiatedAudio? _audio;
    private SymmetricRtpLatch _latch = new(null);
    private IPEndPoint? _rtcpSource;
    private MediaTimeoutDetector? _timeout;
    private TelephoneEventSender _eventSender = new();
    private SrtpContext? _srtpSend;
    private SrtpContext? _srtpReceive;
    // Decrypted packets land here; allocated with the first SRTP keys (a plain RTP call never needs it).
    private byte[] _srtpBuffer = [];
    // The packet being sent, reused for every packet (written and sent under the session lock); room for an SRTP tag.
    private readonly byte[] _packet = new byte[RtpPacketizer.MaxPacketLength + SrtpContext.MaxRtpOverhead];
    private long _phase;
    // The last tick this session acted on (the clock's thread only): a larger step than one packet interval means the
    // clock skipped ticks.
    private long _lastIntervalTick = -1;
    // The most skipped intervals made up for at once (5 s at 20 ms): bounds the work after a very long stall.
    private const int MaxMissedIntervals = 250;
    private long _lastRtcp;
    private long _sent;
    private long _framesSkipped;
    // Relay hand-over held to the end of a read on the tick, so a backlog forwards only its newest packets.
    private bool _holdRelay;
    private HeldPayload[]? _held;
    // How many one read may hold: RelayBacklogLimit after a skipped interval, OnTimeHoldLimit otherwise.
    private int _holdLimit;
    private const int OnTimeHoldLimit = 50;
    private int _heldStart;
    private int _heldCount;
    private int _passedOverPackets;
    private int _passedOverSamples;
    private bool _relayMarker;
    private long _refused;
    private long _rtcpCount;
    // Reused for every RTCP packet received and every report sent (under the session lock): no allocation per report.
    private readonly RtcpCompound _rtcpReceived = new();
    private readonly List<RtcpReportBlock> _reportBlocks = new(MaxTrackedSources);
    private uint _playoutSsrc;
    private bool _marker = true;
    private double _remoteFractionLost;
    private bool _started;
    private bool _disposed;

    internal RtpSession(IRtpTransport transport, MediaClock clock, TimeProvider time, RtpSessionOptions? options, ILogger? logger)
    {
        _transport = transport;
        _clock = clock;
        _time = time;
        _options = options ?? new RtpSessionOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _packetizer = new RtpPacketizer();
        _jitter = new JitterBuffer(_options.JitterBufferDepth);
        _startTimestamp = time.GetTimestamp();
        _lastRtcp = _startTimestamp;
        _cname = _options.Cname ?? _id + "@contactcenter";
        Dtmf = new DtmfCollector(time, _options.DtmfMethods);
        Dtmf.DigitReceived += (_, e) => _clock.Metrics.DtmfDigits.Add(1, new KeyValuePair<string, object?>("dtmf.method", e.Digit.Method.ToString()));
        _inBand = new InBandDtmfDetector(d => Dtmf.Offer(d));
    }

    /// <summary>Binds a port pair from <paramref name="ports"/> and creates the session (not started).</summary>
    public static RtpSession Open(RtpPortAllocator ports, MediaClock clock, TimeProvider time, RtpSessionOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(time);
        var sockets = ports.Allocate();
        var log = logger ?? NullLogger.Instance;
        RtpSession? session = null;
        var transport = new UdpRtpTransport(sockets, reason => MediaLog.ReceiveLoopEnded(log, session?._id ?? "?", reason), options?.ReceiveOnClockTick ?? false, clock.ReceiveBatch);
        session = new RtpSession(transport, clock, time, options, logger);
        return session;
    }

    /// <summary>Where the peer should send RTP.</summary>
    public IPEndPoint LocalRtpEndPoint => _transport.LocalRtpEndPoint;

    /// <summary>Where the peer should send RTCP.</summary>
    public IPEndPoint LocalRtcpEndPoint => _transport.LocalRtcpEndPoint;

    /// <summary>The SSRC of the stream this session sends.</summary>
    public uint Ssrc => _packetizer.Ssrc;

    /// <summary>The negotiated stream applied last, or null.</summary>
    public NegotiatedAudio? Audio
    {
        get
        {
            lock (_gate)
            {
                return _audio;
            }
        }
    }

    /// <summary>Where media is sent now (the latched source or the SDP address).</summary>
    public IPEndPoint? RemoteEndPoint
    {
        get
        {
            lock (_gate)
            {
                return _latch.Destination;
            }
        }
    }

    /// <summary>Digits received on this call, from every active method.</summary>
    public DtmfCollector Dtmf { get; }

    /// <summary>What this session sends; null sends silence (or nothing, see <see cref="RtpSessionOptions.SendSilenceWhenIdle"/>).</summary>
    public IAudioSource? Source { get; set; }

    /// <summary>Receives each accepted audio packet's payload as it arrives (relay bridging).</summary>
    public IRtpPayloadObserver? PayloadObserver { get; set; }

    /// <summary>When set, this session sends nothing on the clock: another component (a relay) sends for it.</summary>
    public bool ExternallyFed { get; set; }

    /// <summary>Raised once when no RTP arrived for <see cref="RtpSessionOptions.MediaTimeout"/>.</summary>
    public event EventHandler? MediaTimedOut;

    /// <summary>The statistics of <paramref name="ssrc"/>, created on first use; called with the session lock held.</summary>
    private RtpReceiverStatistics SourceStatistics(uint ssrc)
    {
        var now = _time.GetTimestamp();
        if (_sources.TryGetValue(ssrc, out var known))
        {
            _sources[ssrc] = (known.Statistics, now);
            return known.Statistics;
        }

        if (_sources.Count >= MaxTrackedSources)
        {
            var stalest = _sources.Where(e => e.Key != _audioSource).MinBy(e => e.Value.LastHeard).Key;
            _sources.Remove(stalest);
        }

        var created = new RtpReceiverStatistics();
        _sources[ssrc] = (created, now);
        return created;
    }

    /// <summary>The source whose loss and jitter the session reports: the last audio source, else any.</summary>
    private RtpReceiverStatistics? MainSource() =>
        _audioSource is { } audio && _sources.TryGetValue(audio, out var main) ? main.Statistics
        : _sources.Count > 0 ? _sources.Values.First().Statistics : null;

    /// <summary>Counters.</summary>
    public RtpSessionStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                var main = MainSource();
                return new RtpSessionStatistics(_sent, _accepted, Math.Max(0, main?.CumulativeLost ?? 0), (main?.Jitter ?? 0) / 8.0, _refused, _remoteFractionLost, _rtcpCount, _framesSkipped);
            }
        }
    }

    /// <summary>Applies the result of an offer/answer (initial or re-INVITE): encoding, payload types, ptime, direction, peer address.</summary>
    public void Apply(NegotiatedAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.Ptime % (int)_clock.Tick.TotalMilliseconds != 0)
        {
            throw new ArgumentException($"The ptime {audio.Ptime} ms is not a multiple of the media clock tick {_clock.Tick.TotalMilliseconds} ms.", nameof(audio));
        }

        lock (_gate)
        {
            var previous = _audio;
            _audio = audio;
            if (previous is null || !Equals(previous.RemoteRtp, audio.RemoteRtp))
            {
                _latch = new SymmetricRtpLatch(audio.RemoteRtp, _options.SymmetricRtp);
                _rtcpSource = null;
            }

            if (previous is null || previous.Ptime != audio.Ptime)
            {
                _eventSender = new TelephoneEventSender(audio.Ptime);
            }

            if (!ReferenceEquals(previous?.SendKeys, audio.SendKeys) || !ReferenceEquals(previous?.ReceiveKeys, audio.ReceiveKeys))
            {
                _srtpSend?.Dispose();
                _srtpReceive?.Dispose();
                _srtpSend = audio.SendKeys is { } send ? new SrtpContext(send) : null;
                _srtpReceive = audio.ReceiveKeys is { } receive ? new SrtpContext(receive) : null;
                if (_srtpReceive is not null && _srtpBuffer.Length == 0)
                {
                    _srtpBuffer = new byte[2048];
                }
            }

            if (_options.MediaTimeout > TimeSpan.Zero)
            {
                _timeout ??= new MediaTimeoutDetector(_time, _options.MediaTimeout);
                // The peer sends nothing when it holds us with sendonly->recvonly, or when we hold it.
                _timeout.Suspended = !audio.Direction.Receives();
            }
        }
    }

    /// <summary>Adds a consumer of received audio (one frame per ptime, silence when nothing arrived).</summary>
    public void AddSink(IAudioSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            _sinks = [.. _sinks, sink];
        }
    }

    /// <summary>Removes a consumer.</summary>
    public void RemoveSink(IAudioSink sink)
    {
        lock (_gate)
        {
            _sinks = [.. _sinks.Where(s => !ReferenceEquals(s, sink))];
        }
    }

    /// <summary>Queues digits to send as RFC 4733 events (audio pauses while they play).</summary>
    public void SendDtmf(string digits, TimeSpan? duration = null)
    {
        lock (_gate)
        {
            if (_audio?.TelephoneEventPayloadType is null)
            {
                throw new InvalidOperationException("The peer did not negotiate telephone-event; send the digits by SIP INFO or in-band instead.");
            }

            _eventSender.Enqueue(digits, duration);
        }
    }

    /// <summary>Sends a payload now, outside the clock (a relay forwarding the other leg's packets).</summary>
    /// <param name="payload">The encoded payload, already in this session's encoding.</param>
    /// <param name="samples">The samples it covers.</param>
    /// <param name="marker">The marker bit.</param>
    public void SendPayload(ReadOnlySpan<byte> payload, int samples, bool marker)
    {
        lock (_gate)
        {
            if (_audio is not { } audio || !audio.Direction.Sends() || _latch.Destination is not { } destination || _eventSender.IsBusy)
            {
                return;
            }

            var length = _packetizer.WriteMedia(_packet, (byte)audio.PayloadType, payload, samples, marker || _relayMarker);
            _relayMarker = false;
            SendLocked(length, destination);
            if (ExternallyFed)
            {
                _clock.Metrics.PacketsRelayed.Add(1);
            }
        }
    }

    /// <summary>Starts receiving and joins the pacing clock.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _phase = MediaRandom.NextUInt32();
        }

        _transport.Start(OnRtp, OnRtcp);
        _clock.Subscribe(this);
        _clock.Metrics.SessionsActive.Add(1);
    }

    /// <summary>Leaves the clock, sends an RTCP BYE, and closes the ports.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _clock.Unsubscribe(this);
        lock (_gate)
        {
            if (_started)
            {
                _clock.Metrics.SessionsActive.Add(-1);
            }
        }

        lock (_gate)
        {
            SendRtcpLocked(bye: true);
            _srtpSend?.Dispose();
            _srtpReceive?.Dispose();
            // Nothing is inserted once disposed (OnRtp checks under this lock), so the storage can go back.
            _jitter.Release();
        }

        await _transport.DisposeAsync();
    }

    /// <inheritdoc />
    void IMediaClockSubscriber.OnTick(long tick)
    {
        NegotiatedAudio? audio;
        IAudioSink[] sinks;
        lock (_gate)
        {
            audio = _audio;
            sinks = _sinks;
        }

        if (audio is null)
        {
            // Nothing negotiated yet: what arrives is dropped, so a polled socket is only drained.
            _transport.Poll();
            return;
        }

        var ticksPerPacket = audio.Ptime / (int)_clock.Tick.TotalMilliseconds;
        if ((tick + _phase) % ticksPerPacket != 0)
        {
            return;
        }

        // A polled transport hands over what arrived since the last playout now, just before it is played; a relay
        // gets the newest of it once the read is done.
        _holdRelay = _options.ReceiveOnClockTick && PayloadObserver is not null;
        var fellBehind = _lastIntervalTick >= 0 && tick - _lastIntervalTick > ticksPerPacket;
        _holdLimit = fellBehind ? _options.RelayBacklogLimit : Math.Max(_options.RelayBacklogLimit, OnTimeHoldLimit);
        try
        {
            _transport.Poll();
        }
        finally
        {
            _holdRelay = false;
        }

        HandHeldPayloadsOn();

        var samples = audio.Ptime * 8;
        var frame = _pcm.AsSpan(0, samples);
        var missed = MissedIntervals(tick, ticksPerPacket);
        for (var i = 0; i < missed; i++)
        {
            PlayOut(audio, frame, sinks);
            SkipFrame(audio, samples);
        }

        PlayOut(audio, frame, sinks);
        SendFrame(audio, samples);

        var timedOut = false;
        lock (_gate)
        {
            if (_disposed)
            {
                // A tick already running when the session was disposed: its sockets are closed, and its last report
                // (the BYE) has gone.
                return;
            }

            timedOut = _timeout?.CheckTimedOut() == true;
            if (_time.GetElapsedTime(_lastRtcp) >= _options.RtcpInterval)
            {
                _lastRtcp = _time.GetTimestamp();
                SendRtcpLocked(bye: false);
            }
        }

        if (timedOut)
        {
            MediaLog.MediaTimedOut(_logger, _id, _options.MediaTimeout);
            _clock.Metrics.MediaTimeouts.Add(1);
            MediaTimedOut?.Invoke(this, EventArgs.Empty);
        }
    }

    internal void OnRtp(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        DtmfDigit? digit = null;
        RtpHeader? observed = null;
        ReadOnlySpan<byte> observedPayload = default;
        lock (_gate)
        {
            if (_disposed || _audio is not { } audio)
            {
                return;
            }

            var packet = datagram;
            if (_srtpReceive is { } srtp)
            {
                if (datagram.Length > _srtpBuffer.Length)
                {
                    _refused++;
                    return;
                }

                datagram.CopyTo(_srtpBuffer);
                var length = srtp.UnprotectRtp(_srtpBuffer.AsSpan(0, datagram.Length), out var srtpError);
                if (length < 0)
                {
                    _refused++;
                    _clock.Metrics.PacketsRefused.Add(1);
                    MediaLog.SrtpRejected(_logger, _id, srtpError!);
                    return;
                }

                packet = _srtpBuffer.AsSpan(0, length);
            }

            if (!RtpPacket.TryParse(packet, out var header, out var error))
            {
                _refused++;
                _clock.Metrics.PacketsRefused.Add(1);
                MediaLog.MalformedPacket(_logger, _id, source, error!);
                return;
            }

            var wasLatched = _latch.Latched is not null;
            if (!_latch.Accept(source))
            {
                _refused++;
                _clock.Metrics.PacketsRefused.Add(1);
                return;
            }

            if (!wasLatched && _latch.Enabled)
            {
                MediaLog.Latched(_logger, _id, source);
            }

            _timeout?.RecordPacket();
            _accepted++;
            _clock.Metrics.PacketsReceived.Add(1);
            var payload = packet.Slice(header.HeaderLength, header.PayloadLength);

            // Every packet of a source counts for that source's loss and jitter, events included: a source's events
            // share its sequence space. Events on a separate SSRC get statistics of their own.
            var arrival = (uint)(_time.GetElapsedTime(_startTimestamp).Ticks * 8000 / TimeSpan.TicksPerSecond);
            SourceStatistics(header.Ssrc).Update(header.Ssrc, header.SequenceNumber, header.Timestamp, arrival, sampleJitter: header.PayloadType != audio.TelephoneEventPayloadType);
            if (header.PayloadType == audio.PayloadType)
            {
                _audioSource = header.Ssrc;
            }

            if (header.PayloadType == audio.TelephoneEventPayloadType)
            {
                if (_eventReceiver.TryReceive(header.Timestamp, payload, out var d))
                {
                    digit = d;
                }
            }
            else if (header.PayloadType == audio.PayloadType)
            {
                // Our own SSRC coming back is our stream looped or echoed by the peer (RFC 3550 §8.2): counted and
                // observed, never played out, and it must not displace the peer's stream in the jitter buffer.
                if (header.Ssrc != _packetizer.Ssrc && (_sinks.Length > 0 || (Dtmf.ActiveMethods & DtmfMethod.InBand) != 0))
                {
                    if (header.Ssrc != _playoutSsrc)
                    {
                        // A new stream (the peer restarted or re-routed its media): its numbering starts over.
                        _jitter.Reset();
                        _playoutSsrc = header.Ssrc;
                    }

                    _jitter.Insert(header.SequenceNumber, header.Timestamp, payload);
                }

                if (PayloadObserver is not null)
                {
                    observed = header;
                    observedPayload = payload;
                }
            }
        }

        // Outside the lock: a relay observer sends on the other leg, which takes that leg's lock.
        if (observed is { } h && PayloadObserver is { } observer)
        {
            if (_holdRelay)
            {
                Hold(h, observedPayload);
            }
            else
            {
                observer.OnPayload(this, h, observedPayload);
            }
        }

        if (digit is { } received)
        {
            Dtmf.Offer(received);
        }
    }

    internal void OnRtcp(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var packet = datagram;
            if (_srtpReceive is { } srtp)
            {
                if (datagram.Length > _srtpBuffer.Length)
                {
                    return;
                }

                datagram.CopyTo(_srtpBuffer);
                var length = srtp.UnprotectRtcp(_srtpBuffer.AsSpan(0, datagram.Length), out var srtpError);
                if (length < 0)
                {
                    MediaLog.SrtpRejected(_logger, _id, srtpError!);
                    return;
                }

                packet = _srtpBuffer.AsSpan(0, length);
            }

            var compound = _rtcpReceived;
            if (!RtcpPacket.TryParse(packet, compound, readCname: false, out var error))
            {
                MediaLog.MalformedPacket(_logger, _id, source, error!);
                return;
            }

            if (_latch.Latched is not null && !Equals(_latch.Latched.Address, source.Address))
            {
                return;
            }

            _rtcpSource = source;
            _rtcpCount++;
            if (compound.SenderInfo is { } info)
            {
                if (_sources.TryGetValue(compound.Ssrc, out var sender))
                {
                    sender.Statistics.NoteSenderReport(info.NtpTimestamp, _time.GetTimestamp());
                }
            }

            foreach (var block in compound.ReportBlocks)
            {
                if (block.Ssrc == _packetizer.Ssrc)
                {
                    _remoteFractionLost = block.FractionLost / 256.0;
                }
            }
        }
    }

    private void PlayOut(NegotiatedAudio audio, Span<short> frame, IAudioSink[] sinks)
    {
        var inBand = (Dtmf.ActiveMethods & DtmfMethod.InBand) != 0;
        if (sinks.Length == 0 && !inBand)
        {
            return;
        }

        JitterPopResult result;
        int length;
        lock (_gate)
        {
            result = _jitter.Pop(_payload, out length);
        }

        if (result == JitterPopResult.Frame)
        {
            var n = Math.Min(length, frame.Length);
            G711.Decode(audio.Encoding, _payload.AsSpan(0, n), frame);
            frame[n..].Clear();
        }
        else
        {
            frame.Clear();
        }

        if (inBand && result == JitterPopResult.Frame)
        {
            _inBand.Process(frame);
        }

        foreach (var sink in sinks)
        {
            sink.Write(frame);
        }
    }

    /// <summary>
    /// How many of this session's packet intervals the clock skipped before <paramref name="tick"/> (it fell behind by
    /// more than it catches up and dropped ticks). Only the clock's thread calls this, once per interval.
    /// </summary>
    private int MissedIntervals(long tick, int ticksPerPacket)
    {
        var last = _lastIntervalTick;
        _lastIntervalTick = tick;
        if (last < 0 || tick <= last)
        {
            return 0;
        }

        return (int)Math.Clamp(((tick - last) / ticksPerPacket) - 1, 0, MaxMissedIntervals);
    }

    /// <summary>
    /// A packet interval the clock skipped: media time follows the wall clock, so what would have been sent then is
    /// taken from the source and dropped, and the RTP timestamp moves on with the marker set on the next packet (a gap
    /// the peer sees as such). Without this a prompt played late by every skipped interval, and the stream fell further
    /// behind real time for the rest of the call. Nothing is done while a DTMF event is being sent (its packets keep
    /// their own timing) or by a leg a relay feeds (the relay sends what arrives).
    /// </summary>
    /// <summary>A relay passed over audio of the other leg: this leg's timestamp moves on by it, and the next packet is marked.</summary>
    internal void SkipRelayed(int samples)
    {
        lock (_gate)
        {
            _packetizer.AdvanceTimestamp(samples);
            _relayMarker = true;
        }
    }

    /// <summary>Keeps a payload for the relay until the read on the tick is done; past the read's limit the oldest is passed over.</summary>
    private void Hold(in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        var limit = _holdLimit;
        _held ??= new HeldPayload[_options.RelayBacklogLimit];
        if (_heldCount >= limit)
        {
            _passedOverPackets++;
            _passedOverSamples += _held[_heldStart].Length;
            _heldStart = (_heldStart + 1) % _held.Length;
            _heldCount--;
        }
        else if (_heldCount == _held.Length)
        {
            GrowHeld(Math.Min(limit, _held.Length * 2));
        }

        ref var slot = ref _held[(_heldStart + _heldCount) % _held.Length];
        if (slot.Payload is null || slot.Payload.Length < payload.Length)
        {
            slot.Payload = new byte[Math.Max(256, payload.Length)];
        }

        payload.CopyTo(slot.Payload);
        slot.Length = payload.Length;
        slot.Header = header;
        _heldCount++;
    }

    private void HandHeldPayloadsOn()
    {
        if (_heldCount == 0 && _passedOverPackets == 0)
        {
            return;
        }

        var observer = PayloadObserver;
        if (_passedOverPackets > 0)
        {
            _clock.Metrics.PacketsPassedOver.Add(_passedOverPackets);
            observer?.OnPayloadsPassedOver(this, _passedOverPackets, _passedOverSamples);
            _passedOverPackets = 0;
            _passedOverSamples = 0;
        }

        while (_heldCount > 0)
        {
            ref var held = ref _held![_heldStart];
            _heldStart = (_heldStart + 1) % _held.Length;
            _heldCount--;
            observer?.OnPayload(this, held.Header, held.Payload.AsSpan(0, held.Length));
        }
    }

    /// <summary>Makes room for a burst read on time: the held payloads keep their order, and every slot its buffer.</summary>
    private void GrowHeld(int length)
    {
        var grown = new HeldPayload[length];
        for (var i = 0; i < _held!.Length; i++)
        {
            grown[i] = _held[(_heldStart + i) % _held.Length];
        }

        _held = grown;
        _heldStart = 0;
    }

    /// <summary>A payload held for the relay until the read on the tick is done.</summary>
    private struct HeldPayload
    {
        public byte[] Payload;
        public int Length;
        public RtpHeader Header;
    }

    private void SkipFrame(NegotiatedAudio audio, int samples)
    {
        if (ExternallyFed)
        {
            return;
        }

        var source = Source;
        lock (_gate)
        {
            if (_eventSender.IsBusy)
            {
                return;
            }

            if (!audio.Direction.Sends() || _latch.Destination is null)
            {
                // What SendFrame does when nothing is sent: time passes, the source waits.
                _packetizer.AdvanceTimestamp(samples);
                _marker = true;
                return;
            }
        }

        var produced = source?.Read(_pcm.AsSpan(0, samples)) ?? 0;
        var wouldSend = produced > 0 || _options.SendSilenceWhenIdle;
        lock (_gate)
        {
            _packetizer.AdvanceTimestamp(samples);
            _marker = true;
            if (wouldSend)
            {
                _framesSkipped++;
            }
        }

        if (wouldSend)
        {
            _clock.Metrics.FramesSkipped.Add(1);
        }
    }

    private void SendFrame(NegotiatedAudio audio, int samples)
    {
        var source = Source;
        var frame = _pcm.AsSpan(0, samples);
        lock (_gate)
        {
            var destination = _latch.Destination;
            if (!audio.Direction.Sends() || destination is null)
            {
                if (!ExternallyFed)
                {
                    _packetizer.AdvanceTimestamp(samples);
                }

                _marker = true;
                return;
            }

            if (audio.TelephoneEventPayloadType is { } tePt && _eventSender.TryNext(_packetizer.NextTimestamp, out var ev, out var suppress))
            {
                ev.Payload.Write(_encoded);
                var length = _packetizer.Write(_packet, (byte)tePt, _encoded.AsSpan(0, TelephoneEventPayload.Length), ev.Timestamp, ev.Marker);
                SendLocked(length, destination);
                _packetizer.AdvanceTimestamp(samples);
                _marker = true;
                return;
            }
            else if (audio.TelephoneEventPayloadType is not null && _eventSender.IsBusy)
            {
                // Pause between digits: no audio either.
                _packetizer.AdvanceTimestamp(samples);
                return;
            }
        }

        if (ExternallyFed)
        {
            // A relay sends this leg's audio as it arrives from the other leg.
            return;
        }

        var produced = source?.Read(frame) ?? 0;
        if (produced == 0 && !_options.SendSilenceWhenIdle)
        {
            lock (_gate)
            {
                _packetizer.AdvanceTimestamp(samples);
                _marker = true;
            }

            return;
        }

        frame[produced..].Clear();
        G711.Encode(audio.Encoding, frame, _encoded);
        lock (_gate)
        {
            if (_latch.Destination is not { } destination)
            {
                return;
            }

            var length = _packetizer.WriteMedia(_packet, (byte)audio.PayloadType, _encoded.AsSpan(0, samples), samples, _marker);
            _marker = false;
            SendLocked(length, destination);
        }
    }

    /// <summary>Protects (SRTP) and sends the packet written in <see cref="_packet"/>; called with the session lock held.</summary>
    private void SendLocked(int length, IPEndPoint destination)
    {
        if (_disposed)
        {
            // A tick that was already running when the session was disposed: its sockets are closing.
            return;
        }

        if (_srtpSend is { } srtp)
        {
            length = srtp.ProtectRtp(_packet, length);
        }

        try
        {
            _transport.SendRtp(_packet.AsSpan(0, length), destination);
            _sent++;
            _clock.Metrics.PacketsSent.Add(1);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            MediaLog.SendFailed(_logger, _id, destination, ex.SocketErrorCode);
        }
    }

    private void SendRtcpLocked(bool bye)
    {
        if (_audio is null)
        {
            return;
        }

        // Where the peer's RTCP comes from, else beside its latched RTP source, else what SDP said.
        var destination = _rtcpSource
            ?? (_latch.Enabled && _latch.Latched is { Port: < 65535 } latched ? new IPEndPoint(latched.Address, latched.Port + 1) : _audio.RemoteRtcp);
        if (destination is null)
        {
            return;
        }

        RtcpSenderInfo? sender = _packetizer.PacketCount > 0
            ? new RtcpSenderInfo(RtcpPacket.ToNtp(_time.GetUtcNow()), _packetizer.LastTimestamp, (uint)_packetizer.PacketCount, (uint)_packetizer.OctetCount)
            : null;
        _reportBlocks.Clear();
        foreach (var (statistics, _) in _sources.Values)
        {
            if (statistics.Received > 0)
            {
                _reportBlocks.Add(statistics.CreateReportBlock(statistics.LastSenderReportArrival == 0 ? TimeSpan.Zero : _time.GetElapsedTime(statistics.LastSenderReportArrival)));
            }
        }

        var length = RtcpPacket.WriteReport(_rtcpBuffer, _packetizer.Ssrc, sender, _reportBlocks, _cname, bye);
        if (_srtpSend is { } srtp)
        {
            length = srtp.ProtectRtcp(_rtcpBuffer, length);
        }
        try
        {
            _transport.SendRtcp(_rtcpBuffer.AsSpan(0, length), destination);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            MediaLog.SendFailed(_logger, _id, destination, ex.SocketErrorCode);
        }
    }
}
