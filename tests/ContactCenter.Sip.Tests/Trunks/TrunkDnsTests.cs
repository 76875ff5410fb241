using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>The SRV step of RFC 3263 against a scripted DNS server on loopback, and its use by trunks.</summary>
public sealed class TrunkDnsTests
{
    /// <summary>Answers one SRV question over UDP (and TCP) with the records given, names compressed against the question.</summary>
    private sealed class FakeDns : IAsyncDisposable
    {
        private readonly Socket _udp;
        private readonly TcpListener _tcp;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _udpLoop;
        private readonly Task _tcpLoop;

        public FakeDns(Func<byte[], byte[]> answer, bool truncateUdp = false)
        {
            (_udp, _tcp) = BindPair();
            _udpLoop = Task.Run(async () =>
            {
                var buffer = new byte[512];
                while (!_stop.IsCancellationRequested)
                {
                    var received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    var query = buffer[..received.ReceivedBytes];
                    var response = truncateUdp ? Header(query, answers: 0, rcode: 0, truncated: true) : answer(query);
                    await _udp.SendToAsync(response, received.RemoteEndPoint, _stop.Token);
                }
            });
            _tcpLoop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var length = new byte[2];
                    await stream.ReadExactlyAsync(length, _stop.Token);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    await stream.ReadExactlyAsync(query, _stop.Token);
                    var response = answer(query);
                    BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)response.Length);
                    await stream.WriteAsync(length, _stop.Token);
                    await stream.WriteAsync(response, _stop.Token);
                    TcpQueries++;
                }
            });
        }

        public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

        /// <summary>
        /// A UDP socket and a TCP listener on one loopback port, as a DNS server has. The UDP port is the system's
        /// choice, and another process may already hold that port for TCP, so a port taken for TCP is given up and
        /// another tried.
        /// </summary>
        private static (Socket Udp, TcpListener Tcp) BindPair()
        {
            for (var attempt = 1; ; attempt++)
            {
                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var tcp = new TcpListener(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port);
                try
                {
                    tcp.Start();
                    return (udp, tcp);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
                {
                    tcp.Dispose();
                    udp.Dispose();
                }
            }
        }

        public int TcpQueries { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _udp.Dispose();
            _tcp.Stop();
            foreach (var loop in new[] { _udpLoop, _tcpLoop })
            {
                try
                {
                    await loop;
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            }

            _stop.Dispose();
        }
    }

    /// <summary>The query's header and question, as a response (QR, RD, RA) with the counts and code given.</summary>
    private static byte[] Header(byte[] query, int answers, int rcode, bool truncated = false)
    {
        var response = query.ToArray();
        response[2] = (byte)(0x81 | (truncated ? 0x02 : 0));
        response[3] = (byte)(0x80 | rcode);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(6), (ushort)answers);
        return response;
    }

    /// <summary>A response with SRV answers; each owner name points at the question (offset 12), targets are written out.</summary>
    private static byte[] SrvAnswer(byte[] query, params (int Priority, int Weight, int Port, string Target)[] records)
    {
        var bytes = new List<byte>(Header(query, records.Length, 0));
        foreach (var (priority, weight, port, target) in records)
        {
            var rdata = new List<byte>();
            rdata.AddRange(BigEndian((ushort)priority));
            rdata.AddRange(BigEndian((ushort)weight));
            rdata.AddRange(BigEndian((ushort)port));
            foreach (var label in target.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                rdata.Add((byte)label.Length);
                rdata.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
            }

            rdata.Add(0);
            bytes.AddRange([0xC0, 0x0C]); // the owner name: a pointer to the question
            bytes.AddRange(BigEndian(33));
            bytes.AddRange(BigEndian(1));
            bytes.AddRange([0, 0, 0x0E, 0x10]); // TTL 3600
            bytes.AddRange(BigEndian((ushort)rdata.Count));
            bytes.AddRange(rdata);
        }

        return [.. bytes];
    }

    private static byte[] BigEndian(ushort value) => [(byte)(value >> 8), (byte)value];

    [Fact]
    public async Task Srv_records_are_read_and_ordered_by_priority()
    {
        await using var dns = new FakeDns(q => SrvAnswer(q, (20, 10, 5080, "backup.carrier.test"), (10, 10, 5060, "sip1.carrier.test")));
        var client = new SipDnsClient([dns.EndPoint]);

        var records = await client.QuerySrvAsync("_sip._udp.carrier.test", CancellationToken.None).WaitAsync(TrunkLab.Wait);

        Assert.Equal(
            [new SipSrvRecord(10, 10, 5060, "sip1.carrier.test"), new SipSrvRecord(20, 10, 5080, "backup.carrier.test")],
            records);
    }

    [Fact]
    public async Task Truncated_answer_is_asked_again_over_tcp()
    {
        await using var dns = new FakeDns(q => SrvAnswer(q, (10, 0, 5061, "tls.carrier.test")), truncateUdp: true);
        var client = new SipDnsClient([dns.EndPoint]);

        var records = await client.QuerySrvAsync("_sips._tcp.carrier.test", CancellationToken.None).WaitAsync(TrunkLab.Wait);

        Assert.Equal(new SipSrvRecord(10, 0, 5061, "tls.carrier.test"), Assert.Single(records));
        Assert.Equal(1, dns.TcpQueries);
    }

    [Fact]
    public async Task Unknown_name_has_no_records_and_a_server_failure_is_an_error()
    {
        await using var nxdomain = new FakeDns(q => Header(q, 0, rcode: 3));
        await using var failing = new FakeDns(q => Header(q, 0, rcode: 2));

        Assert.Empty(await new SipDnsClient([nxdomain.EndPoint]).QuerySrvAsync("_sip._udp.nowhere.test", CancellationToken.None).WaitAsync(TrunkLab.Wait));
        await Assert.ThrowsAsync<SocketException>(() => new SipDnsClient([failing.EndPoint]).QuerySrvAsync("_sip._udp.x.test", CancellationToken.None));
    }

    [Fact]
    public void Malformed_answers_are_refused_without_reading_past_the_end()
    {
        var query = SipDnsClient.BuildQuery(7, "_sip._udp.carrier.test", 33);
        var full = SrvAnswer(query, (10, 0, 5060, "sip1.carrier.test"));
        for (var length = 12; length < full.Length - 1; length++)
        {
            var cut = full[..length];
            try
            {
                SipDnsClient.ParseSrv(cut, 7);
            }
            catch (SocketException)
            {
                // refused: fine; anything else (IndexOutOfRange...) fails the test
            }
        }

        var loop = Header(query, 1, 0).Concat(new byte[] { 0xC0, (byte)query.Length, // an owner name pointing at itself
 0, 33, 0, 1, 0, 0, 0, 1, 0, 0 }).ToArray();
        Assert.Throws<SocketException>(() => SipDnsClient.ParseSrv(loop, 7));
    }

    [Fact]
    public void Equal_priority_records_are_all_kept_in_a_weighted_order()
    {
        var records = new List<SipSrvRecord> { new(10, 0, 1, "a"), new(10, 60, 2, "b"), new(10, 40, 3, "c"), new(5, 0, 4, "first") };

        var ordered = SipDnsClient.Order(records);

        Assert.Equal("first", ordered[0].Target);
        Assert.Equal(["a", "b", "c"], ordered.Skip(1).Select(r => r.Target).Order());
    }

    [Fact]
    public async Task Proxy_name_without_a_port_is_found_by_SRV_and_a_name_with_a_port_by_A_only()
    {
        await using var lab = new TrunkLab();
        var us = await lab.AgentAsync("cc");
        var carrier = await lab.CarrierAsync();
        var port = carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        var srvQueries = new List<string>();
        var trunks = new SipTrunkManager(us, TrunkLab.Options(
            TrunkLab.Trunk("srv", "carrier.test"),
            TrunkLab.Trunk("plain", $"127.0.0.1.example:{port}")))
        {
            SrvResolver = (name, _) =>
            {
                lock (srvQueries)
                {
                    srvQueries.Add(name);
                }

                return Task.FromResult<IReadOnlyList<SipSrvRecord>>([new SipSrvRecord(10, 0, port, "sip1.carrier.test")]);
            },
            Resolver = (host, _) => Task.FromResult(host is "sip1.carrier.test" or "127.0.0.1.example" ? new[] { IPAddress.Loopback } : []),
        };
        lab.Own(trunks);
        await trunks.StartAsync();

        var call = await trunks.CallAsync("srv", "100").WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal("sip:100@carrier.test", Assert.Single(carrier.Invites).RequestUri.ToString());
        Assert.Equal(["_sip._udp.carrier.test"], srvQueries);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), trunks.GetStatus("plain").Proxies[0].EndPoint);
    }
}
