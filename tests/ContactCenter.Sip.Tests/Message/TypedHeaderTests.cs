using static ContactCenter.Sip.Tests.Message.TestMessages;

namespace ContactCenter.Sip.Tests.Message;

public sealed class TypedHeaderTests
{
    private static SipMessage With(params string[] headers) =>
        ParseDatagram("OPTIONS sip:a@b SIP/2.0\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n");

    [Fact]
    public void Via_gives_transport_sent_by_and_parameters()
    {
        var via = With("Via: SIP / 2.0 / udp  192.0.2.1 : 5062 ; branch = z9hG4bK776 ;received=198.51.100.7;rport=5070;maddr=224.2.0.1;ttl=16").TopVia!;

        Assert.Equal("UDP", via.Transport);
        Assert.Equal("192.0.2.1", via.Host);
        Assert.Equal(5062, via.Port);
        Assert.Equal("z9hG4bK776", via.Branch);
        Assert.True(via.HasRfc3261Branch);
        Assert.Equal("198.51.100.7", via.Received);
        Assert.True(via.HasRPort);
        Assert.Equal(5070, via.RPort);
        Assert.Equal("224.2.0.1", via.Maddr);
        Assert.Equal(16, via.Ttl);
    }

    [Fact]
    public void Via_rport_without_value_is_present_but_empty()
    {
        var via = With("Via: SIP/2.0/UDP [2001:db8::9]:5060;rport;branch=1").TopVia!;

        Assert.Equal("[2001:db8::9]", via.Host);
        Assert.True(via.HasRPort);
        Assert.Null(via.RPort);
        Assert.False(via.HasRfc3261Branch);
    }

    [Fact]
    public void Via_gains_received_and_rport_for_the_response_path()
    {
        var via = SipVia.Parse("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport");

        var stamped = via.WithParameter("received", "203.0.113.9").WithParameter("rport", "40000");

        Assert.Equal("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport=40000;received=203.0.113.9", stamped.ToString());
    }

    [Fact]
    public void From_and_to_give_display_name_uri_and_tag()
    {
        var message = With(
            "From: \"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8",
            "To: Watson <sip:t.watson@example.org>",
            "Max-Forwards: 70");

        Assert.Equal("J Rosenberg \\\"", message.From!.DisplayName);
        Assert.Equal("98asjd8", message.From.Tag);
        Assert.Equal("Watson", message.To!.DisplayName);
        Assert.Null(message.To.Tag);
        Assert.Equal(SipUri.Parse("sip:t.watson@example.org"), message.To.Uri);
    }

    [Fact]
    public void Addr_spec_form_takes_parameters_as_header_parameters()
    {
        var message = With("To: sip:+1234@gw.example.com;user=phone;tag=abc");

        Assert.Equal("abc", message.To!.Tag);
        Assert.Equal("phone", message.To.Parameters["user"]);
        Assert.Empty(((SipUri)message.To.Uri).Parameters);
    }

    [Fact]
    public void Contact_gives_q_expires_and_several_bindings()
    {
        var message = With(
            "Contact: <sip:a@192.0.2.1>;q=0.7;expires=3600, \"Desk\" <sip:a@192.0.2.2;transport=tcp>",
            "m: sip:a@192.0.2.3;expires=60");

        Assert.Equal(3, message.Contact.Count);
        Assert.Equal(0.7, message.Contact[0].Q);
        Assert.Equal(3600, message.Contact[0].Expires);
        Assert.Equal("tcp", ((SipUri)message.Contact[1].Uri).Transport);
        Assert.Equal(60, message.Contact[2].Expires);
        Assert.False(message.IsContactWildcard);
    }

    [Fact]
    public void Contact_star_is_the_wildcard()
    {
        var message = With("Contact: *", "Expires: 0");

        Assert.True(message.IsContactWildcard);
        Assert.Empty(message.Contact);
        Assert.Equal(0u, message.Expires);
    }

    [Fact]
    public void Call_id_cseq_and_max_forwards_are_typed()
    {
        var message = With("i: f81d4fae-7dec-11d0-a765@foo.example", "CSeq: 4711 OPTIONS", "Max-Forwards: 0");

        Assert.Equal("f81d4fae-7dec-11d0-a765@foo.example", message.CallId);
        Assert.Equal(4711u, message.CSeq!.Sequence);
        Assert.Same(SipMethod.Options, message.CSeq.Method);
        Assert.Equal(0, message.MaxForwards);
    }

    [Fact]
    public void Route_and_record_route_keep_order_and_lr()
    {
        var message = With(
            "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>",
            "Route: <sip:edge.example.com;lr;transport=tcp>",
            "Route: <sip:core.example.com>");

        Assert.Equal(["p2.example.com", "p1.example.com"], message.RecordRoute.Select(r => ((SipUri)r.Uri).Host));
        Assert.True(((SipUri)message.Route[0].Uri).IsLooseRouter);
        Assert.False(((SipUri)message.Route[1].Uri).IsLooseRouter);
    }

    [Fact]
    public void Content_headers_are_typed()
    {
        var message = ParseDatagram(
            "MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nc: multipart/mixed ; boundary=\"7a9c\"\r\ne: gzip, deflate\r\nl: 4\r\n\r\nbody");

        Assert.Equal("multipart/mixed", message.ContentType!.MediaType);
        Assert.True(message.ContentType.Is("Multipart/Mixed"));
        Assert.Equal("7a9c", message.ContentType.Parameters.GetUnquoted("boundary"));
        Assert.Equal(["gzip", "deflate"], message.ContentEncoding);
        Assert.Equal(4, message.ContentLength);
    }

    [Fact]
    public void Option_tag_and_method_lists_are_typed()
    {
        var message = With(
            "Require: 100rel",
            "Proxy-Require: sec-agree",
            "Unsupported: foo, bar",
            "Allow: INVITE, ACK,BYE",
            "u: presence, dialog",
            "Accept: application/sdp, application/dtmf-relay;q=0.5, */*");

        Assert.Equal(["100rel"], message.Require);
        Assert.Equal(["sec-agree"], message.ProxyRequire);
        Assert.Equal(["foo", "bar"], message.Unsupported);
        Assert.Equal(["INVITE", "ACK", "BYE"], message.Allow);
        Assert.Equal(["presence", "dialog"], message.AllowEvents);
        Assert.Equal(["application/sdp", "application/dtmf-relay", "*/*"], message.Accept.Select(a => a.MediaType));
        Assert.Equal("0.5", message.Accept[1].Parameters["q"]);
    }

    [Fact]
    public void Digest_challenges_and_credentials_are_typed()
    {
        var message = With(
            "WWW-Authenticate: Digest realm=\"atlanta.com\", qop=\"auth,auth-int\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", algorithm=MD5, stale=FALSE",
            "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"n2\"",
            "Authorization: Digest username=\"bob\", realm=\"atlanta.com\",\r\n nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@biloxi.com\",\r\n qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"\"",
            "Proxy-Authorization: NoOneKnowsThisScheme opaque-data=here");

        var challenge = Assert.Single(message.WwwAuthenticate);
        Assert.Equal("Digest", challenge.Scheme);
        Assert.Equal("atlanta.com", challenge.Realm);
        Assert.Equal("auth,auth-int", challenge.Qop);
        Assert.Equal("MD5", challenge.Algorithm);
        Assert.Equal("FALSE", challenge.Parameters["stale"]);
        Assert.Equal("proxy", Assert.Single(message.ProxyAuthenticate).Realm);
        var credentials = Assert.Single(message.Authorization);
        Assert.Equal("bob", credentials.Username);
        Assert.Equal("ea9c8e88df84f1cec4341ae6cbe5a359", credentials.Nonce);
        Assert.Equal("sip:bob@biloxi.com", credentials.Parameters.GetUnquoted("uri"));
        Assert.Equal("00000001", credentials.Parameters["nc"]);
        Assert.Equal(string.Empty, credentials.Opaque);
        var other = Assert.Single(message.ProxyAuthorization);
        Assert.Equal("NoOneKnowsThisScheme", other.Scheme);
        Assert.Equal("here", other.Parameters["opaque-data"]);
    }

    [Fact]
    public void Expiry_and_retry_headers_are_typed()
    {
        var message = With(
            "Expires: 10000000000000000000000",
            "Min-Expires: 60",
            "Retry-After: 18000 (gone fishing) ;duration=3600");

        Assert.Equal(uint.MaxValue, message.Expires);
        Assert.Equal(60u, message.MinExpires);
        Assert.Equal("18000 (gone fishing)", message.RetryAfter!.Value);
        Assert.Equal("3600", message.RetryAfter.Parameters["duration"]);
    }

    [Fact]
    public void Transfer_headers_are_typed()
    {
        var message = With(
            "Refer-To: <sip:agent@pbx.example.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>",
            "b: \"Supervisor\" <sip:sup@pbx.example.com>",
            "Replaces: 98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only");

        var referTo = (SipUri)message.ReferTo!.Uri;
        Assert.Equal("12345@192.0.2.1;to-tag=12345;from-tag=5FFE-3994", referTo.Headers["Replaces"]);
        Assert.Equal("Supervisor", message.ReferredBy!.DisplayName);
        Assert.Equal("98732@sip.example.com", message.Replaces!.Value);
        Assert.Equal("ff87ff", message.Replaces.Parameters["to-tag"]);
        Assert.Equal("r33th4x0r", message.Replaces.Parameters["from-tag"]);
        Assert.True(message.Replaces.Parameters.Contains("early-only"));
    }

    [Fact]
    public void Event_headers_are_typed()
    {
        var message = With("o: dialog;id=17", "Subscription-State: terminated;reason=timeout;retry-after=30");

        Assert.Equal("dialog", message.Event!.Value);
        Assert.Equal("17", message.Event.Parameters["id"]);
        Assert.Equal("terminated", message.SubscriptionState!.Value);
        Assert.Equal("timeout", message.SubscriptionState.Parameters["reason"]);
    }

    [Fact]
    public void Reliable_provisional_and_session_timer_headers_are_typed()
    {
        var message = With("RSeq: 988789", "RAck: 776656 1 INVITE", "x: 1800;refresher=uas", "Min-SE: 90;custom=1");

        Assert.Equal(988789u, message.RSeq);
        Assert.Equal(new SipRAck(776656, 1, SipMethod.Invite), message.RAck);
        Assert.Equal("1800", message.SessionExpires!.Value);
        Assert.Equal("uas", message.SessionExpires.Parameters["refresher"]);
        Assert.Equal(90u, message.MinSE);
    }

    [Fact]
    public void Reason_identity_and_diversion_headers_are_typed()
    {
        var message = With(
            "Reason: SIP ;cause=200 ;text=\"Call completed elsewhere\", Q.850;cause=16",
            "P-Asserted-Identity: \"Cullen Jennings\" <sip:fluffy@cisco.com>, <tel:+14085264000>",
            "Diversion: <sip:+14155550100@pbx.example.com>;reason=no-answer;counter=1",
            "User-Agent: Softphone/1.0 (Linux)",
            "Server: ContactCenter");

        Assert.Equal(["SIP", "Q.850"], message.Reason.Select(r => r.Value));
        Assert.Equal("Call completed elsewhere", message.Reason[0].Parameters.GetUnquoted("text"));
        Assert.Equal("16", message.Reason[1].Parameters["cause"]);
        Assert.Equal("Cullen Jennings", message.PAssertedIdentity[0].DisplayName);
        Assert.Equal("+14085264000", ((TelUri)message.PAssertedIdentity[1].Uri).Number);
        Assert.Equal("no-answer", Assert.Single(message.Diversion).Parameters["reason"]);
        Assert.Equal("Softphone/1.0 (Linux)", message.UserAgent);
        Assert.Equal("ContactCenter", message.Server);
    }

    [Theory]
    [InlineData("Expires: soon", "Expires")]
    [InlineData("Content-Type: sdp", "Content-Type")]
    [InlineData("Require: 100rel, b@d", "Require")]
    [InlineData("RAck: 1 2", "RAck")]
    [InlineData("RSeq: x", "RSeq")]
    [InlineData("Refer-To: <sip:a@b", "Refer-To")]
    [InlineData("Authorization: Digest realm=\"x", "Authorization")]
    [InlineData("Event: ;id=1", "Event")]
    public void Malformed_lazily_read_header_throws_naming_header_and_line(string header, string name)
    {
        var message = With("X-First: 1", header);

        var ex = Assert.Throws<SipHeaderFormatException>(() => _ = name switch
        {
            "Expires" => (object?)message.Expires,
            "Content-Type" => message.ContentType,
            "Require" => message.Require,
            "RAck" => message.RAck,
            "RSeq" => message.RSeq,
            "Refer-To" => message.ReferTo,
            "Authorization" => message.Authorization,
            _ => message.Event,
        });

        Assert.Equal(name, ex.HeaderName);
        Assert.Equal(3, ex.Line);
    }
}
