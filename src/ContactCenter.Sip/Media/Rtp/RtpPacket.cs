using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ContactCenter.Sip.Media;

/// <summary>The fixed RTP header fields (RFC 3550 §5.1) of a parsed packet.</summary>
/// <param name="Marker">The marker bit (first packet of a talk spurt or of a DTMF event).</param>
/// <param name="PayloadType">The payload type (0-127).</param>
/// <param name="SequenceNumber">The 16-bit sequence number.</param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="Ssrc">The synchronization source.</param>
/// <param name="HeaderLength">Bytes before the payload (fixed header, CSRCs, extension).</param>
/// <param name="PayloadLength">Payload bytes (padding removed).</param>
public readonly record struct RtpHeader(bool Marker, byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, int HeaderLength, int PayloadLength);

/// <summary>RTP packet reading and writing (RFC 3550 §5.1).</summary>
public static class RtpPacket
{
    /// <summary>The size of the fixed header without CSRCs or extension.</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>Reads a packet's header; returns false with a reason when the bytes are not a valid RTP packet.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header, out string? error)
    {
        header = default;
        if (packet.Length < FixedHeaderLength)
        {
            error = $"RTP packet of {packet.Length} bytes is shorter than the 12-byte header";
            return false;
        }

        var first = packet[0];
        if (first >> 6 != 2)
        {
            error = $"RTP version {first >> 6} is not 2";
            return false;
        }

        var csrcCount = first & 0x0F;
        var headerLength = FixedHeaderLength + (4 * csrcCount);
        if ((first & 0x10) != 0)
        {
            if (packet.Length < headerLength + 4)
            {
                error = "RTP header extension is truncated";
                return false;
            }

            var words = BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]);
            headerLength += 4 + (4 * words);
        }

        if (packet.Length < headerLength)
        {
            error = $"RTP header of {headerLength} bytes (CSRCs, extension) is longer than the {packet.Length}-byte packet";
            return false;
        }

        var payloadLength = packet.Length - headerLength;
        if ((first & 0x20) != 0)
        {
            var padding = packet[^1];
            if (padding == 0 || padding > payloadLength)
            {
                error = $"RTP padding count {padding} does not fit the {payloadLength}-byte payload";
                return false;
            }

            payloadLength -= padding;
        }

        var second = packet[1];
        var payloadType = (byte)(second & 0x7F);
        if (payloadType is >= 72 and <= 76)
        {
            error = $"payload type {payloadType} is RTCP, not RTP";
            return false;
        }

        header = new RtpHeader(
            (second & 0x80) != 0,
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            headerLength,
            payloadLength);
        error = null;
        return true;
    }

    /// <summary>Writes a packet with a fixed header and no CSRCs; returns its length.</summary>
    public static int Write(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        var length = FixedHeaderLength + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes but the packet needs {length}.", nameof(destination));
        }

        WriteHeader(destination, marker, payloadType, sequenceNumber, timestamp, ssrc);
        payload.CopyTo(destination[FixedHeaderLength..]);
        return length;
    }

    internal static void WriteHeader(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }
}

/// <summary>A packet in a buffer rented from a pool; dispose it to return the buffer.</summary>
public sealed class PooledPacket : IDisposable
{
    private byte[]? _buffer;

    internal PooledPacket(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>The packet length in bytes.</summary>
    public int Length { get; internal set; }

    /// <summary>The packet bytes.</summary>
    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledPacket))).AsMemory(0, Length);

    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledPacket));

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// The sending side of one RTP stream: keeps the SSRC, the sequence number and the timestamp, and builds
/// packets into pooled buffers. The first sequence number and timestamp are random (RFC 3550 §5.1).
/// </summary>
public sealed class RtpPacketizer
{
    /// <summary>The largest packet this class builds.</summary>
    public const int MaxPacketLength = 1500;

    /// <summary>Creates a stream with a random SSRC, sequence number and timestamp.</summary>
    public RtpPacketizer()
        : this(MediaRandom.NextUInt32() | 1, (ushort)MediaRandom.NextUInt32(), MediaRandom.NextUInt32())
    {
    }

    /// <summary>Creates a stream with given starting values (tests, benchmarks).</summary>
    public RtpPacketizer(uint ssrc, ushort firstSequenceNumber, uint firstTimestamp)
    {
        Ssrc = ssrc;
        NextSequenceNumber = firstSequenceNumber;
        NextTimestamp = firstTimestamp;
    }

    /// <summary>The synchronization source of this stream.</summary>
    public uint Ssrc { get; }

    /// <summary>The sequence number the next packet gets.</summary>
    public ushort NextSequenceNumber { get; private set; }

    /// <summary>The timestamp of the next media frame.</summary>
    public uint NextTimestamp { get; private set; }

    /// <summary>Packets built so far.</summary>
    public long PacketCount { get; private set; }

    /// <summary>Payload bytes built so far.</summary>
    public long OctetCount { get; private set; }

    /// <summary>The timestamp of the last packet built.</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>Builds a media packet at the current timestamp, then advances the timestamp by <paramref name="samples"/>.</summary>
    public PooledPacket BuildMedia(byte payloadType, ReadOnlySpan<byte> payload, int samples, bool marker = false)
    {
        var packet = Build(payloadType, payload, NextTimestamp, marker);
        NextTimestamp += (uint)samples;
        return packet;
    }

    /// <summary>Builds a packet with an explicit timestamp (RFC 4733 events keep the event's start timestamp).</summary>
    public PooledPacket Build(byte payloadType, ReadOnlySpan<byte> payload, uint timestamp, bool marker)
    {
        var length = RtpPacket.FixedHeaderLength + payload.Length;
        if (length > MaxPacketLength)
        {
            throw new ArgumentException($"An RTP packet of {length} bytes exceeds the {MaxPacketLength}-byte limit.", nameof(payload));
        }

        // Room for an SRTP tag, so protection happens in place.
        var buffer = ArrayPool<byte>.Shared.Rent(length + SrtpContext.MaxRtpOverhead);
        Write(buffer, payloadType, payload, timestamp, marker);
        return new PooledPacket(buffer, length);
    }

    /// <summary>
    /// Writes a media packet at the current timestamp into <paramref name="destination"/> (a buffer the caller
    /// reuses), then advances the timestamp; returns the packet length.
    /// </summary>
    internal int WriteMedia(Span<byte> destination, byte payloadType, ReadOnlySpan<byte> payload, int samples, bool marker)
    {
        var length = Write(destination, payloadType, payload, NextTimestamp, marker);
        NextTimestamp += (uint)samples;
        return length;
    }

    /// <summary>Writes a packet with an explicit timestamp into <paramref name="destination"/>; returns its length.</summary>
    internal int Write(Span<byte> destination, byte payloadType, ReadOnlySpan<byte> payload, uint timestamp, bool marker)
    {
        var length = RtpPacket.FixedHeaderLength + payload.Length;
        if (length > MaxPacketLength || length > destination.Length)
        {
            throw new ArgumentException($"An RTP packet of {length} bytes exceeds the {Math.Min(MaxPacketLength, destination.Length)}-byte limit.", nameof(payload));
        }

        RtpPacket.WriteHeader(destination, marker, payloadType, NextSequenceNumber, timestamp, Ssrc);
        payload.CopyTo(destination[RtpPacket.FixedHeaderLength..]);
        NextSequenceNumber++;
        PacketCount++;
        OctetCount += payload.Length;
        LastTimestamp = timestamp;
        return length;
    }

    /// <summary>Skips the timestamp forward (time passed without sending, e.g. while on hold).</summary>
    public void AdvanceTimestamp(int samples) => NextTimestamp += (uint)samples;
}

/// <summary>Random values for SSRCs, sequence numbers and timestamps (RFC 3550 asks for unpredictable ones).</summary>
internal static class MediaRandom
{
    public static uint NextUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }
}
