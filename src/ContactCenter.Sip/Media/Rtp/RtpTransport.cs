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

/// <summary>RTP and RTCP over a bound <see cref="RtpSocketPair"/>: one receive loop per socket.</summary>
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

    public void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination) => _sockets.Rtp.SendTo(datagram, SocketFlags.None, destination);

    public void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination) => _sockets.Rtcp.SendTo(datagram, SocketFlags.None, destination);

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
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var reason = "stopped";
        try
        {
            while (!token.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, token);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // ICMP unreachable from an earlier send, or an oversized datagram: keep receiving.
                    continue;
                }

                try
                {
                    handler(buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
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
