using ContactCenter.Sip.Transactions;
using ContactCenter.Testing;
using static ContactCenter.Sip.Tests.Transactions.Messages;

namespace ContactCenter.Sip.Tests.Transactions;

public sealed class ClientTransactionTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeTransport _transport = new();
    private readonly RecordingUser _user = new();
    private readonly SipTransactionLayer _layer;

    public ClientTransactionTests()
    {
        _layer = new SipTransactionLayer(_transport, _user, timeProvider: _time);
    }

    public void Dispose() => _layer.Dispose();

    private int SentCount(string method) => _transport.Count(m => m is SipRequest r && r.Method.Name == method);

    private void Advance(double seconds) => _time.Advance(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Invite_over_udp_is_retransmitted_with_timer_A_doubling_and_times_out_with_timer_B()
    {
        var tx = _layer.SendRequest(Request("INVITE", "z9hG4bKa"), UdpDestination);
        await Task.Yield();
        Assert.Equal(1, SentCount("INVITE"));

        // A fires at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: six retransmissions before B at 32 s.
        Advance(0.5);
        Assert.Equal(2, SentCount("INVITE"));
        Advance(1.0);
        Assert.Equal(3, SentCount("INVITE"));
        Advance(30.0);
        Assert.Equal(7, SentCount("INVITE"));
        Assert.False(tx.FinalResponse.IsCompleted);

        Advance(0.5);
        var final = await tx.FinalResponse;
        Assert.Equal(408, final.StatusCode);
        Assert.Equal(SipClientOutcome.Timeout, tx.Outcome);
        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task Non_invite_timer_E_doubles_up_to_T2_then_holds_and_F_times_out()
    {
        var tx = _layer.SendRequest(Request("OPTIONS", "z9hG4bKe"), UdpDestination);

        // E: 0.5, 1.5, 3.5, 7.5, then every 4 s (T2): 11.5, 15.5, ... 31.5
        Advance(7.5);
        Assert.Equal(5, SentCount("OPTIONS"));
        Advance(4.0);
        Assert.Equal(6, SentCount("OPTIONS"));
        Advance(20.0);
        Assert.Equal(11, SentCount("OPTIONS"));
        Advance(0.5);

        Assert.Equal(408, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipClientOutcome.Timeout, tx.Outcome);
    }

    [Fact]
    public async Task Non_invite_in_proceeding_retransmits_every_T2()
    {
        var request = Request("OPTIONS", "z9hG4bKp");
        var tx = _layer.SendRequest(request, UdpDestination);
        await _layer.ReceiveAsync(Response(request, 100), UdpPeer);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        var before = SentCount("OPTIONS");

        Advance(4.0);
        Assert.Equal(before + 1, SentCount("OPTIONS"));
        Advance(4.0);
        Assert.Equal(before + 2, SentCount("OPTIONS"));
    }

    [Fact]
    public async Task Non_2xx_final_to_invite_is_acked_by_the_transaction_and_a_retransmission_is_acked_again()
    {
        var request = Request("INVITE", "z9hG4bKack");
        var tx = _layer.SendRequest(request, UdpDestination);
        var busy = Response(request, 486, "callee1");

        await _layer.ReceiveAsync(busy, UdpPeer);
        Assert.Equal(486, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        var ack = Assert.Single(_transport.Sent.OfType<SipRequest>(), r => r.Method == SipMethod.Ack);
        Assert.Equal("z9hG4bKack", ack.TopVia!.Branch);
        Assert.Equal("callee1", ack.To!.Tag);
        Assert.Equal(new SipCSeq(1, SipMethod.Ack), ack.CSeq);
        Assert.Equal(request.RequestUri.ToString(), ack.RequestUri.ToString());

        await _layer.ReceiveAsync(busy, UdpPeer);
        await Task.Yield();
        Assert.Equal(2, SentCount("ACK"));

        Advance(32);
        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task Invite_2xx_moves_to_accepted_and_further_2xx_reach_the_user_until_timer_M()
    {
        var request = Request("INVITE", "z9hG4bKok");
        var seen = new List<int>();
        var tx = _layer.SendRequest(request, UdpDestination, r => seen.Add(r.StatusCode));

        await _layer.ReceiveAsync(Response(request, 180), UdpPeer);
        await _layer.ReceiveAsync(Response(request, 200), UdpPeer);
        await _layer.ReceiveAsync(Response(request, 200), UdpPeer);

        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
        Assert.Equal([180, 200, 200], seen);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Assert.Equal(0, SentCount("ACK")); // the ACK for a 2xx is the dialog's

        Advance(32);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Provisional_response_stops_timer_B_for_invite()
    {
        var request = Request("INVITE", "z9hG4bKring");
        var tx = _layer.SendRequest(request, UdpDestination);
        await _layer.ReceiveAsync(Response(request, 180), UdpPeer);
        var sent = SentCount("INVITE");

        Advance(120);

        Assert.False(tx.FinalResponse.IsCompleted);
        Assert.Equal(sent, SentCount("INVITE"));
    }

    [Fact]
    public async Task Reliable_transport_never_retransmits_and_non_invite_ends_at_the_final_response()
    {
        var request = Request("OPTIONS", "z9hG4bKtcp", transport: "TCP");
        var tx = _layer.SendRequest(request, TcpDestination);

        Advance(20);
        Assert.Equal(1, SentCount("OPTIONS"));
        await _layer.ReceiveAsync(Response(request, 200), TcpPeer);

        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Transport_error_completes_with_a_local_503()
    {
        _transport.Fail = true;

        var tx = _layer.SendRequest(Request("OPTIONS", "z9hG4bKfail"), UdpDestination);

        Assert.Equal(503, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipClientOutcome.TransportError, tx.Outcome);
        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task Cancel_waits_for_a_provisional_response_then_goes_out_with_the_invite_branch()
    {
        var request = Request("INVITE", "z9hG4bKcan");
        var tx = _layer.SendRequest(request, UdpDestination);

        Assert.True(_layer.Cancel(tx));
        Assert.Equal(0, SentCount("CANCEL"));
        await _layer.ReceiveAsync(Response(request, 180), UdpPeer);
        await Task.Yield();

        var cancel = Assert.Single(_transport.Sent.OfType<SipRequest>(), r => r.Method == SipMethod.Cancel);
        Assert.Equal("z9hG4bKcan", cancel.TopVia!.Branch);
        Assert.Equal(new SipCSeq(1, SipMethod.Cancel), cancel.CSeq);
        Assert.Null(cancel.To!.Tag);
    }

    [Fact]
    public async Task Cancel_after_the_final_response_does_nothing()
    {
        var request = Request("INVITE", "z9hG4bKlate");
        var tx = _layer.SendRequest(request, UdpDestination);
        await _layer.ReceiveAsync(Response(request, 200), UdpPeer);

        Assert.False(_layer.Cancel(tx));
    }

    [Fact]
    public void Requests_without_an_RFC_3261_branch_or_ACKs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => _layer.SendRequest(Request("OPTIONS", "old-style"), UdpDestination));
        Assert.Throws<ArgumentException>(() => _layer.SendRequest(Request("ACK", "z9hG4bKx"), UdpDestination));
    }

    [Fact]
    public async Task Stray_2xx_to_invite_reaches_the_user_and_other_stray_responses_are_dropped()
    {
        var request = Request("INVITE", "z9hG4bKgone");

        await _layer.ReceiveAsync(Response(request, 200), UdpPeer);
        await _layer.ReceiveAsync(Response(request, 486), UdpPeer);

        Assert.Equal(200, Assert.Single(_user.StrayResponses).StatusCode);
    }

    [Fact]
    public void Tens_of_thousands_of_transactions_run_on_timers_alone()
    {
        var transactions = Enumerable.Range(0, 20_000)
            .Select(i => _layer.SendRequest(Request("OPTIONS", SipTransactionLayer.NewBranch(), $"c{i}"), UdpDestination))
            .ToList();
        Assert.Equal(20_000, _layer.ActiveTransactions);

        Advance(32);

        Assert.Equal(0, _layer.ActiveTransactions);
        Assert.All(transactions, t => Assert.Equal(SipClientOutcome.Timeout, t.Outcome));
    }
}
