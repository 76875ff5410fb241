using System.Net;
using System.Net.Sockets;
using System.Text;
using ContactCenter.Sip;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Sip.Baresip;

/// <summary>
/// Our SIP stack against baresip, a real softphone (Debian package baresip-core), on loopback: baresip
/// registers to our registrar with digest authentication (and unregisters when it quits), receives our call, and
/// places a call to us, over UDP and TCP.
/// </summary>
public sealed class BaresipInteropTests
{
    private const string Extension = "1001";
    private const string Password = "s3cret-1001";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Baresip_registers_with_digest_authentication_and_lookup_finds_its_contact()
    {
        await using var agent = await StartAgentAsync();
        var host = HostRegistrar(agent);
        var bound = BindingOf(host.Registrar, Extension);

        await using var baresip = BaresipProcess.Start($"sip:{Extension}@127.0.0.1:{PortOf(agent)}", $";auth_pass={Password};regint=60");
        var binding = await Within(bound, baresip, "binding for 1001 in our registrar");

        var contact = Assert.IsType<SipUri>(binding.Contact);
        Assert.Equal("127.0.0.1", contact.Host);
        Assert.Equal(baresip.SipPort, contact.Port);
        Assert.StartsWith(Extension, contact.User, StringComparison.Ordinal);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, baresip.SipPort), binding.Source.RemoteEndPoint);
        Assert.Equal(SipTransportProtocol.Udp, binding.Source.Protocol);
        var granted = binding.ExpiresAt - DateTimeOffset.UtcNow;
        Assert.InRange(granted, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));

        // The first REGISTER carried no credentials and was challenged; the answer to the challenge was accepted.
        var seen = host.Registers.ToArray();
        Assert.True(seen is [(false, 401), .., (true, 200)], $"expected a challenged REGISTER then an accepted one with credentials, saw [{string.Join(", ", seen)}]:\n{baresip.Output}");
        await baresip.WaitForOutputAsync("200 OK () [1 binding]", Wait); // baresip says it is registered
    }

    [Fact]
    public async Task Baresip_with_a_wrong_password_is_challenged_and_never_bound()
    {
        await using var agent = await StartAgentAsync();
        var host = HostRegistrar(agent);

        await using var baresip = BaresipProcess.Start($"sip:{Extension}@127.0.0.1:{PortOf(agent)}", ";auth_pass=wrong;regint=60");
        var status = await Within(host.FirstWithCredentials.Task, baresip, "REGISTER with credentials");

        Assert.Equal(401, status);
        Assert.Empty(host.Registrar.Lookup(Extension));
        Assert.All(host.Registers, r => Assert.Equal(401, r.Status));
    }

    [Fact]
    public async Task Baresip_unregisters_when_it_quits_and_lookup_no_longer_finds_it()
    {
        await using var agent = await StartAgentAsync();
        var registrar = HostRegistrar(agent).Registrar;
        var bound = BindingOf(registrar, Extension);
        var unbound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registrar.BindingsChanged += aor =>
        {
            if (aor == Extension && bound.IsCompleted && registrar.Lookup(Extension).Count == 0)
            {
                unbound.TrySetResult();
            }
        };

        await using var baresip = BaresipProcess.Start($"sip:{Extension}@127.0.0.1:{PortOf(agent)}", $";auth_pass={Password};regint=60");
        await Within(bound, baresip, "binding for 1001 in our registrar");
        var reply = await baresip.SendCommandAsync("quit", until: "SHUTDOWN");
        Assert.Contains("SHUTDOWN", reply, StringComparison.Ordinal);
        await Within(unbound.Task, baresip, "un-REGISTER (Expires 0) when baresip quits");

        Assert.Empty(registrar.Lookup(Extension));
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Our_call_to_a_registered_baresip_is_auto_answered_with_sdp_and_hung_up(string transport)
    {
        await using var agent = await StartAgentAsync(transport);
        var registrar = HostRegistrar(agent).Registrar;
        var bound = BindingOf(registrar, Extension);
        await using var baresip = BaresipProcess.Start(
            $"sip:{Extension}@127.0.0.1:{PortOf(agent)};transport={transport}", $";auth_pass={Password};regint=60;answermode=auto;audio_codecs=PCMU");
        var binding = await Within(bound, baresip, "binding for 1001 in our registrar");
        Assert.Equal(transport, binding.Source.Protocol.ToString(), ignoreCase: true);

        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var rtpPort = ((IPEndPoint)rtp.LocalEndPoint!).Port;
        var sdp = new SdpSession(IPAddress.Loopback, rtpPort);
        var call = await Within(agent.CallAsync(new SipCallRequest
        {
            Target = Assert.IsType<SipUri>(binding.Contact),
            Destination = new SipDestination(binding.Source.Protocol, binding.Source.RemoteEndPoint),
            Sdp = Encoding.ASCII.GetBytes(sdp.CreateOffer().ToString()),
        }), baresip, "the call to be answered");

        Assert.True(call.State == SipCallState.Established,
            $"call ended {call.EndReason} (status {call.FinalStatus}) instead of being answered. baresip:\n{baresip.Output}");
        var answer = SessionDescription.Parse(call.RemoteSdp.Span);
        var audio = sdp.AcceptAnswer(answer);
        Assert.Equal(AudioEncoding.Pcmu, audio.Encoding);
        Assert.Equal(IPAddress.Loopback, audio.RemoteRtp?.Address);
        Assert.True(audio.Direction.Sends() && audio.Direction.Receives(), $"answer direction {audio.Direction}");

        await AssertRtpArrivesAsync(rtp, baresip); // baresip's media reaches the port our offer named

        await Within(call.HangUpAsync().AsTask(), baresip, "the BYE to complete");

        Assert.Equal(SipCallState.Terminated, call.State);
        Assert.Equal(SipCallEndReason.LocalHangUp, call.EndReason);
        await AssertBaresipAnsweredByeAsync(baresip, agent);
        Assert.Equal(0, agent.ActiveCalls);
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Baresip_calls_us_we_answer_with_sdp_and_hang_up(string transport)
    {
        await using var agent = await StartAgentAsync(transport);
        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sdp = new SdpSession(IPAddress.Loopback, ((IPEndPoint)rtp.LocalEndPoint!).Port);
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        NegotiatedAudio? negotiated = null;
        agent.IncomingCall = async call =>
        {
            call.StateChanged += (_, state) =>
            {
                if (state == SipCallState.Established)
                {
                    established.TrySetResult();
                }
            };
            offered.TrySetResult(call);
            var result = sdp.CreateAnswer(SessionDescription.Parse(call.RemoteSdp.Span));
            negotiated = result.Audio;
            await call.RingAsync();
            await call.AnswerAsync(Encoding.ASCII.GetBytes(result.Answer.ToString()));
        };

        await using var baresip = BaresipProcess.Start("sip:1002@127.0.0.1", ";regint=0;audio_codecs=PCMU", $"/dial sip:cc@127.0.0.1:{PortOf(agent)};transport={transport}");
        var call = await Within(offered.Task, baresip, "baresip's INVITE");
        await Within(established.Task, baresip, "baresip's ACK for our 200");

        Assert.Equal(SipCallDirection.Incoming, call.Direction);
        Assert.Equal(transport, call.NextHop.Protocol.ToString(), ignoreCase: true);
        Assert.StartsWith("1002", Assert.IsType<SipUri>(call.InitialInvite.From!.Uri).User, StringComparison.Ordinal);
        Assert.Equal(AudioEncoding.Pcmu, negotiated?.Encoding);
        Assert.Equal(IPAddress.Loopback, negotiated?.RemoteRtp?.Address);
        await baresip.WaitForOutputAsync("Call established", Wait);
        await AssertRtpArrivesAsync(rtp, baresip); // baresip's media reaches the port our answer named

        await Within(call.HangUpAsync().AsTask(), baresip, "the BYE to complete");

        Assert.Equal(SipCallEndReason.LocalHangUp, call.EndReason);
        await AssertBaresipAnsweredByeAsync(baresip, agent);
        Assert.Equal(0, agent.ActiveCalls);
    }

    private static async Task<SipUserAgent> StartAgentAsync(string transport = "udp")
    {
        var options = new SipUserAgentOptions { ContactUser = "cc" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse($"{transport}:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        await agent.StartAsync();
        return agent;
    }

    private static int PortOf(SipUserAgent agent) => agent.Endpoint.LocalAddresses[0].EndPoint.Port;

    /// <summary>Our registrar with digest authentication on <paramref name="agent"/>, noting what each REGISTER got.</summary>
    private static RegistrarHost HostRegistrar(SipUserAgent agent)
    {
        // baresip 1.0 (libre) stops at the first WWW-Authenticate it cannot compute ("Register: Function not
        // implemented" for algorithm=SHA-256, which we offer first by default): phones like it need MD5 only.
        var digest = new DigestAuthenticatorOptions { Realm = "contactcenter" };
        digest.Algorithms.Clear();
        digest.Algorithms.Add(DigestAlgorithm.Md5);
        var host = new RegistrarHost(new SipRegistrar(new SipRegistrarOptions(), new DigestAuthenticator(digest), user => user == Extension ? Password : null));
        agent.OtherRequest = async tx =>
        {
            if (tx.Request.Method != SipMethod.Register)
            {
                await tx.RespondAsync(tx.Request.CreateResponse(405, "Method Not Allowed"));
                return;
            }

            // What registrar.HandleAsync does, with the outcome noted before the response leaves.
            var response = host.Registrar.Process(tx.Request, tx.Source);
            var withCredentials = tx.Request.Headers["Authorization"] is not null;
            host.Registers.Enqueue((withCredentials, response.StatusCode));
            if (withCredentials)
            {
                host.FirstWithCredentials.TrySetResult(response.StatusCode);
            }

            await tx.RespondAsync(response);
        };
        return host;
    }

    private sealed record RegistrarHost(SipRegistrar Registrar)
    {
        /// <summary>Per REGISTER received: whether it carried credentials, and the status we answered.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<(bool WithCredentials, int Status)> Registers { get; } = new();

        /// <summary>The status we answered to the first REGISTER that carried credentials.</summary>
        public TaskCompletionSource<int> FirstWithCredentials { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static Task<SipBinding> BindingOf(SipRegistrar registrar, string extension)
    {
        var bound = new TaskCompletionSource<SipBinding>(TaskCreationOptions.RunContinuationsAsynchronously);
        registrar.BindingsChanged += aor =>
        {
            if (aor == extension && registrar.Lookup(extension) is [var first, ..])
            {
                bound.TrySetResult(first);
            }
        };
        return bound.Task;
    }

    private static async Task<T> Within<T>(Task<T> task, BaresipProcess baresip, string what)
    {
        try
        {
            return await task.WaitAsync(Wait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} within {Wait.TotalSeconds} s. baresip:\n{baresip.Output}");
        }
    }

    private static async Task Within(Task task, BaresipProcess baresip, string what)
    {
        try
        {
            await task.WaitAsync(Wait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} within {Wait.TotalSeconds} s. baresip:\n{baresip.Output}");
        }
    }

    private static async Task AssertRtpArrivesAsync(Socket rtp, BaresipProcess baresip)
    {
        var packet = new byte[2048];
        var received = await Within(rtp.ReceiveAsync(packet), baresip, "RTP packet from baresip");
        Assert.True(received >= 12 && packet[0] >> 6 == 2 && (packet[1] & 0x7F) == 0,
            $"baresip's first media packet ({received} bytes) is not RTP version 2 with payload type 0 (PCMU)");
    }

    /// <summary>baresip answered our BYE with 200 and closed its side of the call.</summary>
    private static async Task AssertBaresipAnsweredByeAsync(BaresipProcess baresip, SipUserAgent agent)
    {
        await baresip.WaitForOutputAsync(output => TraceHasOkForBye(output, PortOf(agent)), "a 200 response to our BYE", Wait);
        await baresip.WaitForOutputAsync("session closed", Wait); // baresip's log line for a call ended by the peer's BYE
    }

    private static bool TraceHasOkForBye(string output, int ourPort)
    {
        foreach (var block in output.Split('#'))
        {
            var lines = block.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length > 1
                && lines[0].EndsWith($"-> 127.0.0.1:{ourPort}", StringComparison.Ordinal)
                && lines[1].StartsWith("SIP/2.0 200", StringComparison.Ordinal)
                && lines.Any(l => l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase) && l.EndsWith(" BYE", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
