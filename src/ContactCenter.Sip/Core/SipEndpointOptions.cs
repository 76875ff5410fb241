using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Core;

/// <summary>Options of <see cref="SipEndpoint"/>: its transports, transaction timers and what its UAS core accepts.</summary>
public sealed class SipEndpointOptions
{
    /// <summary>Listen addresses, TLS certificate and parser limits.</summary>
    public SipTransportOptions Transport { get; set; } = new();

    /// <summary>T1, T2, T4 and the transaction limit.</summary>
    public SipTransactionOptions Transactions { get; set; } = new();

    /// <summary>Methods this endpoint handles; others get 405 with Allow (RFC 3261 §8.2.1).</summary>
    public IList<string> AllowedMethods { get; } =
        ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "INFO", "UPDATE", "PRACK", "REFER", "NOTIFY"];

    /// <summary>Option tags this endpoint supports; a Require naming another gets 420 (RFC 3261 §8.2.2.3).</summary>
    public IList<string> SupportedExtensions { get; } = ["100rel", "timer", "replaces", "norefersub"];

    /// <summary>Body types this endpoint understands; a body of another type gets 415 with Accept (RFC 3261 §8.2.3).</summary>
    public IList<string> AcceptedContentTypes { get; } =
        ["application/sdp", "application/dtmf-relay", "message/sipfrag", "multipart/mixed", "text/plain"];

    /// <summary>Content encodings understood; another gets 415 with Accept-Encoding. Default: identity only.</summary>
    public IList<string> AcceptedContentEncodings { get; } = ["identity"];

    /// <summary>The User-Agent and Server header value. Default <c>ContactCenter</c>.</summary>
    public string UserAgent { get; set; } = "ContactCenter";

    /// <summary>How long a request's From tag, Call-ID and CSeq are remembered to detect merged requests (482). Default 32 s.</summary>
    public TimeSpan MergedRequestWindow { get; set; } = TimeSpan.FromSeconds(32);

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Transport, nameof(Transport));
        ArgumentNullException.ThrowIfNull(Transactions, nameof(Transactions));
        Transport.Validate();
        Transactions.Validate();
        foreach (var required in (ReadOnlySpan<string>)["ACK", "CANCEL", "OPTIONS"])
        {
            if (!AllowedMethods.Contains(required, StringComparer.Ordinal))
            {
                throw new ArgumentException($"SipEndpointOptions.AllowedMethods must include {required}.", nameof(AllowedMethods));
            }
        }

        if (MergedRequestWindow < TimeSpan.Zero)
        {
            throw new ArgumentException("SipEndpointOptions.MergedRequestWindow must not be negative.", nameof(MergedRequestWindow));
        }
    }
}
