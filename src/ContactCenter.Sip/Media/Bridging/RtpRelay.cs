namespace ContactCenter.Sip.Media;

/// <summary>
/// Bridges two call legs. When both legs use the same encoding, each packet's payload is forwarded as it
/// arrives, without decoding; when they differ (PCMU on one side, PCMA on the other), each payload is
/// transcoded law-to-law. Each leg keeps its own SSRC, sequence numbers and timestamps; the marker bit is
/// carried over. Digits received on one leg are sent on the other (RFC 4733 when it was negotiated there).
/// Sinks on the legs (recorders) keep receiving audio. Dispose to unbridge.
/// </summary>
public sealed class RtpRelay : IDisposable
{
    private readonly Direction _aToB;
    private readonly Direction _bToA;
    private readonly RtpSession _a;
    private readonly RtpSession _b;
    private readonly EventHandler<DtmfDigitEventArgs>? _digitsFromA;
    private readonly EventHandler<DtmfDigitEventArgs>? _digitsFromB;
    private bool _disposed;

    /// <summary>Bridges two sessions (both must have an applied negotiation).</summary>
    /// <param name="a">One leg (e.g. the caller).</param>
    /// <param name="b">The other leg (e.g. the agent).</param>
    /// <param name="relayDtmf">Regenerate digits received on one leg on the other (default true).</param>
    public RtpRelay(RtpSession a, RtpSession b, bool relayDtmf = true)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (ReferenceEquals(a, b))
        {
            throw new ArgumentException("A relay needs two different sessions.", nameof(b));
        }

        if (a.Audio is null || b.Audio is null)
        {
            throw new InvalidOperationException("Both sessions need a negotiated stream (RtpSession.Apply) before they are bridged.");
        }

        _a = a;
        _b = b;
        _aToB = new Direction(b);
        _bToA = new Direction(a);
        a.PayloadObserver = _aToB;
        b.PayloadObserver = _bToA;
        a.ExternallyFed = true;
        b.ExternallyFed = true;
        if (relayDtmf)
        {
            _digitsFromA = (_, e) => Forward(_b, e.Digit);
            _digitsFromB = (_, e) => Forward(_a, e.Digit);
            a.Dtmf.DigitReceived += _digitsFromA;
            b.Dtmf.DigitReceived += _digitsFromB;
        }
    }

    /// <summary>True when the legs use the same encoding and payloads pass through untouched.</summary>
    public bool IsPassThrough => _a.Audio?.Encoding == _b.Audio?.Encoding;

    /// <summary>Packets forwarded from the first leg to the second.</summary>
    public long ForwardedAToB => _aToB.Forwarded;

    /// <summary>Packets forwarded from the second leg to the first.</summary>
    public long ForwardedBToA => _bToA.Forwarded;

    /// <summary>Unbridges: each leg goes back to sending its own source on the clock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _a.PayloadObserver = null;
        _b.PayloadObserver = null;
        _a.ExternallyFed = false;
        _b.ExternallyFed = false;
        if (_digitsFromA is not null)
        {
            _a.Dtmf.DigitReceived -= _digitsFromA;
            _b.Dtmf.DigitReceived -= _digitsFromB;
        }
    }

    private static void Forward(RtpSession to, DtmfDigit digit)
    {
        if (to.Audio?.TelephoneEventPayloadType is not null)
        {
            to.SendDtmf(digit.Digit.ToString(), digit.Duration >= TimeSpan.FromMilliseconds(40) ? digit.Duration : null);
        }
    }

    private sealed class Direction(RtpSession target) : IRtpPayloadObserver
    {
        private readonly byte[] _transcoded = new byte[RtpPacketizer.MaxPacketLength];

        public long Forwarded { get; private set; }

        public void OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload)
        {
            if (session.Audio is not { } from || target.Audio is not { } to || payload.Length > _transcoded.Length)
            {
                return;
            }

            if (from.Encoding == to.Encoding)
            {
                target.SendPayload(payload, payload.Length, header.Marker);
            }
            else
            {
                G711.Transcode(from.Encoding, to.Encoding, payload, _transcoded);
                target.SendPayload(_transcoded.AsSpan(0, payload.Length), payload.Length, header.Marker);
            }

            Forwarded++;
        }

        public void OnPayloadsPassedOver(RtpSession session, int packets, int samples) => target.SkipRelayed(samples);
    }
}
