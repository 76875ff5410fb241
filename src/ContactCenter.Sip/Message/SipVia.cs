using System.Globalization;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>One Via entry (RFC 3261 §20.42, RFC 3581 rport): transport, sent-by host and port, and parameters. Immutable.</summary>
public sealed class SipVia
{
    /// <summary>The RFC 3261 magic cookie every compliant branch starts with.</summary>
    public const string MagicCookie = "z9hG4bK";

    /// <summary>Creates a Via entry <c>SIP/2.0/transport host:port;params</c>.</summary>
    public SipVia(string transport, string host, int? port = null, SipParameters? parameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(transport);
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is from 0 to 65535.");
        }

        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
        Parameters = parameters ?? SipParameters.Empty;
    }

    /// <summary>The transport in upper case: UDP, TCP, TLS, SCTP, WS, WSS or another token.</summary>
    public string Transport { get; }

    /// <summary>The sent-by host (an IPv6 address keeps its brackets).</summary>
    public string Host { get; }

    /// <summary>The sent-by port, or null.</summary>
    public int? Port { get; }

    /// <summary>The Via parameters.</summary>
    public SipParameters Parameters { get; }

    /// <summary>The <c>branch</c> parameter: the transaction id when it starts with <see cref="MagicCookie"/>.</summary>
    public string? Branch => Parameters["branch"];

    /// <summary>True when the branch starts with the RFC 3261 magic cookie.</summary>
    public bool HasRfc3261Branch => Branch?.StartsWith(MagicCookie, StringComparison.Ordinal) == true;

    /// <summary>The <c>received</c> parameter, or null.</summary>
    public string? Received => Parameters["received"];

    /// <summary>True when the <c>rport</c> parameter is present, with or without a value (RFC 3581).</summary>
    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>The value of the <c>rport</c> parameter, or null when absent or empty.</summary>
    public int? RPort => int.TryParse(Parameters["rport"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>The <c>maddr</c> parameter, or null.</summary>
    public string? Maddr => Parameters["maddr"];

    /// <summary>The <c>ttl</c> parameter, or null.</summary>
    public int? Ttl => int.TryParse(Parameters["ttl"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>A copy with a parameter set (e.g. <c>received</c> and <c>rport</c> by a server transport).</summary>
    public SipVia WithParameter(string name, string? value) => new(Transport, Host, Port, Parameters.With(name, value));

    /// <summary>Parses one Via entry.</summary>
    /// <exception cref="FormatException">The text is not a Via entry.</exception>
    public static SipVia Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var i = 0;
        if (!SipGrammar.TryReadVia(bytes, ref i, out var r, out var error) || SipGrammar.SkipLws(bytes, i) != bytes.Length)
        {
            throw new FormatException($"'{text}' is not a Via entry: it {error ?? "has more than one entry"}.");
        }

        return FromRanges(bytes, r);
    }

    /// <summary>The canonical form: <c>SIP/2.0/UDP host:port;params</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(Parameters).ToString();
    }

    internal static SipVia FromRanges(ReadOnlySpan<byte> s, in ViaRanges r) =>
        new(
            Encoding.ASCII.GetString(s[r.TransportStart..r.TransportEnd]),
            Encoding.ASCII.GetString(s[r.HostStart..r.HostEnd]),
            r.Port >= 0 ? r.Port : null,
            HeaderValues.ReadParams(s, r.ParamsStart));
}
