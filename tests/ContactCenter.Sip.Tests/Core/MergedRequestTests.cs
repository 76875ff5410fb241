using System.Net;
using System.Net.Sockets;
using System.Text;
using ContactCenter.Sip.Core;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Core;

/// <summary>Merged-request detection (RFC 3261 §8.2.2.2) remembers requests only for its window.</summary>
public sealed class MergedRequestTests
{
    [Fact]
    public async Task A_repeat_on_another_branch_after_the_window_is_a_new_request_not_a_merge()
    {
        var time = new ManualTimeProvider();
        var options = new SipEndpointOptions { MergedRequestWindow = TimeSpan.FromSeconds(32) };
        options.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        await using var endpoint = new SipEndpoint(options, timeProvider: time);
        await endpoint.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        const string template =
            "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKBRANCH\r\nMax-Forwards: 70\r\n" +
            "To: <sip:bob@127.0.0.1>\r\nFrom: <sip:alice@127.0.0.1>;tag=merged\r\nCall-ID: merged-call\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

        async Task<int> FinalStatusAsync(string branch)
        {
            await socket.SendToAsync(Encoding.ASCII.GetBytes(template.Replace("BRANCH", branch, StringComparison.Ordinal)), endpoint.LocalAddresses[0].EndPoint);
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                var text = Encoding.ASCII.GetString(buffer, 0, n);
                var code = int.Parse(text.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture);
                if (code >= 200 && text.Contains("branch=z9hG4bK" + branch, StringComparison.Ordinal))
                {
                    return code;
                }
            }
        }

        Assert.Equal(480, await FinalStatusAsync("first"));
        Assert.Equal(482, await FinalStatusAsync("second"));
        time.Advance(TimeSpan.FromSeconds(33));
        Assert.Equal(480, await FinalStatusAsync("third"));
    }
}
