using ContactCenter.Sip.Transactions;
using ContactCenter.Testing;
using static ContactCenter.Sip.Tests.Transactions.Messages;

namespace ContactCenter.Sip.Tests.Transactions;

/// <summary>Two transaction layers joined by a link that loses datagrams: retransmissions recover.</summary>
public sealed class LossyLinkTests
{
    [Fact]
    public async Task Lost_request_and_lost_response_are_recovered_by_retransmission()
    {
        var time = new ManualTimeProvider();
        var toServer = new FakeTransport();
        var toClient = new FakeTransport();
        var serverUser = new RecordingUser { AnswerWith = 200 };
        using var client = new SipTransactionLayer(toServer, new RecordingUser(), timeProvider: time);
        using var server = new SipTransactionLayer(toClient, serverUser, timeProvider: time);
        var requestsSeen = 0;
        var responsesSeen = 0;
        toServer.Drop = m => ++requestsSeen == 1;     // the first OPTIONS is lost
        toServer.Deliver = m => server.ReceiveAsync(m, UdpPeer);
        toClient.Drop = m => ++responsesSeen == 1;    // and so is the first 200
        toClient.Deliver = m => client.ReceiveAsync(m, UdpPeer);

        var tx = client.SendRequest(Request("OPTIONS", "z9hG4bKlossy"), UdpDestination);
        time.Advance(TimeSpan.FromSeconds(0.5)); // E: the retransmission reaches the server, whose 200 is lost
        time.Advance(TimeSpan.FromSeconds(1.0)); // E again: the server resends its 200 from Completed

        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
        Assert.Single(serverUser.Requests); // the server's user saw the request once
    }

    [Fact]
    public async Task Lost_ACK_is_recovered_when_the_final_response_is_retransmitted()
    {
        var time = new ManualTimeProvider();
        var toServer = new FakeTransport();
        var toClient = new FakeTransport();
        var serverUser = new RecordingUser { AnswerWith = 486 };
        using var client = new SipTransactionLayer(toServer, new RecordingUser(), timeProvider: time);
        using var server = new SipTransactionLayer(toClient, serverUser, timeProvider: time);
        var acks = 0;
        toServer.Drop = m => m is SipRequest { Method.Name: "ACK" } && ++acks == 1;
        toServer.Deliver = m => server.ReceiveAsync(m, UdpPeer);
        toClient.Deliver = m => client.ReceiveAsync(m, UdpPeer);

        var tx = client.SendRequest(Request("INVITE", "z9hG4bKlostack"), UdpDestination);
        Assert.Equal(486, (await tx.FinalResponse).StatusCode);
        time.Advance(TimeSpan.FromSeconds(0.5)); // G: 486 again; the client ACKs again; this ACK arrives

        Assert.Equal(SipTransactionState.Confirmed, serverUser.Requests[0].State);
        Assert.Empty(serverUser.AckTimeouts);
    }
}
