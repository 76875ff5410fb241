using System.Net;
using System.Text;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>Two user agents calling each other over real loopback sockets.</summary>
public sealed class CallTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly ReadOnlyMemory<byte> OfferSdp = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> AnswerSdp = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"u8.ToArray();
    private readonly List<SipUserAgent> _agents = [];
    private SipUserAgent _alice = null!;
    private SipUserAgent _bob = null!;

    public async Task InitializeAsync()
    {
        _alice = await StartAsync("alice");
        _bob = await StartAsync("bob");
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    private async Task<SipUserAgent> StartAsync(string user, TimeProvider? time = null, string listen = "udp:127.0.0.1:0")
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse(listen));
        var agent = new SipUserAgent(options, timeProvider: time);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    private static SipCallRequest CallTo(SipUserAgent callee, (string, string)? credentials = null, params SipHeader[] headers)
    {
        var address = callee.Endpoint.LocalAddresses[0];
        return new SipCallRequest
        {
            Target = SipUri.Parse($"sip:bob@127.0.0.1:{address.EndPoint.Port}"),
            Destination = new SipDestination(address.Protocol, address.EndPoint),
            Sdp = OfferSdp,
            Credentials = credentials,
            Headers = headers,
        };
    }

    private static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Wait);

    private static async Task Within(Task task) => await task.WaitAsync(Wait);

    private Task<SipCall> NextIncomingCall(Func<SipCall, ValueTask> handle)
    {
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall = async call =>
        {
            offered.TrySetResult(call);
            await handle(call);
        };
        return offered.Task;
    }

    private static Task<SipCallState> Reached(SipCall call, SipCallState wanted)
    {
        var reached = new TaskCompletionSource<SipCallState>(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state == wanted)
            {
                reached.TrySetResult(state);
            }
        };
        if (call.State == wanted)
        {
            reached.TrySetResult(wanted);
        }

        return reached.Task;
    }

    [Fact]
    public async Task Answered_call_exchanges_SDP_is_established_on_both_sides_and_BYE_ends_both()
    {
        var incoming = NextIncomingCall(async call =>
        {
            await call.RingAsync();
            await call.AnswerAsync(AnswerSdp);
        });

        var outgoing = await Within(_alice.CallAsync(CallTo(_bob)));
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));

        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.Equal(AnswerSdp.ToArray(), outgoing.RemoteSdp.ToArray());
        Assert.Equal(OfferSdp.ToArray(), callee.RemoteSdp.ToArray());
        Assert.Equal(outgoing.CallId, callee.CallId);

        await outgoing.HangUpAsync();
        await Within(callee.Ended);
        Assert.Equal(SipCallEndReason.LocalHangUp, outgoing.EndReason);
        Assert.Equal(SipCallEndReason.RemoteHangUp, callee.EndReason);
        Assert.Equal(0, _alice.ActiveCalls);
        Assert.Equal(0, _bob.ActiveCalls);
    }

    [Fact]
    public async Task Callee_hanging_up_ends_the_caller_too()
    {
        var incoming = NextIncomingCall(call => call.AnswerAsync(AnswerSdp));
        var outgoing = await Within(_alice.CallAsync(CallTo(_bob)));
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));

        await callee.HangUpAsync();

        await Within(outgoing.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, outgoing.EndReason);
    }

    [Fact]
    public async Task Rejected_call_ends_with_the_status()
    {
        _ = NextIncomingCall(call => call.RejectAsync(486));

        var outgoing = await Within(_alice.CallAsync(CallTo(_bob)));

        Assert.Equal(SipCallState.Terminated, outgoing.State);
        Assert.Equal(SipCallEndReason.Rejected, outgoing.EndReason);
        Assert.Equal(486, outgoing.FinalStatus);
    }

    [Fact]
    public async Task Caller_cancelling_a_ringing_call_cancels_it_on_both_sides()
    {
        var incoming = NextIncomingCall(call => call.RingAsync());
        var outgoing = _alice.Call(CallTo(_bob));
        await Within(Reached(outgoing, SipCallState.Ringing));
        var callee = await Within(incoming);

        await outgoing.HangUpAsync();

        await Within(outgoing.Ended);
        await Within(callee.Ended);
        Assert.Equal(SipCallEndReason.Cancelled, outgoing.EndReason);
        Assert.Equal(487, outgoing.FinalStatus);
        Assert.Equal(SipCallEndReason.Cancelled, callee.EndReason);
    }

    [Fact]
    public async Task Challenged_call_is_retried_once_with_digest_credentials()
    {
        var authenticator = new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "pbx" });
        var incoming = NextIncomingCall(async call =>
        {
            var verdict = authenticator.Verify(call.InitialInvite.Headers["Authorization"], "INVITE", u => u == "trunk" ? "secret" : null);
            if (!verdict.IsAuthenticated)
            {
                await call.RejectAsync(401, null, authenticator.CreateChallenges().Select(c => new SipHeader("WWW-Authenticate", c.ToString())));
                return;
            }

            await call.AnswerAsync(AnswerSdp);
        });

        var outgoing = await Within(_alice.CallAsync(CallTo(_bob, ("trunk", "secret"))));

        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.NotNull((await Within(incoming)).InitialInvite);
        Assert.Equal(2u, outgoing.InitialInvite.CSeq!.Sequence);
    }

    [Fact]
    public async Task Attached_data_headers_reach_the_callee_and_in_dialog_INFO_reaches_its_handler()
    {
        var info = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var incoming = NextIncomingCall(call =>
        {
            call.RequestReceived = (_, request) =>
            {
                info.TrySetResult(Encoding.UTF8.GetString(request.Body.Span));
                return ValueTask.FromResult<SipResponse?>(null);
            };
            return call.AnswerAsync(AnswerSdp);
        });

        var outgoing = await Within(_alice.CallAsync(CallTo(_bob, null, new SipHeader("X-Account", "12345"))));
        var callee = await Within(incoming);
        var response = await Within(outgoing.SendRequestAsync(SipMethod.Info, "Signal=5\r\nDuration=160\r\n"u8.ToArray(), "application/dtmf-relay"));

        Assert.Equal("12345", callee.InitialInvite.Headers["X-Account"]);
        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("Signal=5", await Within(info.Task), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_for_an_unknown_dialog_gets_481()
    {
        var incoming = NextIncomingCall(call => call.AnswerAsync(AnswerSdp));
        var outgoing = await Within(_alice.CallAsync(CallTo(_bob)));
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));
        await callee.HangUpAsync();
        await Within(outgoing.Ended);

        // The dialog is gone on both sides: a late BYE-like request must get 481.
        var stale = await Within(_alice.Endpoint.Transactions.SendRequest(StaleBye(outgoing), outgoing.NextHop).FinalResponse);

        Assert.Equal(481, stale.StatusCode);
    }

    [Fact]
    public async Task Unanswered_incoming_call_without_a_handler_gets_480()
    {
        _bob.IncomingCall = null;

        var outgoing = await Within(_alice.CallAsync(CallTo(_bob)));

        Assert.Equal(480, outgoing.FinalStatus);
    }

    [Fact]
    public async Task Call_to_nobody_times_out_with_timer_B()
    {
        var time = new ManualTimeProvider();
        var caller = await StartAsync("timeout", time);
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;

        var call = caller.Call(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:nobody@127.0.0.1:{port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, port)),
        });
        time.Advance(TimeSpan.FromSeconds(32));

        await Within(call.Ended);
        Assert.Equal(SipCallEndReason.Timeout, call.EndReason);
        Assert.Equal(408, call.FinalStatus);
    }

    [Fact]
    public async Task An_answered_call_is_not_hung_up_when_its_ring_timeout_passes()
    {
        var time = new ManualTimeProvider();
        var caller = await StartAsync("ringer", time);
        var incoming = NextIncomingCall(call => call.AnswerAsync(AnswerSdp));
        var outgoing = await Within(caller.CallAsync(CallTo(_bob)));
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));

        time.Advance(new SipUserAgentOptions().RingTimeout + TimeSpan.FromSeconds(1));

        // A ring timer left running would send a BYE now; a BYE over loopback ends the callee's side within milliseconds.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.False(callee.Ended.IsCompleted);
    }

    [Fact]
    public async Task Calls_work_over_tcp()
    {
        var bobTcp = await StartAsync("bobtcp", listen: "tcp:127.0.0.1:0");
        var aliceTcp = await StartAsync("alicetcp", listen: "tcp:127.0.0.1:0");
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobTcp.IncomingCall = async call =>
        {
            offered.TrySetResult(call);
            await call.AnswerAsync(AnswerSdp);
        };

        var outgoing = await Within(aliceTcp.CallAsync(CallTo(bobTcp)));
        var callee = await Within(offered.Task);
        await Within(Reached(callee, SipCallState.Established));
        await outgoing.HangUpAsync();

        await Within(callee.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, callee.EndReason);
    }

    private static SipRequest StaleBye(SipCall call)
    {
        var bye = new SipRequest(SipMethod.Bye, call.RemoteTarget!);
        bye.Headers.Add("Via", $"SIP/2.0/UDP 127.0.0.1:{call.NextHop.EndPoint.Port};branch={ContactCenter.Sip.Transactions.SipTransactionLayer.NewBranch()}");
        bye.Headers.Add("Max-Forwards", "70");
        bye.Headers.Add("From", call.InitialInvite.Headers["From"]!);
        bye.Headers.Add("To", call.InitialInvite.Headers["To"]! + ";tag=" + call.RemoteTag);
        bye.Headers.Add("Call-ID", call.CallId);
        bye.Headers.Add("CSeq", "99 BYE");
        bye.Headers.Add("Content-Length", "0");
        return bye;
    }
}
