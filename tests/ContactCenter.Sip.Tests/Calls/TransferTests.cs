using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>REFER with NOTIFY sipfrag (RFC 3515) and Replaces (RFC 3891).</summary>
public sealed class TransferTests : CallHarness
{
    /// <summary>Bob accepts transfers by calling the target and reporting how that call goes.</summary>
    private static void AcceptTransfers(SipCall call, SipUserAgent agent, TaskCompletionSource<SipTransferRequest>? seen = null)
    {
        call.TransferRequested = (_, transfer) =>
        {
            seen?.TrySetResult(transfer);
            var target = (SipUri)transfer.Target;
            List<SipHeader> headers = [];
            if (transfer.Replaces is { } replaces)
            {
                headers.Add(new SipHeader("Replaces", replaces));
            }

            if (transfer.ReferredBy is { } by)
            {
                headers.Add(new SipHeader("Referred-By", by));
            }

            var newCall = agent.Call(new SipCallRequest
            {
                Target = target,
                Destination = new SipDestination(SipTransportProtocol.Udp, System.Net.IPEndPoint.Parse($"127.0.0.1:{target.Port}")),
                Sdp = OfferSdp,
                Headers = headers,
            });
            transfer.Follow(newCall);
            return ValueTask.FromResult(true);
        };
    }

    [Fact]
    public async Task Blind_transfer_succeeds_when_the_target_answers_and_Referred_By_reaches_it()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var carol = await StartAsync("carol");
        var (aliceLeg, bobLeg) = await ConnectAsync(alice, bob);
        var seen = new TaskCompletionSource<SipTransferRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        AcceptTransfers(bobLeg, bob, seen);
        var atCarol = NextIncomingCall(carol, async call =>
        {
            await call.RingAsync();
            await call.AnswerAsync(AnswerSdp);
        });

        var result = await Within(aliceLeg.TransferAsync(UriOf(carol, "carol")));
        var transfer = await Within(seen.Task);
        var carolCall = await Within(atCarol);

        Assert.Equal(new SipTransferResult(true, 200, "OK"), result);
        Assert.Equal(UriOf(carol, "carol"), transfer.Target);
        Assert.Null(transfer.Replaces);
        Assert.Contains("sip:alice@", transfer.ReferredBy, StringComparison.Ordinal);
        Assert.Equal(transfer.ReferredBy, carolCall.InitialInvite.Headers["Referred-By"]);
        Assert.True(transfer.IsCompleted);
    }

    [Fact]
    public async Task Transfer_to_a_busy_target_reports_the_failure_status()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var carol = await StartAsync("carol");
        var (aliceLeg, bobLeg) = await ConnectAsync(alice, bob);
        AcceptTransfers(bobLeg, bob);
        _ = NextIncomingCall(carol, call => call.RejectAsync(486));

        var result = await Within(aliceLeg.TransferAsync(UriOf(carol, "carol")));

        Assert.False(result.Succeeded);
        Assert.Equal(486, result.StatusCode);
        Assert.Equal(SipCallState.Established, aliceLeg.State);
    }

    [Fact]
    public async Task Transfer_without_a_handler_is_declined_with_603()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (aliceLeg, _) = await ConnectAsync(alice, bob);

        var result = await Within(aliceLeg.TransferAsync(SipUri.Parse("sip:carol@127.0.0.1:9")));

        Assert.Equal(new SipTransferResult(false, 603, "Decline"), result);
    }

    [Fact]
    public async Task Attended_transfer_replaces_the_consultation_call_at_the_target()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var carol = await StartAsync("carol");
        var (aliceToBob, bobLeg) = await ConnectAsync(alice, bob);
        var (aliceToCarol, carolLeg) = await ConnectAsync(alice, carol, "carol");
        var seen = new TaskCompletionSource<SipTransferRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        AcceptTransfers(bobLeg, bob, seen);
        var replacing = NextIncomingCall(carol, call => call.AnswerAsync(AnswerSdp));

        var result = await Within(aliceToBob.TransferAsync(UriOf(carol, "carol"), replacing: aliceToCarol));
        var transfer = await Within(seen.Task);
        var newCall = await Within(replacing);
        await Within(carolLeg.Ended);
        await Within(aliceToCarol.Ended);

        Assert.True(result.Succeeded);
        Assert.Equal($"{aliceToCarol.CallId};to-tag={aliceToCarol.RemoteTag};from-tag={aliceToCarol.LocalTag}", transfer.Replaces);
        Assert.Contains("?Replaces=", transfer.Refer.Headers["Refer-To"], StringComparison.Ordinal);
        Assert.Contains("%3Bto-tag%3D", transfer.Refer.Headers["Refer-To"], StringComparison.Ordinal);
        Assert.Same(carolLeg, newCall.Replaces);
        Assert.Equal(SipCallEndReason.Replaced, carolLeg.EndReason);
        Assert.Equal(SipCallEndReason.RemoteHangUp, aliceToCarol.EndReason);
        Assert.Equal(SipCallState.Established, aliceToBob.State);
    }

    [Fact]
    public async Task INVITE_with_Replaces_naming_no_dialog_gets_481_and_early_only_on_a_confirmed_dialog_gets_486()
    {
        var alice = await StartAsync("alice");
        var carol = await StartAsync("carol");
        var (aliceToCarol, carolLeg) = await ConnectAsync(alice, carol, "carol");
        var offered = 0;
        carol.IncomingCall = _ =>
        {
            Interlocked.Increment(ref offered);
            return ValueTask.CompletedTask;
        };

        var unknown = await Within(alice.CallAsync(CallTo(carol, "carol", new SipHeader("Replaces", "nosuchcall;to-tag=a;from-tag=b"))));
        var earlyOnly = await Within(alice.CallAsync(CallTo(carol, "carol",
            new SipHeader("Replaces", $"{carolLeg.CallId};to-tag={carolLeg.LocalTag};from-tag={carolLeg.RemoteTag};early-only"))));

        Assert.Equal(481, unknown.FinalStatus);
        Assert.Equal(486, earlyOnly.FinalStatus);
        Assert.Equal(0, offered);
        Assert.Equal(SipCallState.Established, aliceToCarol.State);
    }

    [Fact]
    public async Task Transfer_asking_for_no_subscription_returns_the_202_and_no_NOTIFY_is_sent()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (aliceLeg, bobLeg) = await ConnectAsync(alice, bob);
        var seen = new TaskCompletionSource<SipTransferRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobLeg.TransferRequested = (_, transfer) =>
        {
            seen.TrySetResult(transfer);
            return ValueTask.FromResult(true);
        };
        var notifies = 0;
        aliceLeg.RequestReceived = (_, request) =>
        {
            if (request.Method == SipMethod.Notify)
            {
                Interlocked.Increment(ref notifies);
            }

            return ValueTask.FromResult<SipResponse?>(null);
        };

        var result = await Within(aliceLeg.TransferAsync(SipUri.Parse("sip:carol@127.0.0.1:9"), headers: [new SipHeader("Refer-Sub", "false")]));
        var transfer = await Within(seen.Task);
        await transfer.ReportAsync(200);

        Assert.Equal(new SipTransferResult(true, 202, "Accepted"), result);
        Assert.True(transfer.IsCompleted);
        Assert.Equal(0, notifies);
    }

    [Fact]
    public async Task NOTIFY_without_a_transfer_in_progress_gets_481_and_an_unknown_event_489()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (_, bobLeg) = await ConnectAsync(alice, bob);
        var frag = "SIP/2.0 200 OK\r\n"u8.ToArray();

        var refer = await Within(bobLeg.SendRequestAsync(SipMethod.Notify, frag, "message/sipfrag", [new SipHeader("Event", "refer"), new SipHeader("Subscription-State", "terminated")]));
        var presence = await Within(bobLeg.SendRequestAsync(SipMethod.Notify, frag, "message/sipfrag", [new SipHeader("Event", "presence"), new SipHeader("Subscription-State", "active")]));

        Assert.Equal(481, refer.StatusCode);
        Assert.Equal(489, presence.StatusCode);
    }
}
