using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Media;

/// <summary>One <c>m=</c> section of a session description, with its lines and attributes.</summary>
public sealed class MediaDescription
{
    /// <summary>Creates a media section.</summary>
    /// <param name="media">The media type, e.g. "audio".</param>
    /// <param name="port">The transport port (0 rejects or disables the stream).</param>
    /// <param name="protocol">The transport protocol, e.g. "RTP/AVP" or "RTP/SAVP".</param>
    /// <param name="formats">The format list (payload type numbers for RTP).</param>
    public MediaDescription(string media, int port, string protocol, IEnumerable<string> formats)
    {
        ArgumentException.ThrowIfNullOrEmpty(media);
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(formats);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Media = media;
        Port = port;
        Protocol = protocol;
        Formats = [.. formats];
    }

    /// <summary>The media type ("audio", "video", ...).</summary>
    public string Media { get; set; }

    /// <summary>The transport port; 0 means the stream is rejected or disabled.</summary>
    public int Port { get; set; }

    /// <summary>The number of ports (the "/2" in "49170/2"), when written.</summary>
    public int? PortCount { get; set; }

    /// <summary>The transport protocol ("RTP/AVP", "RTP/SAVP", ...).</summary>
    public string Protocol { get; set; }

    /// <summary>The formats, in preference order, as written.</summary>
    public List<string> Formats { get; }

    /// <summary>The media-level <c>c=</c> line, overriding the session one.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Media-level lines kept without interpretation (i=, b=, k=), in order.</summary>
    public List<SdpLine> OtherLines { get; } = [];

    /// <summary>The media-level attributes, in order.</summary>
    public List<SdpAttributeLine> Attributes { get; } = [];

    /// <summary>True for an RTP audio stream.</summary>
    public bool IsRtpAudio => string.Equals(Media, "audio", StringComparison.OrdinalIgnoreCase) && Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The direction attribute of this section, or null when it has none.</summary>
    public MediaDirection? Direction
    {
        get => SdpParser.FindDirection(Attributes);

        set
        {
            Attributes.RemoveAll(a => SdpParser.TryParseDirection(a.Name, out _));
            if (value is { } d)
            {
                Attributes.Add(new SdpAttributeLine(d.ToAttributeName()));
            }
        }
    }

    /// <summary>The packetization time in milliseconds (<c>a=ptime</c>), or null.</summary>
    public int? Ptime
    {
        get => GetIntAttribute("ptime");
        set => SetAttribute("ptime", value?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The maximum packetization time in milliseconds (<c>a=maxptime</c>), or null.</summary>
    public int? MaxPtime
    {
        get => GetIntAttribute("maxptime");
        set => SetAttribute("maxptime", value?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The RTCP port and optional address from <c>a=rtcp</c> (RFC 3605), or null.</summary>
    public (int Port, SdpConnection? Connection)? Rtcp
    {
        get
        {
            var value = FindAttribute("rtcp")?.Value;
            if (value is null)
            {
                return null;
            }

            var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                return null;
            }

            return (port, parts.Length >= 4 ? new SdpConnection(parts[1], parts[2], parts[3]) : null);
        }

        set => SetAttribute("rtcp", value is { } v
            ? v.Connection is { } c ? string.Create(CultureInfo.InvariantCulture, $"{v.Port} {c}") : v.Port.ToString(CultureInfo.InvariantCulture)
            : null);
    }

    /// <summary>The payload mappings: every <c>a=rtpmap</c>, plus the static types listed in the formats without one.</summary>
    public IReadOnlyList<RtpMap> RtpMaps
    {
        get
        {
            var maps = new List<RtpMap>();
            foreach (var format in Formats)
            {
                if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt))
                {
                    continue;
                }

                var map = FindRtpMap(pt) ?? StaticPayloadTypes.Find(pt);
                if (map is not null)
                {
                    maps.Add(map);
                }
            }

            return maps;
        }
    }

    /// <summary>The <c>a=fmtp</c> parameters for a payload type, or null.</summary>
    public string? GetFormatParameters(int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture) + " ";
        foreach (var a in Attributes)
        {
            if (a.Name.Equals("fmtp", StringComparison.OrdinalIgnoreCase) && a.Value is { } v && v.StartsWith(prefix, StringComparison.Ordinal))
            {
                return v[prefix.Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>The first attribute with a name (case-insensitive), or null.</summary>
    public SdpAttributeLine? FindAttribute(string name)
    {
        foreach (var a in Attributes)
        {
            if (a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>Replaces (or with null removes) every attribute with a name.</summary>
    public void SetAttribute(string name, string? value)
    {
        var index = Attributes.FindIndex(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        Attributes.RemoveAll(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (value is not null)
        {
            Attributes.Insert(index < 0 ? Attributes.Count : Math.Min(index, Attributes.Count), new SdpAttributeLine(name, value));
        }
    }

    /// <summary>A deep copy.</summary>
    public MediaDescription Clone()
    {
        var copy = new MediaDescription(Media, Port, Protocol, Formats) { PortCount = PortCount, Connection = Connection };
        copy.OtherLines.AddRange(OtherLines);
        copy.Attributes.AddRange(Attributes);
        return copy;
    }

    internal RtpMap? FindRtpMap(int payloadType)
    {
        foreach (var a in Attributes)
        {
            if (a.Name.Equals("rtpmap", StringComparison.OrdinalIgnoreCase) && a.Value is { } v && SdpParser.TryParseRtpMap(v, out var map) && map.PayloadType == payloadType)
            {
                return map;
            }
        }

        return null;
    }

    internal void WriteTo(StringBuilder builder)
    {
        builder.Append("m=").Append(Media).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount is { } count)
        {
            builder.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        builder.Append(' ').Append(Protocol);
        foreach (var f in Formats)
        {
            builder.Append(' ').Append(f);
        }

        builder.Append("\r\n");
        foreach (var line in OtherLines.Where(l => l.Type == 'i'))
        {
            builder.Append(line).Append("\r\n");
        }

        if (Connection is not null)
        {
            builder.Append("c=").Append(Connection).Append("\r\n");
        }

        foreach (var line in OtherLines.Where(l => l.Type != 'i'))
        {
            builder.Append(line).Append("\r\n");
        }

        foreach (var a in Attributes)
        {
            builder.Append("a=").Append(a).Append("\r\n");
        }
    }

    private int? GetIntAttribute(string name)
    {
        var value = FindAttribute(name)?.Value;
        return value is not null && int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}

/// <summary>The static RTP/AVP payload types (RFC 3551) this library knows by number.</summary>
internal static class StaticPayloadTypes
{
    public const int Pcmu = 0;
    public const int Pcma = 8;

    public static RtpMap? Find(int payloadType) => payloadType switch
    {
        Pcmu => new RtpMap(Pcmu, "PCMU", 8000),
        3 => new RtpMap(3, "GSM", 8000),
        4 => new RtpMap(4, "G723", 8000),
        Pcma => new RtpMap(Pcma, "PCMA", 8000),
        9 => new RtpMap(9, "G722", 8000),
        13 => new RtpMap(13, "CN", 8000),
        18 => new RtpMap(18, "G729", 8000),
        _ => null,
    };
}
