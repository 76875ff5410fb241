using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Auth;

/// <summary>
/// A digest challenge: the value of a WWW-Authenticate (401) or Proxy-Authenticate (407) header
/// (RFC 7616 §3.3, RFC 8760).
/// </summary>
public sealed record DigestChallenge
{
    /// <summary>The protection space, usually the domain or the trunk's name.</summary>
    public required string Realm { get; init; }

    /// <summary>The server's nonce.</summary>
    public required string Nonce { get; init; }

    /// <summary>The hash algorithm.</summary>
    public DigestAlgorithm Algorithm { get; init; } = DigestAlgorithm.Md5;

    /// <summary>Opaque data the client must return unchanged, or null.</summary>
    public string? Opaque { get; init; }

    /// <summary>The offered qop values (e.g. <c>auth</c>); empty for an RFC 2069-style challenge.</summary>
    public IReadOnlyList<string> Qop { get; init; } = [];

    /// <summary>True when the previous request's nonce had expired but its credentials were right.</summary>
    public bool Stale { get; init; }

    /// <summary>Parses a header value such as <c>Digest realm="a", nonce="b", qop="auth", algorithm=SHA-256</c>.</summary>
    /// <exception cref="FormatException">The value is not a usable digest challenge; the message says why.</exception>
    public static DigestChallenge Parse(string headerValue) =>
        TryParse(headerValue, out var challenge, out var error) ? challenge! : throw new FormatException(error);

    /// <summary>Parses a header value; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string headerValue, out DigestChallenge? challenge, out string? error)
    {
        ArgumentNullException.ThrowIfNull(headerValue);
        challenge = null;
        if (!AuthParameters.TryParse(headerValue, out var p, out error))
        {
            return false;
        }

        if (!string.Equals(p!.Scheme, "Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = $"unsupported authentication scheme '{p.Scheme}'";
            return false;
        }

        if (p["realm"] is not { } realm)
        {
            error = "the challenge has no realm";
            return false;
        }

        if (p["nonce"] is not { } nonce)
        {
            error = "the challenge has no nonce";
            return false;
        }

        if (!DigestAlgorithms.TryParse(p["algorithm"], out var algorithm))
        {
            error = $"unsupported digest algorithm '{p["algorithm"]}'";
            return false;
        }

        var qop = (p["qop"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        challenge = new DigestChallenge
        {
            Realm = realm,
            Nonce = nonce,
            Algorithm = algorithm,
            Opaque = p["opaque"],
            Qop = qop,
            Stale = string.Equals(p["stale"], "true", StringComparison.OrdinalIgnoreCase),
        };
        error = null;
        return true;
    }

    /// <summary>The header value, e.g. <c>Digest realm="example.com", nonce="...", algorithm=SHA-256, qop="auth"</c>.</summary>
    public override string ToString()
    {
        var b = new StringBuilder("Digest ");
        AuthParameters.AppendQuoted(b, "realm", Realm);
        b.Append(", ");
        AuthParameters.AppendQuoted(b, "nonce", Nonce);
        b.Append(", algorithm=").Append(Algorithm.ToToken());
        if (Qop.Count > 0)
        {
            b.Append(", ");
            AuthParameters.AppendQuoted(b, "qop", string.Join(',', Qop));
        }

        if (Opaque is not null)
        {
            b.Append(", ");
            AuthParameters.AppendQuoted(b, "opaque", Opaque);
        }

        if (Stale)
        {
            b.Append(CultureInfo.InvariantCulture, $", stale=true");
        }

        return b.ToString();
    }
}
