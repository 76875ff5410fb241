using System.Net;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>RFC 3262: reliable provisional responses and PRACK, as UAS and as UAC.</summary>
public sealed class ReliableProvisionalTests : CallHarness
{
    private static IPEndPoint EndPointOf(SipUserAgent agent) => agent.Endpoint.LocalAddresses[0].EndPoint;

    [Fact]
    public async Task Provisional_to_an_INVITE_requiring_100rel_is_reliable_retransmitted_until_PRACK_and_the_200_waits_for_it()
    {
        var time = new ManualTimeProvider();
        var bob = await StartAsync("bob", time);
        using var peer = new ScriptedPeer();
        var incoming = NextIncomingCall(bob, call => call.RingAsync(183, AnswerSdp));
        var invite = peer.Invite(EndPointOf(bob), OfferSdp, ("Require", "100rel"));

        await peer.SendAsync(invite, EndPointOf(bob));
        var first = await peer.ReceiveResponseAsync();
        time.Advance(TimeSpan.FromMilliseconds(500));
        var again = await peer.ReceiveResponseAsync();
        var callee = await Within(incoming);
        var answering = callee.AnswerAsync(AnswerSdp).AsTask();

        Assert.Equal(183, first.StatusCode);
        Assert.Contains("100rel", first.Require);
        Assert.NotNull(first.RSeq);
        Assert.Equal(first.RSeq, again.RSeq);
        Assert.True(callee.ReliableProvisionals);
        Assert.False(answering.IsCompleted);

        var prack = peer.InDialog(invite, first.Headers["To"]!, SipMethod.Prack, 2);
        prack.Headers.Add("RAck", $"{first.RSeq} 1 INVITE");
        await peer.SendAsync(prack, EndPointOf(bob));
        var responses = new[] { await peer.ReceiveResponseAsync(), await peer.ReceiveResponseAsync() };
        await Within(answering);

        Assert.Contains(responses, r => r.StatusCode == 200 && r.CSeq!.Method == SipMethod.Prack);
        Assert.Contains(responses, r => r.StatusCode == 200 && r.CSeq!.Method == SipMethod.Invite);
    }

    [Fact]
    public async Task PRACK_naming_no_pending_provisional_gets_481()
    {
        var bob = await StartAsync("bob");
        using var peer = new ScriptedPeer();
        _ = NextIncomingCall(bob, call => call.RingAsync());
        var invite = peer.Invite(EndPointOf(bob), OfferSdp, ("Require", "100rel"));
        await peer.SendAsync(invite, EndPointOf(bob));
        var ringing = await peer.ReceiveResponseAsync();

        var prack = peer.InDialog(invite, ringing.Headers["To"]!, SipMethod.Prack, 2);
        prack.Headers.Add("RAck", $"{ringing.RSeq + 5} 1 INVITE");
        await peer.SendAsync(prack, EndPointOf(bob));

        Assert.Equal(481, (await peer.ReceiveResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task Reliable_provisional_never_acknowledged_ends_the_call_with_500_after_64_T1()
    {
        var time = new ManualTimeProvider();
        var bob = await StartAsync("bob", time);
        using var peer = new ScriptedPeer();
        var incoming = NextIncomingCall(bob, call => call.RingAsync());
        await peer.SendAsync(peer.Invite(EndPointOf(bob), OfferSdp, ("Require", "100rel")), EndPointOf(bob));
        Assert.Equal(180, (await peer.ReceiveResponseAsync()).StatusCode);
        var callee = await Within(incoming);

        time.Advance(TimeSpan.FromSeconds(64));

        SipResponse final;
        do
        {
            final = await peer.ReceiveResponseAsync();
        }
        while (final.StatusCode < 200);

        await Within(callee.Ended);
        Assert.Equal(500, final.StatusCode);
        Assert.Equal(SipCallEndReason.Timeout, callee.EndReason);
    }

    [Fact]
    public async Task Caller_PRACKs_each_reliable_provisional_once_and_not_its_retransmission()
    {
        var alice = await StartAsync("alice");
        using var peer = new ScriptedPeer();
        var to = new IPEndPoint(IPAddress.Loopback, peer.Port);
        var call = alice.Call(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:peer@127.0.0.1:{peer.Port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, to),
            Sdp = OfferSdp,
        });
        var invite = await peer.ReceiveRequestAsync(SipMethod.Invite);
        var alicePoint = EndPointOf(alice);

        var ringing = invite.CreateResponse(180, null, "peertag");
        ringing.Headers.Add("Contact", $"<sip:peer@127.0.0.1:{peer.Port}>");
        ringing.Headers.Add("Require", "100rel");
        ringing.Headers.Add("RSeq", "7");
        await peer.SendAsync(ringing, alicePoint);
        var prack = await peer.ReceiveRequestAsync(SipMethod.Prack);
        await peer.SendAsync(prack.CreateResponse(200), alicePoint);
        await peer.SendAsync(ringing, alicePoint); // a retransmission: no second PRACK
        var progress = invite.CreateResponse(183, null, "peertag");
        progress.Headers.Add("Contact", $"<sip:peer@127.0.0.1:{peer.Port}>");
        progress.Headers.Add("Require", "100rel");
        progress.Headers.Add("RSeq", "8");
        await peer.SendAsync(progress, alicePoint);
        var second = await peer.ReceiveRequestAsync(SipMethod.Prack);

        Assert.Contains("100rel", invite.Supported);
        Assert.Equal(new SipRAck(7, invite.CSeq!.Sequence, SipMethod.Invite), prack.RAck);
        Assert.Equal("peertag", prack.To!.Tag);
        Assert.Equal(new SipRAck(8, invite.CSeq!.Sequence, SipMethod.Invite), second.RAck);
        Assert.Equal(SipCallState.Ringing, call.State);
        await call.HangUpAsync();
    }

    [Fact]
    public async Task Callee_preferring_100rel_rings_reliably_with_early_media_and_the_call_is_answered_after_the_PRACK()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob", configure: o => o.PreferReliableProvisionals = true);
        var incoming = NextIncomingCall(bob, async call =>
        {
            await call.RingAsync(183, AnswerSdp);
            await call.AnswerAsync(AnswerSdp);
        });

        var outgoing = await Within(alice.CallAsync(CallTo(bob)));
        var callee = await Within(incoming);

        Assert.True(callee.ReliableProvisionals);
        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.Equal(AnswerSdp.ToArray(), outgoing.RemoteSdp.ToArray());
    }
}
