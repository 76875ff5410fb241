using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Transport;

/// <summary>The transport layer over real loopback sockets.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly Channel<(SipMessage Message, SipRemote Source)> _received = Channel.CreateUnbounded<(SipMessage, SipRemote)>();
    private readonly Channel<SipMalformedMessage> _malformed = Channel.CreateUnbounded<SipMalformedMessage>();
    private readonly List<SipTransportLayer> _layers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }
    }

    private async Task<SipTransportLayer> StartAsync(Action<SipTransportOptions> configure, TimeProvider? time = null, Channel<(SipMessage, SipRemote)>? sink = null)
    {
        var options = new SipTransportOptions();
        configure(options);
        var target = sink ?? _received;
        var layer = new SipTransportLayer(
            options,
            (m, s) => { target.Writer.TryWrite((m, s)); return ValueTask.CompletedTask; },
            m => { _malformed.Writer.TryWrite(m); return ValueTask.CompletedTask; },
            timeProvider: time);
        _layers.Add(layer);
        await layer.StartAsync();
        return layer;
    }

    private static string Options(string via, string callId = "c1") =>
        $"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nTo: <sip:ping@127.0.0.1>\r\n" +
        $"From: <sip:t@127.0.0.1>;tag=1\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    private async Task<(SipMessage Message, SipRemote Source)> NextAsync()
    {
        using var cts = new CancellationTokenSource(Wait);
        return await _received.Reader.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task Udp_request_gets_received_and_rport_and_the_response_goes_back_to_the_source_port()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0")));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        await client.SendToAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/UDP phone.invalid:5999;branch=z9hG4bKa1;rport")), layer.LocalAddresses[0].EndPoint);
        var (message, source) = await NextAsync();

        var request = Assert.IsType<SipRequest>(message);
        Assert.Equal("127.0.0.1", request.TopVia!.Received);
        Assert.Equal(clientPort, request.TopVia.RPort);
        Assert.Equal(SipTransportProtocol.Udp, source.Protocol);

        await layer.SendResponseAsync(request.CreateResponse(200), source);
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        var n = await client.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Udp_works_over_IPv6_loopback()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("udp:[::1]:0")));
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);

        await client.SendToAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/UDP [::1]:5999;branch=z9hG4bKv6")), layer.LocalAddresses[0].EndPoint);
        var (message, source) = await NextAsync();

        Assert.Equal("c1", message.CallId);
        Assert.Equal(AddressFamily.InterNetworkV6, source.RemoteEndPoint.AddressFamily);
    }

    [Fact]
    public async Task Malformed_udp_request_is_reported_with_its_status_and_the_loop_keeps_running()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0")));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        await client.SendToAsync("INVITE sip:x SIP/7.0\r\n\r\n"u8.ToArray(), layer.LocalAddresses[0].EndPoint);
        await client.SendToAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKok", "after")), layer.LocalAddresses[0].EndPoint);

        using var cts = new CancellationTokenSource(Wait);
        var malformed = await _malformed.Reader.ReadAsync(cts.Token);
        Assert.Equal(505, malformed.Error.StatusCode);
        Assert.Equal("after", (await NextAsync()).Message.CallId);
    }

    [Fact]
    public async Task Tcp_read_loop_parses_every_message_a_read_holds_and_messages_split_across_reads()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        var stream = client.GetStream();
        var two = Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK1", "one") + Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK2", "two");
        var third = Encoding.ASCII.GetBytes(Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK3", "three"));

        await stream.WriteAsync(Encoding.ASCII.GetBytes(two));
        await stream.WriteAsync(third.AsMemory(0, 40));
        await stream.FlushAsync();
        Assert.Equal("one", (await NextAsync()).Message.CallId);
        Assert.Equal("two", (await NextAsync()).Message.CallId);
        await stream.WriteAsync(third.AsMemory(40));

        var (message, source) = await NextAsync();
        Assert.Equal("three", message.CallId);
        Assert.Equal(SipTransportProtocol.Tcp, source.Protocol);
        Assert.NotEqual(0, source.ConnectionId);
    }

    [Fact]
    public async Task Tcp_crlf_keep_alive_ping_gets_a_pong()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync("\r\n\r\n"u8.ToArray());
        var pong = new byte[2];
        using var cts = new CancellationTokenSource(Wait);
        await stream.ReadExactlyAsync(pong, cts.Token);

        Assert.Equal("\r\n"u8.ToArray(), pong);
    }

    [Fact]
    public async Task Response_goes_back_over_the_connection_the_request_came_on()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/TCP unreachable.invalid:9;branch=z9hG4bKr")));
        var (message, source) = await NextAsync();
        await layer.SendResponseAsync(((SipRequest)message).CreateResponse(200), source);

        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        var n = await stream.ReadAsync(buffer, cts.Token);
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_tcp_stream_is_reported_and_the_connection_closed()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync("OPTIONS sip:x SIP/2.0\r\nContent-Length: -5\r\n\r\n"u8.ToArray());
        using var cts = new CancellationTokenSource(Wait);
        var malformed = await _malformed.Reader.ReadAsync(cts.Token);

        Assert.Equal(400, malformed.Error.StatusCode);
        Assert.Equal(0, await stream.ReadAsync(new byte[16], cts.Token)); // closed by the layer
    }

    [Fact]
    public async Task Peer_closing_mid_message_ends_only_that_connection()
    {
        var layer = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        using (var dropper = new TcpClient())
        {
            await dropper.ConnectAsync(layer.LocalAddresses[0].EndPoint);
            await dropper.GetStream().WriteAsync("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4"u8.ToArray());
        }

        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKafter", "survivor")));

        Assert.Equal("survivor", (await NextAsync()).Message.CallId);
    }

    [Fact]
    public async Task Outbound_tcp_sends_reuse_one_connection()
    {
        var receiverSink = Channel.CreateUnbounded<(SipMessage, SipRemote)>();
        var receiver = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")), sink: receiverSink);
        var sender = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0")));
        var target = receiver.LocalAddresses[0].EndPoint;

        await sender.SendAsync(SipMessage.Parse(Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKo1", "o1")), SipTransportProtocol.Tcp, target);
        await sender.SendAsync(SipMessage.Parse(Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKo2", "o2")), SipTransportProtocol.Tcp, target);

        using var cts = new CancellationTokenSource(Wait);
        var first = await receiverSink.Reader.ReadAsync(cts.Token);
        var second = await receiverSink.Reader.ReadAsync(cts.Token);
        Assert.Equal("o1", first.Item1.CallId);
        Assert.Equal("o2", second.Item1.CallId);
        Assert.Equal(first.Item2.ConnectionId, second.Item2.ConnectionId);
        Assert.Equal(1, sender.OpenConnections);
    }

    [Fact]
    public async Task Tls_carries_messages_with_a_certificate_from_options()
    {
        using var certificate = SelfSignedCertificate();
        var receiver = await StartAsync(o =>
        {
            o.Listen.Add(SipListenAddress.Parse("tls:127.0.0.1:0"));
            o.Certificate = certificate;
        });
        var sender = await StartAsync(o =>
        {
            o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
            o.ServerCertificateValidation = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString();
        }, sink: Channel.CreateUnbounded<(SipMessage, SipRemote)>());

        await sender.SendAsync(SipMessage.Parse(Options("SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bKtls", "secure")),
            SipTransportProtocol.Tls, receiver.LocalAddresses[0].EndPoint, "localhost");

        var (message, source) = await NextAsync();
        Assert.Equal("secure", message.CallId);
        Assert.Equal(SipTransportProtocol.Tls, source.Protocol);
    }

    [Fact]
    public async Task Tls_refuses_a_server_whose_certificate_fails_validation()
    {
        using var certificate = SelfSignedCertificate();
        var receiver = await StartAsync(o =>
        {
            o.Listen.Add(SipListenAddress.Parse("tls:127.0.0.1:0"));
            o.Certificate = certificate;
        });
        var sender = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0")));

        var error = await Assert.ThrowsAsync<IOException>(async () => await sender.SendAsync(
            SipMessage.Parse(Options("SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bKbad")), SipTransportProtocol.Tls, receiver.LocalAddresses[0].EndPoint, "localhost"));
        Assert.Contains("Cannot open a SIP Tls connection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_the_idle_timeout()
    {
        var time = new ManualTimeProvider();
        var layer = await StartAsync(o =>
        {
            o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0"));
            o.ConnectionIdleTimeout = TimeSpan.FromSeconds(60);
        }, time);
        using var client = new TcpClient();
        await client.ConnectAsync(layer.LocalAddresses[0].EndPoint);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKidle")));
        await NextAsync();

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, layer.OpenConnections);
        time.Advance(TimeSpan.FromSeconds(45));

        using var cts = new CancellationTokenSource(Wait);
        Assert.Equal(0, await client.GetStream().ReadAsync(new byte[16], cts.Token));
    }

    [Fact]
    public async Task Busy_address_fails_start_naming_the_address()
    {
        var first = await StartAsync(o => o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0")));
        var taken = first.LocalAddresses[0];

        var error = await Assert.ThrowsAsync<SocketException>(() => StartAsync(o => o.Listen.Add(taken)));
        Assert.Contains(taken.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_listen_addresses_run_at_once()
    {
        var layer = await StartAsync(o =>
        {
            o.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
            o.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0"));
            o.Listen.Add(SipListenAddress.Parse("udp:[::1]:0"));
        });

        Assert.Equal(3, layer.LocalAddresses.Count);
        Assert.All(layer.LocalAddresses, a => Assert.NotEqual(0, a.EndPoint.Port));
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

public sealed class TransportAddressingTests
{
    [Theory]
    [InlineData("udp:127.0.0.1:5060", SipTransportProtocol.Udp, "127.0.0.1", 5060)]
    [InlineData("TCP:[::1]:5070", SipTransportProtocol.Tcp, "::1", 5070)]
    [InlineData("tls:0.0.0.0:5061", SipTransportProtocol.Tls, "0.0.0.0", 5061)]
    public void Listen_addresses_parse(string text, SipTransportProtocol protocol, string address, int port)
    {
        var parsed = SipListenAddress.Parse(text);

        Assert.Equal(protocol, parsed.Protocol);
        Assert.Equal(IPAddress.Parse(address), parsed.EndPoint.Address);
        Assert.Equal(port, parsed.EndPoint.Port);
    }

    [Theory]
    [InlineData("127.0.0.1:5060", "expected PROTOCOL:ADDRESS:PORT")]
    [InlineData("sctp:127.0.0.1:5060", "unknown transport 'sctp'")]
    [InlineData("udp:localhost:5060", "not an IP address with a port")]
    [InlineData("udp:127.0.0.1", "not an IP address with a port")]
    public void Bad_listen_addresses_say_what_is_wrong(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => SipListenAddress.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_a_certificate_refuse_a_tls_listener()
    {
        var options = new SipTransportOptions();
        options.Listen.Add(SipListenAddress.Parse("tls:127.0.0.1:5061"));

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("Certificate", error.Message, StringComparison.Ordinal);
    }

    private static readonly SipRemote FromUdp = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40000), new IPEndPoint(IPAddress.Loopback, 5060), 0);

    private static SipResponse ResponseWithVia(string via) =>
        (SipResponse)SipMessage.Parse($"SIP/2.0 200 OK\r\nVia: {via}\r\nTo: <sip:a@b>;tag=1\r\nFrom: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

    [Theory]
    [InlineData("SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK1", "192.0.2.10:5062")]
    [InlineData("SIP/2.0/UDP phone.invalid;branch=z9hG4bK1;received=192.0.2.10", "192.0.2.10:5060")]
    [InlineData("SIP/2.0/UDP phone.invalid:5062;branch=z9hG4bK1;received=192.0.2.10;rport=40000", "192.0.2.10:40000")]
    [InlineData("SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1;maddr=239.1.1.1", "239.1.1.1:5060")]
    public void Responses_go_where_RFC_3261_18_2_2_and_RFC_3581_say(string via, string expected)
    {
        Assert.Equal(IPEndPoint.Parse(expected), SipTransportLayer.ResponseDestination(ResponseWithVia(via), FromUdp));
    }

    [Fact]
    public void Received_is_not_added_when_sent_by_is_the_source_address_and_no_rport_was_asked()
    {
        var request = (SipRequest)SipMessage.Parse(
            "OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0\r\n" +
            "Max-Forwards: 70\r\nTo: <sip:x@y>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

        SipTransportLayer.StampReceived(request, FromUdp.RemoteEndPoint);

        Assert.Null(request.TopVia!.Received);
        Assert.Equal(2, request.Via.Count);
    }

    [Fact]
    public void Stamping_keeps_every_lower_via_in_order()
    {
        var request = (SipRequest)SipMessage.Parse(
            "OPTIONS sip:x@y SIP/2.0\r\nv: SIP/2.0/UDP host.invalid;rport;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n" +
            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0\r\nMax-Forwards: 70\r\nTo: <sip:x@y>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

        SipTransportLayer.StampReceived(request, FromUdp.RemoteEndPoint);

        Assert.Equal(["z9hG4bK1", "z9hG4bKb", "z9hG4bK0"], request.Via.Select(v => v.Branch));
        Assert.Equal("192.0.2.10", request.TopVia!.Received);
        Assert.Equal(40000, request.TopVia.RPort);
    }
}
