using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Trunks;

/// <summary>A proxy address as configured: a host (name or IP) and a port. Names resolve by A/AAAA only.</summary>
/// <param name="Text">The address as written.</param>
/// <param name="Host">The host name or IP address (IPv6 without brackets).</param>
/// <param name="Port">The port (the transport's default when none was written).</param>
/// <param name="Address">The IP address when the host is one.</param>
/// <param name="HasPort">Whether a port was written; a host name without one is looked up by SRV first (RFC 3263 §4.2).</param>
internal sealed record SipTrunkAddress(string Text, string Host, int Port, IPAddress? Address, bool HasPort)
{
    /// <summary>The host as it goes into a URI (IPv6 in brackets).</summary>
    public string UriHost => Address is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{Host}]" : Host;

    public static bool TryParse(string text, SipTransportProtocol protocol, out SipTrunkAddress address, out string error)
    {
        address = null!;
        var value = text.Trim();
        if (value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' must be host[:port], without a URI scheme";
            return false;
        }

        string host;
        string? portText = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}' has '[' without ']'";
                return false;
            }

            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}' has text after ']' that is not ':port'";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = value.LastIndexOf(':');
            if (colon >= 0 && value.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                host = value; // a bare IPv6 address
            }
            else if (colon >= 0)
            {
                host = value[..colon];
                portText = value[(colon + 1)..];
            }
            else
            {
                host = value;
            }
        }

        var port = protocol.DefaultPort();
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}' has port '{portText}', not a number from 1 to 65535";
            return false;
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            address = new SipTrunkAddress(text, ip.ToString(), port, ip, portText is not null);
            error = "";
            return true;
        }

        if (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"'{text}' does not start with a host name or IP address";
            return false;
        }

        address = new SipTrunkAddress(text, host, port, null, portText is not null);
        error = "";
        return true;
    }
}

/// <summary>Addresses and CIDR ranges inbound calls may come from.</summary>
internal sealed class SipSourceList
{
    private readonly List<IPNetwork> _networks = [];

    public bool IsEmpty => _networks.Count == 0;

    public static bool TryParse(string text, out IPNetwork network)
    {
        var value = text.Trim();
        if (value.Contains('/', StringComparison.Ordinal))
        {
            return IPNetwork.TryParse(value, out network);
        }

        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        network = default;
        return false;
    }

    public void Add(IPNetwork network) => _networks.Add(network);

    public void Add(IPAddress address) => _networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));

    public bool Contains(IPAddress address)
    {
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
