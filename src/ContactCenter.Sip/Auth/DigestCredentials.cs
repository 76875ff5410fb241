using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ContactCenter.Sip.Auth;

/// <summary>
/// Digest credentials: the value of an Authorization or Proxy-Authorization header (RFC 7616 §3.4).
/// <see cref="ToString"/> never writes the password, which this type does not hold.
/// </summary>
public sealed record DigestCredentials
{
    /// <summary>The user name.</summary>
    public required string Username { get; init; }

    /// <summary>The realm of the challenge answered.</summary>
    public required string Realm { get; init; }

    /// <summary>The nonce of the challenge answered.</summary>
    public required string Nonce { get; init; }

    /// <summary>The digest-uri: the Request-URI of the request, as sent.</summary>
    public required string Uri { get; init; }

    /// <summary>The request-digest, lowercase hex.</summary>
    public required string Response { get; init; }

    /// <summary>The algorithm.</summary>
    public DigestAlgorithm Algorithm { get; init; } = DigestAlgorithm.Md5;

    /// <summary>The client nonce (with qop).</summary>
    public string? ClientNonce { get; init; }

    /// <summary>The nonce count, eight hex digits (with qop).</summary>
    public string? NonceCount { get; init; }

    /// <summary>The chosen qop (<c>auth</c>), or null for an RFC 2069-style answer.</summary>
    public string? Qop { get; init; }

    /// <summary>The challenge's opaque value, returned unchanged.</summary>
    public string? Opaque { get; init; }

    /// <summary>
    /// Answers <paramref name="challenge"/> for a request with <paramref name="method"/> and Request-URI
    /// <paramref name="uri"/>: the client side of RFC 7616, choosing <c>qop=auth</c> when offered.
    /// </summary>
    /// <param name="challenge">The 401/407 challenge.</param>
    /// <param name="username">The user name.</param>
    /// <param name="password">The password; used for hashing only, never stored.</param>
    /// <param name="method">The SIP method of the request being authorized (for an ACK or CANCEL, that of the INVITE).</param>
    /// <param name="uri">The Request-URI, exactly as it is sent.</param>
    /// <param name="nonceCount">How many requests this client has sent with this nonce, this one included.</param>
    /// <param name="clientNonce">The client nonce; a random one when null.</param>
    /// <exception cref="NotSupportedException">The challenge offers only qop values other than <c>auth</c>.</exception>
    public static DigestCredentials Answer(
        DigestChallenge challenge, string username, string password, string method, string uri, int nonceCount = 1, string? clientNonce = null)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(nonceCount, 1);
        string? qop = null;
        if (challenge.Qop.Count > 0)
        {
            qop = challenge.Qop.FirstOrDefault(q => string.Equals(q, "auth", StringComparison.OrdinalIgnoreCase))
                ?? throw new NotSupportedException($"the challenge offers qop '{string.Join(',', challenge.Qop)}'; only 'auth' is supported");
        }

        var cnonce = qop is null && !challenge.Algorithm.IsSession() ? null : clientNonce ?? NewClientNonce();
        var nc = qop is null ? null : nonceCount.ToString("x8", CultureInfo.InvariantCulture);
        var ha1 = DigestComputation.Ha1(challenge.Algorithm, username, challenge.Realm, password);
        return new DigestCredentials
        {
            Username = username,
            Realm = challenge.Realm,
            Nonce = challenge.Nonce,
            Uri = uri,
            Algorithm = challenge.Algorithm,
            ClientNonce = cnonce,
            NonceCount = nc,
            Qop = qop,
            Opaque = challenge.Opaque,
            Response = DigestComputation.Response(challenge.Algorithm, ha1, challenge.Nonce, qop, nc, cnonce, method, uri),
        };
    }

    /// <summary>Parses an Authorization header value.</summary>
    /// <exception cref="FormatException">The value is not usable digest credentials; the message says why.</exception>
    public static DigestCredentials Parse(string headerValue) =>
        TryParse(headerValue, out var credentials, out var error) ? credentials! : throw new FormatException(error);

    /// <summary>Parses an Authorization header value; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string headerValue, out DigestCredentials? credentials, out string? error)
    {
        ArgumentNullException.ThrowIfNull(headerValue);
        credentials = null;
        if (!AuthParameters.TryParse(headerValue, out var p, out error))
        {
            return false;
        }

        if (!string.Equals(p!.Scheme, "Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = $"unsupported authentication scheme '{p.Scheme}'";
            return false;
        }

        foreach (var required in (ReadOnlySpan<string>)["username", "realm", "nonce", "uri", "response"])
        {
            if (p[required] is null)
            {
                error = $"the credentials have no {required}";
                return false;
            }
        }

        if (!DigestAlgorithms.TryParse(p["algorithm"], out var algorithm))
        {
            error = $"unsupported digest algorithm '{p["algorithm"]}'";
            return false;
        }

        var qop = p["qop"];
        if (qop is not null && (p["cnonce"] is null || p["nc"] is null))
        {
            error = "qop is present but cnonce or nc is missing";
            return false;
        }

        credentials = new DigestCredentials
        {
            Username = p["username"]!,
            Realm = p["realm"]!,
            Nonce = p["nonce"]!,
            Uri = p["uri"]!,
            Response = p["response"]!,
            Algorithm = algorithm,
            ClientNonce = p["cnonce"],
            NonceCount = p["nc"],
            Qop = qop,
            Opaque = p["opaque"],
        };
        error = null;
        return true;
    }

    /// <summary>The header value, e.g. <c>Digest username="1001", realm="...", ...</c>.</summary>
    public override string ToString()
    {
        var b = new StringBuilder("Digest ");
        AuthParameters.AppendQuoted(b, "username", Username);
        b.Append(", ");
        AuthParameters.AppendQuoted(b, "realm", Realm);
        b.Append(", ");
        AuthParameters.AppendQuoted(b, "nonce", Nonce);
        b.Append(", ");
        AuthParameters.AppendQuoted(b, "uri", Uri);
        b.Append(", ");
        AuthParameters.AppendQuoted(b, "response", Response);
        b.Append(", algorithm=").Append(Algorithm.ToToken());
        if (ClientNonce is not null)
        {
            b.Append(", ");
            AuthParameters.AppendQuoted(b, "cnonce", ClientNonce);
        }

        if (Opaque is not null)
        {
            b.Append(", ");
            AuthParameters.AppendQuoted(b, "opaque", Opaque);
        }

        if (Qop is not null)
        {
            b.Append(", qop=").Append(Qop).Append(", nc=").Append(NonceCount);
        }

        return b.ToString();
    }

    private static string NewClientNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
