using System.Globalization;
using System.Net;

namespace ContactCenter.Sip.Transport;

/// <summary>A SIP transport protocol (RFC 3261 §18).</summary>
public enum SipTransportProtocol
{
    /// <summary>UDP: unreliable, one message per datagram; retransmissions are the transactions' job.</summary>
    Udp,

    /// <summary>TCP: a reliable stream framed by Content-Length.</summary>
    Tcp,

    /// <summary>TLS over TCP (<c>sips:</c>, Via transport <c>TLS</c>).</summary>
    Tls,
}

/// <summary>Names of <see cref="SipTransportProtocol"/> as they appear in Via headers and URIs.</summary>
public static class SipTransportProtocols
{
    /// <summary>The Via transport token: <c>UDP</c>, <c>TCP</c> or <c>TLS</c>.</summary>
    public static string ToViaToken(this SipTransportProtocol protocol) => protocol switch
    {
        SipTransportProtocol.Udp => "UDP",
        SipTransportProtocol.Tcp => "TCP",
        SipTransportProtocol.Tls => "TLS",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "unknown transport"),
    };

    /// <summary>Reads a Via or <c>transport=</c> token, case-insensitive.</summary>
    public static bool TryParse(string? token, out SipTransportProtocol protocol)
    {
        switch (token?.ToUpperInvariant())
        {
            case "UDP":
                protocol = SipTransportProtocol.Udp;
                return true;
            case "TCP":
                protocol = SipTransportProtocol.Tcp;
                return true;
            case "TLS":
                protocol = SipTransportProtocol.Tls;
                return true;
            default:
                protocol = default;
                return false;
        }
    }

    /// <summary>True for stream transports, where a message is delivered or the connection fails.</summary>
    public static bool IsReliable(this SipTransportProtocol protocol) => protocol != SipTransportProtocol.Udp;

    /// <summary>The default port: 5061 for TLS, 5060 otherwise.</summary>
    public static int DefaultPort(this SipTransportProtocol protocol) => protocol == SipTransportProtocol.Tls ? 5061 : 5060;
}

/// <summary>
/// An address to listen on: a protocol and an IP end point, written <c>udp:127.0.0.1:5060</c>,
/// <c>tcp:[::1]:5060</c> or <c>tls:0.0.0.0:5061</c>. Port 0 asks the system for a free port.
/// </summary>
/// <param name="Protocol">The transport.</param>
/// <param name="EndPoint">The local address and port.</param>
public sealed record SipListenAddress(SipTransportProtocol Protocol, IPEndPoint EndPoint)
{
    /// <summary>Parses <c>PROTOCOL:ADDRESS:PORT</c> (IPv6 addresses in brackets).</summary>
    /// <exception cref="FormatException">The text is not a listen address; the message says which part is wrong.</exception>
    public static SipListenAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"'{text}' is not a listen address: expected PROTOCOL:ADDRESS:PORT, e.g. udp:127.0.0.1:5060");
        }

        if (!SipTransportProtocols.TryParse(text[..colon], out var protocol))
        {
            throw new FormatException($"'{text}': unknown transport '{text[..colon]}' (expected PROTOCOL:ADDRESS:PORT with udp, tcp or tls)");
        }

        if (!IPEndPoint.TryParse(text[(colon + 1)..], out var endPoint) || !text[(colon + 1)..].Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}': '{text[(colon + 1)..]}' is not an IP address with a port");
        }

        return new SipListenAddress(protocol, endPoint);
    }

    /// <summary>The address as <see cref="Parse"/> reads it, e.g. <c>udp:127.0.0.1:5060</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Protocol.ToString().ToLowerInvariant()}:{EndPoint}");
}

/// <summary>Where a message came from: the transport, both ends, and the connection for stream transports.</summary>
/// <param name="Protocol">The transport it arrived on.</param>
/// <param name="RemoteEndPoint">The peer's address and port (the packet's source).</param>
/// <param name="LocalEndPoint">Our address and port it arrived at.</param>
/// <param name="ConnectionId">The TCP/TLS connection it arrived on, 0 for UDP.</param>
public readonly record struct SipRemote(SipTransportProtocol Protocol, IPEndPoint RemoteEndPoint, IPEndPoint LocalEndPoint, long ConnectionId);
