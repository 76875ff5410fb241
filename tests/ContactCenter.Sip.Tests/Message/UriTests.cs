namespace ContactCenter.Sip.Tests.Message;

public sealed class UriTests
{
    [Fact]
    public void Sip_uri_gives_every_part()
    {
        var uri = SipUri.Parse("sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr;maddr=239.255.255.1;ttl=15;method=INVITE;user=phone?Subject=hi%20there&Priority=urgent");

        Assert.True(uri.IsSecure);
        Assert.Equal("sips", uri.Scheme);
        Assert.Equal("alice", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("[2001:db8::1]", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tls", uri.Transport);
        Assert.True(uri.IsLooseRouter);
        Assert.Equal("239.255.255.1", uri.Maddr);
        Assert.Equal(15, uri.Ttl);
        Assert.Equal("INVITE", uri.Method);
        Assert.Equal("phone", uri.UserParameter);
        Assert.Equal("hi there", uri.Headers["Subject"]);
        Assert.Equal("urgent", uri.Headers["Priority"]);
    }

    [Fact]
    public void Host_only_uri_has_no_user_nor_port()
    {
        var uri = SipUri.Parse("sip:192.0.2.4");

        Assert.Null(uri.User);
        Assert.Null(uri.Port);
        Assert.Equal("sip:192.0.2.4", uri.ToString());
    }

    [Fact]
    public void User_part_may_hold_semicolons_and_other_user_unreserved_characters()
    {
        var uri = SipUri.Parse("sip:user;par=u%40example.net@example.com");

        Assert.Equal("user;par=u@example.net", uri.User);
        Assert.Equal("example.com", uri.Host);
        Assert.Empty(uri.Parameters);
    }

    [Theory]
    [InlineData("sip:%61lice@atlanta.com", "alice")]
    [InlineData("sip:I%20have%20spaces@example.net", "I have spaces")]
    [InlineData("sip:null-%00-null@example.com", "null-\0-null")]
    [InlineData("sip:sips%3Auser%40example.com@example.net", "sips:user@example.com")]
    [InlineData("sip:%E2%98%95@example.com", "☕")]
    public void User_part_is_unescaped(string text, string user)
    {
        Assert.Equal(user, SipUri.Parse(text).User);
    }

    [Fact]
    public void Parameters_and_headers_are_unescaped()
    {
        var uri = SipUri.Parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31?h%65ader=a%3Cb%3E");

        Assert.True(uri.IsLooseRouter);
        Assert.Equal("value%41", uri.Parameters["name"]);
        Assert.Equal("a<b>", uri.Headers["header"]);
    }

    [Fact]
    public void Writing_escapes_what_each_part_cannot_hold()
    {
        var uri = new SipUri("example.com")
        {
            User = "a b@c:d",
            Password = "p@ss;word",
            Parameters = new SipParameters([new SipParameter("x", "1 2"), new SipParameter("lr", null)]),
            Headers = new SipParameters([new SipParameter("Subject", "a&b=c")]),
        };

        Assert.Equal("sip:a%20b%40c%3Ad:p%40ss%3Bword@example.com;x=1%202;lr?Subject=a%26b%3Dc", uri.ToString());
        Assert.Equal(uri, SipUri.Parse(uri.ToString()));
        Assert.Equal("a b@c:d", SipUri.Parse(uri.ToString()).User);
    }

    [Fact]
    public void Unreserved_escapes_are_written_plain()
    {
        Assert.Equal("sip:caller@example.com", SipUri.Parse("sip:c%61ller@example.com").ToString());
    }

    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    [InlineData("SIP:alice@atlanta.com", "sip:alice@atlanta.com")]
    public void Rfc3261_equivalent_uris_are_equal(string a, string b)
    {
        var x = SipUri.Parse(a);
        var y = SipUri.Parse(b);

        Assert.Equal(x, y);
        Assert.True(x == y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
    }

    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    [InlineData("sip:a%3Bb@h.com", "sip:a;b@h.com")]
    [InlineData("sip:alice:pw@h.com", "sip:alice@h.com")]
    [InlineData("sip:h.com;maddr=1.2.3.4", "sip:h.com")]
    [InlineData("sip:h.com;user=phone", "sip:h.com")]
    [InlineData("sip:h.com;ttl=1", "sip:h.com")]
    [InlineData("sip:h.com;method=INVITE", "sip:h.com")]
    public void Rfc3261_different_uris_are_not_equal(string a, string b)
    {
        Assert.NotEqual(SipUri.Parse(a), SipUri.Parse(b));
        Assert.True(SipUri.Parse(a) != SipUri.Parse(b));
    }

    [Fact]
    public void Tel_uri_gives_number_and_context_and_ignores_visual_separators_when_compared()
    {
        var global = Assert.IsType<TelUri>(AbsoluteUri.Parse("tel:+1-201-555-0123"));
        var local = Assert.IsType<TelUri>(AbsoluteUri.Parse("tel:7042;phone-context=example.com"));

        Assert.True(global.IsGlobal);
        Assert.Equal("+12015550123", global.Digits);
        Assert.Equal(AbsoluteUri.Parse("tel:+1(201)555.0123"), global);
        Assert.False(local.IsGlobal);
        Assert.Equal("example.com", local.PhoneContext);
        Assert.NotEqual(AbsoluteUri.Parse("tel:7042;phone-context=example.net"), local);
        Assert.Equal("tel:7042;phone-context=example.com", local.ToString());
    }

    [Fact]
    public void Other_schemes_are_kept_opaque()
    {
        var urn = Assert.IsType<OpaqueUri>(AbsoluteUri.Parse("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
        var novel = Assert.IsType<OpaqueUri>(AbsoluteUri.Parse("soap.beep://192.0.2.103:3002"));

        Assert.Equal("urn", urn.Scheme);
        Assert.Equal("uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", urn.Value);
        Assert.Equal("soap.beep://192.0.2.103:3002", novel.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("sip:")]
    [InlineData("sip:@example.com")]
    [InlineData("sip:a@")]
    [InlineData("sip:a b@example.com")]
    [InlineData("sip:a%G1@example.com")]
    [InlineData("sip:a%4@example.com")]
    [InlineData("sip:example.com:70000")]
    [InlineData("sip:example.com:")]
    [InlineData("sip:example.com;;lr")]
    [InlineData("sip:example.com;x=")]
    [InlineData("sip:[2001:db8::1")]
    [InlineData("sip:[example.com]")]
    [InlineData("sip:example.com?novalue")]
    [InlineData("sip:exa_mple.com")]
    [InlineData("<sip:a@b>")]
    [InlineData("1sip:a@b")]
    [InlineData("nocolon")]
    [InlineData("tel:")]
    [InlineData("tel:+1 555")]
    [InlineData("http:")]
    public void Invalid_uri_is_refused_with_a_reason(string text)
    {
        Assert.False(AbsoluteUri.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => AbsoluteUri.Parse(text));
        Assert.Contains("is not a valid URI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_parameters_can_be_changed_on_a_copy()
    {
        var uri = SipUri.Parse("sip:bob@example.com;transport=udp?Subject=x");

        var changed = uri.WithParameter("transport", "tcp").WithParameter("lr", null).WithoutHeaders();

        Assert.Equal("sip:bob@example.com;transport=tcp;lr", changed.ToString());
        Assert.Equal("sip:bob@example.com;transport=udp?Subject=x", uri.ToString());
        Assert.Equal("sip:bob@example.com", uri.WithoutParameter("transport").WithoutHeaders().ToString());
    }

    [Fact]
    public void Name_address_parses_and_writes_canonically()
    {
        var address = SipNameAddress.Parse("\"Alice \\\"A\\\" Smith\" <sip:alice@example.com>;tag=1a");
        var plain = SipNameAddress.Parse("sip:bob@example.com;tag=2b");
        var tokens = SipNameAddress.Parse("Bob  Smith<sip:bob@example.com>");

        Assert.Equal("Alice \"A\" Smith", address.DisplayName);
        Assert.Equal("\"Alice \\\"A\\\" Smith\" <sip:alice@example.com>;tag=1a", address.ToString());
        Assert.Equal("<sip:bob@example.com>;tag=2b", plain.ToString());
        Assert.Equal("Bob  Smith", tokens.DisplayName);
        Assert.Equal("9", address.WithTag("9").Tag);
        Assert.Throws<FormatException>(() => SipNameAddress.Parse("Bob, Smith <sip:bob@example.com>"));
        Assert.Throws<FormatException>(() => SipNameAddress.Parse("<sip:a@b>, <sip:c@d>"));
    }
}
