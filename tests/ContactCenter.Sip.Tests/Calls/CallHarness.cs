using System.Net;
using System.Net.Sockets;
using System.Text;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>User agents on loopback sockets, and helpers to wait for what they do.</summary>
public abstract class CallHarness : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    protected static readonly ReadOnlyMemory<byte> OfferSdp = Sdp("a", 1, 4000, null);

    protected static readonly ReadOnlyMemory<byte> AnswerSdp = Sdp("b", 1, 5000, null);

    private readonly List<SipUserAgent> _agents = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    protected static byte[] Sdp(string user, int version, int port, string? direction) => Encoding.ASCII.GetBytes(
        $"v=0\r\no={user} 1 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\n"
        + (direction is null ? "" : $"a={direction}\r\n"));

    protected async Task<SipUserAgent> StartAsync(string user, TimeProvider? time = null, Action<SipUserAgentOptions>? configure = null)
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        configure?.Invoke(options);
        var agent = new SipUserAgent(options, timeProvider: time);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    protected static SipUri UriOf(SipUserAgent agent, string user) =>
        SipUri.Parse($"sip:{user}@127.0.0.1:{agent.Endpoint.LocalAddresses[0].EndPoint.Port}");

    protected static SipCallRequest CallTo(SipUserAgent callee, string user = "bob", params SipHeader[] headers)
    {
        var address = callee.Endpoint.LocalAddresses[0];
        return new SipCallRequest
        {
            Target = UriOf(callee, user),
            Destination = new SipDestination(address.Protocol, address.EndPoint),
            Sdp = OfferSdp,
            Headers = headers,
        };
    }

    protected static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Wait);

    protected static async Task Within(Task task) => await task.WaitAsync(Wait);

    /// <summary>The next call offered to <paramref name="callee"/>, handled by <paramref name="handle"/>.</summary>
    protected static Task<SipCall> NextIncomingCall(SipUserAgent callee, Func<SipCall, ValueTask> handle)
    {
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.IncomingCall = async call =>
        {
            offered.TrySetResult(call);
            await handle(call);
        };
        return offered.Task;
    }

    /// <summary>Places a call from <paramref name="caller"/> to <paramref name="callee"/>, answered with <see cref="AnswerSdp"/>; both sides established.</summary>
    protected static async Task<(SipCall Caller, SipCall Callee)> ConnectAsync(SipUserAgent caller, SipUserAgent callee, string user = "bob")
    {
        var incoming = NextIncomingCall(callee, call => call.AnswerAsync(AnswerSdp));
        var outgoing = await Within(caller.CallAsync(CallTo(callee, user)));
        var answered = await Within(incoming);
        await Within(Reached(answered, SipCallState.Established));
        Assert.Equal(SipCallState.Established, outgoing.State);
        return (outgoing, answered);
    }

    protected static Task Reached(SipCall call, SipCallState wanted)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state == wanted)
            {
                reached.TrySetResult();
            }
        };
        if (call.State == wanted)
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }

    /// <summary>A task completing the next time <paramref name="subscribe"/>'s event fires.</summary>
    protected static Task Next(Action<Action<SipCall>> subscribe)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(_ => fired.TrySetResult());
        return fired.Task;
    }
}

/// <summary>A SIP peer scripted by the test over a raw UDP socket: it sends the text given and reads what arrives.</summary>
internal sealed class ScriptedPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public ScriptedPeer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public async Task SendAsync(string message, IPEndPoint to) =>
        await _socket.SendToAsync(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")), to);

    public async Task SendAsync(SipMessage message, IPEndPoint to) => await _socket.SendToAsync(message.ToArray(), to);

    /// <summary>An INVITE from this peer to <paramref name="to"/>, with the extra headers given.</summary>
    public SipRequest Invite(IPEndPoint to, ReadOnlyMemory<byte> sdp, params (string Name, string Value)[] headers)
    {
        var invite = new SipRequest(SipMethod.Invite, SipUri.Parse($"sip:bob@127.0.0.1:{to.Port}"));
        invite.Headers.Add("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={ContactCenter.Sip.Transactions.SipTransactionLayer.NewBranch()};rport");
        invite.Headers.Add("Max-Forwards", "70");
        invite.Headers.Add("From", $"<sip:peer@127.0.0.1:{Port}>;tag=peertag");
        invite.Headers.Add("To", $"<sip:bob@127.0.0.1:{to.Port}>");
        invite.Headers.Add("Call-ID", Guid.NewGuid().ToString("N") + "@peer");
        invite.Headers.Add("CSeq", "1 INVITE");
        invite.Headers.Add("Contact", $"<sip:peer@127.0.0.1:{Port}>");
        foreach (var (name, value) in headers)
        {
            invite.Headers.Add(name, value);
        }

        invite.Headers.Add("Content-Type", "application/sdp");
        invite.Body = sdp;
        return invite;
    }

    /// <summary>A request inside the dialog an INVITE of this peer made (<paramref name="toWithTag"/>: the To of the callee's response).</summary>
    public SipRequest InDialog(SipRequest invite, string toWithTag, SipMethod method, uint cseq)
    {
        var request = new SipRequest(method, invite.RequestUri);
        request.Headers.Add("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={ContactCenter.Sip.Transactions.SipTransactionLayer.NewBranch()};rport");
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", invite.Headers["From"]!);
        request.Headers.Add("To", toWithTag);
        request.Headers.Add("Call-ID", invite.CallId!);
        request.Headers.Add("CSeq", new SipCSeq(method == SipMethod.Ack ? invite.CSeq!.Sequence : cseq, method).ToString());
        return request;
    }

    public async Task<SipMessage> ReceiveAsync()
    {
        var buffer = new byte[65536];
        var result = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
        return SipMessage.Parse(buffer.AsSpan(0, result.ReceivedBytes));
    }

    /// <summary>The next response other than 100 Trying.</summary>
    public async Task<SipResponse> ReceiveResponseAsync()
    {
        while (true)
        {
            if (await ReceiveAsync() is SipResponse { StatusCode: > 100 } response)
            {
                return response;
            }
        }
    }

    public async Task<SipRequest> ReceiveRequestAsync(SipMethod method)
    {
        while (true)
        {
            if (await ReceiveAsync() is SipRequest request && request.Method == method)
            {
                return request;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
