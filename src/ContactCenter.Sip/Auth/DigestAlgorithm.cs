namespace ContactCenter.Sip.Auth;

/// <summary>A digest algorithm of RFC 7616 as used by SIP (RFC 8760).</summary>
public enum DigestAlgorithm
{
    /// <summary><c>MD5</c>: the RFC 2617 default, still what most SIP phones and carriers send.</summary>
    Md5,

    /// <summary><c>MD5-sess</c>.</summary>
    Md5Sess,

    /// <summary><c>SHA-256</c> (RFC 8760). Offered first by our server.</summary>
    Sha256,

    /// <summary><c>SHA-256-sess</c>.</summary>
    Sha256Sess,
}

/// <summary>Names and hashing for <see cref="DigestAlgorithm"/>.</summary>
public static class DigestAlgorithms
{
    /// <summary>The token that names <paramref name="algorithm"/> in a header.</summary>
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm"),
    };

    /// <summary>Reads an algorithm token (case-insensitive); a missing token means MD5 (RFC 7616 §3.3).</summary>
    public static bool TryParse(string? token, out DigestAlgorithm algorithm)
    {
        switch (token?.Trim().ToUpperInvariant())
        {
            case null or "":
            case "MD5":
                algorithm = DigestAlgorithm.Md5;
                return true;
            case "MD5-SESS":
                algorithm = DigestAlgorithm.Md5Sess;
                return true;
            case "SHA-256":
                algorithm = DigestAlgorithm.Sha256;
                return true;
            case "SHA-256-SESS":
                algorithm = DigestAlgorithm.Sha256Sess;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }

    internal static bool IsSession(this DigestAlgorithm algorithm) =>
        algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess;
}
