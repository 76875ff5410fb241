using System.Net;
using System.Runtime.CompilerServices;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>What an ended call leaves behind while its transactions linger.</summary>
public sealed class EndedCallTests : CallHarness
{
    [Fact]
    public async Task An_ended_call_is_released_while_its_INVITE_transaction_still_acknowledges_a_retransmitted_200()
    {
        var alice = await StartAsync("alice");
        using var peer = new ScriptedPeer();
        var (call, application, ok) = await PlaceAnswerAndEndAsync(alice, peer);

        // The INVITE transaction lingers for 64·T1 after the 200 (RFC 6026 timer M): a 200 sent again is ACKed again.
        await peer.SendAsync(ok, EndPointOf(alice));
        var ackAgain = await peer.ReceiveRequestAsync(SipMethod.Ack);
        Assert.Equal(ok.CSeq!.Sequence, ackAgain.CSeq!.Sequence);
        Assert.Equal(ok.CallId, ackAgain.CallId);

        // ...but neither the call nor what its handlers hold stays in memory for those 32 s.
        await AssertCollectedAsync(call, application);
    }

    [Fact]
    public async Task An_answered_incoming_call_is_released_when_it_ends_while_its_INVITE_transaction_lingers()
    {
        var alice = await StartAsync("alice");
        using var peer = new ScriptedPeer();
        var (call, application) = await ReceiveAnswerAndEndAsync(alice, peer);

        await AssertCollectedAsync(call, application);
    }

    /// <summary>
    /// Collects until the ended call and what its handler held are gone, for at most 5 s: work already under way when
    /// the call ended (a handler finishing, a queued request) may hold it a moment, a lingering transaction 32 s.
    /// </summary>
    private static async Task AssertCollectedAsync(WeakReference call, WeakReference application)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!call.IsAlive && !application.IsAlive)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.False(call.IsAlive, "the ended call is still reachable after 5 s");
                Assert.False(application.IsAlive, "what the call's StateChanged handler held is still reachable after 5 s");
            }

            await Task.Delay(50);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference Call, WeakReference Application)> ReceiveAnswerAndEndAsync(SipUserAgent alice, ScriptedPeer peer)
    {
        var application = new byte[1024];
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.IncomingCall = async call =>
        {
            call.StateChanged += (_, _) => GC.KeepAlive(application);
            offered.TrySetResult(call);
            await call.AnswerAsync(AnswerSdp);
        };
        var invite = peer.Invite(EndPointOf(alice), OfferSdp);
        await peer.SendAsync(invite, EndPointOf(alice));
        var ok = await peer.ReceiveResponseAsync();
        Assert.Equal(200, ok.StatusCode);
        var answered = await Within(offered.Task);
        var to = ok.Headers["To"]!;
        await peer.SendAsync(peer.InDialog(invite, to, SipMethod.Ack, 1), EndPointOf(alice));
        await Within(Reached(answered, SipCallState.Established));
        await peer.SendAsync(peer.InDialog(invite, to, SipMethod.Bye, 2), EndPointOf(alice));
        Assert.Equal(200, (await peer.ReceiveResponseAsync()).StatusCode);
        await Within(answered.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, answered.EndReason);
        alice.IncomingCall = null;
        return (new WeakReference(answered), new WeakReference(application));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference Call, WeakReference Application, SipResponse Ok)> PlaceAnswerAndEndAsync(
        SipUserAgent alice, ScriptedPeer peer)
    {
        var to = new IPEndPoint(IPAddress.Loopback, peer.Port);
        var call = alice.Call(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:peer@127.0.0.1:{peer.Port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, to),
            Sdp = OfferSdp,
        });
        var application = new byte[1024]; // stands for the application's per-call state, held by a handler
        var states = new List<SipCallState>();
        call.StateChanged += (_, state) =>
        {
            states.Add(state);
            GC.KeepAlive(application);
        };

        var invite = await peer.ReceiveRequestAsync(SipMethod.Invite);
        var ok = invite.CreateResponse(200, null, "peertag");
        ok.Headers.Add("Contact", $"<sip:peer@127.0.0.1:{peer.Port}>");
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = AnswerSdp;
        await peer.SendAsync(ok, EndPointOf(alice));
        await peer.ReceiveRequestAsync(SipMethod.Ack);
        await Within(Reached(call, SipCallState.Established));

        var hangUp = call.HangUpAsync().AsTask();
        var bye = await peer.ReceiveRequestAsync(SipMethod.Bye);
        await peer.SendAsync(bye.CreateResponse(200), EndPointOf(alice));
        await Within(hangUp);
        await Within(call.Ended);
        Assert.Equal(SipCallEndReason.LocalHangUp, call.EndReason);
        Assert.Contains(SipCallState.Terminated, states);
        return (new WeakReference(call), new WeakReference(application), ok);
    }

    private static IPEndPoint EndPointOf(SipUserAgent agent) => agent.Endpoint.LocalAddresses[0].EndPoint;
}
