using System.Net;

namespace ContactCenter.Sip.Transport;

/// <summary>
/// What the transaction layer needs from a transport: send a message to an address, send a response back
/// to where its request came from. <see cref="SipTransportLayer"/> implements it over sockets; tests can
/// implement it in memory (for example to drop datagrams).
/// </summary>
public interface ISipTransport
{
    /// <summary>Sends a message to <paramref name="destination"/>.</summary>
    /// <exception cref="IOException">The message could not be sent (a transport error, RFC 3261 §8.1.3.1).</exception>
    ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken cancellationToken = default);

    /// <summary>Sends a response to the request that arrived from <paramref name="requestSource"/> (RFC 3261 §18.2.2).</summary>
    /// <exception cref="IOException">The response could not be sent.</exception>
    ValueTask SendResponseAsync(SipResponse response, SipRemote requestSource, CancellationToken cancellationToken = default);
}

/// <summary>Where to send a request: a transport and an address, plus the host name to check a TLS certificate against.</summary>
/// <param name="Protocol">The transport.</param>
/// <param name="EndPoint">The address and port.</param>
/// <param name="TlsHostName">For TLS, the expected certificate name; null to use the address.</param>
public sealed record SipDestination(SipTransportProtocol Protocol, IPEndPoint EndPoint, string? TlsHostName = null)
{
    /// <summary>The destination written as <c>udp:127.0.0.1:5060</c>.</summary>
    public override string ToString() => new SipListenAddress(Protocol, EndPoint).ToString();
}
