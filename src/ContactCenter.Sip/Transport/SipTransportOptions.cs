using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ContactCenter.Sip.Transport;

/// <summary>Options of <see cref="SipTransportLayer"/>.</summary>
public sealed class SipTransportOptions
{
    /// <summary>The addresses to listen on; several at once, any mix of UDP, TCP and TLS, IPv4 and IPv6.</summary>
    public IList<SipListenAddress> Listen { get; } = [];

    /// <summary>Limits of the message parser (message size, header count, line length, body size).</summary>
    public SipParserOptions Parser { get; set; } = new();

    /// <summary>A TCP/TLS connection with no traffic for this long is closed. Default 10 minutes.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long opening an outbound TCP/TLS connection (and its TLS handshake) may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most TCP/TLS connections open at once, both directions; further accepts are closed at once. Default 10,000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Answer every UDP request at the address and port it came from, as if it carried <c>rport</c> (RFC 3581),
    /// instead of the Via's sent-by port. Default true: it is what reaches phones behind NAT, and what SIP
    /// test tools expect. False follows RFC 3261 §18.2.2 to the letter.
    /// </summary>
    public bool SymmetricResponses { get; set; } = true;

    /// <summary>The server certificate (with its private key) for TLS listeners.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Validates a peer's certificate on outbound TLS connections. Null: the system's chain and name checks.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>
    /// The receive and send buffer of each UDP socket, in bytes. A burst of datagrams beyond it is dropped by the
    /// kernel (and recovered only by retransmission), so busy servers want it large. Default 4 MiB; the kernel
    /// caps it at net.core.rmem_max / wmem_max.
    /// </summary>
    public int UdpSocketBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Called for every message received (after parsing) and sent; null for none.</summary>
    public SipMessageTrace? Trace { get; set; }

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range or missing.</exception>
    public void Validate()
    {
        if (Listen.Count == 0)
        {
            throw new ArgumentException("SipTransportOptions.Listen must name at least one address.", nameof(Listen));
        }

        if (Listen.Any(l => l.Protocol == SipTransportProtocol.Tls) && Certificate is null)
        {
            throw new ArgumentException("SipTransportOptions.Certificate is required for a TLS listen address.", nameof(Certificate));
        }

        if (Certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("SipTransportOptions.Certificate has no private key.", nameof(Certificate));
        }

        if (ConnectionIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipTransportOptions.ConnectionIdleTimeout must be positive.", nameof(ConnectionIdleTimeout));
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipTransportOptions.ConnectTimeout must be positive.", nameof(ConnectTimeout));
        }

        if (UdpSocketBufferSize < 8 * 1024)
        {
            throw new ArgumentException("SipTransportOptions.UdpSocketBufferSize must be at least 8 KiB.", nameof(UdpSocketBufferSize));
        }

        if (MaxConnections < 1)
        {
            throw new ArgumentException("SipTransportOptions.MaxConnections must be at least 1.", nameof(MaxConnections));
        }

        Parser.Validate();
    }
}
