using ContactCenter.Sip.Calls;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>RFC 4028 session timers: negotiation, 422, refresh, expiry.</summary>
public sealed class SessionTimerTests : CallHarness
{
    [Fact]
    public async Task Caller_asks_for_1800_s_and_becomes_the_refresher_the_callee_grants()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");

        var (caller, callee) = await ConnectAsync(alice, bob);

        Assert.Equal("1800", caller.InitialInvite.SessionExpires!.Value);
        Assert.Equal(TimeSpan.FromSeconds(1800), caller.SessionInterval);
        Assert.Equal(TimeSpan.FromSeconds(1800), callee.SessionInterval);
        Assert.True(caller.IsSessionRefresher);
        Assert.False(callee.IsSessionRefresher);
    }

    [Fact]
    public async Task Interval_below_the_callees_minimum_gets_422_and_the_caller_retries_with_its_Min_SE()
    {
        var alice = await StartAsync("alice", configure: o => o.SessionTimer = new SipSessionTimerOptions { Interval = TimeSpan.FromSeconds(90) });
        var bob = await StartAsync("bob", configure: o => o.SessionTimer = new SipSessionTimerOptions { MinInterval = TimeSpan.FromSeconds(300) });

        var (caller, callee) = await ConnectAsync(alice, bob);

        Assert.Equal(2u, caller.InitialInvite.CSeq!.Sequence);
        Assert.Equal("300", caller.InitialInvite.SessionExpires!.Value);
        Assert.Equal(300u, caller.InitialInvite.MinSE);
        Assert.Equal(TimeSpan.FromSeconds(300), callee.SessionInterval);
    }

    [Fact]
    public async Task Refresher_refreshes_at_half_the_interval_and_the_call_outlives_it()
    {
        var time = new ManualTimeProvider();
        var alice = await StartAsync("alice", time);
        var bob = await StartAsync("bob", time);
        var (caller, callee) = await ConnectAsync(alice, bob);

        var refreshed = Task.WhenAll(Next(h => callee.SessionRefreshed += h), Next(h => caller.SessionRefreshed += h));
        time.Advance(TimeSpan.FromSeconds(900));
        await Within(refreshed);
        var again = Task.WhenAll(Next(h => callee.SessionRefreshed += h), Next(h => caller.SessionRefreshed += h));
        time.Advance(TimeSpan.FromSeconds(900));
        await Within(again);
        time.Advance(TimeSpan.FromSeconds(100));

        Assert.Equal(SipCallState.Established, caller.State);
        Assert.Equal(SipCallState.Established, callee.State);
        Assert.Equal(TimeSpan.FromSeconds(1800), callee.SessionInterval);
    }

    [Fact]
    public async Task Session_without_refresh_is_ended_with_BYE_before_it_expires()
    {
        var time = new ManualTimeProvider();
        var bob = await StartAsync("bob", time);
        using var peer = new ScriptedPeer();
        var bobPoint = bob.Endpoint.LocalAddresses[0].EndPoint;
        var incoming = NextIncomingCall(bob, call => call.AnswerAsync(AnswerSdp));
        var invite = peer.Invite(bobPoint, OfferSdp, ("Supported", "timer"), ("Session-Expires", "90;refresher=uac"));
        await peer.SendAsync(invite, bobPoint);
        var ok = await peer.ReceiveResponseAsync();
        await peer.SendAsync(peer.InDialog(invite, ok.Headers["To"]!, SipMethod.Ack, 1), bobPoint);
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));

        time.Advance(TimeSpan.FromSeconds(60)); // 90 s less the lesser of 32 s and a third
        var bye = await peer.ReceiveRequestAsync(SipMethod.Bye);

        Assert.Equal("90", ok.SessionExpires!.Value);
        Assert.Equal("uac", ok.SessionExpires.Parameters["refresher"]);
        Assert.Contains("timer", ok.Require);
        Assert.Equal(invite.CallId, bye.CallId);
        await Within(callee.Ended);
        Assert.Equal(SipCallEndReason.SessionExpired, callee.EndReason);
    }

    [Fact]
    public async Task Callee_answers_an_interval_below_its_minimum_with_422_and_Min_SE()
    {
        var bob = await StartAsync("bob");
        using var peer = new ScriptedPeer();
        var bobPoint = bob.Endpoint.LocalAddresses[0].EndPoint;
        var offered = false;
        bob.IncomingCall = _ =>
        {
            offered = true;
            return ValueTask.CompletedTask;
        };

        await peer.SendAsync(peer.Invite(bobPoint, OfferSdp, ("Supported", "timer"), ("Session-Expires", "30")), bobPoint);
        var response = await peer.ReceiveResponseAsync();

        Assert.Equal(422, response.StatusCode);
        Assert.Equal(90u, response.MinSE);
        Assert.False(offered);
    }

    [Fact]
    public async Task Disabled_session_timers_are_neither_asked_for_nor_advertised()
    {
        var alice = await StartAsync("alice", configure: o => o.SessionTimer.Enabled = false);
        var bob = await StartAsync("bob");

        var (caller, callee) = await ConnectAsync(alice, bob);

        Assert.Null(caller.InitialInvite.SessionExpires);
        Assert.DoesNotContain("timer", caller.InitialInvite.Supported);
        Assert.True(callee.IsSessionRefresher); // the callee may still run it, refreshing itself (RFC 4028 §9)
        Assert.Null(caller.SessionInterval);
    }

    [Fact]
    public async Task Refresh_uses_a_reinvite_with_the_same_SDP_when_the_peer_does_not_allow_UPDATE()
    {
        var time = new ManualTimeProvider();
        var alice = await StartAsync("alice", time);
        var bob = await StartAsync("bob", time, o => o.Endpoint.AllowedMethods.Remove("UPDATE"));
        var (caller, callee) = await ConnectAsync(alice, bob);
        var methods = new List<SipMethod>();
        callee.RequestReceived = (_, request) =>
        {
            lock (methods)
            {
                methods.Add(request.Method);
            }

            return ValueTask.FromResult<SipResponse?>(null);
        };

        var refreshed = Task.WhenAll(Next(h => callee.SessionRefreshed += h), Next(h => caller.SessionRefreshed += h));
        time.Advance(TimeSpan.FromSeconds(900));
        await Within(refreshed);

        Assert.Equal([SipMethod.Invite], methods);
        Assert.Equal(OfferSdp.ToArray(), callee.RemoteSdp.ToArray());
        Assert.Equal(AnswerSdp.ToArray(), caller.RemoteSdp.ToArray());
        Assert.Equal(SipCallState.Established, callee.State);
    }

    [Fact]
    public void Options_refuse_a_minimum_below_90_s_naming_the_option()
    {
        var options = new SipUserAgentOptions { SessionTimer = new SipSessionTimerOptions { MinInterval = TimeSpan.FromSeconds(30) } };
        options.Endpoint.Transport.Listen.Add(ContactCenter.Sip.Transport.SipListenAddress.Parse("udp:127.0.0.1:0"));

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("SipSessionTimerOptions.MinInterval", error.Message, StringComparison.Ordinal);
    }
}
