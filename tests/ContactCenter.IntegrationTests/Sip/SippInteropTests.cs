using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Sip;

/// <summary>Our user agent against sipp (Debian package sip-tester), the reference SIP test tool, on loopback.</summary>
public sealed class SippInteropTests
{
    private static readonly ReadOnlyMemory<byte> AnswerSdp =
        "v=0\r\no=cc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"u8.ToArray();

    private static async Task<SipUserAgent> StartAgentAsync(string listen)
    {
        var options = new SipUserAgentOptions { ContactUser = "cc" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse(listen));
        var agent = new SipUserAgent(options);
        await agent.StartAsync();
        return agent;
    }

    [Theory]
    [InlineData("udp", "u1")]
    [InlineData("tcp", "t1")]
    public async Task Sipp_uac_calls_are_all_answered_and_hung_up(string protocol, string sippTransport)
    {
        await using var agent = await StartAgentAsync($"{protocol}:127.0.0.1:0");
        var answered = 0;
        agent.IncomingCall = async call =>
        {
            Interlocked.Increment(ref answered);
            await call.RingAsync();
            await call.AnswerAsync(AnswerSdp);
        };
        var port = agent.Endpoint.LocalAddresses[0].EndPoint.Port;

        var (exit, output) = await RunSippAsync(
            "-sn", "uac", $"127.0.0.1:{port}", "-t", sippTransport, "-i", "127.0.0.1", "-p", FreePort().ToString(CultureInfo.InvariantCulture),
            "-m", "20", "-r", "10", "-l", "20", "-d", "200");

        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
        Assert.Equal(20, answered);
        Assert.Equal(0, agent.ActiveCalls);
    }

    [Fact]
    public async Task Our_calls_to_a_sipp_uas_are_answered_and_hung_up()
    {
        await using var agent = await StartAgentAsync("udp:127.0.0.1:0");
        var sippPort = FreePort();
        var sipp = RunSippAsync("-sn", "uas", "-i", "127.0.0.1", "-p", sippPort.ToString(CultureInfo.InvariantCulture), "-m", "3");
        await Task.Delay(500); // let sipp bind its port

        for (var i = 0; i < 3; i++)
        {
            var call = await agent.CallAsync(new SipCallRequest
            {
                Target = SipUri.Parse($"sip:service@127.0.0.1:{sippPort}"),
                Destination = new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, sippPort)),
                Sdp = AnswerSdp,
            }).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(SipCallState.Established, call.State);
            await call.HangUpAsync();
        }

        var (exit, output) = await sipp;
        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<(int Exit, string Output)> RunSippAsync(params string[] args)
    {
        var start = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args.Concat(["-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err", "-error_file", Path.GetTempFileName()]))
        {
            start.ArgumentList.Add(arg);
        }

        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start (install the Debian package sip-tester)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (process.ExitCode, await stdout + await stderr);
    }
}
