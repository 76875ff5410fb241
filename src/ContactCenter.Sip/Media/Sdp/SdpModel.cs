using System.Globalization;
using System.Net;

namespace ContactCenter.Sip.Media;

/// <summary>The direction of a media stream (RFC 3264 §5.1), as seen by the side that wrote the description.</summary>
public enum MediaDirection
{
    /// <summary>Send and receive (the default when no direction attribute is present).</summary>
    SendRecv,

    /// <summary>Send only: the writer puts the peer on hold.</summary>
    SendOnly,

    /// <summary>Receive only.</summary>
    RecvOnly,

    /// <summary>Neither send nor receive.</summary>
    Inactive,
}

/// <summary>Helpers for <see cref="MediaDirection"/>.</summary>
public static class MediaDirectionExtensions
{
    /// <summary>The SDP attribute name for the direction ("sendrecv", "sendonly", ...).</summary>
    public static string ToAttributeName(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>The same stream seen from the other side (sendonly becomes recvonly).</summary>
    public static MediaDirection Reverse(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        _ => direction,
    };

    /// <summary>True when the writer of the description sends media.</summary>
    public static bool Sends(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.SendOnly;

    /// <summary>True when the writer of the description receives media.</summary>
    public static bool Receives(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    /// <summary>The direction allowing only what both directions allow.</summary>
    public static MediaDirection Intersect(this MediaDirection direction, MediaDirection other)
    {
        var sends = direction.Sends() && other.Sends();
        var receives = direction.Receives() && other.Receives();
        return FromFlags(sends, receives);
    }

    internal static MediaDirection FromFlags(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => MediaDirection.SendRecv,
        (true, false) => MediaDirection.SendOnly,
        (false, true) => MediaDirection.RecvOnly,
        _ => MediaDirection.Inactive,
    };
}

/// <summary>An SDP attribute line (<c>a=name</c> or <c>a=name:value</c>).</summary>
/// <param name="Name">The attribute name, e.g. "rtpmap".</param>
/// <param name="Value">The value after the first colon, or null for a property attribute.</param>
public sealed record SdpAttributeLine(string Name, string? Value = null)
{
    /// <inheritdoc />
    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}

/// <summary>An SDP line this library keeps but does not interpret (b=, t=, r=, z=, k=, i=, u=, e=, p=).</summary>
/// <param name="Type">The line type letter.</param>
/// <param name="Value">Everything after the '='.</param>
public sealed record SdpLine(char Type, string Value)
{
    /// <inheritdoc />
    public override string ToString() => Type + "=" + Value;
}

/// <summary>The <c>o=</c> line: who made the session and which version of it this is.</summary>
/// <param name="UserName">The user name, "-" when none.</param>
/// <param name="SessionId">The session id (stays the same for the whole dialog).</param>
/// <param name="SessionVersion">The version, incremented each time the description changes (RFC 3264 §8).</param>
/// <param name="NetworkType">"IN".</param>
/// <param name="AddressType">"IP4" or "IP6".</param>
/// <param name="Address">The originator's address.</param>
public sealed record SdpOrigin(string UserName, ulong SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}");
}

/// <summary>The <c>c=</c> line: where media goes.</summary>
/// <param name="NetworkType">"IN".</param>
/// <param name="AddressType">"IP4" or "IP6".</param>
/// <param name="Address">The connection address (a multicast TTL suffix, when present, is kept as written).</param>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>The address as an <see cref="IPAddress"/>, or null for a host name or an unparsable value.</summary>
    public IPAddress? IPAddress
    {
        get
        {
            var slash = Address.IndexOf('/', StringComparison.Ordinal);
            var text = slash < 0 ? Address : Address[..slash];
            return IPAddress.TryParse(text, out var address) ? address : null;
        }
    }

    /// <summary>True for the RFC 2543 style hold address 0.0.0.0.</summary>
    public bool IsUnspecified => IPAddress is { } a && (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any));

    /// <summary>Creates a connection line for an IP address.</summary>
    public static SdpConnection For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new SdpConnection("IN", address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4", address.ToString());
    }

    /// <inheritdoc />
    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>An <c>a=rtpmap</c> entry: payload type to encoding name, clock rate and channels.</summary>
/// <param name="PayloadType">The RTP payload type (0-127).</param>
/// <param name="EncodingName">The encoding name as written, e.g. "PCMU" or "telephone-event".</param>
/// <param name="ClockRate">The clock rate in Hz.</param>
/// <param name="Channels">The channel count, when written.</param>
public sealed record RtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    /// <summary>The attribute value ("0 PCMU/8000").</summary>
    public string ToAttributeValue() => Channels is { } c
        ? string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}/{c}")
        : string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}");
}
