using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>
/// Found with sipp: its pcap-played RFC 2833 events carry another SSRC than the audio stream (so do some gateways that
/// generate events separately). <see cref="RtpSession.Statistics"/> must still count every accepted packet.
/// </summary>
public sealed class RtpStatisticsTests
{
    [Fact]
    public async Task Packets_received_counts_every_accepted_packet_when_events_use_another_ssrc()
    {
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var clock = new MediaClock(TimeProvider.System);
        clock.Start();
        await using var rtp = RtpSession.Open(new RtpPortAllocator(IPAddress.Loopback, 40000, 40999), clock, TimeProvider.System);
        rtp.Apply(new NegotiatedAudio(AudioEncoding.Pcmu, 0, 101, 20, MediaDirection.SendRecv, (IPEndPoint)peer.LocalEndPoint!, null, "RTP/AVP", 0));
        var audioPackets = 0;
        var audioSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rtp.PayloadObserver = new Observer(() =>
        {
            if (Interlocked.Increment(ref audioPackets) == 60)
            {
                audioSeen.TrySetResult();
            }
        });
        var digit = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        rtp.Dtmf.DigitReceived += (_, e) => digit.TrySetResult(e.Digit.Digit);
        rtp.Start();

        const uint audioSsrc = 0x11111111, eventSsrc = 0x22222222;
        var target = rtp.LocalRtpEndPoint;
        for (var i = 0; i < 30; i++)
        {
            await peer.SendToAsync(Packet(audioSsrc, 0, (ushort)(1 + i), (uint)(160 * i), new byte[160]), target);
        }

        for (var i = 0; i < 10; i++)
        {
            // Digit 4, 7 updates then 3 end packets, as in sipp's dtmf_2833_*.pcap files.
            var end = i >= 7;
            byte[] ev = [4, (byte)((end ? 0x80 : 0) | 10), 0, 0];
            BinaryPrimitives.WriteUInt16BigEndian(ev.AsSpan(2), (ushort)(320 * Math.Min(i, 7)));
            await peer.SendToAsync(Packet(eventSsrc, 101, (ushort)(5000 + Math.Min(i, 7)), 4800, ev, marker: i == 0), target);
        }

        for (var i = 30; i < 60; i++)
        {
            await peer.SendToAsync(Packet(audioSsrc, 0, (ushort)(1 + i), (uint)(160 * i), new byte[160]), target);
        }

        Assert.Equal('4', await digit.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await audioSeen.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var stats = rtp.Statistics;
        Assert.True(
            stats.PacketsReceived == 70,
            $"MEDIA BUG (src/ContactCenter.Sip/Media/Rtp/Rtcp.cs RtpReceiverStatistics.Update): RtpSession.Statistics.PacketsReceived is {stats.PacketsReceived}, " +
            "but 70 packets were accepted (60 audio on one SSRC, 10 telephone-events on another). The receiver statistics track a single " +
            "SSRC and restart from zero whenever the SSRC changes, so received/lost/jitter (and the RTCP report block) only cover the packets " +
            $"since the last switch. Full statistics: {stats}");
    }

    private static byte[] Packet(uint ssrc, byte payloadType, ushort sequence, uint timestamp, byte[] payload, bool marker = false)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet.AsSpan(12));
        return packet;
    }

    private sealed class Observer(Action onAudio) : IRtpPayloadObserver
    {
        public void OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload) => onAudio();
    }
}
