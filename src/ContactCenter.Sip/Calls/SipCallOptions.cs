using ContactCenter.Sip.Core;

namespace ContactCenter.Sip.Calls;

/// <summary>Options of <see cref="SipUserAgent"/>.</summary>
public sealed class SipUserAgentOptions
{
    /// <summary>The endpoint: listen addresses, timers, UAS policy.</summary>
    public SipEndpointOptions Endpoint { get; set; } = new();

    /// <summary>The user part of our Contact header. Default <c>contactcenter</c>.</summary>
    public string ContactUser { get; set; } = "contactcenter";

    /// <summary>
    /// The host (IP address) to advertise in Contact and Via; null uses the bound address (a wildcard bind
    /// advertises 127.0.0.1, so set this when listening on 0.0.0.0).
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>How long an outgoing call may ring before it is cancelled. Default 60 s.</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Send provisional responses reliably (RFC 3262) when the caller only lists <c>100rel</c> in Supported.
    /// When the caller puts it in Require they are always reliable. Default false.
    /// </summary>
    public bool PreferReliableProvisionals { get; set; }

    /// <summary>Session timers (RFC 4028): on by default, 1800 s asked for, 90 s accepted at least.</summary>
    public SipSessionTimerOptions SessionTimer { get; set; } = new();

    /// <summary>How long <see cref="SipCall.TransferAsync"/> waits for the final NOTIFY after the 202. Default 60 s.</summary>
    public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a re-INVITE or UPDATE answered 491 (glare) is retried after the RFC 3261 §14.1 interval. Default 3.</summary>
    public int GlareRetries { get; set; } = 3;

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint, nameof(Endpoint));
        Endpoint.Validate();
        if (string.IsNullOrWhiteSpace(ContactUser))
        {
            throw new ArgumentException("SipUserAgentOptions.ContactUser must not be empty.", nameof(ContactUser));
        }

        if (RingTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipUserAgentOptions.RingTimeout must be positive.", nameof(RingTimeout));
        }

        ArgumentNullException.ThrowIfNull(SessionTimer, nameof(SessionTimer));
        SessionTimer.Validate();
        if (TransferTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipUserAgentOptions.TransferTimeout must be positive.", nameof(TransferTimeout));
        }

        if (GlareRetries is < 0 or > 10)
        {
            throw new ArgumentException("SipUserAgentOptions.GlareRetries must be from 0 to 10.", nameof(GlareRetries));
        }
    }
}

/// <summary>Session timer options (RFC 4028) of <see cref="SipUserAgent"/>.</summary>
public sealed class SipSessionTimerOptions
{
    /// <summary>Use session timers: ask for them on calls we place, grant them on calls we receive. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The session interval asked for (Session-Expires), and the most granted. Default 1800 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>The smallest interval accepted (Min-SE); a smaller request gets 422. At least 90 s (RFC 4028). Default 90 s.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(90);

    internal uint IntervalSeconds => (uint)Interval.TotalSeconds;

    internal uint MinSeconds => (uint)MinInterval.TotalSeconds;

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (MinInterval < TimeSpan.FromSeconds(90) || MinInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("SipSessionTimerOptions.MinInterval must be from 90 s (RFC 4028) to one day.", nameof(MinInterval));
        }

        if (Interval < MinInterval || Interval > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("SipSessionTimerOptions.Interval must be at least MinInterval and at most one day.", nameof(Interval));
        }
    }
}

/// <summary>What to call and how: the target, identities, offer, credentials and extra headers.</summary>
public sealed record SipCallRequest
{
    /// <summary>The Request-URI, e.g. <c>sip:+18005550100@127.0.0.1:5060</c>.</summary>
    public required SipUri Target { get; init; }

    /// <summary>Where to send the INVITE (the next hop: the target itself, a trunk's proxy).</summary>
    public required Transport.SipDestination Destination { get; init; }

    /// <summary>The From URI (our identity); default <c>sip:contactcenter@ADDRESS</c>.</summary>
    public SipUri? From { get; init; }

    /// <summary>The From display name.</summary>
    public string? FromDisplayName { get; init; }

    /// <summary>The To URI; default the target.</summary>
    public SipUri? To { get; init; }

    /// <summary>The SDP offer (empty for a call without offer).</summary>
    public ReadOnlyMemory<byte> Sdp { get; init; }

    /// <summary>Extra headers, e.g. <c>X-</c> attached data, P-Asserted-Identity.</summary>
    public IReadOnlyList<SipHeader> Headers { get; init; } = [];

    /// <summary>User name and password for a 401/407 challenge; null to fail on a challenge.</summary>
    public (string User, string Password)? Credentials { get; init; }

    /// <summary>The Call-ID; a new unique one when null.</summary>
    public string? CallId { get; init; }
}
