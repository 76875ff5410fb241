using System.Text;
using ContactCenter.Sip.Calls;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>Re-INVITE and UPDATE: new offers both ways, hold and resume, glare.</summary>
public sealed class ReinviteTests : CallHarness
{
    [Fact]
    public async Task Hold_is_answered_recvonly_by_default_and_the_peer_is_told_held_then_resumed()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, callee) = await ConnectAsync(alice, bob);
        var held = Next(h => callee.Held += h);

        var response = await Within(caller.HoldAsync(Sdp("a", 2, 4000, "sendonly")));
        await Within(held);

        Assert.Equal(200, response.StatusCode);
        Assert.True(caller.IsOnHold);
        Assert.True(callee.IsHeldByRemote);
        var answer = Encoding.ASCII.GetString(caller.RemoteSdp.Span);
        Assert.Contains("a=recvonly", answer, StringComparison.Ordinal);
        Assert.Contains("o=b 1 2 ", answer, StringComparison.Ordinal); // the version rose with the change

        var resumed = Next(h => callee.Resumed += h);
        var back = await Within(caller.ResumeAsync(Sdp("a", 3, 4000, null)));
        await Within(resumed);

        Assert.Equal(200, back.StatusCode);
        Assert.False(caller.IsOnHold);
        Assert.False(callee.IsHeldByRemote);
        Assert.Contains("a=sendrecv", Encoding.ASCII.GetString(caller.RemoteSdp.Span), StringComparison.Ordinal);
        Assert.Equal(SipCallState.Established, callee.State);
    }

    [Fact]
    public async Task Offer_in_an_UPDATE_is_answered_by_the_application_handler()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, callee) = await ConnectAsync(alice, bob);
        var custom = Sdp("b", 7, 6000, null);
        ReadOnlyMemory<byte> seen = default;
        callee.OfferReceived = (_, offer) =>
        {
            seen = offer;
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(custom);
        };
        var offer = Sdp("a", 2, 4002, null);

        var response = await Within(caller.UpdateAsync(offer));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(custom, caller.RemoteSdp.ToArray());
        Assert.Equal(offer, seen.ToArray());
        Assert.Equal(offer, callee.RemoteSdp.ToArray());
        Assert.Equal(custom, callee.LocalSdp.ToArray());
    }

    [Fact]
    public async Task Offer_the_application_refuses_gets_488_and_nothing_changes()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, callee) = await ConnectAsync(alice, bob);
        callee.OfferReceived = (_, _) => ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

        var response = await Within(caller.ReinviteAsync(Sdp("a", 2, 4000, null)));

        Assert.Equal(488, response.StatusCode);
        Assert.Equal(AnswerSdp.ToArray(), caller.RemoteSdp.ToArray());
        Assert.Equal(OfferSdp.ToArray(), caller.LocalSdp.ToArray());
        Assert.Equal(SipCallState.Established, caller.State);
    }

    [Fact]
    public async Task Offer_crossing_our_pending_offer_gets_491_and_is_retried_after_the_glare_interval()
    {
        var time = new ManualTimeProvider();
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob", time);
        var (caller, callee) = await ConnectAsync(alice, bob);
        var release = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobSawOffer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.OfferReceived = (_, _) =>
        {
            bobSawOffer.TrySetResult();
            return new ValueTask<ReadOnlyMemory<byte>>(release.Task);
        };
        var offersAtAlice = 0;
        caller.OfferReceived = (_, _) =>
        {
            Interlocked.Increment(ref offersAtAlice);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Sdp("a", 3, 4000, null));
        };

        var aliceReinvite = caller.ReinviteAsync(Sdp("a", 2, 4000, null));
        await Within(bobSawOffer.Task);
        var bobUpdate = callee.UpdateAsync(Sdp("b", 2, 5000, null)); // crosses Alice's outstanding offer: 491
        Assert.Throws<InvalidOperationException>(() => callee.ReinviteAsync(Sdp("b", 2, 5000, null)).GetAwaiter().GetResult());
        release.TrySetResult(Sdp("b", 2, 5000, null));
        Assert.Equal(200, (await Within(aliceReinvite)).StatusCode);

        // Bob (not the Call-ID owner) waits 0-2 s of its own clock, then sends the UPDATE again.
        for (var i = 0; i < 50 && !bobUpdate.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(bobUpdate, Task.Delay(20));
        }

        Assert.Equal(200, (await Within(bobUpdate)).StatusCode);
        Assert.Equal(1, offersAtAlice);
    }

    [Fact]
    public void Default_answer_mirrors_the_offered_direction_and_keeps_our_hold()
    {
        var local = Sdp("b", 4, 5000, null);

        var toHold = Encoding.ASCII.GetString(SipCall.MirrorAnswer(local, Sdp("a", 2, 4000, "sendonly"), weHold: false).Span);
        var whileWeHold = Encoding.ASCII.GetString(SipCall.MirrorAnswer(local, Sdp("a", 2, 4000, null), weHold: true).Span);
        var unchanged = SipCall.MirrorAnswer(Sdp("b", 4, 5000, "sendrecv"), Sdp("a", 2, 4000, null), weHold: false);

        Assert.Contains("a=recvonly", toHold, StringComparison.Ordinal);
        Assert.Contains("o=b 1 5 ", toHold, StringComparison.Ordinal);
        Assert.Contains("a=sendonly", whileWeHold, StringComparison.Ordinal);
        Assert.Equal(Sdp("b", 4, 5000, "sendrecv"), unchanged.ToArray());
        Assert.True(SipCall.IsHoldOffer("v=0\r\no=a 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"u8.ToArray()));
        Assert.False(SipCall.IsHoldOffer(Sdp("a", 1, 4000, "recvonly")));
    }

    [Fact]
    public async Task Our_200_to_a_reinvite_is_retransmitted_until_the_ACK_and_a_missing_ACK_ends_the_call()
    {
        var time = new ManualTimeProvider();
        var bob = await StartAsync("bob", time);
        using var peer = new ScriptedPeer();
        var bobPoint = bob.Endpoint.LocalAddresses[0].EndPoint;
        var incoming = NextIncomingCall(bob, call => call.AnswerAsync(AnswerSdp));
        var invite = peer.Invite(bobPoint, OfferSdp);
        await peer.SendAsync(invite, bobPoint);
        var ok = await peer.ReceiveResponseAsync();
        await peer.SendAsync(peer.InDialog(invite, ok.Headers["To"]!, SipMethod.Ack, 1), bobPoint);
        var callee = await Within(incoming);
        await Within(Reached(callee, SipCallState.Established));

        var reinvite = peer.InDialog(invite, ok.Headers["To"]!, SipMethod.Invite, 2);
        reinvite.Headers.Add("Contact", $"<sip:peer@127.0.0.1:{peer.Port}>");
        reinvite.Headers.Add("Content-Type", "application/sdp");
        reinvite.Body = Sdp("peer", 2, 4000, "sendonly");
        await peer.SendAsync(reinvite, bobPoint);
        var first = await peer.ReceiveResponseAsync();
        time.Advance(TimeSpan.FromMilliseconds(500));
        var again = await peer.ReceiveResponseAsync();
        time.Advance(TimeSpan.FromSeconds(40)); // 64*T1 after the 200, checked on the next retransmission tick (T2 apart)
        var bye = await peer.ReceiveRequestAsync(SipMethod.Bye);

        Assert.Equal((200, 2u), (first.StatusCode, first.CSeq!.Sequence));
        Assert.Equal((200, 2u), (again.StatusCode, again.CSeq!.Sequence));
        Assert.Contains("a=recvonly", System.Text.Encoding.ASCII.GetString(first.Body.Span), StringComparison.Ordinal);
        Assert.True(callee.IsHeldByRemote);
        Assert.Equal(invite.CallId, bye.CallId);
        await Within(callee.Ended);
        Assert.Equal(SipCallEndReason.Timeout, callee.EndReason);
    }

    [Fact]
    public async Task Reinvite_before_the_call_is_established_is_refused()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var incoming = NextIncomingCall(bob, call => call.RingAsync());
        var outgoing = alice.Call(CallTo(bob));
        await Within(Reached(outgoing, SipCallState.Ringing));

        await Assert.ThrowsAsync<InvalidOperationException>(() => outgoing.ReinviteAsync(OfferSdp));
        await Assert.ThrowsAsync<ArgumentException>(() => outgoing.ReinviteAsync(ReadOnlyMemory<byte>.Empty));
        await outgoing.HangUpAsync();
        await Within(incoming);
    }
}
