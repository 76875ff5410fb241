using ContactCenter.Sip.Media;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Sip.Tests.Media;

public sealed class RtpTests
{
    [Fact]
    public void Built_packet_parses_back_with_every_header_field()
    {
        var packetizer = new RtpPacketizer(0xDEADBEEF, 65535, 1000);
        var payload = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();

        using var first = packetizer.BuildMedia(0, payload, 160, marker: true);
        using var second = packetizer.BuildMedia(0, payload, 160);

        Assert.True(RtpPacket.TryParse(first.Memory.Span, out var h1, out _));
        Assert.True(RtpPacket.TryParse(second.Memory.Span, out var h2, out _));
        Assert.True(h1.Marker);
        Assert.False(h2.Marker);
        Assert.Equal(65535, h1.SequenceNumber);
        Assert.Equal(0, h2.SequenceNumber);
        Assert.Equal(1000u, h1.Timestamp);
        Assert.Equal(1160u, h2.Timestamp);
        Assert.Equal(0xDEADBEEFu, h2.Ssrc);
        Assert.Equal(172, first.Length);
        Assert.Equal(payload, first.Memory.Span.Slice(h1.HeaderLength, h1.PayloadLength).ToArray());
        Assert.Equal(2, packetizer.PacketCount);
        Assert.Equal(320, packetizer.OctetCount);
    }

    [Fact]
    public void Header_matches_the_rfc_3550_wire_layout()
    {
        Span<byte> buffer = stackalloc byte[16];

        var length = RtpPacket.Write(buffer, true, 8, 0x1234, 0x01020304, 0x0A0B0C0D, [0xAA, 0xBB, 0xCC, 0xDD]);

        Assert.Equal(16, length);
        Assert.Equal(new byte[] { 0x80, 0x88, 0x12, 0x34, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D, 0xAA, 0xBB, 0xCC, 0xDD }, buffer.ToArray());
    }

    [Fact]
    public void Csrcs_extension_and_padding_are_skipped()
    {
        var packet = new byte[]
        {
            0xB1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // V=2 P=1 X=1 CC=1
            0, 0, 0, 9, // CSRC
            0xBE, 0xDE, 0, 1, 1, 2, 3, 4, // extension of one word
            0x55, 0x66, 0, 0, 3, // payload then padding of 3
        };

        Assert.True(RtpPacket.TryParse(packet, out var header, out _));
        Assert.Equal(24, header.HeaderLength);
        Assert.Equal(2, header.PayloadLength);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 1 }, "shorter than the 12-byte header")]
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "version 1 is not 2")]
    [InlineData(new byte[] { 0x82, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "longer than the 12-byte packet")]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, "padding count 9")]
    [InlineData(new byte[] { 0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "is RTCP")]
    public void Malformed_packets_are_rejected_with_the_reason(byte[] packet, string reason)
    {
        Assert.False(RtpPacket.TryParse(packet, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_of_arbitrary_bytes_never_throws_and_every_rejection_has_a_reason()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            var rtpOk = RtpPacket.TryParse(bytes ?? [], out _, out var rtpError);
            var rtcpOk = RtcpPacket.TryParse(bytes ?? [], out _, out var rtcpError);
            return (rtpOk || rtpError is not null) && (rtcpOk || rtcpError is not null);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Sender_report_round_trips_with_report_blocks_and_cname()
    {
        var buffer = new byte[512];
        var time = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var info = new RtcpSenderInfo(RtcpPacket.ToNtp(time), 8000, 50, 8000);
        var block = new RtcpReportBlock(0x11111111, 64, -3, 0x0001FFFF, 42, 0xABCD0000, 65536);

        var length = RtcpPacket.WriteReport(buffer, 0x22222222, info, [block], "agent@example.com", bye: true);

        Assert.Equal(0, length % 4);
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, length), out var compound, out var error), error);
        Assert.Equal(0x22222222u, compound.Ssrc);
        Assert.Equal(info, compound.SenderInfo);
        Assert.Equal(block, Assert.Single(compound.ReportBlocks));
        Assert.Equal("agent@example.com", compound.Cname);
        Assert.True(compound.IsBye);
    }

    [Fact]
    public void Receiver_report_has_no_sender_info()
    {
        var buffer = new byte[256];

        var length = RtcpPacket.WriteReport(buffer, 7, null, [], "x");

        Assert.Equal(201, buffer[1]);
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, length), out var compound, out _));
        Assert.Null(compound.SenderInfo);
        Assert.Empty(compound.ReportBlocks);
    }

    [Fact]
    public void Ntp_time_of_the_unix_epoch_is_2208988800_seconds()
    {
        Assert.Equal(2208988800UL << 32, RtcpPacket.ToNtp(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Compound_rtcp_not_starting_with_a_report_is_rejected()
    {
        var sdesOnly = new byte[] { 0x81, 202, 0, 1, 0, 0, 0, 1 };

        Assert.False(RtcpPacket.TryParse(sdesOnly, out _, out var error));
        Assert.Contains("must start with SR or RR", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Loss_counts_gaps_across_sequence_wraparound()
    {
        var stats = new RtpReceiverStatistics();
        ushort seq = 65530;
        for (var i = 0; i < 20; i++, seq++)
        {
            if (i is 3 or 7 or 8)
            {
                continue; // lost
            }

            stats.Update(1, seq, (uint)(i * 160), (uint)(i * 160));
        }

        var block = stats.CreateReportBlock(TimeSpan.Zero);

        Assert.Equal(20, stats.Expected);
        Assert.Equal(3, block.CumulativeLost);
        Assert.Equal((3 << 8) / 20, block.FractionLost);
        Assert.Equal(65536u + 13, block.ExtendedHighestSequence);
    }

    [Fact]
    public void Fraction_lost_covers_only_the_interval_since_the_last_report()
    {
        var stats = new RtpReceiverStatistics();
        for (ushort s = 0; s < 10; s++)
        {
            if (s != 5)
            {
                stats.Update(1, s, 0, 0);
            }
        }

        stats.CreateReportBlock(TimeSpan.Zero);
        for (ushort s = 10; s < 20; s++)
        {
            stats.Update(1, s, 0, 0);
        }

        var second = stats.CreateReportBlock(TimeSpan.Zero);

        Assert.Equal(0, second.FractionLost);
        Assert.Equal(1, second.CumulativeLost);
    }

    [Fact]
    public void Jitter_is_zero_for_perfect_timing_and_converges_for_constant_variation()
    {
        var steady = new RtpReceiverStatistics();
        for (var i = 0; i < 100; i++)
        {
            steady.Update(1, (ushort)i, (uint)(i * 160), (uint)(5000 + (i * 160)));
        }

        // Alternate arrivals 40 samples early and late: D = 80 every packet, jitter converges to 80.
        var wobbly = new RtpReceiverStatistics();
        for (var i = 0; i < 500; i++)
        {
            wobbly.Update(1, (ushort)i, (uint)(i * 160), (uint)(5000 + (i * 160) + (i % 2 == 0 ? 40 : -40)));
        }

        Assert.Equal(0u, steady.Jitter);
        Assert.InRange(wobbly.Jitter, 78u, 80u);
    }

    [Fact]
    public void Rfc4733_event_packets_count_for_loss_but_do_not_inflate_jitter()
    {
        // Perfectly timed audio; in the middle, a 200 ms digit: 10 event packets 20 ms apart, all with the event's start
        // timestamp (RFC 4733 §2.5.1.2), then audio again. Sampled as audio, their transit grows 160 per packet.
        var stats = new RtpReceiverStatistics();
        ushort sequence = 0;
        for (var i = 0; i < 200; i++)
        {
            var isEvent = i is >= 50 and < 60;
            var timestamp = (uint)((isEvent ? 50 : i) * 160);
            stats.Update(1, sequence++, timestamp, (uint)(5000 + (i * 160)), sampleJitter: !isEvent);
        }

        var report = stats.CreateReportBlock(TimeSpan.Zero);

        Assert.Equal(0u, stats.Jitter);
        Assert.Equal(200, stats.Received);
        Assert.Equal(0, report.CumulativeLost);
    }

    [Fact]
    public void A_large_sequence_jump_is_accepted_after_two_sequential_packets()
    {
        var stats = new RtpReceiverStatistics();
        stats.Update(1, 100, 0, 0);

        Assert.False(stats.Update(1, 30000, 0, 0));
        Assert.True(stats.Update(1, 30001, 0, 0));
        Assert.Equal(30001u, stats.ExtendedHighestSequence);
    }

    [Fact]
    public void Last_sender_report_and_delay_are_reported()
    {
        var stats = new RtpReceiverStatistics();
        stats.Update(1, 1, 0, 0);
        stats.NoteSenderReport(0x0000_1234_5678_0000UL, 0);

        var block = stats.CreateReportBlock(TimeSpan.FromSeconds(0.5));

        Assert.Equal(0x12345678u, block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);
    }
}
