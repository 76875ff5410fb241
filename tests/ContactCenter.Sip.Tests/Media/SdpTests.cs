using System.Net;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

public sealed class SdpTests
{
    private const string CarrierOffer =
        "v=0\r\n" +
        "o=carrier 123456 654321 IN IP4 203.0.113.5\r\n" +
        "s=Talk\r\n" +
        "c=IN IP4 203.0.113.5\r\n" +
        "b=AS:84\r\n" +
        "t=0 0\r\n" +
        "a=X-vendor:thing\r\n" +
        "m=audio 40000 RTP/AVP 18 8 0 101 13\r\n" +
        "a=rtpmap:18 G729/8000\r\n" +
        "a=fmtp:18 annexb=no\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=ptime:30\r\n" +
        "a=rtcp:40011\r\n" +
        "a=sendrecv\r\n" +
        "m=video 40002 RTP/AVP 96\r\n" +
        "a=rtpmap:96 H264/90000\r\n";

    [Fact]
    public void Parse_reads_every_line_and_keeps_unknown_attributes()
    {
        var sdp = SessionDescription.Parse(CarrierOffer);

        Assert.Equal(123456UL, sdp.Origin.SessionId);
        Assert.Equal(654321UL, sdp.Origin.SessionVersion);
        Assert.Equal("Talk", sdp.SessionName);
        Assert.Equal(IPAddress.Parse("203.0.113.5"), sdp.Connection!.IPAddress);
        Assert.Contains(sdp.Attributes, a => a.Name == "X-vendor" && a.Value == "thing");
        Assert.Equal(2, sdp.Media.Count);
        var audio = sdp.Media[0];
        Assert.Equal(40000, audio.Port);
        Assert.Equal(["18", "8", "0", "101", "13"], audio.Formats);
        Assert.Equal(30, audio.Ptime);
        Assert.Equal(40011, audio.Rtcp!.Value.Port);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal("annexb=no", audio.GetFormatParameters(18));
        Assert.Equal(["G729", "PCMA", "PCMU", "telephone-event", "CN"], audio.RtpMaps.Select(m => m.EncodingName));
    }

    [Fact]
    public void Written_description_parses_back_to_the_same_text()
    {
        var first = SessionDescription.Parse(CarrierOffer).ToString();
        var second = SessionDescription.Parse(first).ToString();

        Assert.Equal(first, second);
        Assert.Contains("b=AS:84\r\n", first, StringComparison.Ordinal);
        Assert.Contains("a=X-vendor:thing\r\n", first, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:96 H264/90000\r\n", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_accepts_bare_line_feeds()
    {
        var sdp = SessionDescription.Parse(CarrierOffer.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(2, sdp.Media.Count);
    }

    [Fact]
    public void Media_level_connection_overrides_the_session_one()
    {
        var sdp = SessionDescription.Parse(
            "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
            "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\n" +
            "m=audio 6000 RTP/AVP 0\r\n");

        Assert.Equal(IPAddress.Parse("10.0.0.2"), sdp.ConnectionFor(sdp.Media[0])!.IPAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), sdp.ConnectionFor(sdp.Media[1])!.IPAddress);
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", 1, "must start with v=0")]
    [InlineData("v=1\r\n", 1, "unsupported protocol version")]
    [InlineData("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", 2, "o= must have 6 fields")]
    [InlineData("v=0\r\no=- abc 1 IN IP4 1.2.3.4\r\n", 2, "session id \"abc\"")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", 3, "s= line must follow o=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4\r\n", 4, "c= must have 3 fields")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n", 4, "port \"70000\"")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 7000 RTP/AVP\r\n", 4, "at least 4 fields")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 7000 RTP/AVP 0 abc\r\n", 4, "format \"abc\"")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", 5, "a=rtpmap value")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 7000 RTP/AVP 0\r\na=ptime:0\r\n", 5, "a=ptime")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 7000 RTP/AVP 0\r\na=rtcp:x\r\n", 5, "a=rtcp")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nthis is not sdp\r\n", 4, "expected '<letter>=<value>'")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n", 0, "no s= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nv=0\r\n", 4, "only once")]
    public void Malformed_description_is_rejected_naming_the_line_and_problem(string text, int line, string reason)
    {
        var ok = SessionDescription.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Equal(line, error!.LineNumber);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(text));
    }

    [Fact]
    public void Oversized_description_is_rejected_before_parsing()
    {
        var error = Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(CarrierOffer, maxLength: 100));

        Assert.Contains("limit of 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_picks_first_offered_supported_codec_and_keeps_telephone_event()
    {
        var local = new SdpSession(IPAddress.Parse("192.0.2.10"), 20000);

        var result = local.CreateAnswer(SessionDescription.Parse(CarrierOffer));

        Assert.Equal(AudioEncoding.Pcma, result.Audio.Encoding);
        Assert.Equal(8, result.Audio.PayloadType);
        Assert.Equal(101, result.Audio.TelephoneEventPayloadType);
        Assert.Equal(30, result.Audio.Ptime);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40000), result.Audio.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40011), result.Audio.RemoteRtcp);
        Assert.Equal(MediaDirection.SendRecv, result.Audio.Direction);

        var answer = result.Answer;
        Assert.Equal(2, answer.Media.Count);
        Assert.Equal(["8", "101"], answer.Media[0].Formats);
        Assert.Equal(20000, answer.Media[0].Port);
        Assert.Equal(20001, answer.Media[0].Rtcp!.Value.Port);
        Assert.Equal(0, answer.Media[1].Port);
        Assert.Equal("video", answer.Media[1].Media);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), answer.Connection!.IPAddress);
    }

    [Fact]
    public void Local_preference_orders_codecs_in_the_offer()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000, new MediaCapabilities { Encodings = [AudioEncoding.Pcma, AudioEncoding.Pcmu], TelephoneEvent = false });

        var offer = local.CreateOffer();

        Assert.Equal(["8", "0"], offer.Media[0].Formats);
        Assert.Null(offer.Media[0].FindRtpMap(101));
    }

    [Fact]
    public void Answer_without_common_codec_fails_with_the_offered_codecs()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000, new MediaCapabilities { Encodings = [AudioEncoding.Pcmu] });
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18 8\r\na=rtpmap:18 G729/8000\r\n");

        var error = Assert.Throws<SdpNegotiationException>(() => local.CreateAnswer(offer));

        Assert.Contains("G729, PCMA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dynamic_payload_numbers_for_g711_are_matched_by_name()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 112\r\na=rtpmap:112 pcmu/8000\r\n");

        var result = local.CreateAnswer(offer);

        Assert.Equal(AudioEncoding.Pcmu, result.Audio.Encoding);
        Assert.Equal(112, result.Audio.PayloadType);
        Assert.Null(result.Audio.TelephoneEventPayloadType);
    }

    [Theory]
    [InlineData("sendonly", MediaDirection.RecvOnly)]
    [InlineData("recvonly", MediaDirection.SendOnly)]
    [InlineData("inactive", MediaDirection.Inactive)]
    [InlineData("sendrecv", MediaDirection.SendRecv)]
    public void Answer_direction_mirrors_the_offered_hold_direction(string offered, MediaDirection expected)
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse($"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na={offered}\r\n");

        var result = local.CreateAnswer(offer);

        Assert.Equal(expected, result.Audio.Direction);
        Assert.Equal(expected, result.Answer.Media[0].Direction);
    }

    [Fact]
    public void Session_level_direction_applies_when_media_has_none()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n");

        Assert.Equal(MediaDirection.RecvOnly, local.CreateAnswer(offer).Audio.Direction);
    }

    [Fact]
    public void Old_style_hold_address_means_the_peer_receives_nothing()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");

        var audio = local.CreateAnswer(offer).Audio;

        Assert.Null(audio.RemoteRtp);
        Assert.True(audio.IsHeldByPeer);
    }

    [Fact]
    public void Hold_and_resume_offers_increment_the_version_and_repeats_do_not()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var initial = local.CreateOffer();
        var repeat = local.CreateOffer();
        local.LocalDirection = MediaDirection.SendOnly;
        var hold = local.CreateOffer();
        local.LocalDirection = MediaDirection.SendRecv;
        var resume = local.CreateOffer();

        Assert.Equal(initial.Origin.SessionId, resume.Origin.SessionId);
        Assert.Equal(initial.Origin.SessionVersion, repeat.Origin.SessionVersion);
        Assert.Equal(initial.Origin.SessionVersion + 1, hold.Origin.SessionVersion);
        Assert.Equal(MediaDirection.SendOnly, hold.Media[0].Direction);
        Assert.Equal(initial.Origin.SessionVersion + 2, resume.Origin.SessionVersion);
    }

    [Fact]
    public void Reinvite_with_the_same_remote_version_is_not_a_session_change()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse(CarrierOffer);

        var first = local.CreateAnswer(offer);
        var again = local.CreateAnswer(offer);
        var changed = offer.Clone();
        changed.Origin = changed.Origin with { SessionVersion = changed.Origin.SessionVersion + 1 };
        var third = local.CreateAnswer(changed);

        Assert.True(first.IsSessionChange);
        Assert.False(again.IsSessionChange);
        Assert.True(third.IsSessionChange);
        Assert.Equal(first.Answer.Origin.SessionVersion, again.Answer.Origin.SessionVersion);
    }

    [Fact]
    public void Offer_and_answer_between_two_sessions_agree()
    {
        var alice = new SdpSession(IPAddress.Parse("10.0.0.1"), 30000);
        var bob = new SdpSession(IPAddress.Parse("10.0.0.2"), 40000, new MediaCapabilities { Encodings = [AudioEncoding.Pcma] });

        var offer = SessionDescription.Parse(alice.CreateOffer().ToString());
        var answered = bob.CreateAnswer(offer);
        var agreed = alice.AcceptAnswer(SessionDescription.Parse(answered.Answer.ToString()));

        Assert.Equal(AudioEncoding.Pcma, agreed.Encoding);
        Assert.Equal(AudioEncoding.Pcma, answered.Audio.Encoding);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 40000), agreed.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 30000), answered.Audio.RemoteRtp);
        Assert.Equal(101, agreed.TelephoneEventPayloadType);
        Assert.Equal(20, agreed.Ptime);
    }

    [Fact]
    public void Answer_to_an_srtp_offer_rejects_the_stream_when_srtp_is_off()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n");

        var error = Assert.Throws<SdpNegotiationException>(() => local.CreateAnswer(offer));

        Assert.Contains("RTP/SAVP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_without_any_connection_line_is_refused_with_the_reason()
    {
        var local = new SdpSession(IPAddress.Loopback, 20000);
        var offer = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");

        var error = Assert.Throws<SdpNegotiationException>(() => local.CreateAnswer(offer));

        Assert.Contains("no c= line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_bodies_parse_from_and_write_to_utf8_bytes()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(CarrierOffer);

        var sdp = SessionDescription.Parse(body);

        Assert.Equal(SessionDescription.Parse(CarrierOffer).ToString(), System.Text.Encoding.UTF8.GetString(sdp.ToUtf8()));
        Assert.Contains("limit of 10", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(body, maxLength: 10)).Message, StringComparison.Ordinal);
    }
}
