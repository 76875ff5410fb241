namespace ContactCenter.Sip.Auth;

/// <summary>Options of <see cref="DigestAuthenticator"/>, the server side of digest authentication.</summary>
public sealed class DigestAuthenticatorOptions
{
    /// <summary>The realm named in challenges. Default <c>contactcenter</c>.</summary>
    public string Realm { get; set; } = "contactcenter";

    /// <summary>How long a nonce is accepted; an older one gets a new challenge with <c>stale=true</c>. Default 5 minutes.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithms offered, one challenge header each, preferred first (RFC 8760 §2.4). Default SHA-256 then MD5.</summary>
    public IList<DigestAlgorithm> Algorithms { get; } = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5];

    /// <summary>
    /// The secret that signs nonces (at least 16 bytes). Null: a random key per process. Give every node of a
    /// cluster the same key so a nonce issued by one node is accepted by another.
    /// </summary>
    public byte[]? NonceKey { get; set; }

    /// <summary>How many nonces' counts are remembered to refuse replays. Default 100,000.</summary>
    public int MaxTrackedNonces { get; set; } = 100_000;

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Realm))
        {
            throw new ArgumentException("DigestAuthenticatorOptions.Realm must not be empty.", nameof(Realm));
        }

        if (NonceLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("DigestAuthenticatorOptions.NonceLifetime must be positive.", nameof(NonceLifetime));
        }

        if (Algorithms.Count == 0)
        {
            throw new ArgumentException("DigestAuthenticatorOptions.Algorithms must name at least one algorithm.", nameof(Algorithms));
        }

        if (NonceKey is { Length: < 16 })
        {
            throw new ArgumentException("DigestAuthenticatorOptions.NonceKey must be at least 16 bytes.", nameof(NonceKey));
        }

        if (MaxTrackedNonces < 1)
        {
            throw new ArgumentException("DigestAuthenticatorOptions.MaxTrackedNonces must be at least 1.", nameof(MaxTrackedNonces));
        }
    }
}
