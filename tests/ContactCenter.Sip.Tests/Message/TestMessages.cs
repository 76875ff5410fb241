using System.Text;

namespace ContactCenter.Sip.Tests.Message;

/// <summary>Messages and helpers shared by the message-layer tests.</summary>
internal static class TestMessages
{
    public const string Sdp =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
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

    /// <summary>A typical INVITE from a trunk with an SDP offer (about 900 bytes).</summary>
    public static readonly string Invite =
        "INVITE sip:+14155550100@pbx.example.com:5060;transport=udp SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:+14155550100@pbx.example.com>\r\n" +
        "From: \"Alice Caller\" <sip:+14155550123@carrier.example.net>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:+14155550123@192.0.2.10:5060>\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, REFER, NOTIFY\r\n" +
        "Supported: 100rel, timer, replaces\r\n" +
        "Session-Expires: 1800;refresher=uac\r\n" +
        "User-Agent: CarrierGW/4.2\r\n" +
        "P-Asserted-Identity: <sip:+14155550123@carrier.example.net>\r\n" +
        "X-Account: 42\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: " + Encoding.ASCII.GetByteCount(Sdp) + "\r\n" +
        "\r\n" +
        Sdp;

    public const string Ok =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r\n" +
        "To: <sip:+14155550100@pbx.example.com>;tag=a6c85cf\r\n" +
        "From: \"Alice Caller\" <sip:+14155550123@carrier.example.net>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:agent@192.0.2.20:5060>\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    public const string Options =
        "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:bob@example.com>\r\n" +
        "From: <sip:alice@example.com>;tag=9fxced76sl\r\n" +
        "Call-ID: 3848276298220188511@client.example.com\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static SipMessage ParseDatagram(string text, SipParserOptions? options = null)
    {
        var parser = new SipMessageParser(options);
        Assert.True(parser.TryParseDatagram(Bytes(text), out var message, out var error), error?.Message);
        return message;
    }

    public static SipParseError ParseError(string text, SipParserOptions? options = null)
    {
        var parser = new SipMessageParser(options);
        Assert.False(parser.TryParseDatagram(Bytes(text), out _, out var error));
        Assert.NotNull(error);
        return error;
    }

    /// <summary>The repository root: the folder holding ContactCenter.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot() => ContactCenter.Testing.RepositoryPaths.Root;

    public static string CorpusDirectory() =>
        Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "conformance", "rfc4475"));
}
