using System.Buffers;
using System.Text;
using static ContactCenter.Sip.Tests.Message.TestMessages;

namespace ContactCenter.Sip.Tests.Message;

public sealed class WriterTests
{
    [Fact]
    public void Canonical_form_expands_compact_names_joins_folds_and_puts_content_length_last()
    {
        var message = ParseDatagram(
            "OPTIONS sip:a@b SIP/2.0\r\n" +
            "v: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
            "l: 2\r\n" +
            "Subject: one\r\n   two\r\n" +
            "i: abc\r\n" +
            "\r\n" +
            "hi");

        Assert.Equal(
            "OPTIONS sip:a@b SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
            "Subject: one two\r\n" +
            "Call-ID: abc\r\n" +
            "Content-Length: 2\r\n" +
            "\r\n" +
            "hi",
            message.ToString());
    }

    [Fact]
    public void Writes_into_any_buffer_writer()
    {
        var message = ParseDatagram(Invite);
        var writer = new ArrayBufferWriter<byte>(16);

        SipMessageWriter.Write(message, writer);

        Assert.Equal(Bytes(Invite), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Content_length_follows_the_body()
    {
        var message = ParseDatagram(Options);

        message.Body = Encoding.ASCII.GetBytes("new body");

        Assert.Contains("Content-Length: 8\r\n\r\nnew body", message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Request_built_through_the_api_parses_back()
    {
        var request = new SipRequest(SipMethod.Register, SipUri.Parse("sip:registrar.example.com"));
        request.Headers.Add(SipHeaderNames.Via, new SipVia("udp", "192.0.2.7", 5060, new SipParameters([new("branch", "z9hG4bKreg1"), new("rport", null)])).ToString());
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, new SipNameAddress(SipUri.Parse("sip:agent7@example.com"), "Agent 7").WithTag("a1").ToString());
        request.Headers.Add(SipHeaderNames.To, new SipNameAddress(SipUri.Parse("sip:agent7@example.com")).ToString());
        request.Headers.Add(SipHeaderNames.CallId, "reg-1@192.0.2.7");
        request.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(1, SipMethod.Register).ToString());
        request.Headers.Add(SipHeaderNames.Contact, "<sip:agent7@192.0.2.7:5060>;expires=3600");

        var parsed = Assert.IsType<SipRequest>(SipMessage.Parse(request.ToArray()));

        Assert.Equal(SipMethod.Register, parsed.Method);
        Assert.Equal("sip:registrar.example.com", parsed.RequestUri.ToString());
        Assert.Equal("z9hG4bKreg1", parsed.TopVia!.Branch);
        Assert.True(parsed.TopVia.HasRPort);
        Assert.Equal("Agent 7", parsed.From!.DisplayName);
        Assert.Equal("a1", parsed.From.Tag);
        Assert.Equal(3600, Assert.Single(parsed.Contact).Expires);
        Assert.Equal(0, parsed.ContentLength);
    }

    [Fact]
    public void Replaced_request_uri_is_written()
    {
        var request = (SipRequest)ParseDatagram(Options);

        request.RequestUri = SipUri.Parse("sip:bob@192.0.2.55:5070");

        Assert.StartsWith("OPTIONS sip:bob@192.0.2.55:5070 SIP/2.0\r\n", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Response_copies_via_from_to_call_id_and_cseq_and_adds_a_to_tag()
    {
        var request = (SipRequest)ParseDatagram(
            "INVITE sip:bob@biloxi.com SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2\r\n" +
            "Via: SIP/2.0/UDP client.example.com;branch=z9hG4bK1;received=192.0.2.1\r\n" +
            "Max-Forwards: 69\r\n" +
            "To: Bob <sip:bob@biloxi.com>\r\n" +
            "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n" +
            "Call-ID: a84b4c76e66710\r\n" +
            "CSeq: 314159 INVITE\r\n" +
            "Record-Route: <sip:proxy.example.com;lr>\r\n" +
            "Timestamp: 54\r\n" +
            "Contact: <sip:alice@client.example.com>\r\n" +
            "Content-Length: 0\r\n\r\n");

        var ringing = request.CreateResponse(180, toTag: "bobtag");
        var trying = request.CreateResponse(100);
        var busy = request.CreateResponse(486);

        Assert.Equal("Ringing", ringing.ReasonPhrase);
        Assert.Equal(["proxy.example.com", "client.example.com"], ringing.Via.Select(v => v.Host));
        Assert.Equal("192.0.2.1", ringing.Via[1].Received);
        Assert.Equal("1928301774", ringing.From!.Tag);
        Assert.Equal("bobtag", ringing.To!.Tag);
        Assert.Equal("Bob", ringing.To.DisplayName);
        Assert.Equal("a84b4c76e66710", ringing.CallId);
        Assert.Equal(new SipCSeq(314159, SipMethod.Invite), ringing.CSeq);
        Assert.Single(ringing.RecordRoute);
        Assert.Null(ringing.Headers["Timestamp"]);
        Assert.Null(ringing.MaxForwards);
        Assert.Empty(ringing.Contact);

        Assert.Null(trying.To!.Tag);
        Assert.Equal("54", trying.Headers["Timestamp"]);
        Assert.Empty(trying.RecordRoute);

        Assert.Matches("^[0-9a-f]{16}$", busy.To!.Tag!);
        Assert.NotEqual(busy.To.Tag, request.CreateResponse(486).To!.Tag);
        Assert.Empty(busy.RecordRoute);
    }

    [Fact]
    public void Response_keeps_an_existing_to_tag()
    {
        var request = (SipRequest)ParseDatagram(
            "BYE sip:bob@biloxi.com SIP/2.0\r\nTo: <sip:bob@biloxi.com>;tag=existing\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");

        var ok = request.CreateResponse(200, toTag: "other");

        Assert.Equal("existing", ok.To!.Tag);
        Assert.Equal("SIP/2.0 200 OK\r\nTo: <sip:bob@biloxi.com>;tag=existing\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n", ok.ToString());
    }

    [Fact]
    public void Response_status_and_reason_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipResponse(99));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipResponse(700));
        Assert.Throws<ArgumentException>(() => new SipResponse(200, "OK\r\nX: y"));
        Assert.Equal("Custom", new SipResponse(299, "Custom").ReasonPhrase);
        Assert.Equal("Unknown", new SipResponse(299).ReasonPhrase);
    }
}
