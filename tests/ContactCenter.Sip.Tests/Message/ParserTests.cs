using System.Buffers;
using System.Text;
using static ContactCenter.Sip.Tests.Message.TestMessages;

namespace ContactCenter.Sip.Tests.Message;

public sealed class ParserTests
{
    [Fact]
    public void Request_line_gives_method_and_request_uri()
    {
        var request = Assert.IsType<SipRequest>(ParseDatagram(Invite));

        Assert.Equal(SipMethod.Invite, request.Method);
        Assert.Same(SipMethod.Invite, request.Method);
        var uri = Assert.IsType<SipUri>(request.RequestUri);
        Assert.Equal("+14155550100", uri.User);
        Assert.Equal("pbx.example.com", uri.Host);
        Assert.Equal(5060, uri.Port);
        Assert.Equal("udp", uri.Transport);
        Assert.Equal(15, request.Headers.Count);
        Assert.Equal(Encoding.ASCII.GetByteCount(Sdp), request.Body.Length);
        Assert.Equal(Sdp, Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void Status_line_gives_code_and_reason_phrase()
    {
        var response = Assert.IsType<SipResponse>(ParseDatagram(Ok));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OK", response.ReasonPhrase);
        Assert.True(response.IsSuccess);
        Assert.False(response.IsRequest);
    }

    [Fact]
    public void Empty_and_utf8_reason_phrases_are_kept()
    {
        var empty = Assert.IsType<SipResponse>(ParseDatagram("SIP/2.0 100 \r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n"));
        var utf8 = Assert.IsType<SipResponse>(ParseDatagram("SIP/2.0 486 Occupé là\r\nContent-Length: 0\r\n\r\n"));

        Assert.Equal(string.Empty, empty.ReasonPhrase);
        Assert.Equal("Occupé là", utf8.ReasonPhrase);
    }

    [Fact]
    public void Unknown_method_is_kept_case_sensitive()
    {
        var request = Assert.IsType<SipRequest>(ParseDatagram("FOO-bar sip:a@b SIP/2.0\r\nCSeq: 1 FOO-bar\r\nContent-Length: 0\r\n\r\n"));

        Assert.Equal("FOO-bar", request.Method.Name);
        Assert.NotEqual(SipMethod.Get("FOO-BAR"), request.Method);
    }

    [Fact]
    public void Stream_parses_consecutive_messages_and_advances_the_buffer()
    {
        var parser = new SipMessageParser();
        var buffer = new ReadOnlySequence<byte>(Bytes(Options + Ok));

        Assert.True(parser.TryParse(ref buffer, out var first, out var error1));
        Assert.True(parser.TryParse(ref buffer, out var second, out var error2));
        Assert.False(parser.TryParse(ref buffer, out var third, out var error3));

        Assert.IsType<SipRequest>(first);
        Assert.IsType<SipResponse>(second);
        Assert.Null(third);
        Assert.Null(error1 ?? error2 ?? error3);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Stream_consumes_crlf_keep_alives_before_and_between_messages()
    {
        var parser = new SipMessageParser();
        var buffer = new ReadOnlySequence<byte>(Bytes("\r\n\r\n" + Options + "\r\n\r\n\r\n" + Options + "\r\n"));

        Assert.True(parser.TryParse(ref buffer, out _, out _));
        Assert.True(parser.TryParse(ref buffer, out _, out _));
        Assert.False(parser.TryParse(ref buffer, out var message, out var error));

        Assert.Null(message);
        Assert.Null(error);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Stream_with_incomplete_headers_needs_more_data_and_keeps_the_message_start()
    {
        var parser = new SipMessageParser();
        var partial = Bytes("\r\n" + Options[..60]);
        var buffer = new ReadOnlySequence<byte>(partial);

        Assert.False(parser.TryParse(ref buffer, out var message, out var error));

        Assert.Null(message);
        Assert.Null(error);
        Assert.Equal(partial.Length - 2, buffer.Length);
    }

    [Fact]
    public void Stream_with_incomplete_body_needs_more_data()
    {
        var parser = new SipMessageParser();
        var bytes = Bytes(Invite);
        var buffer = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Null(error);
        Assert.Equal(bytes.Length - 1, buffer.Length);
    }

    [Fact]
    public void Stream_message_without_content_length_is_rejected()
    {
        var parser = new SipMessageParser();
        var buffer = new ReadOnlySequence<byte>(Bytes("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n"));

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Equal(SipParseErrorKind.MissingContentLength, error!.Kind);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Stream_message_with_conflicting_content_lengths_is_rejected()
    {
        var parser = new SipMessageParser();
        var buffer = new ReadOnlySequence<byte>(Bytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2\r\nl: 3\r\n\r\nabc"));

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Equal(SipParseErrorKind.InvalidContentLength, error!.Kind);
        Assert.Equal(3, error.Line);
        Assert.Equal("Content-Length", error.HeaderName);
    }

    [Fact]
    public void Stream_message_split_at_every_offset_parses_the_same()
    {
        var parser = new SipMessageParser();
        var bytes = Bytes(Invite);
        for (var split = 1; split < bytes.Length; split++)
        {
            var buffer = Segments.Split(bytes, split);

            Assert.True(parser.TryParse(ref buffer, out var message, out var error), $"split at {split}: {error?.Message}");
            Assert.Equal(bytes, message.ToArray());
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void Stream_message_in_one_byte_segments_parses()
    {
        var parser = new SipMessageParser();
        var bytes = Bytes(Invite + Ok);
        var buffer = Segments.OneBytePerSegment(bytes);

        Assert.True(parser.TryParse(ref buffer, out var invite, out _));
        Assert.True(parser.TryParse(ref buffer, out var ok, out _));

        Assert.Equal(SipMethod.Invite, ((SipRequest)invite).Method);
        Assert.Equal(200, ((SipResponse)ok).StatusCode);
    }

    [Fact]
    public void Stream_message_larger_than_a_first_copy_spanning_segments_parses_then_the_next_one()
    {
        var parser = new SipMessageParser();
        var body = new string('x', 10_000);
        var bytes = Bytes($"MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nContent-Length: {body.Length}\r\n\r\n{body}" + Options);
        var buffer = Segments.Split(bytes, 30, 5_000, 9_000);

        Assert.True(parser.TryParse(ref buffer, out var large, out _));
        Assert.True(parser.TryParse(ref buffer, out var next, out _));

        Assert.Equal(body.Length, large.Body.Length);
        Assert.Equal(SipMethod.Options, ((SipRequest)next).Method);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Datagram_without_content_length_takes_the_rest_as_body()
    {
        var message = ParseDatagram("MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\nhello");

        Assert.Equal("hello", Encoding.ASCII.GetString(message.Body.Span));
        Assert.Null(message.ContentLength);
    }

    [Fact]
    public void Datagram_ignores_octets_after_content_length()
    {
        var message = ParseDatagram("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nhello");

        Assert.Equal("he", Encoding.ASCII.GetString(message.Body.Span));
    }

    [Fact]
    public void Datagram_with_a_body_shorter_than_content_length_is_incomplete()
    {
        var error = ParseError("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 20\r\n\r\nhello");

        Assert.Equal(SipParseErrorKind.IncompleteMessage, error.Kind);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Datagram_without_the_empty_line_is_incomplete()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n");

        Assert.Equal(SipParseErrorKind.IncompleteMessage, error.Kind);
    }

    [Fact]
    public void Keep_alive_datagram_is_neither_message_nor_error()
    {
        var parser = new SipMessageParser();

        Assert.False(parser.TryParseDatagram("\r\n\r\n"u8, out var message, out var error));

        Assert.Null(message);
        Assert.Null(error);
    }

    [Fact]
    public void Lines_ending_with_lf_only_are_accepted()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\nCall-ID: abc\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nhi");

        Assert.Equal("abc", message.CallId);
        Assert.Equal("hi", Encoding.ASCII.GetString(message.Body.Span));
    }

    [Fact]
    public void Message_larger_than_the_limit_is_rejected_with_513()
    {
        var options = new SipParserOptions { MaxMessageSize = 200 };
        var error = ParseError(Invite, options);

        Assert.Equal(SipParseErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal(513, error.StatusCode);
    }

    [Fact]
    public void Stream_headers_beyond_the_message_limit_are_rejected_without_waiting()
    {
        var parser = new SipMessageParser(new SipParserOptions { MaxMessageSize = 100 });
        var buffer = new ReadOnlySequence<byte>(Bytes("OPTIONS sip:a@b SIP/2.0\r\n" + string.Concat(Enumerable.Repeat("X-Pad: 0123456789\r\n", 10))));

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Equal(SipParseErrorKind.MessageTooLarge, error!.Kind);
    }

    [Fact]
    public void Stream_body_beyond_the_body_limit_is_rejected_as_soon_as_content_length_is_read()
    {
        var parser = new SipMessageParser(new SipParserOptions { MaxBodySize = 100 });
        var buffer = new ReadOnlySequence<byte>(Bytes("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 101\r\n\r\n"));

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Equal(SipParseErrorKind.BodyTooLarge, error!.Kind);
        Assert.Equal(413, error.StatusCode);
    }

    [Fact]
    public void Absurd_content_length_is_body_too_large()
    {
        var error = ParseError("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n");

        Assert.Equal(SipParseErrorKind.BodyTooLarge, error.Kind);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Too_many_headers_are_rejected_naming_the_line()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\n" + string.Concat(Enumerable.Repeat("X-A: 1\r\n", 5)) + "\r\n", new SipParserOptions { MaxHeaderCount = 4 });

        Assert.Equal(SipParseErrorKind.TooManyHeaders, error.Kind);
        Assert.Equal(6, error.Line);
        Assert.Equal(513, error.StatusCode);
    }

    [Fact]
    public void Too_long_line_is_rejected_naming_the_line()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nSubject: " + new string('a', 100) + "\r\n\r\n", new SipParserOptions { MaxLineLength = 50 });

        Assert.Equal(SipParseErrorKind.LineTooLong, error.Kind);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Stream_line_longer_than_the_limit_is_rejected_before_it_ends()
    {
        var parser = new SipMessageParser(new SipParserOptions { MaxLineLength = 50 });
        var buffer = new ReadOnlySequence<byte>(Bytes("OPTIONS sip:a@b SIP/2.0\r\nSubject: " + new string('a', 100)));

        Assert.False(parser.TryParse(ref buffer, out _, out var error));

        Assert.Equal(SipParseErrorKind.LineTooLong, error!.Kind);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Options_with_a_non_positive_limit_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipMessageParser(new SipParserOptions { MaxHeaderCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipMessageParser(new SipParserOptions { MaxMessageSize = -1 }));
    }

    [Fact]
    public void Header_line_without_colon_names_the_header_and_line()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nFoobar roobar\r\n\r\n");

        Assert.Equal(SipParseErrorKind.InvalidHeaderLine, error.Kind);
        Assert.Equal(3, error.Line);
        Assert.Equal("Foobar", error.HeaderName);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_line_starting_with_a_separator_is_rejected()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\n: value\r\n\r\n");

        Assert.Equal(SipParseErrorKind.InvalidHeaderLine, error.Kind);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Start_line_cannot_be_folded()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\n continued\r\n\r\n");

        Assert.Equal(SipParseErrorKind.InvalidHeaderLine, error.Kind);
    }

    [Fact]
    public void Cr_without_lf_is_rejected()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\rX: y\r\n\r\n");

        Assert.Equal(SipParseErrorKind.InvalidHeaderLine, error.Kind);
    }

    [Theory]
    [InlineData("OPTIONS sip:a@b SIP/3.0", SipParseErrorKind.UnsupportedVersion, 505)]
    [InlineData("SIP/1.0 200 OK", SipParseErrorKind.UnsupportedVersion, 505)]
    [InlineData("OPTIONS sip:a@b HTTP/1.1", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPTIONS sip:a@b", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPT(IONS sip:a@b SIP/2.0", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPTIONS  sip:a@b SIP/2.0", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPTIONS sip:a@b SIP/2.0 ", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPTIONS sip:a@b; lr SIP/2.0", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("OPTIONS <sip:a@b> SIP/2.0", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("SIP/2.0 2000 OK", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("SIP/2.0 099 Odd", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("SIP/2.0 700 Odd", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("SIP/2.0 OK", SipParseErrorKind.InvalidStartLine, 400)]
    [InlineData("hello", SipParseErrorKind.InvalidStartLine, 400)]
    public void Malformed_start_line_is_rejected_with_its_status_code(string startLine, SipParseErrorKind kind, int status)
    {
        var error = ParseError(startLine + "\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Rejected_response_is_flagged_to_be_dropped()
    {
        var error = ParseError("SIP/2.0 200 OK\r\nCSeq: 99999999999 INVITE\r\nContent-Length: 0\r\n\r\n");

        Assert.True(error.IsResponse);
        Assert.Equal("CSeq", error.HeaderName);
    }

    [Fact]
    public void Cseq_method_must_match_the_request_method()
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 8 INVITE\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(SipParseErrorKind.MethodMismatch, error.Kind);
        Assert.Contains("'INVITE'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'OPTIONS'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Via: SIP/2.0/UDP host;;branch=1", "Via")]
    [InlineData("Via: SIP/2.0/UDP host;branch=1,,SIP/2.0/UDP h2", "Via")]
    [InlineData("Via: SIP/3.0/UDP host", "Via")]
    [InlineData("Via: SIP/2.0/UDP", "Via")]
    [InlineData("Via: SIP/2.0/UDP host:99999", "Via")]
    [InlineData("To: \"unterminated <sip:a@b>", "To")]
    [InlineData("To: < sip:a@b>", "To")]
    [InlineData("From: Bell, Alexander <sip:a@b>", "From")]
    [InlineData("From: <sip:a@b>;tag=1, <sip:c@d>", "From")]
    [InlineData("Contact: sip:a@b?Route=x", "Contact")]
    [InlineData("Contact: *, <sip:a@b>", "Contact")]
    [InlineData("Contact: <sip:a@b>;;", "Contact")]
    [InlineData("Route: sip:proxy.example.com", "Route")]
    [InlineData("Record-Route: <sip:p1>, ", "Record-Route")]
    [InlineData("Call-ID: two words", "Call-ID")]
    [InlineData("Call-ID: ", "Call-ID")]
    [InlineData("CSeq: OPTIONS", "CSeq")]
    [InlineData("CSeq: 4294967296 OPTIONS", "CSeq")]
    [InlineData("Max-Forwards: 256", "Max-Forwards")]
    [InlineData("Max-Forwards: -1", "Max-Forwards")]
    [InlineData("Content-Length: 1x", "Content-Length")]
    public void Malformed_core_header_is_rejected_naming_the_header_and_line(string header, string name)
    {
        var error = ParseError("OPTIONS sip:a@b SIP/2.0\r\nX-First: 1\r\n" + header + "\r\n\r\n");

        Assert.Equal(name, error.HeaderName);
        Assert.Equal(3, error.Line);
        Assert.Equal(400, error.StatusCode);
        Assert.StartsWith(name, error.Message.Replace("line 3: ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_validation_a_malformed_header_surfaces_when_it_is_read()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nX-First: 1\r\nTo: < sip:a@b>\r\n\r\n", new SipParserOptions { ValidateHeaders = false });

        var ex = Assert.Throws<SipHeaderFormatException>(() => message.To);

        Assert.Equal("To", ex.HeaderName);
        Assert.Equal(3, ex.Line);
        Assert.Contains("To header (line 3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_convenience_throws_a_parse_exception_carrying_the_error()
    {
        var ex = Assert.Throws<SipParseException>(() => SipMessage.Parse("OPTIONS sip:a@b SIP/7.0\r\n\r\n"));

        Assert.Equal(505, ex.Error.StatusCode);
    }
}
