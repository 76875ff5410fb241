using System.Globalization;
using System.Net;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Sip;

/// <summary>
/// Failure paths between user agents on real loopback sockets: TLS calls, a CANCEL that crosses a 200 (both sides),
/// datagrams lost on the way recovered by retransmission, and a TCP peer closing in the middle of a message. (Timer B
/// and 486 are covered in ContactCenter.Sip.Tests: CallTests.)
/// </summary>
public sealed class SipFailurePathTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly ReadOnlyMemory<byte> Sdp =
        "v=0\r\no=cc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"u8.ToArray();
    private readonly List<SipUserAgent> _agents = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    private async Task<SipUserAgent> StartAsync(string user, string listen, Action<SipTransportOptions>? configure = null)
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse(listen));
        configure?.Invoke(options.Endpoint.Transport);
        var agent = new SipUserAgent(options);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    private static Task Reached(SipCall call, SipCallState wanted)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state == wanted)
            {
                reached.TrySetResult();
            }
        };
        if (call.State == wanted)
        {
            reached.TrySetResult();
        }

        return reached.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Call_over_TLS_between_two_user_agents_with_a_generated_certificate_is_answered_and_hung_up()
    {
        using var certificate = SipTestTools.SelfSignedCertificate();
        var thumbprint = certificate.GetCertHashString();
        void Tls(SipTransportOptions transport)
        {
            transport.Certificate = certificate;
            transport.ServerCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint;
        }

        var alice = await StartAsync("alice", "tls:127.0.0.1:0", Tls);
        var bob = await StartAsync("bob", "tls:127.0.0.1:0", Tls);
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.IncomingCall = async call =>
        {
            offered.TrySetResult(call);
            await call.RingAsync();
            await call.AnswerAsync(Sdp);
        };
        var bobAddress = bob.Endpoint.LocalAddresses[0].EndPoint;

        var outgoing = await alice.CallAsync(new SipCallRequest
        {
            Target = SipUri.Parse($"sips:bob@localhost:{bobAddress.Port}"),
            Destination = new SipDestination(SipTransportProtocol.Tls, bobAddress, "localhost"),
            Sdp = Sdp,
        }).WaitAsync(Wait);
        var incoming = await offered.Task.WaitAsync(Wait);
        await Reached(incoming, SipCallState.Established);

        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.Equal(SipTransportProtocol.Tls, incoming.Source?.Protocol);
        Assert.Contains("transport=tls", outgoing.InitialInvite.Headers["Contact"], StringComparison.OrdinalIgnoreCase);

        await incoming.HangUpAsync(); // bob's BYE goes to alice's TLS contact
        await outgoing.Ended.WaitAsync(Wait);
        Assert.Equal(SipCallEndReason.RemoteHangUp, outgoing.EndReason);
    }

    [Fact]
    public async Task Our_CANCEL_crossing_the_callees_200_is_followed_by_ACK_and_BYE()
    {
        var alice = await StartAsync("alice", "udp:127.0.0.1:0");
        using var callee = new ScriptedUdpPeer();
        var call = alice.Call(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:bob@{callee.EndPoint}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, callee.EndPoint),
            Sdp = Sdp,
        });

        var (message, caller) = await callee.ReceiveRequestAsync(SipMethod.Invite);
        var invite = (SipRequest)message;
        var ringing = invite.CreateResponse(180, toTag: "bobtag");
        await callee.SendAsync(ringing, caller);
        await Reached(call, SipCallState.Ringing);

        await call.HangUpAsync(); // CANCEL goes out...
        var (cancel, _) = await callee.ReceiveRequestAsync(SipMethod.Cancel);
        var ok = invite.CreateResponse(200, toTag: "bobtag"); // ...while the callee's 200 is already on its way
        ok.Headers.Add("Contact", $"<sip:bob@{callee.EndPoint}>");
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = Sdp;
        await callee.SendAsync(ok, caller);
        await callee.SendAsync(((SipRequest)cancel).CreateResponse(200), caller);

        var (ack, _) = await callee.ReceiveRequestAsync(SipMethod.Ack);
        var (bye, byeFrom) = await callee.ReceiveRequestAsync(SipMethod.Bye);
        await callee.SendAsync(((SipRequest)bye).CreateResponse(200), byeFrom);

        Assert.Equal("bobtag", ack.To?.Tag);
        Assert.Equal("bobtag", bye.To?.Tag);
        Assert.Equal(invite.CallId, bye.CallId);
        await call.Ended.WaitAsync(Wait);
        Assert.Equal(200, call.FinalStatus);
    }

    [Fact]
    public async Task CANCEL_arriving_after_our_200_leaves_the_call_up()
    {
        var bob = await StartAsync("bob", "udp:127.0.0.1:0");
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.IncomingCall = async call =>
        {
            await call.AnswerAsync(Sdp);
            offered.TrySetResult(call);
        };
        using var caller = new ScriptedUdpPeer();
        var bobAddress = bob.Endpoint.LocalAddresses[0].EndPoint;
        var invite = Request("INVITE", bobAddress, caller.EndPoint, "z9hG4bKcross1", 1, toTag: null);
        invite.Headers.Add("Contact", $"<sip:alice@{caller.EndPoint}>");
        invite.Headers.Add("Content-Type", "application/sdp");
        invite.Body = Sdp;

        await caller.SendAsync(invite, bobAddress);
        var (ok, _) = await caller.ReceiveResponseAsync(SipMethod.Invite, 200);
        var cancel = Request("CANCEL", bobAddress, caller.EndPoint, "z9hG4bKcross1", 1, toTag: null); // same branch as the INVITE
        await caller.SendAsync(cancel, bobAddress);
        var (cancelAnswer, _) = await caller.ReceiveAsync(m => m is SipResponse r && r.CSeq?.Method == SipMethod.Cancel);
        await caller.SendAsync(Request("ACK", bobAddress, caller.EndPoint, "z9hG4bKcross2", 1, ok.To?.Tag), bobAddress);
        var incoming = await offered.Task.WaitAsync(Wait);
        await Reached(incoming, SipCallState.Established);

        Assert.Equal(200, ((SipResponse)cancelAnswer).StatusCode);
        Assert.Equal(SipCallState.Established, incoming.State);

        await caller.SendAsync(Request("BYE", bobAddress, caller.EndPoint, "z9hG4bKcross3", 2, ok.To?.Tag), bobAddress);
        await caller.ReceiveResponseAsync(SipMethod.Bye, 200);
        await incoming.Ended.WaitAsync(Wait);
        Assert.Equal(SipCallEndReason.RemoteHangUp, incoming.EndReason);
    }

    [Fact]
    public async Task Lost_INVITE_and_lost_200_are_recovered_by_retransmission()
    {
        var alice = await StartAsync("alice", "udp:127.0.0.1:0");
        var bob = await StartAsync("bob", "udp:127.0.0.1:0");
        bob.IncomingCall = call => call.AnswerAsync(Sdp);
        var dropped = new HashSet<string>();
        await using var relay = new DroppingUdpRelay(bob.Endpoint.LocalAddresses[0].EndPoint, message =>
        {
            // Drop the first INVITE and the first 200 for it.
            var key = message is SipRequest r ? r.Method.ToString() : $"{((SipResponse)message).StatusCode} {message.CSeq?.Method}";
            lock (dropped)
            {
                return key is "INVITE" or "200 INVITE" && dropped.Add(key);
            }
        });

        var call = await alice.CallAsync(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:bob@{relay.EndPoint}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, relay.EndPoint),
            Sdp = Sdp,
        }).WaitAsync(Wait);

        Assert.Equal(SipCallState.Established, call.State);
        var log = relay.Log;
        Assert.Contains("dropped INVITE", log);
        Assert.Contains("dropped 200 INVITE", log);
        Assert.Contains("passed INVITE", log);
        Assert.Contains("passed 200 INVITE", log);
        await call.HangUpAsync();
        await call.Ended.WaitAsync(Wait);
    }

    [Fact]
    public async Task Tcp_peer_closing_in_the_middle_of_an_INVITE_leaves_no_call_and_the_next_call_is_answered()
    {
        var bob = await StartAsync("bob", "tcp:127.0.0.1:0");
        var offered = 0;
        bob.IncomingCall = async call =>
        {
            Interlocked.Increment(ref offered);
            await call.AnswerAsync(Sdp);
        };
        var bobAddress = bob.Endpoint.LocalAddresses[0].EndPoint;
        using (var half = new System.Net.Sockets.TcpClient())
        {
            await half.ConnectAsync(bobAddress);
            var invite = Request("INVITE", bobAddress, (IPEndPoint)half.Client.LocalEndPoint!, "z9hG4bKhalf", 1, toTag: null);
            invite.Headers.Set("Via", $"SIP/2.0/TCP {half.Client.LocalEndPoint};branch=z9hG4bKhalf");
            invite.Headers.Add("Content-Type", "application/sdp");
            invite.Body = Sdp;
            var bytes = invite.ToArray();
            await half.GetStream().WriteAsync(bytes.AsMemory(0, bytes.Length - 40)); // headers and part of the body
        } // closed before the rest arrives

        var alice = await StartAsync("alice", "tcp:127.0.0.1:0");
        var call = await alice.CallAsync(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:bob@{bobAddress};transport=tcp"),
            Destination = new SipDestination(SipTransportProtocol.Tcp, bobAddress),
            Sdp = Sdp,
        }).WaitAsync(Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(1, Volatile.Read(ref offered)); // the truncated INVITE never became a call
        await call.HangUpAsync();
        await call.Ended.WaitAsync(Wait);
    }

    private static SipRequest Request(string method, IPEndPoint to, IPEndPoint from, string branch, uint sequence, string? toTag)
    {
        var request = new SipRequest(SipMethod.Get(method), SipUri.Parse($"sip:bob@{to}"));
        request.Headers.Add("Via", $"SIP/2.0/UDP {from};branch={branch};rport");
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", $"<sip:alice@{from}>;tag=alicetag");
        request.Headers.Add("To", toTag is null ? $"<sip:bob@{to}>" : $"<sip:bob@{to}>;tag={toTag}");
        request.Headers.Add("Call-ID", "crossing-" + from.Port.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("CSeq", $"{sequence.ToString(CultureInfo.InvariantCulture)} {method}");
        return request;
    }
}
