using System.Net;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Tests.Transactions;

/// <summary>An in-memory transport that records what is sent and can drop or fail sends.</summary>
internal sealed class FakeTransport : ISipTransport
{
    private readonly object _gate = new();
    private readonly List<SipMessage> _sent = [];

    public Func<SipMessage, bool> Drop { get; set; } = _ => false;

    public bool Fail { get; set; }

    /// <summary>Where sent messages go when not dropped (another layer, for end-to-end tests).</summary>
    public Func<SipMessage, ValueTask>? Deliver { get; set; }

    public IReadOnlyList<SipMessage> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public int Count(Func<SipMessage, bool> which) => Sent.Count(which);

    public ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken cancellationToken = default) => Record(message);

    public ValueTask SendResponseAsync(SipResponse response, SipRemote requestSource, CancellationToken cancellationToken = default) => Record(response);

    private ValueTask Record(SipMessage message)
    {
        if (Fail)
        {
            throw new IOException("network unreachable");
        }

        lock (_gate)
        {
            _sent.Add(message);
        }

        if (Drop(message) || Deliver is null)
        {
            return ValueTask.CompletedTask;
        }

        // Reparse, as the wire would: the receiver gets its own copy.
        return Deliver(SipMessage.Parse(message.ToArray()));
    }
}

/// <summary>A transaction user that records what it is given and can answer requests.</summary>
internal sealed class RecordingUser : ISipTransactionUser
{
    public List<SipServerTransaction> Requests { get; } = [];

    public List<(SipServerTransaction Invite, SipRequest Cancel)> Cancels { get; } = [];

    public List<SipRequest> Acks { get; } = [];

    public List<SipResponse> StrayResponses { get; } = [];

    public List<SipServerTransaction> AckTimeouts { get; } = [];

    /// <summary>Answers each new request with this status, or leaves it unanswered when null.</summary>
    public int? AnswerWith { get; set; }

    public async ValueTask OnRequestAsync(SipServerTransaction transaction)
    {
        lock (Requests)
        {
            Requests.Add(transaction);
        }

        if (AnswerWith is { } code)
        {
            await transaction.RespondAsync(transaction.Request.CreateResponse(code));
        }
    }

    public ValueTask OnCancelAsync(SipServerTransaction invite, SipRequest cancel)
    {
        Cancels.Add((invite, cancel));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnAckAsync(SipRequest ack, SipRemote source)
    {
        Acks.Add(ack);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnStrayResponseAsync(SipResponse response, SipRemote source)
    {
        StrayResponses.Add(response);
        return ValueTask.CompletedTask;
    }

    public void OnAckTimeout(SipServerTransaction invite) => AckTimeouts.Add(invite);
}

internal static class Messages
{
    public static readonly SipRemote UdpPeer = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 5070), new IPEndPoint(IPAddress.Loopback, 5060), 0);
    public static readonly SipRemote TcpPeer = new(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 5060), 7);
    public static readonly SipDestination UdpDestination = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 5070));
    public static readonly SipDestination TcpDestination = new(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 5070));

    public static SipRequest Request(string method, string branch, string callId = "call-1", uint cseq = 1, string? toTag = null, string transport = "UDP") =>
        (SipRequest)SipMessage.Parse(
            $"{method} sip:bob@127.0.0.1:5060 SIP/2.0\r\n" +
            $"Via: SIP/2.0/{transport} 127.0.0.1:5070;branch={branch}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"To: <sip:bob@127.0.0.1>{(toTag is null ? "" : ";tag=" + toTag)}\r\n" +
            "From: <sip:alice@127.0.0.1>;tag=alice1\r\n" +
            $"Call-ID: {callId}\r\n" +
            $"CSeq: {cseq} {method}\r\n" +
            "Content-Length: 0\r\n\r\n");

    public static SipResponse Response(SipRequest request, int code, string toTag = "bob1") => request.CreateResponse(code, null, toTag);
}
