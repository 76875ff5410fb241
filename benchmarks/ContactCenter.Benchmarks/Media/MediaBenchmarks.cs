using BenchmarkDotNet.Attributes;
using ContactCenter.Sip.Media;

namespace ContactCenter.Benchmarks.Media;

/// <summary>G.711 on one 20 ms frame (160 samples): encode and decode for both laws, and law-to-law transcoding.</summary>
[MemoryDiagnoser]
public class G711FrameBenchmarks
{
    private readonly short[] _pcm = new short[160];
    private readonly byte[] _encoded = new byte[160];
    private readonly short[] _decoded = new short[160];
    private readonly byte[] _transcoded = new byte[160];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)(12000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
        }

        G711.Encode(AudioEncoding.Pcmu, _pcm, _encoded);
    }

    [Benchmark]
    public void EncodeMuLaw() => G711.Encode(AudioEncoding.Pcmu, _pcm, _encoded);

    [Benchmark]
    public void DecodeMuLaw() => G711.Decode(AudioEncoding.Pcmu, _encoded, _decoded);

    [Benchmark]
    public void EncodeALaw() => G711.Encode(AudioEncoding.Pcma, _pcm, _encoded);

    [Benchmark]
    public void DecodeALaw() => G711.Decode(AudioEncoding.Pcma, _encoded, _decoded);

    [Benchmark]
    public void TranscodeMuLawToALaw() => G711.Transcode(AudioEncoding.Pcmu, AudioEncoding.Pcma, _encoded, _transcoded);
}

/// <summary>RTP: build a 20 ms G.711 packet into a pooled buffer, parse one, and protect/unprotect it with SRTP.</summary>
[MemoryDiagnoser]
public class RtpPacketBenchmarks
{
    private readonly byte[] _payload = new byte[160];
    private readonly RtpPacketizer _packetizer = new(0x12345678, 1, 1);
    private readonly byte[] _reused = new byte[RtpPacketizer.MaxPacketLength + SrtpContext.MaxRtpOverhead];
    private byte[] _packet = [];
    private byte[] _srtpBuffer = [];
    private SrtpContext? _sender;
    private SrtpContext? _receiver;
    private RtpPacketizer _srtpPacketizer = new(0x1, 1, 1);

    [GlobalSetup]
    public void Setup()
    {
        Array.Fill(_payload, (byte)0x55);
        using var p = _packetizer.BuildMedia(0, _payload, 160);
        _packet = p.Memory.ToArray();
        var keys = SrtpKeys.Generate(SrtpSuite.AesCm128HmacSha1Tag80);
        _sender = new SrtpContext(keys);
        _receiver = new SrtpContext(keys);
        _srtpBuffer = new byte[_packet.Length + SrtpContext.MaxRtpOverhead];
        _srtpPacketizer = new RtpPacketizer(0x1, 1, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender?.Dispose();
        _receiver?.Dispose();
    }

    [Benchmark]
    public int BuildPooled()
    {
        using var packet = _packetizer.BuildMedia(0, _payload, 160);
        return packet.Length;
    }

    /// <summary>What a session does for each packet: the header and payload written into the session's own buffer.</summary>
    [Benchmark]
    public int BuildIntoReusedBuffer() => _packetizer.WriteMedia(_reused, 0, _payload, 160, marker: false);

    [Benchmark]
    public int Parse() => RtpPacket.TryParse(_packet, out var header, out _) ? header.PayloadLength : -1;

    [Benchmark]
    public int SrtpProtectAndUnprotect()
    {
        // A fresh sequence number each time so replay protection accepts it.
        using var packet = _srtpPacketizer.BuildMedia(0, _payload, 160);
        packet.Memory.Span.CopyTo(_srtpBuffer);
        var length = _sender!.ProtectRtp(_srtpBuffer, packet.Length);
        return _receiver!.UnprotectRtp(_srtpBuffer.AsSpan(0, length), out _);
    }
}

/// <summary>SDP: parse a typical carrier offer and answer it.</summary>
[MemoryDiagnoser]
public class SdpBenchmarks
{
    private const string Offer =
        "v=0\r\no=carrier 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";

    private readonly SdpSession _session = new(System.Net.IPAddress.Parse("198.51.100.1"), 20000);
    private SessionDescription _parsed = null!;

    [GlobalSetup]
    public void Setup() => _parsed = SessionDescription.Parse(Offer);

    [Benchmark]
    public SessionDescription Parse() => SessionDescription.Parse(Offer);

    [Benchmark]
    public SdpAnswerResult Answer() => _session.CreateAnswer(_parsed);
}
