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

    /// <summary>Delivers the RTP datagrams waiting now, without blocking, when the transport is read on the clock; otherwise nothing.</summary>
    void Poll();

    void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination);

    void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination);
}

/// <summary>
/// RTP and RTCP over a bound <see cref="RtpSocketPair"/>. RTP is received either by a receive loop (an asynchronous
/// receive, woken by the runtime's socket engine) or, when polled, by non-blocking reads that the session makes on its
/// clock tick just before playout: the RTP socket is then never registered with the socket engine, which saves a
/// wake-up, a thread-pool hop and a speculative read per packet. RTCP always has a receive loop. Sending and receiving do not
/// allocate per packet: the destination's socket address is serialized once and reused while it stays the same, and
/// a receive fills one <see cref="SocketAddress"/> that is turned into an <see cref="IPEndPoint"/> only when the
/// source changes. Disposing wakes each receive loop with an empty datagram sent from its own socket, so the end of a
/// call costs no exception (a loop not woken within 200 ms is cancelled).
/// </summary>
internal sealed class UdpRtpTransport : IRtpTransport
{
    private const int ReceiveBufferSize = 2048;
    private readonly RtpSocketPair _sockets;
    // How long a receive loop has to see its wake-up datagram before it is cancelled.
    private static readonly TimeSpan WakeTimeout = TimeSpan.FromMilliseconds(200);
    private readonly CancellationTokenSource _stop = new();
    // Set when disposing: the receive loops end at their next datagram (the wake-up) and polling stops.
    private bool _stopping;
    private readonly Action<string> _onLoopEnded;
    private Task _rtpLoop = Task.CompletedTask;
    private Task _rtcpLoop = Task.CompletedTask;

    private readonly bool _polled;
    private PolledSocket? _polledRtp;

    private readonly Func<LinuxDatagramBatch?>? _batches;

    /// <param name="sockets">The bound pair.</param>
    /// <param name="onLoopEnded">Told why reading stopped or a datagram was dropped.</param>
    /// <param name="polled">Read RTP only when <see cref="Poll"/> is called.</param>
    /// <param name="batches">
    /// When polled: the batch reader of the calling thread (shared by every session the thread polls, so its buffers stay
    /// in cache), or null to read the portable way.
    /// </param>
    public UdpRtpTransport(RtpSocketPair sockets, Action<string> onLoopEnded, bool polled = false, Func<LinuxDatagramBatch?>? batches = null)
    {
        _batches = batches;
        _sockets = sockets;
        _onLoopEnded = onLoopEnded;
        _polled = polled;
    }

    public IPEndPoint LocalRtpEndPoint => (IPEndPoint)_sockets.Rtp.LocalEndPoint!;

    public IPEndPoint LocalRtcpEndPoint => (IPEndPoint)_sockets.Rtcp.LocalEndPoint!;

    public void Start(DatagramHandler onRtp, DatagramHandler onRtcp)
    {
        if (_polled)
        {
            // Non-blocking: a datagram that FIONREAD announced but the kernel then drops (a bad checksum is found
            // only when it is read) must not block the clock thread. RTCP (one packet every few seconds) keeps its
            // receive loop, so its arrival time, which the round-trip estimate depends on, stays exact.
            _sockets.Rtp.Blocking = false;
            Volatile.Write(ref _polledRtp, new PolledSocket(_sockets.Rtp, onRtp, _batches));
            _rtcpLoop = ReceiveLoop(_sockets.Rtcp, onRtcp, _stop.Token);
            return;
        }

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

    public void Poll()
    {
        if (Volatile.Read(ref _polledRtp) is not { } rtp || Volatile.Read(ref _stopping))
        {
            return;
        }

        if (!rtp.Drain(out var reason))
        {
            if (!Volatile.Read(ref _stopping))
            {
                _onLoopEnded(reason);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The receive loops are woken by an empty datagram each sends itself and end on seeing _stopping, so a call's
        // end costs no exception; a loop the datagram does not reach in time is cancelled.
        Volatile.Write(ref _stopping, true);
        var loops = Task.WhenAll(WakeLoop(_rtpLoop, _sockets.Rtp), WakeLoop(_rtcpLoop, _sockets.Rtcp));
        try
        {
            await loops.WaitAsync(WakeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        _sockets.Dispose();
        try
        {
            await loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A loop the wake-up did not reach.
        }

        _stop.Dispose();
    }

    /// <summary>Sends <paramref name="socket"/> an empty datagram from itself when its receive loop still runs.</summary>
    private static Task WakeLoop(Task loop, Socket socket)
    {
        if (loop.IsCompleted)
        {
            return loop;
        }

        try
        {
            var local = (IPEndPoint)socket.LocalEndPoint!;
            var address = local.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
                : local.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
                : local.Address;
            socket.SendTo([], SocketFlags.None, new IPEndPoint(address, local.Port));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The loop is cancelled after the timeout instead.
        }

        return loop;
    }

    private async Task ReceiveLoop(Socket socket, DatagramHandler handler, CancellationToken token)
    {
        var reader = new DatagramReader(socket, handler);
        var reason = "stopped";
        try
        {
            while (!token.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await socket.ReceiveFromAsync(reader.Buffer, SocketFlags.None, reader.Received, token);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // ICMP unreachable from an earlier send, or an oversized datagram: keep receiving.
                    continue;
                }

                if (Volatile.Read(ref _stopping))
                {
                    break;
                }

                if (reader.Deliver(length) is { } failure)
                {
                    _onLoopEnded(failure);
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

        // Nothing reads into it any more: back to the pool for the next call's loop.
        reader.ReturnBuffer();
        if (!token.IsCancellationRequested && !Volatile.Read(ref _stopping))
        {
            _onLoopEnded(reason);
        }
    }

    /// <summary>One socket's receive buffer and source address, and the hand-over of each datagram to its handler.</summary>
    private class DatagramReader(Socket socket, DatagramHandler handler)
    {
        // Allocated at the first read into it: a socket polled through the clock thread's batch never needs its own.
        private byte[]? _buffer;
        private readonly IPEndPoint _any = new(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        private SocketAddress? _lastAddress;
        private IPEndPoint? _lastSource;

        protected Socket Socket => socket;

        public Memory<byte> Buffer => _buffer ??= MediaBuffers.Bytes.Rent(ReceiveBufferSize);

        /// <summary>Hands the buffer back to <see cref="MediaBuffers.Bytes"/>; only once nothing reads into it.</summary>
        public void ReturnBuffer()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                MediaBuffers.Bytes.Return(buffer);
            }
        }

        /// <summary>Filled by each receive.</summary>
        public SocketAddress Received { get; } = new(socket.AddressFamily);

        /// <summary>Hands the datagram just received into <see cref="Buffer"/> to the handler; the failure to report when the handler threw.</summary>
        public string? Deliver(int length) => Deliver(Buffer.Span[..length]);

        /// <summary>Hands a datagram from <see cref="Received"/> to the handler; the failure to report when the handler threw.</summary>
        public string? Deliver(ReadOnlySpan<byte> datagram)
        {
            if (_lastSource is null || !Received.Equals(_lastAddress))
            {
                // A new source (in practice once per call, or after the peer moves): one endpoint for all its packets.
                _lastSource = (IPEndPoint)_any.Create(Received);
                _lastAddress = _lastSource.Serialize();
            }

            try
            {
                handler(datagram, _lastSource);
                return null;
            }
#pragma warning disable CA1031 // A failure handling one datagram (e.g. in an event handler) must not stop the reads.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return "handler failed and the datagram was dropped: " + ex.Message;
            }
        }
    }

    /// <summary>
    /// A socket read without blocking, on the caller's thread (the session's clock tick): with one batch system call on
    /// 64-bit Linux (<see cref="LinuxDatagramBatch"/>), else by asking the socket what waits before each read.
    /// </summary>
    private sealed class PolledSocket(Socket socket, DatagramHandler handler, Func<LinuxDatagramBatch?>? batches) : DatagramReader(socket, handler)
    {
        // Bounds one poll: a flood cannot hold the clock thread (what is left waits for the next tick).
        private const int MaxDatagramsPerPoll = 32;
        private Func<LinuxDatagramBatch?>? _batches = batches;
        private bool _ended;

        /// <summary>Reads and hands on what is waiting; false with the reason when a handler failed or (once) the socket can no longer be read.</summary>
        public bool Drain(out string reason)
        {
            reason = "";
            if (_ended)
            {
                return true;
            }

            try
            {
                if (_batches?.Invoke() is { } batch)
                {
                    try
                    {
                        return DrainBatches(batch, ref reason);
                    }
                    catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                    {
                        // A C library without recvmmsg: read the portable way from now on.
                        _batches = null;
                    }
                }

                for (var i = 0; i < MaxDatagramsPerPoll && Socket.Available > 0; i++)
                {
                    int length;
                    try
                    {
                        length = Socket.ReceiveFrom(Buffer.Span, SocketFlags.None, Received);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionReset or SocketError.MessageSize)
                    {
                        // Announced then dropped (bad checksum), ICMP unreachable from an earlier send, or oversized.
                        continue;
                    }

                    if (Deliver(length) is { } failure)
                    {
                        // Reported once the datagrams waiting now are handed over.
                        reason = failure;
                    }
                }

                return reason.Length == 0;
            }
            catch (ObjectDisposedException)
            {
                _ended = true;
                reason = "socket closed";
                return false;
            }
            catch (SocketException ex)
            {
                _ended = true;
                reason = "socket error " + ex.SocketErrorCode;
                return false;
            }
        }

        private bool DrainBatches(LinuxDatagramBatch batch, ref string reason)
        {
            for (var read = 0; read < MaxDatagramsPerPoll;)
            {
                var count = batch.Receive(Socket);
                if (count < 0)
                {
                    _ended = true;
                    reason = "socket error (errno " + batch.ErrorNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
                    return false;
                }

                for (var i = 0; i < count; i++)
                {
                    batch.CopySource(i, Received);
                    if (Deliver(batch.Datagram(i)) is { } failure)
                    {
                        reason = failure;
                    }
                }

                read += count;
                if (count < batch.Capacity)
                {
                    break;
                }
            }

            return reason.Length == 0;
        }
    }
}
