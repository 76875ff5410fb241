using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static ContactCenter.Sip.Tests.Message.TestMessages;

namespace ContactCenter.Sip.Tests.Message;

/// <summary>
/// FsCheck properties of the parser and serializer. Case counts: round trip 3,000; segment splits 200 messages at every
/// offset; random bytes 60,000; mutated valid messages 60,000.
/// </summary>
public sealed class ParserPropertyTests
{
    private static readonly string[] Methods = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "X-Custom.1"];

    private static readonly string[] Uris =
        ["sip:agent@192.0.2.1:5060", "sips:bob@example.com;transport=tls", "tel:+14155550100", "sip:[2001:db8::1];lr", "sip:a%20b@h.example?Subject=x", "urn:service:sos"];

    private static readonly Gen<string> TokenGen =
        Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".ToCharArray()))
            .Where(a => a.Length > 0).Select(a => new string(a));

    private static readonly Gen<string> TextGen =
        Gen.ArrayOf(Gen.Elements("abc XYZ 0123 ;,=:@<>/\"?[]{}()é☕\t".ToCharArray()))
            .Select(a => new string(a).Trim());

    private static readonly Gen<(string Name, string Value)> HeaderGen = Gen.OneOf(
        Gen.Zip(TokenGen, TextGen).Select(t => ("X-" + t.Item1, t.Item2)),
        TokenGen.Select(t => (Pick(t, "Via", "v"), $"SIP/2.0/UDP host{t.Length}.example.com:5060;branch=z9hG4bK{Hex(t)};rport")),
        TokenGen.Select(t => (Pick(t, "From", "f"), $"\"{t.Replace("\"", string.Empty, StringComparison.Ordinal)}\" <sip:{Hex(t)}@example.com>;tag={Hex(t)}")),
        TokenGen.Select(t => (Pick(t, "To", "t"), $"sip:{Hex(t)}@example.com")),
        TokenGen.Select(t => (Pick(t, "Call-ID", "i"), t + "@host")),
        Gen.Choose(0, 255).Select(n => ("Max-Forwards", n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        TokenGen.Select(t => (Pick(t, "Contact", "m"), $"<sip:{Hex(t)}@192.0.2.9>;expires=60, <sip:y@z>")),
        TokenGen.Select(t => ("Subject", t)),
        TokenGen.Select(t => (Pick(t, "Supported", "k"), "100rel, " + t)));

    private static readonly Gen<SipMessage> MessageGen =
        from isRequest in Gen.Elements(true, false)
        from method in Gen.Elements(Methods)
        from uri in Gen.Elements(Uris)
        from status in Gen.Choose(100, 699)
        from reason in TextGen
        from sequence in Gen.Choose(0, int.MaxValue)
        from headers in Gen.ListOf(HeaderGen)
        from body in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
        select Build(isRequest, method, uri, status, reason, (uint)sequence, headers, body);

    [Fact]
    public void Serialize_then_parse_keeps_every_header_and_the_body()
    {
        var parser = new SipMessageParser();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(MessageGen.ToArbitrary(), original =>
        {
            var bytes = original.ToArray();
            Assert.True(parser.TryParseDatagram(bytes, out var parsed, out var error), error?.Message);
            var stream = new ReadOnlySequence<byte>(bytes);
            Assert.True(parser.TryParse(ref stream, out var streamed, out error), error?.Message);

            foreach (var message in new[] { parsed, streamed })
            {
                Assert.Equal(original.Headers.Where(h => h.Name != "Content-Length"), message.Headers.Where(h => h.Name != "Content-Length"));
                Assert.Equal(original.Body.ToArray(), message.Body.ToArray());
                Assert.Equal(bytes, message.ToArray());
            }
        }));
    }

    [Fact]
    public void Message_split_into_segments_at_every_offset_parses_the_same()
    {
        var parser = new SipMessageParser();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(30), Prop.ForAll(MessageGen.ToArbitrary(), Gen.Choose(1, 400).ToArbitrary(), (message, second) =>
        {
            var bytes = Encoding.ASCII.GetBytes("\r\n").Concat(message.ToArray()).ToArray();
            for (var split = 1; split < bytes.Length; split++)
            {
                var buffer = Segments.Split(bytes, split, split + second);
                Assert.True(parser.TryParse(ref buffer, out var parsed, out var error), error?.Message);
                Assert.True(buffer.IsEmpty);
                Assert.Equal(bytes.AsSpan(2).ToArray(), parsed.ToArray());

                var partial = Segments.Split(bytes[..split], split / 2);
                Assert.False(parser.TryParse(ref partial, out _, out error));
                Assert.Null(error);
            }
        }));
    }

    [Fact]
    public void Random_bytes_never_throw_and_every_rejection_has_a_reason()
    {
        var fragments = new[]
        {
            "INVITE", "SIP/2.0", "SIP/2.0 200 OK", " ", "  ", "\r\n", "\n", "\r", "\r\n ", ":", ";", ",", "<", ">", "\"", "\\", "%", "%4", "sip:", "tel:",
            "@", "[", "]", "=", "Via: ", "v:", "To:", "From:", "Contact: ", "*", "CSeq: ", "1 INVITE", "Call-ID: ", "Max-Forwards: ", "Content-Length: ",
            "l: ", "0", "9999999999", "-1", "tag=", "branch=z9hG4bK", "SIP/2.0/UDP ", "host", "\t", "\0", "é",
        };
        var fragmentBytes = Gen.ArrayOf(Gen.Elements(fragments)).Select(f => Encoding.UTF8.GetBytes(string.Concat(f)));
        var randomBytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        var parser = new SipMessageParser();

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60_000).WithEndSize(300), Prop.ForAll(Gen.OneOf(fragmentBytes, randomBytes).ToArbitrary(), bytes => Exercise(parser, bytes)));
    }

    [Fact]
    public void Mutated_valid_messages_never_throw_and_every_rejection_has_a_reason()
    {
        var seeds = Directory.GetFiles(CorpusDirectory(), "*.dat").Select(File.ReadAllBytes)
            .Concat(new[] { Invite, Ok, Options }.Select(Bytes)).ToArray();
        var mutated =
            from seed in Gen.Elements(seeds)
            from mutations in Gen.ListOf(Gen.Zip(Gen.Choose(0, 7), Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255))))
            select Mutate(seed, mutations.Take(4));
        var parser = new SipMessageParser();

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60_000), Prop.ForAll(mutated.ToArbitrary(), bytes => Exercise(parser, bytes)));
    }

    private static bool Exercise(SipMessageParser parser, byte[] bytes)
    {
        if (parser.TryParseDatagram(bytes, out var message, out var error))
        {
            ReadEverything(message);
        }
        else
        {
            Assert.Null(message);
            if (error is not null)
            {
                Assert.False(string.IsNullOrEmpty(error.Message));
                Assert.Contains(error.StatusCode, new[] { 400, 413, 505, 513 });
            }
        }

        var buffer = Segments.Split(bytes, bytes.Length / 3, bytes.Length / 2);
        for (var guard = 0; guard <= bytes.Length; guard++)
        {
            var before = buffer.Length;
            if (!parser.TryParse(ref buffer, out var next, out _))
            {
                return true;
            }

            Assert.True(buffer.Length < before);
            ReadEverything(next);
        }

        return false;
    }

    /// <summary>Every accessor either answers or throws <see cref="SipHeaderFormatException"/>; the canonical form parses back.</summary>
    private static void ReadEverything(SipMessage message)
    {
        var readers = new Func<SipMessage, object?>[]
        {
            m => m.Via, m => m.From, m => m.To, m => m.CallId, m => m.CSeq, m => m.MaxForwards, m => m.Contact, m => m.IsContactWildcard,
            m => m.Route, m => m.RecordRoute, m => m.PAssertedIdentity, m => m.Diversion, m => m.ReferTo, m => m.ReferredBy, m => m.ContentLength,
            m => m.ContentType, m => m.ContentEncoding, m => m.Require, m => m.Supported, m => m.Unsupported, m => m.ProxyRequire, m => m.Allow,
            m => m.AllowEvents, m => m.Accept, m => m.Authorization, m => m.ProxyAuthorization, m => m.WwwAuthenticate, m => m.ProxyAuthenticate,
            m => m.Expires, m => m.MinExpires, m => m.RetryAfter, m => m.Replaces, m => m.Event, m => m.SubscriptionState, m => m.SessionExpires,
            m => m.MinSE, m => m.RSeq, m => m.RAck, m => m.Reason, m => m.UserAgent, m => m.Server, m => m.ExtensionHeaders,
            m => (m as SipRequest)?.RequestUri, m => (m as SipResponse)?.ReasonPhrase, m => m.Headers.ToList(),
        };
        foreach (var read in readers)
        {
            try
            {
                _ = read(message);
            }
            catch (SipHeaderFormatException)
            {
            }
        }

        var canonical = message.ToArray();
        Assert.True(new SipMessageParser().TryParseDatagram(canonical, out var again, out var error), error?.Message + "\n" + Encoding.UTF8.GetString(canonical));
        Assert.Equal(message.Headers.Count(h => h.Name != "Content-Length"), again.Headers.Count(h => h.Name != "Content-Length"));
        if (message is SipRequest request)
        {
            var response = request.CreateResponse(400);
            Assert.True(new SipMessageParser().TryParseDatagram(response.ToArray(), out _, out error), error?.Message);
        }
    }

    private static byte[] Mutate(byte[] seed, IEnumerable<(int Kind, (int Position, int Value) Arg)> mutations)
    {
        var bytes = new List<byte>(seed);
        foreach (var (kind, (position, value)) in mutations)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)value;
                    break;
                case 1:
                    bytes.Insert(at, (byte)value);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + (value % 16)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.InsertRange(at, bytes.Skip(at).Take(1 + (value % 64)).ToArray());
                    break;
                case 4:
                    bytes.InsertRange(at, "\r\n"u8.ToArray());
                    break;
                case 5:
                    bytes.InsertRange(at, "\r\n "u8.ToArray());
                    break;
                case 6:
                    bytes.Insert(at, "\";,<>:%\\ "u8[value % 9]);
                    break;
                default:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "0000000000"));
                    break;
            }
        }

        return [.. bytes];
    }

    private static SipMessage Build(bool isRequest, string method, string uri, int status, string reason, uint sequence, List<(string Name, string Value)> headers, byte[] body)
    {
        SipMessage message = isRequest
            ? new SipRequest(SipMethod.Get(method), AbsoluteUri.Parse(uri))
            : new SipResponse(status, reason);
        message.Headers.Add("CSeq", $"{sequence} {method}");
        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        message.Body = body;
        return message;
    }

    private static string Pick(string seed, string full, string compact) => seed.Length % 2 == 0 ? full : compact;

    private static string Hex(string seed) => Convert.ToHexString(Encoding.UTF8.GetBytes(seed)).ToLowerInvariant();
}
