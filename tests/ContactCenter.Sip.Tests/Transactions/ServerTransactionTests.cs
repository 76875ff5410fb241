using ContactCenter.Sip.Transactions;
using ContactCenter.Testing;
using static ContactCenter.Sip.Tests.Transactions.Messages;

namespace ContactCenter.Sip.Tests.Transactions;

public sealed class ServerTransactionTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeTransport _transport = new();
    private readonly RecordingUser _user = new();
    private readonly SipTransactionLayer _layer;

    public ServerTransactionTests()
    {
        _layer = new SipTransactionLayer(_transport, _user, timeProvider: _time);
    }

    public void Dispose() => _layer.Dispose();

    private int Responses(int code) => _transport.Count(m => m is SipResponse r && r.StatusCode == code);

    private void Advance(double seconds) => _time.Advance(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Invite_gets_100_Trying_at_once_and_reaches_the_user_once()
    {
        var invite = Request("INVITE", "z9hG4bKs1");

        await _layer.ReceiveAsync(invite, UdpPeer);
        await _layer.ReceiveAsync(invite, UdpPeer);

        Assert.Equal(2, Responses(100)); // the retransmission got the last provisional again
        Assert.Single(_user.Requests);
    }

    [Fact]
    public async Task Non_2xx_final_is_retransmitted_with_timer_G_until_the_ACK_then_timer_I_ends_it()
    {
        var invite = Request("INVITE", "z9hG4bKs2");
        await _layer.ReceiveAsync(invite, UdpPeer);
        var tx = Assert.Single(_user.Requests);
        await tx.RespondAsync(Response(invite, 486));

        // G: 0.5, 1.5, 3.5, 7.5, 11.5 s (doubling to T2 = 4 s).
        Advance(7.5);
        Assert.Equal(5, Responses(486));
        Advance(4);
        Assert.Equal(6, Responses(486));

        await _layer.ReceiveAsync(Request("ACK", "z9hG4bKs2", toTag: "bob1"), UdpPeer);
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Advance(4);
        Assert.Equal(6, Responses(486));

        Advance(1); // timer I = T4
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Empty(_user.Acks);
    }

    [Fact]
    public async Task Missing_ACK_ends_with_timer_H_and_tells_the_user()
    {
        var invite = Request("INVITE", "z9hG4bKs3");
        await _layer.ReceiveAsync(invite, UdpPeer);
        await _user.Requests[0].RespondAsync(Response(invite, 603));

        Advance(32);

        Assert.Same(_user.Requests[0], Assert.Single(_user.AckTimeouts));
        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task Retransmitted_invite_in_completed_gets_the_final_response_again()
    {
        var invite = Request("INVITE", "z9hG4bKs4", transport: "TCP");
        await _layer.ReceiveAsync(invite, TcpPeer);
        await _user.Requests[0].RespondAsync(Response(invite, 480));

        await _layer.ReceiveAsync(invite, TcpPeer);
        await Task.Yield();

        Assert.Equal(2, Responses(480));
        Advance(60);
        Assert.Equal(2, Responses(480)); // no timer G over TCP
    }

    [Fact]
    public async Task Invite_2xx_moves_to_accepted_absorbs_retransmissions_and_ACK_goes_to_the_dialog()
    {
        var invite = Request("INVITE", "z9hG4bKs5");
        await _layer.ReceiveAsync(invite, UdpPeer);
        var tx = _user.Requests[0];
        await tx.RespondAsync(Response(invite, 200));

        await _layer.ReceiveAsync(invite, UdpPeer);
        await _layer.ReceiveAsync(Request("ACK", "z9hG4bKother", toTag: "bob1"), UdpPeer);

        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Assert.Equal(1, Responses(200));
        Assert.Single(_user.Acks);
        Advance(32); // timer L
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Non_invite_retransmission_gets_the_final_response_again_until_timer_J()
    {
        _user.AnswerWith = 200;
        var options = Request("OPTIONS", "z9hG4bKs6");
        await _layer.ReceiveAsync(options, UdpPeer);

        await _layer.ReceiveAsync(options, UdpPeer);
        await Task.Yield();
        Assert.Equal(2, Responses(200));
        Assert.Single(_user.Requests);

        Advance(32);
        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task Non_invite_over_tcp_ends_at_the_final_response()
    {
        _user.AnswerWith = 200;

        await _layer.ReceiveAsync(Request("OPTIONS", "z9hG4bKs7", transport: "TCP"), TcpPeer);

        Assert.Equal(0, _layer.ActiveTransactions);
    }

    [Fact]
    public async Task A_second_final_response_is_refused()
    {
        var options = Request("OPTIONS", "z9hG4bKs8");
        await _layer.ReceiveAsync(options, UdpPeer);
        await _user.Requests[0].RespondAsync(Response(options, 200));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _user.Requests[0].RespondAsync(Response(options, 500)));
    }

    [Fact]
    public async Task Cancel_of_a_ringing_invite_is_answered_200_and_the_user_is_told()
    {
        var invite = Request("INVITE", "z9hG4bKs9");
        await _layer.ReceiveAsync(invite, UdpPeer);
        await _user.Requests[0].RespondAsync(Response(invite, 180));

        await _layer.ReceiveAsync(Request("CANCEL", "z9hG4bKs9"), UdpPeer);

        var ok = _transport.Sent.OfType<SipResponse>().Single(r => r.CSeq!.Method == SipMethod.Cancel);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("bob1", ok.To!.Tag);
        Assert.Same(_user.Requests[0], Assert.Single(_user.Cancels).Invite);
    }

    [Fact]
    public async Task Cancel_without_a_matching_invite_gets_481()
    {
        await _layer.ReceiveAsync(Request("CANCEL", "z9hG4bKnone"), UdpPeer);

        Assert.Equal(1, Responses(481));
        Assert.Empty(_user.Cancels);
    }

    [Fact]
    public async Task Cancel_after_the_final_response_is_answered_but_not_passed_on()
    {
        var invite = Request("INVITE", "z9hG4bKs10");
        await _layer.ReceiveAsync(invite, UdpPeer);
        await _user.Requests[0].RespondAsync(Response(invite, 200));

        await _layer.ReceiveAsync(Request("CANCEL", "z9hG4bKs10"), UdpPeer);

        Assert.Empty(_user.Cancels);
    }

    [Fact]
    public async Task RFC_2543_requests_without_the_magic_cookie_still_match_their_transaction()
    {
        var invite = Request("INVITE", "old1");
        await _layer.ReceiveAsync(invite, UdpPeer);
        await _user.Requests[0].RespondAsync(Response(invite, 404));

        await _layer.ReceiveAsync(invite, UdpPeer);
        await _layer.ReceiveAsync(Request("ACK", "old1", toTag: "bob1"), UdpPeer);
        await Task.Yield();

        Assert.Single(_user.Requests);
        Assert.Equal(2, Responses(404));
        Assert.Equal(SipTransactionState.Confirmed, _user.Requests[0].State);
    }

    [Fact]
    public async Task Beyond_the_transaction_limit_requests_get_503_with_Retry_After()
    {
        using var layer = new SipTransactionLayer(_transport, _user, new SipTransactionOptions { MaxTransactions = 2 }, timeProvider: _time);
        for (var i = 0; i < 3; i++)
        {
            await layer.ReceiveAsync(Request("OPTIONS", $"z9hG4bKlim{i}"), UdpPeer);
        }

        var busy = Assert.Single(_transport.Sent.OfType<SipResponse>(), r => r.StatusCode == 503);
        Assert.Equal("5", busy.Headers["Retry-After"]);
        Assert.Equal(2, _user.Requests.Count);
    }

    [Fact]
    public void Invalid_timer_options_name_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new SipTransactionOptions { T1 = TimeSpan.FromSeconds(5), T2 = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Contains("T2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reused_branch_on_a_new_call_is_a_new_transaction_not_a_retransmission()
    {
        _user.AnswerWith = 200;

        await _layer.ReceiveAsync(Request("OPTIONS", "z9hG4bKreused", callId: "first"), UdpPeer);
        await _layer.ReceiveAsync(Request("OPTIONS", "z9hG4bKreused", callId: "second"), UdpPeer);

        Assert.Equal(["first", "second"], _user.Requests.Select(t => t.Request.CallId));
    }
}
