using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace ContactCenter.Sip.Media;

/// <summary>What the local side can do with audio, used to build offers and answers.</summary>
public sealed class MediaCapabilities
{
    /// <summary>The encodings the local side accepts, in preference order (default PCMU, PCMA).</summary>
    public IReadOnlyList<AudioEncoding> Encodings { get; init; } = [AudioEncoding.Pcmu, AudioEncoding.Pcma];

    /// <summary>Offer and accept RFC 4733 telephone-event (default true).</summary>
    public bool TelephoneEvent { get; init; } = true;

    /// <summary>The dynamic payload type offered for telephone-event (default 101).</summary>
    public int TelephoneEventPayloadType { get; init; } = 101;

    /// <summary>The packetization time in milliseconds the local side sends and asks for (default 20).</summary>
    public int Ptime { get; init; } = 20;

    /// <summary>
    /// SRTP suites with SDES keys, in preference order. Empty (the default) means plain RTP/AVP; otherwise
    /// SRTP is required: offers use RTP/SAVP with an a=crypto line per suite, and answers accept only RTP/SAVP
    /// streams with a supported a=crypto line. Set per trunk.
    /// </summary>
    public IReadOnlyList<SrtpSuite> SrtpSuites { get; init; } = [];

    internal void Validate()
    {
        if (Encodings.Count == 0)
        {
            throw new ArgumentException("MediaCapabilities.Encodings must name at least one encoding.", nameof(Encodings));
        }

        if (TelephoneEventPayloadType is < 96 or > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(TelephoneEventPayloadType), TelephoneEventPayloadType, "MediaCapabilities.TelephoneEventPayloadType must be a dynamic payload type from 96 to 127.");
        }

        if (Ptime is < 10 or > 60 || Ptime % 10 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Ptime), Ptime, "MediaCapabilities.Ptime must be 10, 20, 30, 40, 50 or 60 ms.");
        }
    }
}

/// <summary>The audio stream both sides agreed on.</summary>
/// <param name="Encoding">The encoding to send.</param>
/// <param name="PayloadType">The payload type number for it (the offerer's numbering).</param>
/// <param name="TelephoneEventPayloadType">The payload type for RFC 4733 events, or null when the peer does not support them.</param>
/// <param name="Ptime">The packetization time in milliseconds.</param>
/// <param name="Direction">What the local side may do (send, receive, both, neither).</param>
/// <param name="RemoteRtp">Where to send RTP, or null when the peer gave the hold address 0.0.0.0 or port 0.</param>
/// <param name="RemoteRtcp">Where to send RTCP (a=rtcp, else the RTP port + 1), or null.</param>
/// <param name="Protocol">The transport protocol ("RTP/AVP" or "RTP/SAVP").</param>
/// <param name="MediaIndex">The index of the audio m= line in the description.</param>
/// <param name="SendKeys">SRTP keys for what the local side sends, or null without SRTP.</param>
/// <param name="ReceiveKeys">SRTP keys for what the peer sends, or null without SRTP.</param>
public sealed record NegotiatedAudio(
    AudioEncoding Encoding,
    int PayloadType,
    int? TelephoneEventPayloadType,
    int Ptime,
    MediaDirection Direction,
    IPEndPoint? RemoteRtp,
    IPEndPoint? RemoteRtcp,
    string Protocol,
    int MediaIndex,
    SrtpKeys? SendKeys = null,
    SrtpKeys? ReceiveKeys = null)
{
    /// <summary>True when the peer has put the local side on hold (it will not receive what we send).</summary>
    public bool IsHeldByPeer => !Direction.Sends();
}

/// <summary>The result of answering an offer.</summary>
/// <param name="Answer">The answer to send back.</param>
/// <param name="Audio">The negotiated audio stream.</param>
/// <param name="IsSessionChange">False when the offer repeats the previous remote version (a re-INVITE with no change).</param>
public sealed record SdpAnswerResult(SessionDescription Answer, NegotiatedAudio Audio, bool IsSessionChange);

/// <summary>Offer/answer failed: no acceptable audio stream. A SIP stack answers 488 Not Acceptable Here.</summary>
public sealed class SdpNegotiationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SdpNegotiationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SdpNegotiationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SdpNegotiationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The local side of the offer/answer exchange (RFC 3264) for one call: builds offers and answers for one
/// audio stream, keeps the o= session id for the whole dialog and increments its version only when the
/// description changes (hold, resume, new address), and recognises re-INVITEs that repeat an old remote version.
/// Not thread-safe: use it from the call's serialized work.
/// </summary>
public sealed class SdpSession
{
    private readonly MediaCapabilities _capabilities;
    private readonly List<SdesCrypto> _localCrypto = [];
    private string? _lastBody;
    private ulong? _lastRemoteVersion;
    private ulong? _lastRemoteSessionId;

    /// <summary>Creates the local side.</summary>
    /// <param name="localAddress">The address the peer sends RTP to.</param>
    /// <param name="localRtpPort">The local RTP port (RTCP is this + 1).</param>
    /// <param name="capabilities">The local capabilities; defaults when null.</param>
    public SdpSession(IPAddress localAddress, int localRtpPort, MediaCapabilities? capabilities = null)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ArgumentOutOfRangeException.ThrowIfLessThan(localRtpPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(localRtpPort, 65534);
        LocalAddress = localAddress;
        LocalRtpPort = localRtpPort;
        _capabilities = capabilities ?? new MediaCapabilities();
        _capabilities.Validate();
        if (_capabilities.SrtpSuites.Count > 0)
        {
            Protocol = "RTP/SAVP";
            foreach (var suite in _capabilities.SrtpSuites.Distinct())
            {
                _localCrypto.Add(new SdesCrypto(_localCrypto.Count + 1, SrtpKeys.Generate(suite)));
            }
        }

        Span<byte> id = stackalloc byte[8];
        RandomNumberGenerator.Fill(id);
        SessionId = BitConverter.ToUInt64(id) >> 2;
        Version = SessionId;
    }

    /// <summary>The local RTP address.</summary>
    public IPAddress LocalAddress { get; set; }

    /// <summary>The local RTP port.</summary>
    public int LocalRtpPort { get; set; }

    /// <summary>What the local side wants: <see cref="MediaDirection.SendOnly"/> puts the peer on hold.</summary>
    public MediaDirection LocalDirection { get; set; } = MediaDirection.SendRecv;

    /// <summary>Extra media-level attributes written into every offer and answer (e.g. a=crypto).</summary>
    public List<SdpAttributeLine> ExtraAttributes { get; } = [];

    /// <summary>The transport protocol written in offers ("RTP/AVP", or "RTP/SAVP" with SRTP).</summary>
    public string Protocol { get; set; } = "RTP/AVP";

    /// <summary>The o= session id, fixed for the dialog.</summary>
    public ulong SessionId { get; }

    /// <summary>The o= version of the last description produced.</summary>
    public ulong Version { get; private set; }

    /// <summary>Builds an offer (initial, or for a re-INVITE: hold, resume, address change).</summary>
    public SessionDescription CreateOffer()
    {
        var media = new MediaDescription("audio", LocalRtpPort, Protocol, []);
        foreach (var e in _capabilities.Encodings.Distinct())
        {
            media.Formats.Add(e.StaticPayloadType().ToString(CultureInfo.InvariantCulture));
            media.Attributes.Add(new SdpAttributeLine("rtpmap", new RtpMap(e.StaticPayloadType(), e.EncodingName(), 8000).ToAttributeValue()));
        }

        if (_capabilities.TelephoneEvent)
        {
            AddTelephoneEvent(media, _capabilities.TelephoneEventPayloadType);
        }

        media.Attributes.AddRange(_localCrypto.Select(c => c.ToAttribute()));
        return Finish(media, LocalDirection, _capabilities.Ptime);
    }

    /// <summary>
    /// Answers an offer: picks the first offered encoding the local side supports (the offerer's order),
    /// keeps telephone-event when both support it, rejects every other m= line with port 0, and intersects
    /// directions. Throws <see cref="SdpNegotiationException"/> when no audio stream is acceptable.
    /// </summary>
    public SdpAnswerResult CreateAnswer(SessionDescription offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var isChange = NoteRemoteVersion(offer);
        var answer = NewDescription();
        NegotiatedAudio? audio = null;
        var reasons = new List<string>();
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var offered = offer.Media[i];
            if (audio is null && TryAccept(offer, offered, i, reasons, out var chosen, out var te, out var ptime) && TrySelectCrypto(offered, i, reasons, out var remoteCrypto, out var localCrypto))
            {
                var remoteDirection = offer.DirectionFor(offered);
                if (offer.ConnectionFor(offered)?.IsUnspecified == true)
                {
                    remoteDirection = remoteDirection.Intersect(MediaDirection.SendOnly);
                }

                var direction = LocalDirection.Intersect(remoteDirection.Reverse());
                var media = new MediaDescription("audio", LocalRtpPort, offered.Protocol, [chosen.PayloadType.ToString(CultureInfo.InvariantCulture)]);
                media.Attributes.Add(new SdpAttributeLine("rtpmap", chosen.ToAttributeValue()));
                if (te is { } tePt)
                {
                    AddTelephoneEvent(media, tePt);
                }

                if (localCrypto is not null)
                {
                    media.Attributes.Add(localCrypto.ToAttribute());
                }

                AddCommonAttributes(media, direction, ptime);
                answer.Media.Add(media);
                AudioEncodingExtensions.TryFromRtpMap(chosen, out var encoding);
                audio = new NegotiatedAudio(encoding, chosen.PayloadType, te, ptime, direction, RemoteRtp(offer, offered), RemoteRtcp(offer, offered), offered.Protocol, i, localCrypto?.Keys, remoteCrypto?.Keys);
            }
            else
            {
                var rejected = new MediaDescription(offered.Media, 0, offered.Protocol, offered.Formats.Count > 0 ? offered.Formats : ["0"]);
                answer.Media.Add(rejected);
            }
        }

        if (audio is null)
        {
            throw new SdpNegotiationException(offer.Media.Count == 0
                ? "The offer has no m= line."
                : "No acceptable audio stream in the offer: " + string.Join("; ", reasons) + ".");
        }

        Stamp(answer);
        return new SdpAnswerResult(answer, audio, isChange);
    }

    /// <summary>Reads the answer to the local offer and returns the agreed stream.</summary>
    public NegotiatedAudio AcceptAnswer(SessionDescription answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        NoteRemoteVersion(answer);
        var reasons = new List<string>();
        for (var i = 0; i < answer.Media.Count; i++)
        {
            var m = answer.Media[i];
            if (!TryAccept(answer, m, i, reasons, out var chosen, out var te, out var ptime))
            {
                continue;
            }

            var remoteDirection = answer.DirectionFor(m);
            if (answer.ConnectionFor(m)?.IsUnspecified == true)
            {
                remoteDirection = remoteDirection.Intersect(MediaDirection.SendOnly);
            }

            SrtpKeys? sendKeys = null;
            SrtpKeys? receiveKeys = null;
            if (_localCrypto.Count > 0)
            {
                if (!TryMatchAnsweredCrypto(m, out var ours, out var theirs, out var cryptoError))
                {
                    reasons.Add(string.Create(CultureInfo.InvariantCulture, $"m= line {i + 1}: {cryptoError}"));
                    continue;
                }

                sendKeys = ours.Keys;
                receiveKeys = theirs.Keys;
            }

            AudioEncodingExtensions.TryFromRtpMap(chosen, out var encoding);
            var direction = LocalDirection.Intersect(remoteDirection.Reverse());
            return new NegotiatedAudio(encoding, chosen.PayloadType, te, ptime, direction, RemoteRtp(answer, m), RemoteRtcp(answer, m), m.Protocol, i, sendKeys, receiveKeys);
        }

        throw new SdpNegotiationException("The answer accepts no audio stream the offer proposed: " + (reasons.Count == 0 ? "it has no m= line" : string.Join("; ", reasons)) + ".");
    }

    private bool TrySelectCrypto(MediaDescription offered, int index, List<string> reasons, out SdesCrypto? remote, out SdesCrypto? local)
    {
        remote = null;
        local = null;
        if (_localCrypto.Count == 0)
        {
            return true;
        }

        var problems = new List<string>();
        foreach (var attribute in offered.Attributes.Where(a => a.Name.Equals("crypto", StringComparison.OrdinalIgnoreCase)))
        {
            if (!SdesCrypto.TryParse(attribute.Value ?? string.Empty, out var candidate, out var error))
            {
                problems.Add(error);
                continue;
            }

            var ours = _localCrypto.FirstOrDefault(c => c.Keys.Suite == candidate.Keys.Suite);
            if (ours is null)
            {
                problems.Add(candidate.Keys.Suite.ToSdesName() + " is not enabled here");
                continue;
            }

            remote = candidate;
            local = new SdesCrypto(candidate.Tag, ours.Keys);
            return true;
        }

        reasons.Add(string.Create(CultureInfo.InvariantCulture, $"m= line {index + 1} has no usable a=crypto line") + (problems.Count > 0 ? " (" + string.Join("; ", problems) + ")" : string.Empty));
        return false;
    }

    private bool TryMatchAnsweredCrypto(MediaDescription answered, out SdesCrypto ours, out SdesCrypto theirs, out string error)
    {
        ours = null!;
        theirs = null!;
        foreach (var attribute in answered.Attributes.Where(a => a.Name.Equals("crypto", StringComparison.OrdinalIgnoreCase)))
        {
            if (!SdesCrypto.TryParse(attribute.Value ?? string.Empty, out var candidate, out var parseError))
            {
                error = parseError;
                return false;
            }

            var match = _localCrypto.FirstOrDefault(c => c.Tag == candidate.Tag && c.Keys.Suite == candidate.Keys.Suite);
            if (match is not null)
            {
                ours = match;
                theirs = candidate;
                error = string.Empty;
                return true;
            }
        }

        error = "the answer has no a=crypto line matching an offered tag and suite";
        return false;
    }

    private bool NoteRemoteVersion(SessionDescription remote)
    {
        var same = _lastRemoteSessionId == remote.Origin.SessionId && _lastRemoteVersion == remote.Origin.SessionVersion;
        _lastRemoteSessionId = remote.Origin.SessionId;
        _lastRemoteVersion = remote.Origin.SessionVersion;
        return !same;
    }

    private bool TryAccept(SessionDescription session, MediaDescription m, int index, List<string> reasons, out RtpMap chosen, out int? telephoneEvent, out int ptime)
    {
        chosen = null!;
        telephoneEvent = null;
        ptime = _capabilities.Ptime;
        var where = string.Create(CultureInfo.InvariantCulture, $"m= line {index + 1} ({m.Media} {m.Protocol})");
        if (!m.IsRtpAudio)
        {
            reasons.Add(where + " is not RTP audio");
            return false;
        }

        if (m.Port == 0)
        {
            reasons.Add(where + " has port 0");
            return false;
        }

        if (session.ConnectionFor(m) is null)
        {
            reasons.Add(where + " has no c= line, neither at session nor at media level");
            return false;
        }

        if (!m.Protocol.Equals(Protocol, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add(where + " needs " + m.Protocol + " but this side uses " + Protocol);
            return false;
        }

        RtpMap? best = null;
        var bestRank = int.MaxValue;
        foreach (var map in m.RtpMaps)
        {
            if (map.EncodingName.Equals("telephone-event", StringComparison.OrdinalIgnoreCase) && map.ClockRate == 8000)
            {
                telephoneEvent ??= _capabilities.TelephoneEvent ? map.PayloadType : null;
                continue;
            }

            if (best is null && AudioEncodingExtensions.TryFromRtpMap(map, out var encoding))
            {
                var rank = IndexOf(_capabilities.Encodings, encoding);
                if (rank >= 0 && rank < bestRank)
                {
                    best = map;
                    bestRank = rank;
                }
            }
        }

        if (best is null)
        {
            reasons.Add(where + " offers no encoding this side supports (" + string.Join(", ", m.RtpMaps.Select(r => r.EncodingName)) + ")");
            return false;
        }

        chosen = best;
        if (m.Ptime is { } remotePtime && remotePtime is >= 10 and <= 60 && remotePtime % 10 == 0)
        {
            ptime = remotePtime;
        }

        return true;
    }

    private static int IndexOf(IReadOnlyList<AudioEncoding> list, AudioEncoding e)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == e)
            {
                return i;
            }
        }

        return -1;
    }

    private static IPEndPoint? RemoteRtp(SessionDescription session, MediaDescription m)
    {
        var address = session.ConnectionFor(m)?.IPAddress;
        return address is null || m.Port == 0 || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? null : new IPEndPoint(address, m.Port);
    }

    private static IPEndPoint? RemoteRtcp(SessionDescription session, MediaDescription m)
    {
        var rtp = RemoteRtp(session, m);
        if (rtp is null)
        {
            return null;
        }

        if (m.Rtcp is { } rtcp)
        {
            return new IPEndPoint(rtcp.Connection?.IPAddress ?? rtp.Address, rtcp.Port);
        }

        return rtp.Port < 65535 ? new IPEndPoint(rtp.Address, rtp.Port + 1) : null;
    }

    private static void AddTelephoneEvent(MediaDescription media, int payloadType)
    {
        var pt = payloadType.ToString(CultureInfo.InvariantCulture);
        media.Formats.Add(pt);
        media.Attributes.Add(new SdpAttributeLine("rtpmap", pt + " telephone-event/8000"));
        media.Attributes.Add(new SdpAttributeLine("fmtp", pt + " 0-16"));
    }

    private void AddCommonAttributes(MediaDescription media, MediaDirection direction, int ptime)
    {
        media.Ptime = ptime;
        media.Rtcp = (LocalRtpPort + 1, null);
        media.Attributes.AddRange(ExtraAttributes);
        media.Direction = direction;
    }

    private SessionDescription Finish(MediaDescription media, MediaDirection direction, int ptime)
    {
        AddCommonAttributes(media, direction, ptime);
        var description = NewDescription();
        description.Media.Add(media);
        Stamp(description);
        return description;
    }

    private SessionDescription NewDescription()
    {
        var connection = SdpConnection.For(LocalAddress);
        return new SessionDescription(new SdpOrigin("-", SessionId, Version, "IN", connection.AddressType, connection.Address), "-")
        {
            Connection = connection,
        };
    }

    private void Stamp(SessionDescription description)
    {
        // RFC 3264 §8: the version increases by one when the description differs from the previous one.
        var body = description.ToString();
        var bodyWithoutOrigin = body[(body.IndexOf("s=", StringComparison.Ordinal))..];
        if (_lastBody is not null && !string.Equals(_lastBody, bodyWithoutOrigin, StringComparison.Ordinal))
        {
            Version++;
        }

        _lastBody = bodyWithoutOrigin;
        description.Origin = description.Origin with { SessionVersion = Version };
    }
}
