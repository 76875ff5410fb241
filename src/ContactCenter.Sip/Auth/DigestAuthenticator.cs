using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ContactCenter.Sip.Auth;

/// <summary>What <c>DigestAuthenticator.Verify</c> decided.</summary>
public enum DigestVerdict
{
    /// <summary>The credentials are right and fresh.</summary>
    Authenticated,

    /// <summary>The credentials are right but the nonce expired: challenge again with <c>stale=true</c>.</summary>
    Stale,

    /// <summary>No usable credentials, a wrong password, an unknown user, a forged or replayed nonce: challenge again.</summary>
    Rejected,
}

/// <summary>The outcome of verifying credentials.</summary>
/// <param name="Verdict">The decision.</param>
/// <param name="Username">The user name the credentials claimed, when they could be read.</param>
/// <param name="Reason">Why, in words fit for a log line (never a secret).</param>
public readonly record struct DigestVerification(DigestVerdict Verdict, string? Username, string Reason)
{
    /// <summary>True when the request may proceed.</summary>
    public bool IsAuthenticated => Verdict == DigestVerdict.Authenticated;
}

/// <summary>
/// The server side of SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): issues challenges
/// with signed, expiring nonces (no per-nonce state until a nonce is used) and verifies credentials in
/// constant time. Thread-safe.
/// </summary>
public sealed class DigestAuthenticator
{
    private const int StampLength = 8;
    private const int RandomLength = 12;
    private const int MacLength = 16;

    private readonly DigestAuthenticatorOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _key;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Creates an authenticator.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DigestAuthenticator(DigestAuthenticatorOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _key = options.NonceKey?.ToArray() ?? RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>The realm this authenticator challenges for.</summary>
    public string Realm => _options.Realm;

    /// <summary>
    /// New challenges, one per configured algorithm, preferred first, sharing one fresh nonce. Put each
    /// in its own WWW-Authenticate (401) or Proxy-Authenticate (407) header.
    /// </summary>
    /// <param name="stale">True when the client's credentials were right but its nonce had expired.</param>
    public IReadOnlyList<DigestChallenge> CreateChallenges(bool stale = false)
    {
        var nonce = NewNonce();
        return [.. _options.Algorithms.Select(a => new DigestChallenge
        {
            Realm = _options.Realm,
            Nonce = nonce,
            Algorithm = a,
            Qop = ["auth"],
            Stale = stale,
        })];
    }

    /// <summary>Verifies an Authorization or Proxy-Authorization header value for a request.</summary>
    /// <param name="authorization">The header value; null when the request carried none.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="passwordOf">Looks up the clear password of a user name; null for an unknown user.</param>
    /// <param name="requestUri">The Request-URI as received; when given, the digest-uri must equal it.</param>
    public DigestVerification Verify(string? authorization, string method, Func<string, string?> passwordOf, string? requestUri = null)
    {
        ArgumentNullException.ThrowIfNull(passwordOf);
        return Verify(authorization, method, (user, realm, algorithm) =>
            passwordOf(user) is { } password ? DigestComputation.Ha1(algorithm, user, realm, password) : null, requestUri);
    }

    /// <summary>
    /// Verifies credentials against a stored H(username:realm:password), for stores that keep no clear password.
    /// </summary>
    /// <param name="authorization">The header value; null when the request carried none.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="ha1Of">Given user name, realm and algorithm, the lowercase hex H(A1); null for an unknown user.</param>
    /// <param name="requestUri">The Request-URI as received; when given, the digest-uri must equal it.</param>
    public DigestVerification Verify(
        string? authorization, string method, Func<string, string, DigestAlgorithm, string?> ha1Of, string? requestUri = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(ha1Of);
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new(DigestVerdict.Rejected, null, "no credentials");
        }

        if (!DigestCredentials.TryParse(authorization, out var c, out var error))
        {
            return new(DigestVerdict.Rejected, null, $"unreadable credentials: {error}");
        }

        if (!string.Equals(c!.Realm, _options.Realm, StringComparison.Ordinal))
        {
            return new(DigestVerdict.Rejected, c.Username, $"credentials for realm '{c.Realm}', expected '{_options.Realm}'");
        }

        if (!_options.Algorithms.Contains(c.Algorithm))
        {
            return new(DigestVerdict.Rejected, c.Username, $"algorithm {c.Algorithm.ToToken()} was not offered");
        }

        if (c.Qop is not null && !string.Equals(c.Qop, "auth", StringComparison.OrdinalIgnoreCase))
        {
            return new(DigestVerdict.Rejected, c.Username, $"qop '{c.Qop}' was not offered");
        }

        if (requestUri is not null && !string.Equals(c.Uri, requestUri, StringComparison.Ordinal))
        {
            return new(DigestVerdict.Rejected, c.Username, "the digest uri differs from the Request-URI");
        }

        if (!TryReadNonce(c.Nonce, out var issuedAt))
        {
            return new(DigestVerdict.Rejected, c.Username, "the nonce was not issued here");
        }

        if (ha1Of(c.Username, c.Realm, c.Algorithm) is not { } ha1)
        {
            return new(DigestVerdict.Rejected, c.Username, "unknown user");
        }

        var expected = DigestComputation.Response(c.Algorithm, ha1, c.Nonce, c.Qop, c.NonceCount, c.ClientNonce, method, c.Uri);
        if (!FixedTimeEqualsHex(expected, c.Response))
        {
            return new(DigestVerdict.Rejected, c.Username, "wrong response (password or digest mismatch)");
        }

        if (_time.GetUtcNow() - issuedAt > _options.NonceLifetime)
        {
            return new(DigestVerdict.Stale, c.Username, "the nonce expired");
        }

        if (c.Qop is not null && !AcceptCount(c.Nonce, c.NonceCount!, issuedAt))
        {
            return new(DigestVerdict.Rejected, c.Username, "the nonce count did not increase (a replay)");
        }

        return new(DigestVerdict.Authenticated, c.Username, "authenticated");
    }

    private string NewNonce()
    {
        Span<byte> nonce = stackalloc byte[StampLength + RandomLength + MacLength];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(StampLength, RandomLength));
        Sign(nonce[..(StampLength + RandomLength)], nonce[(StampLength + RandomLength)..]);
        return Convert.ToBase64String(nonce);
    }

    private bool TryReadNonce(string nonce, out DateTimeOffset issuedAt)
    {
        issuedAt = default;
        Span<byte> bytes = stackalloc byte[StampLength + RandomLength + MacLength];
        if (!Convert.TryFromBase64String(nonce, bytes, out var written) || written != bytes.Length)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[MacLength];
        Sign(bytes[..(StampLength + RandomLength)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[(StampLength + RandomLength)..]))
        {
            return false;
        }

        issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes));
        return true;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> realm = stackalloc byte[Encoding.UTF8.GetMaxByteCount(_options.Realm.Length)];
        realm = realm[..Encoding.UTF8.GetBytes(_options.Realm, realm)];
        Span<byte> input = stackalloc byte[data.Length + realm.Length];
        data.CopyTo(input);
        realm.CopyTo(input[data.Length..]);
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, full);
        full[..mac.Length].CopyTo(mac);
    }

    private bool AcceptCount(string nonce, string nonceCount, DateTimeOffset issuedAt)
    {
        if (!long.TryParse(nonceCount, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        if (_counts.Count >= _options.MaxTrackedNonces)
        {
            ForgetExpired();
        }

        var accepted = false;
        _counts.AddOrUpdate(
            nonce,
            _ =>
            {
                accepted = true;
                return count;
            },
            (_, previous) =>
            {
                accepted = count > previous;
                return accepted ? count : previous;
            });
        return accepted;
    }

    private void ForgetExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var nonce in _counts.Keys)
        {
            if (!TryReadNonce(nonce, out var issuedAt) || now - issuedAt > _options.NonceLifetime)
            {
                _counts.TryRemove(nonce, out _);
            }
        }

        // Still full of live nonces: drop the oldest half rather than grow without bound.
        if (_counts.Count >= _options.MaxTrackedNonces)
        {
            foreach (var nonce in _counts.Keys.Take(_counts.Count / 2))
            {
                _counts.TryRemove(nonce, out _);
            }
        }
    }

    private static bool FixedTimeEqualsHex(string expected, string actual)
    {
        Span<byte> a = stackalloc byte[64];
        Span<byte> b = stackalloc byte[64];
        if (expected.Length > 64 || actual.Length != expected.Length)
        {
            return false;
        }

        var na = Encoding.ASCII.GetBytes(expected, a);
        var nb = Encoding.ASCII.GetBytes(actual.ToLowerInvariant(), b);
        return CryptographicOperations.FixedTimeEquals(a[..na], b[..nb]);
    }
}
