using System.Net;
using System.Net.Sockets;

namespace ContactCenter.Sip.Media;

/// <summary>A bound pair of UDP sockets: RTP on an even port, RTCP on the next one.</summary>
public sealed class RtpSocketPair : IDisposable
{
    private readonly RtpPortAllocator _owner;
    private int _disposed;

    internal RtpSocketPair(RtpPortAllocator owner, Socket rtp, Socket rtcp)
    {
        _owner = owner;
        Rtp = rtp;
        Rtcp = rtcp;
    }

    /// <summary>The RTP socket.</summary>
    public Socket Rtp { get; }

    /// <summary>The RTCP socket.</summary>
    public Socket Rtcp { get; }

    /// <summary>The local RTP port.</summary>
    public int RtpPort => ((IPEndPoint)Rtp.LocalEndPoint!).Port;

    /// <summary>Closes both sockets and frees the ports.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var port = RtpPort;
        Rtp.Dispose();
        Rtcp.Dispose();
        _owner.Release(port);
    }
}

/// <summary>
/// Hands out RTP/RTCP port pairs from a configured range: RTP on even ports, RTCP on port + 1
/// (RFC 3550 §11). Ports in use by another process are skipped. One allocator per media address;
/// thread-safe.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly object _gate = new();
    private readonly HashSet<int> _inUse = [];
    private int _next;

    /// <summary>Creates an allocator over [<paramref name="minPort"/>, <paramref name="maxPort"/>].</summary>
    /// <param name="address">The local address to bind.</param>
    /// <param name="minPort">The lowest port (rounded up to even). Default range 10000-20000.</param>
    /// <param name="maxPort">The highest port (RTCP of the last pair included).</param>
    public RtpPortAllocator(IPAddress address, int minPort = 10000, int maxPort = 20000)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (minPort % 2 != 0)
        {
            minPort++;
        }

        if (minPort < 1024 || maxPort > 65535 || maxPort < minPort + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minPort), $"The RTP port range {minPort}-{maxPort} must lie within 1024-65535 and hold at least one even/odd pair.");
        }

        Address = address;
        MinPort = minPort;
        MaxPort = maxPort;
        _next = minPort;
    }

    /// <summary>The bound address.</summary>
    public IPAddress Address { get; }

    /// <summary>The lowest RTP port.</summary>
    public int MinPort { get; }

    /// <summary>The highest port.</summary>
    public int MaxPort { get; }

    /// <summary>The number of pairs the range holds.</summary>
    public int Capacity => (MaxPort - MinPort + 1) / 2;

    /// <summary>Pairs currently handed out.</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>Binds the next free pair; throws <see cref="InvalidOperationException"/> naming the range when none is free.</summary>
    public RtpSocketPair Allocate()
    {
        lock (_gate)
        {
            var pairs = Capacity;
            for (var attempt = 0; attempt < pairs; attempt++)
            {
                var port = _next;
                _next += 2;
                if (_next + 1 > MaxPort)
                {
                    _next = MinPort;
                }

                if (_inUse.Contains(port))
                {
                    continue;
                }

                var rtp = TryBind(port);
                if (rtp is null)
                {
                    continue;
                }

                var rtcp = TryBind(port + 1);
                if (rtcp is null)
                {
                    rtp.Dispose();
                    continue;
                }

                _inUse.Add(port);
                return new RtpSocketPair(this, rtp, rtcp);
            }
        }

        throw new InvalidOperationException(FormattableString.Invariant($"No free RTP port pair in {MinPort}-{MaxPort} on {Address}: {InUse} of {Capacity} pairs are in use by this process and the rest by others."));
    }

    internal void Release(int port)
    {
        lock (_gate)
        {
            _inUse.Remove(port);
        }
    }

    private Socket? TryBind(int port)
    {
        var socket = new Socket(Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(Address, port));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
