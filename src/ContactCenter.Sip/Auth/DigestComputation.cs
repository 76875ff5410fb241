using System.Security.Cryptography;
using System.Text;

namespace ContactCenter.Sip.Auth;

/// <summary>The arithmetic of RFC 7616 §3.4: H(A1), H(A2) and the request-digest.</summary>
internal static class DigestComputation
{
    /// <summary>Lowercase hex of the algorithm's hash of <paramref name="text"/> (UTF-8).</summary>
    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var rented = byteCount <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount);
        Span<byte> input = rented ?? stackalloc byte[byteCount];
        input = input[..Encoding.UTF8.GetBytes(text, input)];
        Span<byte> hash = stackalloc byte[32];
#pragma warning disable CA5351 // MD5 is what RFC 2617/7616 digest interop requires; SHA-256 is offered first.
        var length = algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess
            ? MD5.HashData(input, hash)
            : SHA256.HashData(input, hash);
#pragma warning restore CA5351
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return Convert.ToHexStringLower(hash[..length]);
    }

    /// <summary>H(A1) from the clear password (RFC 7616 §3.4.2).</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hash(algorithm, $"{username}:{realm}:{password}");

    /// <summary>Turns a stored H(username:realm:password) into the H(A1) the algorithm uses (the -sess variants mix in the nonces).</summary>
    public static string SessionHa1(DigestAlgorithm algorithm, string ha1, string nonce, string? cnonce) =>
        algorithm.IsSession() ? Hash(algorithm, $"{ha1}:{nonce}:{cnonce}") : ha1;

    /// <summary>The request-digest (the <c>response</c> parameter).</summary>
    public static string Response(
        DigestAlgorithm algorithm, string ha1, string nonce, string? qop, string? nonceCount, string? cnonce, string method, string uri)
    {
        var a1 = SessionHa1(algorithm, ha1, nonce, cnonce);
        var ha2 = Hash(algorithm, $"{method}:{uri}");
        return string.IsNullOrEmpty(qop)
            ? Hash(algorithm, $"{a1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{a1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }
}
