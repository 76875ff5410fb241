using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

public sealed class LinuxDatagramBatchTests
{
    [Fact]
    public void Reads_what_waits_in_batches_with_each_source_and_returns_nothing_without_blocking()
    {
        if (!LinuxDatagramBatch.Supported)
        {
            // Other platforms read the portable way (RtpSessionTests cover both through the session).
            Assert.False(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64);
            return;
        }

        using var receiver = Bind();
        using var first = Bind();
        using var second = Bind();
        var target = receiver.LocalEndPoint!;
        for (var i = 0; i < 6; i++)
        {
            var sender = i % 2 == 0 ? first : second;
            sender.SendTo(new byte[] { (byte)i, 0xAA, (byte)(i * 3) }, target);
        }

        var batch = new LinuxDatagramBatch(4);
        var address = new SocketAddress(AddressFamily.InterNetwork);
        var seen = new List<(byte First, IPEndPoint Source, int Length)>();
        var counts = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            var count = batch.Receive(receiver);
            counts.Add(count);
            for (var i = 0; i < count; i++)
            {
                batch.CopySource(i, address);
                seen.Add((batch.Datagram(i)[0], (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address), batch.Datagram(i).Length));
            }
        }

        Assert.Equal([4, 2, 0], counts);
        Assert.Equal([0, 1, 2, 3, 4, 5], seen.Select(s => s.First));
        Assert.All(seen, s => Assert.Equal(3, s.Length));
        Assert.All(seen.Where(s => s.First % 2 == 0), s => Assert.Equal(first.LocalEndPoint, s.Source));
        Assert.All(seen.Where(s => s.First % 2 == 1), s => Assert.Equal(second.LocalEndPoint, s.Source));
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
