using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ContactCenter.Sip.Trunks;

/// <summary>One SRV record (RFC 2782).</summary>
/// <param name="Priority">Lower is tried first.</param>
/// <param name="Weight">Relative share among records of the same priority.</param>
/// <param name="Port">The service's port.</param>
/// <param name="Target">The host name to resolve by A/AAAA; "." means the service is not offered.</param>
internal sealed record SipSrvRecord(int Priority, int Weight, int Port, string Target);

/// <summary>
/// A small DNS client for the SRV step of RFC 3263 §4.2: one question per query over UDP to the system's name servers
/// (<c>/etc/resolv.conf</c>), retried over TCP when the answer is truncated; name compression understood; answers
/// ordered by priority and weight (RFC 2782). NAPTR is not needed: a trunk always names its transport (§4.1).
/// </summary>
internal sealed class SipDnsClient
{
    private const ushort TypeSrv = 33;
    private const ushort ClassIn = 1;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public SipDnsClient(IReadOnlyList<IPEndPoint>? servers = null, TimeSpan? timeout = null, TimeProvider? time = null)
    {
        _servers = servers ?? SystemServers();
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The SRV records of <paramref name="name"/> in the order to try them; empty when there are none.</summary>
    /// <exception cref="SocketException">No name server answered.</exception>
    public async Task<IReadOnlyList<SipSrvRecord>> QuerySrvAsync(string name, CancellationToken cancellationToken)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = BuildQuery(id, name, TypeSrv);
        SocketException? last = null;
        foreach (var server in _servers)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_timeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                var answer = await QueryUdpAsync(server, query, linked.Token);
                if (IsTruncated(answer))
                {
                    answer = await QueryTcpAsync(server, query, linked.Token);
                }

                return Order(ParseSrv(answer, id));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = new SocketException((int)SocketError.TimedOut);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    internal static byte[] BuildQuery(ushort id, string name, ushort type)
    {
        var labels = name.TrimEnd('.').Split('.');
        var length = 12 + labels.Sum(l => 1 + Encoding.ASCII.GetByteCount(l)) + 1 + 4;
        var query = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(query, id);
        query[2] = 0x01; // RD
        query[5] = 1; // QDCOUNT
        var offset = 12;
        foreach (var label in labels)
        {
            var count = Encoding.ASCII.GetBytes(label, query.AsSpan(offset + 1));
            if (count is 0 or > 63)
            {
                throw new ArgumentException($"'{name}' is not a DNS name.", nameof(name));
            }

            query[offset] = (byte)count;
            offset += 1 + count;
        }

        query[offset++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(offset + 2), ClassIn);
        return query;
    }

    /// <summary>The SRV answers of a response; NXDOMAIN or no answer gives none.</summary>
    /// <exception cref="SocketException">The response is not an answer to the query, malformed, or a server failure.</exception>
    internal static List<SipSrvRecord> ParseSrv(ReadOnlySpan<byte> message, ushort id)
    {
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id || (message[2] & 0x80) == 0)
        {
            throw new SocketException((int)SocketError.NoData);
        }

        var rcode = message[3] & 0x0F;
        if (rcode == 3)
        {
            return []; // NXDOMAIN
        }

        if (rcode != 0)
        {
            throw new SocketException((int)SocketError.TryAgain);
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var offset = 12;
        for (var i = 0; i < questions; i++)
        {
            ReadName(message, ref offset);
            offset += 4;
        }

        var records = new List<SipSrvRecord>();
        for (var i = 0; i < answers; i++)
        {
            ReadName(message, ref offset);
            Need(message, offset, 10);
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            Need(message, offset, length);
            if (type == TypeSrv && length >= 7)
            {
                var data = offset;
                var priority = BinaryPrimitives.ReadUInt16BigEndian(message[data..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(message[(data + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(message[(data + 4)..]);
                data += 6;
                var target = ReadName(message, ref data);
                records.Add(new SipSrvRecord(priority, weight, port, target));
            }

            offset += length;
        }

        return records;
    }

    /// <summary>RFC 2782: by priority; within one priority, a weighted random order (zero weights last, rarely chosen first).</summary>
    internal static IReadOnlyList<SipSrvRecord> Order(List<SipSrvRecord> records)
    {
        var ordered = new List<SipSrvRecord>(records.Count);
        foreach (var group in records.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var pending = group.OrderBy(r => r.Weight).ToList(); // zero weights first, as the RFC's selection expects
            while (pending.Count > 0)
            {
                var total = pending.Sum(r => r.Weight);
                var pick = total == 0 ? 0 : RandomNumberGenerator.GetInt32(total + 1);
                var running = 0;
                var chosen = pending[^1];
                foreach (var record in pending)
                {
                    running += record.Weight;
                    if (running >= pick)
                    {
                        chosen = record;
                        break;
                    }
                }

                ordered.Add(chosen);
                pending.Remove(chosen);
            }
        }

        return ordered;
    }

    private static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var builder = new StringBuilder();
        var position = offset;
        var jumped = false;
        for (var hops = 0; hops < 64; hops++)
        {
            Need(message, position, 1);
            var length = message[position];
            if (length == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }

                return builder.Length == 0 ? "." : builder.ToString();
            }

            if ((length & 0xC0) == 0xC0)
            {
                Need(message, position, 2);
                if (!jumped)
                {
                    offset = position + 2;
                }

                position = BinaryPrimitives.ReadUInt16BigEndian(message[position..]) & 0x3FFF;
                jumped = true;
                continue;
            }

            Need(message, position + 1, length);
            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(Encoding.ASCII.GetString(message.Slice(position + 1, length)));
            position += 1 + length;
        }

        throw new SocketException((int)SocketError.NoData); // a compression loop
    }

    private static void Need(ReadOnlySpan<byte> message, int offset, int count)
    {
        if (offset < 0 || offset + count > message.Length)
        {
            throw new SocketException((int)SocketError.NoData);
        }
    }

    private static bool IsTruncated(byte[] answer) => answer.Length >= 3 && (answer[2] & 0x02) != 0;

    private static async Task<byte[]> QueryUdpAsync(IPEndPoint server, byte[] query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancellationToken);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken);
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (received >= 2 && buffer[0] == query[0] && buffer[1] == query[1])
            {
                return buffer[..received];
            }
        }
    }

    private static async Task<byte[]> QueryTcpAsync(IPEndPoint server, byte[] query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken);
        var header = await ReceiveExactlyAsync(socket, 2, cancellationToken);
        return await ReceiveExactlyAsync(socket, BinaryPrimitives.ReadUInt16BigEndian(header), cancellationToken);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            filled += read;
        }

        return buffer;
    }

    private static List<IPEndPoint> SystemServers()
    {
        var servers = new List<IPEndPoint>();
        try
        {
            foreach (var line in File.ReadLines("/etc/resolv.conf"))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts is ["nameserver", var address, ..] && IPAddress.TryParse(address.Split('%')[0], out var ip))
                {
                    servers.Add(new IPEndPoint(ip, 53));
                }
            }
        }
        catch (IOException)
        {
            // No resolv.conf (e.g. Windows): fall back to the loopback resolver below.
        }
        catch (UnauthorizedAccessException)
        {
        }

        if (servers.Count == 0)
        {
            servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        }

        return servers;
    }
}
