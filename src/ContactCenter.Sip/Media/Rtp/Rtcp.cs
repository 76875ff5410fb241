using System.Buffers.Binary;
using System.Text;

namespace ContactCenter.Sip.Media;

/// <summary>One reception report block of an RTCP SR or RR (RFC 3550 §6.4.1).</summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Fraction lost since the previous report, in 1/256 units.</param>
/// <param name="CumulativeLost">Packets lost since the start (24-bit signed).</param>
/// <param name="ExtendedHighestSequence">Cycles in the upper 16 bits, highest sequence number in the lower.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">The middle 32 bits of the NTP timestamp of the last SR received from the source.</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR, in 1/65536 s.</param>
public readonly record struct RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport);

/// <summary>The sender information of an RTCP SR (RFC 3550 §6.4.1).</summary>
/// <param name="NtpTimestamp">The 64-bit NTP wall-clock time the report was sent.</param>
/// <param name="RtpTimestamp">The same instant in the RTP clock.</param>
/// <param name="PacketCount">RTP packets sent since the start.</param>
/// <param name="OctetCount">Payload octets sent since the start.</param>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>What a compound RTCP packet said.</summary>
public sealed class RtcpCompound
{
    /// <summary>The SSRC of the sender of the SR or RR.</summary>
    public uint Ssrc { get; internal set; }

    /// <summary>The sender information when the packet had an SR.</summary>
    public RtcpSenderInfo? SenderInfo { get; internal set; }

    /// <summary>The report blocks of the SR or RR.</summary>
    public List<RtcpReportBlock> ReportBlocks { get; } = [];

    /// <summary>The CNAME from an SDES chunk, when present.</summary>
    public string? Cname { get; internal set; }

    /// <summary>True when the packet contained a BYE.</summary>
    public bool IsBye { get; internal set; }
}

/// <summary>RTCP compound packet reading and writing: SR, RR, SDES CNAME and BYE (RFC 3550 §6).</summary>
public static class RtcpPacket
{
    /// <summary>Sender report packet type.</summary>
    public const byte SenderReportType = 200;

    /// <summary>Receiver report packet type.</summary>
    public const byte ReceiverReportType = 201;

    /// <summary>Source description packet type.</summary>
    public const byte SourceDescriptionType = 202;

    /// <summary>Goodbye packet type.</summary>
    public const byte ByeType = 203;

    private const int ReportBlockLength = 24;

    /// <summary>Reads a compound packet; false with a reason when malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpCompound compound, out string? error)
    {
        compound = new RtcpCompound();
        return TryParse(packet, compound, readCname: true, out error);
    }

    /// <summary>Reads a compound packet into <paramref name="compound"/> (cleared first, reused by a session for every packet).</summary>
    internal static bool TryParse(ReadOnlySpan<byte> packet, RtcpCompound compound, bool readCname, out string? error)
    {
        compound.Ssrc = 0;
        compound.SenderInfo = null;
        compound.ReportBlocks.Clear();
        compound.Cname = null;
        compound.IsBye = false;
        if (packet.Length < 8)
        {
            error = $"RTCP packet of {packet.Length} bytes is shorter than the 8-byte minimum";
            return false;
        }

        var offset = 0;
        var first = true;
        while (offset < packet.Length)
        {
            if (packet.Length - offset < 4)
            {
                error = $"RTCP packet has {packet.Length - offset} trailing bytes at offset {offset}";
                return false;
            }

            var part = packet[offset..];
            if (part[0] >> 6 != 2)
            {
                error = $"RTCP version {part[0] >> 6} at offset {offset} is not 2";
                return false;
            }

            var count = part[0] & 0x1F;
            var type = part[1];
            var length = (BinaryPrimitives.ReadUInt16BigEndian(part[2..]) + 1) * 4;
            if (length > part.Length)
            {
                error = $"RTCP packet type {type} at offset {offset} claims {length} bytes but {part.Length} remain";
                return false;
            }

            if (first && type is not (SenderReportType or ReceiverReportType))
            {
                error = $"a compound RTCP packet must start with SR or RR, found type {type}";
                return false;
            }

            first = false;
            var body = part[..length];
            switch (type)
            {
                case SenderReportType:
                    if (body.Length < 28 + (count * ReportBlockLength))
                    {
                        error = $"RTCP SR with {count} report blocks needs {28 + (count * ReportBlockLength)} bytes, has {body.Length}";
                        return false;
                    }

                    compound.Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    compound.SenderInfo = new RtcpSenderInfo(
                        BinaryPrimitives.ReadUInt64BigEndian(body[8..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[24..]));
                    ReadBlocks(body[28..], count, compound.ReportBlocks);
                    break;
                case ReceiverReportType:
                    if (body.Length < 8 + (count * ReportBlockLength))
                    {
                        error = $"RTCP RR with {count} report blocks needs {8 + (count * ReportBlockLength)} bytes, has {body.Length}";
                        return false;
                    }

                    compound.Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    ReadBlocks(body[8..], count, compound.ReportBlocks);
                    break;
                case SourceDescriptionType when readCname:
                    compound.Cname ??= ReadCname(body[4..], count);
                    break;
                case ByeType:
                    compound.IsBye = true;
                    break;
                default:
                    break;
            }

            offset += length;
        }

        error = null;
        return true;
    }

    /// <summary>Writes an SR (or an RR when <paramref name="sender"/> is null), then SDES with the CNAME; returns the length.</summary>
    public static int WriteReport(Span<byte> destination, uint ssrc, RtcpSenderInfo? sender, IReadOnlyList<RtcpReportBlock> blocks, string cname, bool bye = false)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(cname);
        if (blocks.Count > 31)
        {
            throw new ArgumentException($"An RTCP report holds at most 31 blocks, got {blocks.Count}.", nameof(blocks));
        }

        var cnameBytes = Encoding.UTF8.GetByteCount(cname);
        if (cnameBytes > 255)
        {
            throw new ArgumentException($"The CNAME is {cnameBytes} bytes; at most 255 fit.", nameof(cname));
        }

        var reportLength = (sender is null ? 8 : 28) + (blocks.Count * ReportBlockLength);
        var sdesLength = (8 + 2 + cnameBytes + 1 + 3) / 4 * 4;
        var total = reportLength + sdesLength + (bye ? 8 : 0);
        if (destination.Length < total)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes but the report needs {total}.", nameof(destination));
        }

        destination[..total].Clear();
        destination[0] = (byte)(0x80 | blocks.Count);
        destination[1] = sender is null ? ReceiverReportType : SenderReportType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((reportLength / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        var offset = 8;
        if (sender is { } s)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], s.NtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[16..], s.RtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[20..], s.PacketCount);
            BinaryPrimitives.WriteUInt32BigEndian(destination[24..], s.OctetCount);
            offset = 28;
        }

        for (var i = 0; i < blocks.Count; i++)
        {
            // Indexed, not foreach: enumerating an IReadOnlyList would allocate an enumerator per report.
            var b = blocks[i];
            var block = destination[offset..];
            BinaryPrimitives.WriteUInt32BigEndian(block, b.Ssrc);
            var lost = Math.Clamp(b.CumulativeLost, -0x800000, 0x7FFFFF) & 0xFFFFFF;
            BinaryPrimitives.WriteUInt32BigEndian(block[4..], ((uint)b.FractionLost << 24) | (uint)lost);
            BinaryPrimitives.WriteUInt32BigEndian(block[8..], b.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(block[12..], b.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(block[16..], b.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(block[20..], b.DelaySinceLastSenderReport);
            offset += ReportBlockLength;
        }

        var sdes = destination[offset..];
        sdes[0] = 0x81;
        sdes[1] = SourceDescriptionType;
        BinaryPrimitives.WriteUInt16BigEndian(sdes[2..], (ushort)((sdesLength / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1;
        sdes[9] = (byte)cnameBytes;
        Encoding.UTF8.GetBytes(cname, sdes[10..]);
        offset += sdesLength;
        if (bye)
        {
            var b = destination[offset..];
            b[0] = 0x81;
            b[1] = ByeType;
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(b[4..], ssrc);
            offset += 8;
        }

        return offset;
    }

    /// <summary>Converts a time to the 64-bit NTP format (seconds since 1900 and a binary fraction).</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        var sinceEpoch = time.UtcDateTime - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (ulong)(sinceEpoch.Ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)(sinceEpoch.Ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    private static void ReadBlocks(ReadOnlySpan<byte> data, int count, List<RtcpReportBlock> blocks)
    {
        for (var i = 0; i < count; i++)
        {
            var b = data[(i * ReportBlockLength)..];
            var word = BinaryPrimitives.ReadUInt32BigEndian(b[4..]);
            var lost = (int)(word & 0xFFFFFF);
            if ((lost & 0x800000) != 0)
            {
                lost |= unchecked((int)0xFF000000);
            }

            blocks.Add(new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(b),
                (byte)(word >> 24),
                lost,
                BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[20..])));
        }
    }

    private static string? ReadCname(ReadOnlySpan<byte> chunks, int count)
    {
        if (count == 0 || chunks.Length < 6)
        {
            return null;
        }

        var items = chunks[4..];
        while (items.Length >= 2 && items[0] != 0)
        {
            var type = items[0];
            var length = items[1];
            if (items.Length < 2 + length)
            {
                return null;
            }

            if (type == 1)
            {
                return Encoding.UTF8.GetString(items.Slice(2, length));
            }

            items = items[(2 + length)..];
        }

        return null;
    }
}

/// <summary>
/// Reception statistics for one remote source: sequence tracking with wraparound (RFC 3550 A.1),
/// loss (A.3) and interarrival jitter (A.8), producing RTCP report blocks.
/// </summary>
public sealed class RtpReceiverStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int SequenceModulo = 1 << 16;

    private bool _initialized;
    private ushort _maxSequence;
    private uint _cycles;
    private uint _baseSequence;
    private uint _badSequence = SequenceModulo + 1;
    private long _expectedPrior;
    private long _receivedPrior;
    private long _transit;
    private bool _hasTransit;
    private long _jitter;

    /// <summary>The source being tracked.</summary>
    public uint Ssrc { get; private set; }

    /// <summary>Packets received (duplicates included, as RFC 3550 counts them).</summary>
    public long Received { get; private set; }

    /// <summary>The highest sequence number seen, extended with the wraparound count.</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    /// <summary>Packets expected from the first to the highest sequence number.</summary>
    public long Expected => _initialized ? (long)ExtendedHighestSequence - _baseSequence + 1 : 0;

    /// <summary>Packets lost since the start (may go negative with duplicates).</summary>
    public long CumulativeLost => Expected - Received;

    /// <summary>The interarrival jitter estimate in timestamp units.</summary>
    public uint Jitter => (uint)(_jitter >> 4);

    /// <summary>The middle 32 bits of the NTP time of the last SR received from this source.</summary>
    public uint LastSenderReport { get; private set; }

    /// <summary>When (TimeProvider timestamp) the last SR arrived, or 0.</summary>
    public long LastSenderReportArrival { get; private set; }

    /// <summary>Records a packet. Returns false when it is treated as invalid (a large jump not yet confirmed).</summary>
    /// <param name="ssrc">The packet's SSRC.</param>
    /// <param name="sequence">The packet's sequence number.</param>
    /// <param name="rtpTimestamp">The packet's timestamp.</param>
    /// <param name="arrival">The arrival time in the same clock units as the RTP timestamp.</param>
    public bool Update(uint ssrc, ushort sequence, uint rtpTimestamp, uint arrival) => Update(ssrc, sequence, rtpTimestamp, arrival, sampleJitter: true);

    /// <summary>Records a packet. Returns false when it is treated as invalid (a large jump not yet confirmed).</summary>
    /// <param name="ssrc">The packet's SSRC.</param>
    /// <param name="sequence">The packet's sequence number.</param>
    /// <param name="rtpTimestamp">The packet's timestamp.</param>
    /// <param name="arrival">The arrival time in the same clock units as the RTP timestamp.</param>
    /// <param name="sampleJitter">
    /// False for packets whose timestamp does not advance with their sending time, such as RFC 4733 events (every
    /// packet of one event carries the event's start timestamp): they count for sequence and loss, not for jitter.
    /// </param>
    public bool Update(uint ssrc, ushort sequence, uint rtpTimestamp, uint arrival, bool sampleJitter)
    {
        if (!_initialized || ssrc != Ssrc)
        {
            Ssrc = ssrc;
            Init(sequence);
            _hasTransit = false;
            _jitter = 0;
            _initialized = true;
        }
        else
        {
            var delta = (ushort)(sequence - _maxSequence);
            if (delta < MaxDropout)
            {
                if (sequence < _maxSequence)
                {
                    _cycles += SequenceModulo;
                }

                _maxSequence = sequence;
            }
            else if (delta <= SequenceModulo - MaxMisorder)
            {
                if (sequence == _badSequence)
                {
                    // Two sequential packets after a big jump: the source restarted.
                    Init(sequence);
                }
                else
                {
                    _badSequence = (uint)((sequence + 1) & (SequenceModulo - 1));
                    return false;
                }
            }
        }

        Received++;
        if (!sampleJitter)
        {
            return true;
        }

        var transit = (long)arrival - rtpTimestamp;
        transit = (int)(uint)transit;
        if (_hasTransit)
        {
            var d = Math.Abs(transit - _transit);
            _jitter += d - ((_jitter + 8) >> 4);
        }

        _transit = transit;
        _hasTransit = true;
        return true;
    }

    /// <summary>Notes an SR from this source so the next report block can carry LSR and DLSR.</summary>
    public void NoteSenderReport(ulong ntpTimestamp, long arrivalTimestamp)
    {
        LastSenderReport = (uint)(ntpTimestamp >> 16);
        LastSenderReportArrival = arrivalTimestamp;
    }

    /// <summary>Builds the report block for this source and starts a new reporting interval.</summary>
    /// <param name="delaySinceLastSenderReport">Time since the last SR arrived (zero when none).</param>
    public RtcpReportBlock CreateReportBlock(TimeSpan delaySinceLastSenderReport)
    {
        var expected = Expected;
        var expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        var receivedInterval = Received - _receivedPrior;
        _receivedPrior = Received;
        var lostInterval = expectedInterval - receivedInterval;
        var fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        var dlsr = LastSenderReport == 0 ? 0u : (uint)Math.Min(uint.MaxValue, delaySinceLastSenderReport.TotalSeconds * 65536);
        return new RtcpReportBlock(Ssrc, fraction, (int)Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF), ExtendedHighestSequence, Jitter, LastSenderReport, dlsr);
    }

    private void Init(ushort sequence)
    {
        _baseSequence = sequence;
        _maxSequence = sequence;
        _badSequence = SequenceModulo + 1;
        _cycles = 0;
        Received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }
}
