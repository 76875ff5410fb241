using System.Buffers.Binary;

namespace ContactCenter.Sip.Media;

/// <summary>DTMF digits and their RFC 4733 event codes.</summary>
public static class DtmfDigits
{
    /// <summary>The characters accepted as DTMF digits, in event-code order (0-9, *, #, A-D).</summary>
    public const string All = "0123456789*#ABCD";

    /// <summary>The RFC 4733 event code for a digit (0-15), or -1 when it is not a DTMF digit.</summary>
    public static int ToEventCode(char digit)
    {
        var upper = char.ToUpperInvariant(digit);
        return All.IndexOf(upper, StringComparison.Ordinal);
    }

    /// <summary>The digit for an RFC 4733 event code 0-15, or null (16 is flash, others are not DTMF).</summary>
    public static char? FromEventCode(int code) => code is >= 0 and < 16 ? All[code] : null;

    /// <summary>True for 0-9, *, #, A-D (case-insensitive).</summary>
    public static bool IsDigit(char c) => ToEventCode(c) >= 0;
}

/// <summary>A digit received by any method.</summary>
/// <param name="Digit">The digit (0-9, *, #, A-D).</param>
/// <param name="Duration">How long it was held, when known (zero otherwise).</param>
/// <param name="Method">How it arrived.</param>
public readonly record struct DtmfDigit(char Digit, TimeSpan Duration, DtmfMethod Method);

/// <summary>DTMF transport methods; several may be active at once on a call.</summary>
[Flags]
public enum DtmfMethod
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>RFC 4733 telephone-event RTP packets.</summary>
    Rfc4733 = 1,

    /// <summary>SIP INFO with an application/dtmf-relay body.</summary>
    SipInfo = 2,

    /// <summary>Tones in the audio, detected with Goertzel filters.</summary>
    InBand = 4,
}

/// <summary>The 4-byte RFC 4733 event payload.</summary>
/// <param name="Event">The event code (0-15 for DTMF).</param>
/// <param name="End">The end bit.</param>
/// <param name="Volume">The power level in -dBm0 (0-63).</param>
/// <param name="Duration">The duration so far, in timestamp units.</param>
public readonly record struct TelephoneEventPayload(byte Event, bool End, byte Volume, ushort Duration)
{
    /// <summary>The payload length.</summary>
    public const int Length = 4;

    /// <summary>Reads a payload; false when shorter than 4 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEventPayload value)
    {
        if (payload.Length < Length)
        {
            value = default;
            return false;
        }

        value = new TelephoneEventPayload(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the payload.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }
}

/// <summary>One RTP packet the <see cref="TelephoneEventSender"/> wants sent now.</summary>
/// <param name="Payload">The event payload.</param>
/// <param name="Timestamp">The RTP timestamp (the event's start, the same in every packet of the event).</param>
/// <param name="Marker">Set on the first packet of an event.</param>
public readonly record struct TelephoneEventPacket(TelephoneEventPayload Payload, uint Timestamp, bool Marker);

/// <summary>
/// Sends digits as RFC 4733 events, one packet per ptime: a start packet with the marker bit, continuation
/// packets with the growing duration, then the end packet three times (same duration, same timestamp), then
/// a pause before the next digit. While a digit is being sent the audio stream is suppressed.
/// Not thread-safe: digits are queued from any thread through <see cref="Enqueue"/> which locks.
/// </summary>
public sealed class TelephoneEventSender
{
    private readonly object _gate = new();
    private readonly Queue<(char Digit, TimeSpan Duration)> _queue = new();
    private readonly int _samplesPerPacket;
    private int _event = -1;
    private uint _startTimestamp;
    private int _elapsed;
    private int _target;
    private int _endsSent;
    private int _pauseTicks;

    /// <summary>Creates a sender for a ptime.</summary>
    /// <param name="ptime">The packet interval in milliseconds.</param>
    /// <param name="volume">The power level in -dBm0 (default 10).</param>
    /// <param name="interDigitPause">Silence between digits (default 50 ms).</param>
    public TelephoneEventSender(int ptime = 20, byte volume = 10, TimeSpan? interDigitPause = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ptime, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, (byte)63);
        Ptime = ptime;
        Volume = volume;
        _samplesPerPacket = ptime * 8;
        InterDigitPause = interDigitPause ?? TimeSpan.FromMilliseconds(50);
    }

    /// <summary>The packet interval in milliseconds.</summary>
    public int Ptime { get; }

    /// <summary>The power level in -dBm0.</summary>
    public byte Volume { get; }

    /// <summary>Silence between digits.</summary>
    public TimeSpan InterDigitPause { get; }

    /// <summary>True while a digit is being sent or waiting.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _event >= 0 || _pauseTicks > 0 || _queue.Count > 0;
            }
        }
    }

    /// <summary>Queues digits to send; throws naming the first character that is not a DTMF digit.</summary>
    /// <param name="digits">Digits 0-9, *, #, A-D.</param>
    /// <param name="duration">How long each digit lasts (default 100 ms; 40 ms to 5 s).</param>
    public void Enqueue(string digits, TimeSpan? duration = null)
    {
        ArgumentNullException.ThrowIfNull(digits);
        var d = duration ?? TimeSpan.FromMilliseconds(100);
        if (d < TimeSpan.FromMilliseconds(40) || d > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), d, "A DTMF digit lasts from 40 ms to 5 s.");
        }

        for (var i = 0; i < digits.Length; i++)
        {
            if (!DtmfDigits.IsDigit(digits[i]))
            {
                throw new ArgumentException($"'{digits[i]}' at position {i} of \"{digits}\" is not a DTMF digit (0-9, *, #, A-D).", nameof(digits));
            }
        }

        lock (_gate)
        {
            foreach (var c in digits)
            {
                _queue.Enqueue((c, d));
            }
        }
    }

    /// <summary>
    /// Called once per ptime. Returns true with a packet to send, or false when audio may be sent instead
    /// (<paramref name="suppressAudio"/> says whether the interval belongs to a digit or its trailing pause).
    /// </summary>
    /// <param name="mediaTimestamp">The audio timestamp this interval starts at.</param>
    /// <param name="packet">The packet to send.</param>
    /// <param name="suppressAudio">True when no audio should be sent in this interval.</param>
    public bool TryNext(uint mediaTimestamp, out TelephoneEventPacket packet, out bool suppressAudio)
    {
        lock (_gate)
        {
            packet = default;
            if (_event < 0)
            {
                if (_pauseTicks > 0)
                {
                    _pauseTicks--;
                    suppressAudio = false;
                    return false;
                }

                if (!_queue.TryDequeue(out var next))
                {
                    suppressAudio = false;
                    return false;
                }

                _event = DtmfDigits.ToEventCode(next.Digit);
                _startTimestamp = mediaTimestamp;
                _target = Math.Min(ushort.MaxValue, (int)(next.Duration.TotalMilliseconds * 8));
                _elapsed = _samplesPerPacket;
                _endsSent = 0;
                suppressAudio = true;
                packet = new TelephoneEventPacket(new TelephoneEventPayload((byte)_event, false, Volume, (ushort)_elapsed), _startTimestamp, true);
                return true;
            }

            suppressAudio = true;
            if (_elapsed < _target)
            {
                _elapsed = Math.Min(_target, _elapsed + _samplesPerPacket);
                var end = _elapsed >= _target;
                packet = new TelephoneEventPacket(new TelephoneEventPayload((byte)_event, end, Volume, (ushort)_elapsed), _startTimestamp, false);
                _endsSent = end ? 1 : 0;
                return true;
            }

            // The end packet is sent three times in all (RFC 4733 §2.5.1.4).
            packet = new TelephoneEventPacket(new TelephoneEventPayload((byte)_event, true, Volume, (ushort)_elapsed), _startTimestamp, false);
            if (++_endsSent >= 3)
            {
                _event = -1;
                _pauseTicks = Math.Max(0, (int)Math.Ceiling(InterDigitPause.TotalMilliseconds / Ptime));
            }

            return true;
        }
    }
}

/// <summary>
/// Turns received RFC 4733 packets into digits: one digit per event (an event is identified by its RTP
/// timestamp), reported on its first packet even when the start packet was lost; continuation, duplicate
/// and the redundant end packets are suppressed, as are late packets of earlier events.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private const int Remembered = 8;
    private readonly uint[] _recent = new uint[Remembered];
    private readonly bool[] _ended = new bool[Remembered];
    private int _recentCount;
    private int _recentNext;

    /// <summary>Handles one telephone-event packet; returns the digit when the packet starts a new DTMF event.</summary>
    /// <param name="timestamp">The packet's RTP timestamp.</param>
    /// <param name="payload">The packet's payload.</param>
    /// <param name="digit">The new digit (duration filled from the packet when it is already an end packet).</param>
    public bool TryReceive(uint timestamp, ReadOnlySpan<byte> payload, out DtmfDigit digit)
    {
        digit = default;
        if (!TelephoneEventPayload.TryRead(payload, out var ev))
        {
            return false;
        }

        for (var i = 0; i < _recentCount; i++)
        {
            if (_recent[i] == timestamp)
            {
                _ended[i] |= ev.End;
                return false;
            }
        }

        _recent[_recentNext] = timestamp;
        _ended[_recentNext] = ev.End;
        _recentNext = (_recentNext + 1) % Remembered;
        _recentCount = Math.Min(Remembered, _recentCount + 1);

        if (DtmfDigits.FromEventCode(ev.Event) is not { } c)
        {
            return false;
        }

        digit = new DtmfDigit(c, ev.End ? TimeSpan.FromMilliseconds(ev.Duration / 8.0) : TimeSpan.Zero, DtmfMethod.Rfc4733);
        return true;
    }
}
