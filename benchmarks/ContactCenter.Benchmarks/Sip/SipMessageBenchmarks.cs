using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using ContactCenter.Sip;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Benchmarks.Sip;

/// <summary>
/// The SIP message layer: parse a typical trunk INVITE with SDP (about 900 bytes) from one segment and from two,
/// parse a 200 OK, frame and index without building a message (the zero-allocation path), serialize a response.
/// </summary>
[MemoryDiagnoser]
public class SipMessageBenchmarks
{
    private const string Sdp =
        "v=0\r\n" +
        "o=carrier 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=ptime:20\r\n" +
        "a=sendrecv\r\n";

    private static readonly string Invite =
        "INVITE sip:+14155550100@pbx.example.com:5060;transport=udp SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:+14155550100@pbx.example.com>\r\n" +
        "From: \"Alice Caller\" <sip:+14155550123@carrier.example.net>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:+14155550123@192.0.2.10:5060>\r\n" +
        "Record-Route: <sip:sbc1.carrier.example.net;lr>\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, REFER, NOTIFY\r\n" +
        "Supported: 100rel, timer, replaces\r\n" +
        "Session-Expires: 1800;refresher=uac\r\n" +
        "Min-SE: 90\r\n" +
        "User-Agent: CarrierGW/4.2\r\n" +
        "P-Asserted-Identity: \"Alice Caller\" <sip:+14155550123@carrier.example.net>\r\n" +
        "X-Account: 42\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: " + Encoding.ASCII.GetByteCount(Sdp) + "\r\n" +
        "\r\n" +
        Sdp;

    private const string Ok =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r\n" +
        "To: <sip:+14155550100@pbx.example.com>;tag=a6c85cf\r\n" +
        "From: \"Alice Caller\" <sip:+14155550123@carrier.example.net>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:agent@192.0.2.20:5060>\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    private readonly SipMessageParser _parser = new();
    private readonly HeaderEntry[] _entries = new HeaderEntry[128];
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private byte[] _invite = [];
    private ReadOnlySequence<byte> _inviteOneSegment;
    private ReadOnlySequence<byte> _inviteTwoSegments;
    private ReadOnlySequence<byte> _ok;
    private SipResponse _response = null!;

    /// <summary>Prepares the inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _invite = Encoding.ASCII.GetBytes(Invite);
        _inviteOneSegment = new ReadOnlySequence<byte>(_invite);
        _inviteTwoSegments = TwoSegments(_invite, _invite.Length / 2);
        _ok = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Ok));
        var request = (SipRequest)SipMessage.Parse(_invite);
        _response = request.CreateResponse(200, toTag: "a6c85cf");
        _response.Headers.Add(SipHeaderNames.Contact, "<sip:agent@192.0.2.20:5060>");
        _response.Body = Encoding.ASCII.GetBytes(Sdp);
        if (_invite.Length is < 850 or > 1000)
        {
            throw new InvalidOperationException($"the INVITE is {_invite.Length} bytes, not about 900");
        }
    }

    /// <summary>Framing and header indexing only (no message built, no header checks): must allocate nothing.</summary>
    [Benchmark]
    public int FrameAndIndexInvite() => _parser.FrameOnly(_invite, _entries, validate: false);

    /// <summary>Framing, indexing and the grammar checks of the core headers: still nothing allocated.</summary>
    [Benchmark]
    public int FrameIndexAndValidateInvite() => _parser.FrameOnly(_invite, _entries, validate: true);

    /// <summary>A full parse of the INVITE from one segment (the message owns a copy of its bytes).</summary>
    [Benchmark(Baseline = true)]
    public SipMessage? ParseInviteOneSegment()
    {
        var buffer = _inviteOneSegment;
        return _parser.TryParse(ref buffer, out var message, out _) ? message : null;
    }

    /// <summary>A full parse of the INVITE split in two segments (the rare, slower path).</summary>
    [Benchmark]
    public SipMessage? ParseInviteTwoSegments()
    {
        var buffer = _inviteTwoSegments;
        return _parser.TryParse(ref buffer, out var message, out _) ? message : null;
    }

    /// <summary>A full parse of the INVITE, then reading what a transaction layer reads (top Via, From, To, Call-ID, CSeq).</summary>
    [Benchmark]
    public object? ParseInviteAndReadTransactionKeys()
    {
        var buffer = _inviteOneSegment;
        if (!_parser.TryParse(ref buffer, out var message, out _))
        {
            return null;
        }

        return (message.TopVia!.Branch, message.From!.Tag, message.To!.Tag, message.CallId, message.CSeq!.Sequence);
    }

    /// <summary>
    /// A parsed INVITE changed and read in turns, as a stack does while it handles one: a header set, then typed headers
    /// read (top Via, Max-Forwards, Supported, Require, Expires), three times over.
    /// </summary>
    [Benchmark]
    public object? ParseInviteChangeAndReadHeaders()
    {
        var buffer = _inviteOneSegment;
        if (!_parser.TryParse(ref buffer, out var message, out _))
        {
            return null;
        }

        var read = 0;
        for (var i = 0; i < 3; i++)
        {
            message.Headers.Set("Max-Forwards", MaxForwardsValues[i]);
            read += message.TopVia!.Port ?? 0;
            read += message.MaxForwards ?? 0;
            read += message.Supported.Count + message.Require.Count;
            read += (int)(message.Expires ?? 0);
        }

        return read;
    }

    private static readonly string[] MaxForwardsValues = ["69", "68", "67"];

    /// <summary>A full parse of a 200 OK.</summary>
    [Benchmark]
    public SipMessage? Parse200Ok()
    {
        var buffer = _ok;
        return _parser.TryParse(ref buffer, out var message, out _) ? message : null;
    }

    /// <summary>Serializes a 200 OK with SDP into a reused buffer writer.</summary>
    [Benchmark]
    public int SerializeResponse()
    {
        _output.ResetWrittenCount();
        SipMessageWriter.Write(_response, _output);
        return _output.WrittenCount;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = new Segment(bytes.AsMemory(split), split);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
