using static ContactCenter.Sip.Tests.Message.TestMessages;

namespace ContactCenter.Sip.Tests.Message;

public sealed class HeaderIndexingTests
{
    [Theory]
    [InlineData("i", "Call-ID", "abc@host")]
    [InlineData("m", "Contact", "<sip:a@b>")]
    [InlineData("e", "Content-Encoding", "gzip")]
    [InlineData("l", "Content-Length", "0")]
    [InlineData("c", "Content-Type", "application/sdp")]
    [InlineData("f", "From", "<sip:a@b>;tag=1")]
    [InlineData("s", "Subject", "hello")]
    [InlineData("k", "Supported", "100rel")]
    [InlineData("t", "To", "<sip:a@b>")]
    [InlineData("v", "Via", "SIP/2.0/UDP h;branch=z9hG4bK1")]
    [InlineData("o", "Event", "refer")]
    [InlineData("u", "Allow-Events", "dialog")]
    [InlineData("r", "Refer-To", "<sip:c@d>")]
    [InlineData("b", "Referred-By", "<sip:a@b>")]
    [InlineData("x", "Session-Expires", "1800")]
    [InlineData("y", "Identity", "abc")]
    [InlineData("a", "Accept-Contact", "*;audio")]
    public void Compact_form_maps_to_the_full_name(string compact, string full, string value)
    {
        foreach (var written in new[] { compact, compact.ToUpperInvariant() })
        {
            var message = ParseDatagram($"OPTIONS sip:a@b SIP/2.0\r\n{written}: {value}\r\n\r\n");

            Assert.Equal(full, message.Headers[0].Name);
            Assert.Equal(value, message.Headers[full]);
            Assert.Equal(value, message.Headers[full.ToLowerInvariant()]);
            Assert.Equal(value, message.Headers[compact]);
            Assert.Contains($"{full}: {value}\r\n", message.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_known_names_get_canonical_case()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nmAx-FoRwArDs: 0068\r\nx-cUsToM: 1\r\n\r\n");

        Assert.Equal("Max-Forwards", message.Headers[0].Name);
        Assert.Equal(68, message.MaxForwards);
        Assert.Equal("x-cUsToM", message.Headers[1].Name);
        Assert.Equal("1", message.Headers["X-Custom"]);
    }

    [Fact]
    public void Folded_lines_are_one_value_joined_by_a_space()
    {
        var message = ParseDatagram(
            "OPTIONS sip:a@b SIP/2.0\r\n" +
            "Subject: first\r\n" +
            "   second\r\n" +
            "\tthird\r\n" +
            "cseq: 0009\r\n  OPTIONS\r\n" +
            "To :\r\n sip:a@b ;   tag    = 1918181833n\r\n" +
            "\r\n");

        Assert.Equal("first second third", message.Headers["Subject"]);
        Assert.Equal(new SipCSeq(9, SipMethod.Options), message.CSeq);
        Assert.Equal("1918181833n", message.To!.Tag);
        Assert.Equal(3, message.Headers.Count);
    }

    [Fact]
    public void Duplicate_headers_are_kept_in_order()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nX-A: 1\r\nX-B: 2\r\nx-a: 3\r\n\r\n");

        Assert.Equal(["1", "3"], message.Headers.GetValues("X-A"));
        Assert.Equal(["X-A", "X-B", "x-a"], message.Headers.Select(h => h.Name));
    }

    [Fact]
    public void Comma_separated_values_and_repeated_lines_form_one_list()
    {
        var message = ParseDatagram(
            "OPTIONS sip:a@b SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/TCP h2:5070;branch=z9hG4bK2\r\n" +
            "v: SIP/2.0/TLS h3;branch=z9hG4bK3\r\n" +
            "Supported: 100rel,timer\r\n" +
            "k: replaces\r\n" +
            "Contact: \"A, B\" <sip:a@b>, <sip:c@d;x=1>;q=0.5\r\n" +
            "\r\n");

        Assert.Equal(["h1", "h2", "h3"], message.Via.Select(v => v.Host));
        Assert.Equal(["100rel", "timer", "replaces"], message.Supported);
        Assert.Equal(2, message.Contact.Count);
        Assert.Equal("A, B", message.Contact[0].DisplayName);
    }

    [Fact]
    public void Value_keeps_utf8_and_loses_surrounding_white_space()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nSubject:    Café ☕   \r\nX-Empty:\r\n\r\n");

        Assert.Equal("Café ☕", message.Headers["Subject"]);
        Assert.Equal(string.Empty, message.Headers["X-Empty"]);
    }

    [Fact]
    public void Missing_header_reads_as_null()
    {
        var message = ParseDatagram(Options);

        Assert.Null(message.Headers["Subject"]);
        Assert.False(message.Headers.Contains("Subject"));
        Assert.Empty(message.Headers.GetValues("Subject"));
    }

    [Fact]
    public void Headers_can_be_added_inserted_set_and_removed()
    {
        var message = ParseDatagram(Options);
        var count = message.Headers.Count;

        message.Headers.Insert(0, "v", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew");
        message.Headers.Add("X-Queue", "sales");
        message.Headers.Set("Max-Forwards", "69");
        var removed = message.Headers.Remove("x-queue");

        Assert.Equal(1, removed);
        Assert.Equal(count + 1, message.Headers.Count);
        Assert.Equal("Via", message.Headers[0].Name);
        Assert.Equal(["proxy.example.com", "client.example.com"], message.Via.Select(v => v.Host));
        Assert.Equal(69, message.MaxForwards);
    }

    [Fact]
    public void Typed_values_follow_header_changes()
    {
        var message = ParseDatagram(Options);
        Assert.Equal("3848276298220188511@client.example.com", message.CallId);

        message.Headers.Set("i", "new-call-id");

        Assert.Equal("new-call-id", message.CallId);
    }

    [Fact]
    public void Typed_values_follow_every_change_and_lists_merge_their_lines()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 70\r\nSupported: timer\r\nSupported: 100rel, replaces\r\n\r\n");
        var before = message.Supported;
        Assert.Equal(["timer", "100rel", "replaces"], before);
        Assert.Equal(70, message.MaxForwards);
        Assert.Null(message.Expires);

        message.Headers.Set("Max-Forwards", "69");
        message.Headers.Set("Supported", "path");
        message.Headers.Add("Expires", "30");

        Assert.Equal(69, message.MaxForwards);
        Assert.Equal(["path"], message.Supported);
        Assert.Equal(30u, message.Expires);
        Assert.Equal(["timer", "100rel", "replaces"], before);

        message.Headers.Remove("Expires");

        Assert.Null(message.Expires);
        Assert.Equal(69, message.MaxForwards);
    }

    [Fact]
    public void Set_replaces_every_duplicate_with_one_line()
    {
        var message = ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\nX-A: 1\r\nX-B: 2\r\nX-A: 3\r\n\r\n");

        message.Headers.Set("X-A", "9");

        Assert.Equal(["X-A: 9", "X-B: 2"], message.Headers.Select(h => $"{h.Name}: {h.Value}"));
    }

    [Fact]
    public void Adding_a_header_refuses_line_breaks_and_non_token_names()
    {
        var headers = new SipHeaders();

        Assert.Throws<ArgumentException>(() => headers.Add("X-A", "1\r\nVia: injected"));
        Assert.Throws<ArgumentException>(() => headers.Add("X A", "1"));
        Assert.Throws<ArgumentException>(() => headers.Add("X:A", "1"));
        Assert.Empty(headers);
    }

    [Fact]
    public void Extension_headers_are_the_attached_data()
    {
        var message = ParseDatagram(Invite);

        var data = Assert.Single(message.ExtensionHeaders);
        Assert.Equal(new SipHeader("X-Account", "42"), data);
    }
}
