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
