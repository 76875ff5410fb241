using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using ContactCenter.Sip.Media;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Media;

public sealed class SrtpTests
{
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Aes_counter_mode_keystream_matches_rfc_3711_appendix_b2()
    {
        using var aes = Aes.Create();
        aes.Key = Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C");
        var iv = new byte[16];
        SrtpContext.BuildIv(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), ssrc: 0, index: 0, iv);
        var keystream = new byte[1044512];

        SrtpContext.KeystreamInto(aes, iv, keystream);

        Assert.Equal("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", Convert.ToHexString(iv));
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0", Convert.ToHexString(keystream.AsSpan(0, 48)));
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44", Convert.ToHexString(keystream.AsSpan(keystream.Length - 48)));
    }

    [Fact]
    public void Key_derivation_matches_rfc_3711_appendix_b3()
    {
        using var master = Aes.Create();
        master.Key = MasterKey;

        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(SrtpContext.Derive(master, MasterSalt, 0x00, 16)));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(SrtpContext.Derive(master, MasterSalt, 0x02, 14)));
        Assert.Equal(
            "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE" +
            "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25" +
            "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2",
            Convert.ToHexString(SrtpContext.Derive(master, MasterSalt, 0x01, 94)));
    }

    [Fact]
    public void Iv_places_ssrc_and_index_as_rfc_3711_section_4_1_1_says()
    {
        var iv = new byte[16];

        SrtpContext.BuildIv(new byte[14], 0x11223344, 0x0000_AABB_CCDD_EEFF, iv);

        Assert.Equal("0000000011223344AABBCCDDEEFF0000", Convert.ToHexString(iv));
    }

    private static byte[] Rtp(ushort sequence, byte fill = 0xAB, int payload = 160)
    {
        var buffer = new byte[12 + payload + SrtpContext.MaxRtpOverhead];
        RtpPacket.Write(buffer, false, 0, sequence, sequence * 160u, 0xDECAFBAD, Enumerable.Repeat(fill, payload).ToArray());
        return buffer;
    }

    private static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpSuite suite)
    {
        var keys = new SrtpKeys(suite, MasterKey, MasterSalt);
        return (new SrtpContext(keys), new SrtpContext(keys));
    }

    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1Tag80, 10)]
    [InlineData(SrtpSuite.AesCm128HmacSha1Tag32, 4)]
    public void Protected_packet_is_encrypted_tagged_and_restored(SrtpSuite suite, int tag)
    {
        var (sender, receiver) = Pair(suite);
        using (sender)
        using (receiver)
        {
            var packet = Rtp(1);
            var plain = packet[..172].ToArray();

            var length = sender.ProtectRtp(packet, 172);

            Assert.Equal(172 + tag, length);
            Assert.Equal(plain[..12], packet[..12]);
            Assert.NotEqual(plain[12..172], packet[12..172]);
            Assert.Equal(172, receiver.UnprotectRtp(packet.AsSpan(0, length), out var error));
            Assert.Null(error);
            Assert.Equal(plain, packet[..172]);
        }
    }

    [Fact]
    public void Tampered_packet_fails_authentication()
    {
        var (sender, receiver) = Pair(SrtpSuite.AesCm128HmacSha1Tag80);
        var packet = Rtp(5);
        var length = sender.ProtectRtp(packet, 172);
        packet[40] ^= 1;

        Assert.Equal(-1, receiver.UnprotectRtp(packet.AsSpan(0, length), out var error));
        Assert.Contains("failed authentication", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replayed_and_too_old_packets_are_refused_but_reordered_ones_accepted()
    {
        var (sender, receiver) = Pair(SrtpSuite.AesCm128HmacSha1Tag80);
        var packets = Enumerable.Range(0, 100).Select(i =>
        {
            var p = Rtp((ushort)i);
            var n = sender.ProtectRtp(p, 172);
            return p[..n];
        }).ToList();

        Assert.Equal(172, receiver.UnprotectRtp(packets[10].ToArray(), out _));
        Assert.Equal(-1, receiver.UnprotectRtp(packets[10].ToArray(), out var replay));
        Assert.Contains("replay", replay, StringComparison.Ordinal);
        Assert.Equal(172, receiver.UnprotectRtp(packets[99].ToArray(), out _));
        Assert.Equal(172, receiver.UnprotectRtp(packets[50].ToArray(), out _)); // out of order, inside the window
        Assert.Equal(-1, receiver.UnprotectRtp(packets[20].ToArray(), out var old)); // 79 behind: outside the 64-packet window
        Assert.Contains("too old", old, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollover_counter_follows_the_sequence_number_wrap()
    {
        var (sender, receiver) = Pair(SrtpSuite.AesCm128HmacSha1Tag32);
        ushort sequence = 65500;
        for (var i = 0; i < 200; i++, sequence++)
        {
            var p = Rtp(sequence, fill: (byte)i);
            var n = sender.ProtectRtp(p, 172);
            Assert.Equal(172, receiver.UnprotectRtp(p.AsSpan(0, n), out var error));
            Assert.Null(error);
            Assert.Equal((byte)i, p[12]);
        }
    }

    [Fact]
    public void Wrong_keys_fail_authentication()
    {
        using var sender = new SrtpContext(SrtpKeys.Generate(SrtpSuite.AesCm128HmacSha1Tag80));
        using var receiver = new SrtpContext(SrtpKeys.Generate(SrtpSuite.AesCm128HmacSha1Tag80));
        var p = Rtp(1);
        var n = sender.ProtectRtp(p, 172);

        Assert.Equal(-1, receiver.UnprotectRtp(p.AsSpan(0, n), out _));
    }

    [Fact]
    public void Srtcp_is_encrypted_with_an_index_and_replays_are_refused()
    {
        var (sender, receiver) = Pair(SrtpSuite.AesCm128HmacSha1Tag32);
        var buffer = new byte[256];
        var length = RtcpPacket.WriteReport(buffer, 0xDECAFBAD, new RtcpSenderInfo(1, 2, 3, 4), [], "cname-x");
        var plain = buffer[..length].ToArray();

        var protectedLength = sender.ProtectRtcp(buffer, length);

        Assert.Equal(length + 14, protectedLength);
        Assert.Equal(0x80000000u, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(length)));
        Assert.NotEqual(plain[8..length], buffer[8..length]);
        var copy = buffer[..protectedLength].ToArray();
        Assert.Equal(length, receiver.UnprotectRtcp(buffer.AsSpan(0, protectedLength), out _));
        Assert.Equal(plain, buffer[..length]);
        Assert.Equal(-1, receiver.UnprotectRtcp(copy, out var error));
        Assert.Contains("replay", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_of_the_wrong_length_are_refused_naming_the_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => new SrtpKeys(SrtpSuite.AesCm128HmacSha1Tag80, new byte[15], new byte[14]));

        Assert.Contains("16 bytes, not 15", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(MasterKey), new SrtpKeys(SrtpSuite.AesCm128HmacSha1Tag80, MasterKey, MasterSalt).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sdes_crypto_line_from_rfc_4568_parses_and_round_trips()
    {
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20", out var crypto, out var error), error);

        Assert.Equal(1, crypto.Tag);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1Tag80, crypto.Keys.Suite);
        Assert.Equal("2^20", crypto.Lifetime);
        Assert.Equal("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20", crypto.ToAttributeValue());
        Assert.DoesNotContain("WVNf", crypto.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80", "needs a tag, a suite and key parameters")]
    [InlineData("x AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "tag \"x\"")]
    [InlineData("1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "suite \"F8_128_HMAC_SHA1_80\" is not supported")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 key:abc", "does not start with inline:")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", "not valid base64")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA", "is 3 bytes")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32", "MKI \"1:32\" is not supported")]
    public void Bad_crypto_lines_are_refused_with_a_reason(string value, string reason)
    {
        Assert.False(SdesCrypto.TryParse(value, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_answer_with_sdes_gives_each_side_the_others_keys()
    {
        var srtp = new MediaCapabilities { SrtpSuites = [SrtpSuite.AesCm128HmacSha1Tag80, SrtpSuite.AesCm128HmacSha1Tag32] };
        var alice = new SdpSession(IPAddress.Parse("10.0.0.1"), 30000, srtp);
        var bob = new SdpSession(IPAddress.Parse("10.0.0.2"), 40000, new MediaCapabilities { SrtpSuites = [SrtpSuite.AesCm128HmacSha1Tag32] });

        var offer = SessionDescription.Parse(alice.CreateOffer().ToString());
        var answer = bob.CreateAnswer(offer);
        var agreed = alice.AcceptAnswer(SessionDescription.Parse(answer.Answer.ToString()));

        Assert.Equal("RTP/SAVP", offer.Media[0].Protocol);
        Assert.Equal(2, offer.Media[0].Attributes.Count(a => a.Name == "crypto"));
        Assert.StartsWith("2 AES_CM_128_HMAC_SHA1_32 inline:", answer.Answer.Media[0].FindAttribute("crypto")!.Value, StringComparison.Ordinal);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1Tag32, agreed.SendKeys!.Suite);
        Assert.Equal(agreed.SendKeys.ToInline(), answer.Audio.ReceiveKeys!.ToInline());
        Assert.Equal(agreed.ReceiveKeys!.ToInline(), answer.Audio.SendKeys!.ToInline());
    }

    [Fact]
    public void Srtp_trunk_rejects_a_plain_rtp_offer_and_an_offer_without_crypto()
    {
        var bob = new SdpSession(IPAddress.Loopback, 40000, new MediaCapabilities { SrtpSuites = [SrtpSuite.AesCm128HmacSha1Tag80] });
        var plain = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");
        var noCrypto = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");

        Assert.Contains("needs RTP/AVP but this side uses RTP/SAVP", Assert.Throws<SdpNegotiationException>(() => bob.CreateAnswer(plain)).Message, StringComparison.Ordinal);
        Assert.Contains("no usable a=crypto line", Assert.Throws<SdpNegotiationException>(() => bob.CreateAnswer(noCrypto)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Srtp_call_between_two_sessions_carries_audio_dtmf_and_reports()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var network = new MemoryNetwork();
        var srtp = new MediaCapabilities { SrtpSuites = [SrtpSuite.AesCm128HmacSha1Tag80] };
        var aSdp = new SdpSession(IPAddress.Parse("10.0.0.1"), 20000, srtp);
        var bSdp = new SdpSession(IPAddress.Parse("10.0.0.2"), 30000, srtp);
        await using var a = new RtpSession(network.Bind("10.0.0.1", 20000), clock, time, null, null);
        await using var b = new RtpSession(network.Bind("10.0.0.2", 30000), clock, time, null, null);
        var answer = bSdp.CreateAnswer(aSdp.CreateOffer());
        b.Apply(answer.Audio);
        a.Apply(aSdp.AcceptAnswer(answer.Answer));
        var heard = new CollectingSink();
        b.AddSink(heard);
        var digits = new List<char>();
        b.Dtmf.DigitReceived += (_, e) => digits.Add(e.Digit.Digit);
        a.Source = new SineSource(1000);
        a.Start();
        b.Start();
        clock.Start();

        time.Advance(TimeSpan.FromSeconds(1));
        a.SendDtmf("8");
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Contains(heard.Frames, f => f.Max() > 7000);
        Assert.Equal(['8'], digits);
        Assert.Equal(0, b.Statistics.PacketsRefused);
        // SRTCP reports arrived and were understood: no loss reported although DTMF shared the sequence space.
        Assert.Equal(1, a.Statistics.RtcpReceived);
        Assert.Equal(1, b.Statistics.RtcpReceived);
        Assert.Equal(0, a.Statistics.RemoteFractionLost);
        Assert.Equal(0, b.Statistics.PacketsLost);
        // On the wire the audio is not the plain G.711 of a 1 kHz tone.
        var wire = network.Log.First(l => l.From.Port == 20000 && l.Data.Length == 12 + 160 + 10).Data;
        Assert.True(wire.Skip(12).Take(160).Distinct().Count() > 100);
    }
}
