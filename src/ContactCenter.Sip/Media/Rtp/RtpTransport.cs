using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace ContactCenter.Sip.Media;

/// <summary>Receives one datagram (valid only during the call).</summary>
internal delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint source);

/// <summary>How an <see cref="RtpSession"/> moves datagrams; UDP in production, in-memory in tests.</summary>
internal interface IRtpTransport : IAsyncDisposable
{
    IPEndPoint LocalRtpEndPoint { get; }

    IPEndPoint LocalRtcpEndPoint { get; }

    void Start(DatagramHandler onRtp, DatagramHandler onRtcp);

    void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination);

    void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination);
}

/// <summary>
/// RTP and RTCP over a bound <see cref="RtpSocketPair"/>: one receive loop per socket. Sending and receiving do not
/// allocate per packet: the destination's socket address is serialized once and reused while it stays the same, and
/// a receive fills one <see cref="SocketAddress"/> that is turned into an <see cref="IPEndPoint"/> only when the
/// source changes.
/// </summary>
internal sealed class UdpRtpTransport : IRtpTransport
{
    private const int ReceiveBufferSize = 2048;
    private readonly RtpSocketPair _sockets;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<string> _onLoopEnded;
    private Task _rtpLoop = Task.CompletedTask;
    private Task _rtcpLoop = Task.CompletedTask;

    public UdpRtpTransport(RtpSocketPair sockets, Action<string> onLoopEnded)
    {
        _sockets = sockets;
        _onLoopEnded = onLoopEnded;
    }

    public IPEndPoint LocalRtpEndPoint => (IPEndPoint)_sockets.Rtp.LocalEndPoint!;

    public IPEndPoint LocalRtcpEndPoint => (IPEndPoint)_sockets.Rtcp.LocalEndPoint!;

    public void Start(DatagramHandler onRtp, DatagramHandler onRtcp)
    {
        _rtpLoop = ReceiveLoop(_sockets.Rtp, onRtp, _stop.Token);
        _rtcpLoop = ReceiveLoop(_sockets.Rtcp, onRtcp, _stop.Token);
    }

    private SerializedEndPoint? _rtpDestination;
    private SerializedEndPoint? _rtcpDestination;

    public void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Send(_sockets.Rtp, ref _rtpDestination, datagram, destination);

    public void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Send(_sockets.Rtcp, ref _rtcpDestination, datagram, destination);

    private static void Send(Socket socket, ref SerializedEndPoint? cache, ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        if (destination.AddressFamily != socket.AddressFamily)
        {
            // Let the socket map or refuse the address (an IPv4 peer on an IPv6 socket).
            socket.SendTo(datagram, SocketFlags.None, destination);
            return;
        }

        var serialized = Volatile.Read(ref cache);
        if (serialized is null || !(ReferenceEquals(serialized.EndPoint, destination) || serialized.EndPoint.Equals(destination)))
        {
            serialized = new SerializedEndPoint(destination, destination.Serialize());
            Volatile.Write(ref cache, serialized);
        }

        socket.SendTo(datagram, SocketFlags.None, serialized.Address);
    }

    /// <summary>An endpoint with its socket address, replaced as a whole so concurrent senders see a matching pair.</summary>
    private sealed record SerializedEndPoint(IPEndPoint EndPoint, SocketAddress Address);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _sockets.Dispose();
        try
        {
            await Task.WhenAll(_rtpLoop, _rtcpLoop);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoop(Socket socket, DatagramHandler handler, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var received = new SocketAddress(socket.AddressFamily);
        SocketAddress? lastAddress = null;
        IPEndPoint? lastSource = null;
        var reason = "stopped";
        try
        {
            while (!token.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, received, token);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // ICMP unreachable from an earlier send, or an oversized datagram: keep receiving.
                    continue;
                }

                if (lastSource is null || !received.Equals(lastAddress))
                {
                    // A new source (in practice once per call, or after the peer moves): one endpoint for all its packets.
                    lastSource = (IPEndPoint)any.Create(received);
                    lastAddress = lastSource.Serialize();
                }

                try
                {
                    handler(buffer.AsSpan(0, length), lastSource);
                }
#pragma warning disable CA1031 // A failure handling one datagram (e.g. in an event handler) must not end the read loop.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _onLoopEnded("handler failed and the datagram was dropped: " + ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "stopped";
        }
        catch (ObjectDisposedException)
        {
            reason = "socket closed";
        }
        catch (SocketException ex)
        {
            reason = "socket error " + ex.SocketErrorCode;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!token.IsCancellationRequested)
        {
            _onLoopEnded(reason);
        }
    }
}
