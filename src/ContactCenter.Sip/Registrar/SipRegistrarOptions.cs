namespace ContactCenter.Sip.Registrar;

/// <summary>Options of <see cref="SipRegistrar"/>.</summary>
public sealed class SipRegistrarOptions
{
    /// <summary>The shortest registration accepted; shorter ones get 423 with Min-Expires. Default 60 s.</summary>
    public TimeSpan MinExpires { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest registration granted; longer requests are shortened. Default 1 hour.</summary>
    public TimeSpan MaxExpires { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What a REGISTER that names no expiry gets. Default 1 hour.</summary>
    public TimeSpan DefaultExpires { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most contacts one address of record may have; more are refused with 403. Default 10.</summary>
    public int MaxContactsPerAddress { get; set; } = 10;

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (MinExpires < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("SipRegistrarOptions.MinExpires must be at least 1 second.", nameof(MinExpires));
        }

        if (MaxExpires < MinExpires)
        {
            throw new ArgumentException("SipRegistrarOptions.MaxExpires must be at least MinExpires.", nameof(MaxExpires));
        }

        if (DefaultExpires < MinExpires || DefaultExpires > MaxExpires)
        {
            throw new ArgumentException("SipRegistrarOptions.DefaultExpires must lie between MinExpires and MaxExpires.", nameof(DefaultExpires));
        }

        if (MaxContactsPerAddress < 1)
        {
            throw new ArgumentException("SipRegistrarOptions.MaxContactsPerAddress must be at least 1.", nameof(MaxContactsPerAddress));
        }
    }
}

/// <summary>One registered contact of an address of record.</summary>
/// <param name="AddressOfRecord">The registered user part (an agent extension such as <c>1001</c>).</param>
/// <param name="Contact">The contact URI to send requests to.</param>
/// <param name="Source">Where the REGISTER came from: send there to cross a NAT, or over its connection.</param>
/// <param name="ExpiresAt">When the binding lapses unless refreshed.</param>
/// <param name="Q">The contact's preference (0 to 1; 1 when not given).</param>
/// <param name="CallId">The Call-ID of the registering client.</param>
/// <param name="CSeq">The CSeq number of the last REGISTER that touched this binding.</param>
public sealed record SipBinding(
    string AddressOfRecord, AbsoluteUri Contact, Transport.SipRemote Source, DateTimeOffset ExpiresAt, double Q, string CallId, uint CSeq);
