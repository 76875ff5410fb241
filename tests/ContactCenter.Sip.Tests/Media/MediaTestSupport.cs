using System.Net;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

/// <summary>An in-memory datagram network: sends are delivered synchronously to the transport bound at the destination.</summary>
internal sealed class MemoryNetwork
{
    private readonly Dictionary<IPEndPoint, MemoryTransport> _bound = [];

    public List<(IPEndPoint From, IPEndPoint To, byte[] Data)> Log { get; } = [];

    /// <summary>When set, rewrites the source address a receiver sees (a NAT in the path).</summary>
    public Func<IPEndPoint, IPEndPoint>? Nat { get; set; }

    /// <summary>When set, returns false to drop a datagram.</summary>
    public Func<byte[], bool>? Filter { get; set; }

    /// <summary>When set, sees every datagram delivered (after <see cref="Filter"/>), e.g. to echo it back.</summary>
    public Action<byte[], IPEndPoint, IPEndPoint>? Tap { get; set; }

    public MemoryTransport Bind(string address, int port)
    {
        var t = new MemoryTransport(this, new IPEndPoint(IPAddress.Parse(address), port));
        _bound[t.LocalRtpEndPoint] = t;
        _bound[t.LocalRtcpEndPoint] = t;
        return t;
    }

    public void Deliver(ReadOnlySpan<byte> data, IPEndPoint from, IPEndPoint to)
    {
        var copy = data.ToArray();
        Log.Add((from, to, copy));
        if (Filter is { } filter && !filter(copy))
        {
            return;
        }

        if (_bound.TryGetValue(to, out var target))
        {
            target.Receive(copy, Nat?.Invoke(from) ?? from, to);
        }

        Tap?.Invoke(copy, from, to);
    }
}

internal sealed class MemoryTransport(MemoryNetwork network, IPEndPoint rtp) : IRtpTransport
{
    private DatagramHandler? _onRtp;
    private DatagramHandler? _onRtcp;

    public IPEndPoint LocalRtpEndPoint { get; } = rtp;

    public IPEndPoint LocalRtcpEndPoint { get; } = new(rtp.Address, rtp.Port + 1);

    private readonly Queue<(byte[] Data, IPEndPoint From)> _waiting = new();

    public bool Disposed { get; private set; }

    /// <summary>When set, RTP waits until <see cref="Poll"/> (like a socket read on the clock tick).</summary>
    public bool Queued { get; set; }

    public void Start(DatagramHandler onRtp, DatagramHandler onRtcp)
    {
        _onRtp = onRtp;
        _onRtcp = onRtcp;
    }

    public void Poll()
    {
        while (_waiting.TryDequeue(out var datagram))
        {
            _onRtp?.Invoke(datagram.Data, datagram.From);
        }
    }

    public void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        // Like a closed socket.
        ObjectDisposedException.ThrowIf(Disposed, this);
        network.Deliver(datagram, LocalRtpEndPoint, destination);
    }

    public void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        // Like a closed socket.
        ObjectDisposedException.ThrowIf(Disposed, this);
        network.Deliver(datagram, LocalRtcpEndPoint, destination);
    }

    public void Receive(byte[] data, IPEndPoint from, IPEndPoint to)
    {
        if (to.Equals(LocalRtpEndPoint))
        {
            if (Queued)
            {
                _waiting.Enqueue((data, from));
            }
            else
            {
                _onRtp?.Invoke(data, from);
            }
        }
        else
        {
            _onRtcp?.Invoke(data, from);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A source producing a constant-amplitude sine.</summary>
internal sealed class SineSource(double frequency, double amplitude = 8000, int totalSamples = int.MaxValue) : IAudioSource
{
    private long _n;

    public int Read(Span<short> frame)
    {
        var count = (int)Math.Min(frame.Length, totalSamples - _n);
        for (var i = 0; i < count; i++, _n++)
        {
            frame[i] = (short)(amplitude * Math.Sin(2 * Math.PI * frequency * _n / 8000.0));
        }

        return Math.Max(0, count);
    }
}

/// <summary>Keeps every frame written.</summary>
internal sealed class CollectingSink : IAudioSink
{
    public List<short[]> Frames { get; } = [];

    public IEnumerable<short> Samples => Frames.SelectMany(f => f);

    public void Write(ReadOnlySpan<short> frame) => Frames.Add(frame.ToArray());
}

/// <summary>A source producing one constant sample value.</summary>
internal sealed class ConstantSource(short value) : IAudioSource
{
    public int Read(Span<short> frame)
    {
        frame.Fill(value);
        return frame.Length;
    }
}
