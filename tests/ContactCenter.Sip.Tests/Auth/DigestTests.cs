using ContactCenter.Sip.Auth;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Auth;

public sealed class DigestClientTests
{
    // RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
    private static readonly DigestChallenge Rfc7616Md5 = DigestChallenge.Parse(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, " +
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");

    [Fact]
    public void Md5_answer_matches_the_RFC_7616_example()
    {
        var answer = DigestCredentials.Answer(Rfc7616Md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
            clientNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

        Assert.Equal("8ca523f5e9506fed4657c9700eebdbec", answer.Response);
        Assert.Equal("00000001", answer.NonceCount);
        Assert.Equal("auth", answer.Qop);
        Assert.Equal("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", answer.Opaque);
    }

    [Fact]
    public void Sha256_answer_matches_the_RFC_7616_example()
    {
        var challenge = Rfc7616Md5 with { Algorithm = DigestAlgorithm.Sha256 };

        var answer = DigestCredentials.Answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
            clientNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", answer.Response);
        Assert.Contains("algorithm=SHA-256", answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Md5_answer_matches_the_RFC_2617_example()
    {
        var challenge = DigestChallenge.Parse(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");

        var answer = DigestCredentials.Answer(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", clientNonce: "0a4f113b");

        Assert.Equal("6629fae49393a05397450978507c4ef1", answer.Response);
    }

    [Fact]
    public void Answer_without_qop_uses_the_RFC_2069_form()
    {
        var challenge = new DigestChallenge { Realm = "carrier", Nonce = "abc" };

        var answer = DigestCredentials.Answer(challenge, "trunk1", "secret", "REGISTER", "sip:carrier.example");

        Assert.Null(answer.Qop);
        Assert.Null(answer.NonceCount);
        Assert.DoesNotContain("qop=", answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_refuses_a_challenge_that_offers_only_auth_int()
    {
        var challenge = new DigestChallenge { Realm = "r", Nonce = "n", Qop = ["auth-int"] };

        var error = Assert.Throws<NotSupportedException>(() => DigestCredentials.Answer(challenge, "u", "p", "INVITE", "sip:x"));
        Assert.Contains("auth-int", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_header_never_contains_the_password()
    {
        var answer = DigestCredentials.Answer(Rfc7616Md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html");

        Assert.DoesNotContain("Circle of Life", answer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Circle of Life", answer.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Credentials_round_trip_through_their_header_value()
    {
        var answer = DigestCredentials.Answer(Rfc7616Md5, "Mu\"fa\\sa", "pw", "INVITE", "sip:+18005550100@127.0.0.1");

        var parsed = DigestCredentials.Parse(answer.ToString());

        Assert.Equal(answer, parsed);
    }

    [Fact]
    public void Challenge_round_trips_through_its_header_value()
    {
        var challenge = new DigestChallenge
        {
            Realm = "pbx \"main\"",
            Nonce = "n0nce",
            Algorithm = DigestAlgorithm.Sha256Sess,
            Opaque = "op",
            Qop = ["auth"],
            Stale = true,
        };

        var parsed = DigestChallenge.Parse(challenge.ToString());

        Assert.Equal(challenge.ToString(), parsed.ToString());
        Assert.True(parsed.Stale);
        Assert.Equal(DigestAlgorithm.Sha256Sess, parsed.Algorithm);
    }

    [Theory]
    [InlineData("Basic realm=\"x\"", "unsupported authentication scheme 'Basic'")]
    [InlineData("Digest nonce=\"n\"", "no realm")]
    [InlineData("Digest realm=\"r\"", "no nonce")]
    [InlineData("Digest realm=\"r, nonce=\"n\"", "expected ','")]
    [InlineData("Digest realm=\"r\", nonce=\"n", "unterminated quoted string")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512", "unsupported digest algorithm 'SHA-512'")]
    [InlineData("Digest realm", "has no '='")]
    [InlineData("", "does not start with an authentication scheme")]
    public void Malformed_challenges_are_refused_with_a_reason(string value, string reason)
    {
        Assert.False(DigestChallenge.TryParse(value, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_algorithm_means_MD5_and_tokens_are_case_insensitive()
    {
        Assert.Equal(DigestAlgorithm.Md5, DigestChallenge.Parse("Digest realm=\"r\", nonce=\"n\"").Algorithm);
        Assert.Equal(DigestAlgorithm.Sha256, DigestChallenge.Parse("digest REALM=\"r\", Nonce=\"n\", algorithm=sha-256").Algorithm);
    }
}

public sealed class DigestAuthenticatorTests
{
    private const string Uri = "sip:registrar.example";
    private readonly ManualTimeProvider _time = new();

    private DigestAuthenticator NewServer(byte[]? key = null)
    {
        var options = new DigestAuthenticatorOptions { Realm = "cc.example", NonceLifetime = TimeSpan.FromMinutes(5), NonceKey = key };
        return new DigestAuthenticator(options, _time);
    }

    private static string? Passwords(string user) => user == "1001" ? "s3cret" : null;

    private static string Answer(DigestChallenge challenge, string password = "s3cret", int nc = 1, string user = "1001") =>
        DigestCredentials.Answer(challenge, user, password, "REGISTER", Uri, nc).ToString();

    [Fact]
    public void Challenges_offer_SHA256_first_then_MD5_with_one_nonce()
    {
        var challenges = NewServer().CreateChallenges();

        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], challenges.Select(c => c.Algorithm));
        Assert.Single(challenges.Select(c => c.Nonce).Distinct());
        Assert.All(challenges, c => Assert.Equal(["auth"], c.Qop));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Right_password_is_authenticated_with_either_algorithm(int which)
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[which];

        var result = server.Verify(Answer(challenge), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Authenticated, result.Verdict);
        Assert.Equal("1001", result.Username);
    }

    [Fact]
    public void Wrong_password_is_rejected()
    {
        var server = NewServer();

        var result = server.Verify(Answer(server.CreateChallenges()[0], "guess"), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Rejected, result.Verdict);
        Assert.Contains("wrong response", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_user_is_rejected()
    {
        var server = NewServer();

        var result = server.Verify(Answer(server.CreateChallenges()[0], user: "9999"), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Rejected, result.Verdict);
        Assert.Equal("unknown user", result.Reason);
    }

    [Fact]
    public void Missing_credentials_are_rejected()
    {
        Assert.Equal(DigestVerdict.Rejected, NewServer().Verify(null, "REGISTER", Passwords).Verdict);
    }

    [Fact]
    public void Expired_nonce_with_right_password_is_stale()
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[0];

        _time.Advance(TimeSpan.FromMinutes(6));
        var result = server.Verify(Answer(challenge), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Stale, result.Verdict);
    }

    [Fact]
    public void Expired_nonce_with_wrong_password_is_rejected_not_stale()
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[0];

        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(DigestVerdict.Rejected, server.Verify(Answer(challenge, "guess"), "REGISTER", Passwords, Uri).Verdict);
    }

    [Fact]
    public void Nonce_not_issued_by_this_server_is_rejected()
    {
        var forged = new DigestChallenge { Realm = "cc.example", Nonce = Convert.ToBase64String(new byte[36]), Qop = ["auth"] };

        var result = NewServer().Verify(Answer(forged), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Rejected, result.Verdict);
        Assert.Equal("the nonce was not issued here", result.Reason);
    }

    [Fact]
    public void Replayed_nonce_count_is_rejected_and_a_higher_count_is_accepted()
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[0];
        var first = Answer(challenge, nc: 1);

        Assert.True(server.Verify(first, "REGISTER", Passwords, Uri).IsAuthenticated);
        Assert.Equal(DigestVerdict.Rejected, server.Verify(first, "REGISTER", Passwords, Uri).Verdict);
        Assert.True(server.Verify(Answer(challenge, nc: 2), "REGISTER", Passwords, Uri).IsAuthenticated);
    }

    [Fact]
    public void Digest_uri_must_equal_the_request_uri()
    {
        var server = NewServer();

        var result = server.Verify(Answer(server.CreateChallenges()[0]), "REGISTER", Passwords, "sip:elsewhere.example");

        Assert.Equal(DigestVerdict.Rejected, result.Verdict);
    }

    [Fact]
    public void Credentials_for_another_realm_are_rejected()
    {
        var other = new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "other" }, _time);

        var result = NewServer().Verify(Answer(other.CreateChallenges()[0]), "REGISTER", Passwords, Uri);

        Assert.Equal(DigestVerdict.Rejected, result.Verdict);
        Assert.Contains("realm 'other'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_HA1_verifies_without_the_clear_password()
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[1];
#pragma warning disable CA5351 // the digest MD5 algorithm under test
        var ha1 = System.Security.Cryptography.MD5.HashData("1001:cc.example:s3cret"u8);
#pragma warning restore CA5351

        var result = server.Verify(Answer(challenge), "REGISTER",
            (user, realm, algorithm) => user == "1001" && algorithm == DigestAlgorithm.Md5 ? Convert.ToHexStringLower(ha1) : null, Uri);

        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public void Nodes_sharing_a_nonce_key_accept_each_others_nonces()
    {
        var key = new byte[32];
        key[0] = 7;
        var challenge = NewServer(key).CreateChallenges()[0];

        Assert.True(NewServer(key).Verify(Answer(challenge), "REGISTER", Passwords, Uri).IsAuthenticated);
        Assert.False(NewServer().Verify(Answer(challenge), "REGISTER", Passwords, Uri).IsAuthenticated);
    }

    [Fact]
    public void Verification_reasons_never_contain_the_password()
    {
        var server = NewServer();
        var challenge = server.CreateChallenges()[0];

        foreach (var header in new[] { Answer(challenge, "s3cret-typo"), Answer(challenge), "Digest garbage" })
        {
            Assert.DoesNotContain("s3cret", server.Verify(header, "REGISTER", Passwords, Uri).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Invalid_options_name_the_bad_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new DigestAuthenticator(new DigestAuthenticatorOptions { NonceKey = new byte[4] }));
        Assert.Contains("NonceKey", error.Message, StringComparison.Ordinal);
    }
}
