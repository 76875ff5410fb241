using System.Globalization;

namespace ContactCenter.Sip.Media;

/// <summary>The RFC 4566 line parser behind <see cref="SessionDescription.Parse(string, int)"/>.</summary>
internal static class SdpParser
{
    public static SessionDescription? Parse(string text, int maxLength, out SdpFormatException? error)
    {
        error = null;
        if (text.Length == 0)
        {
            error = new SdpFormatException(0, "the description is empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            error = new SdpFormatException(0, string.Create(CultureInfo.InvariantCulture, $"the description is {text.Length} characters, more than the limit of {maxLength}"));
            return null;
        }

        SessionDescription? session = null;
        MediaDescription? media = null;
        var sawVersion = false;
        var sawName = false;
        var lineNumber = 0;
        var pendingSessionLines = new List<SdpLine>();
        SdpConnection? sessionConnection = null;

        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            {
                return Fail<SessionDescription>(out error, lineNumber, $"expected '<letter>=<value>', found \"{Truncate(line)}\"");
            }

            var type = line[0];
            var value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v')
                {
                    return Fail<SessionDescription>(out error, lineNumber, $"the description must start with v=0, found {type}=");
                }

                if (value.Trim() != "0")
                {
                    return Fail<SessionDescription>(out error, lineNumber, $"unsupported protocol version v={Truncate(value)} (only 0 is defined)");
                }

                sawVersion = true;
                continue;
            }

            if (session is null)
            {
                if (type != 'o')
                {
                    return Fail<SessionDescription>(out error, lineNumber, $"the o= line must follow v=, found {type}=");
                }

                var origin = ParseOrigin(value, lineNumber, out error);
                if (origin is null)
                {
                    return null;
                }

                session = new SessionDescription(origin);
                continue;
            }

            if (!sawName)
            {
                if (type != 's')
                {
                    return Fail<SessionDescription>(out error, lineNumber, $"the s= line must follow o=, found {type}=");
                }

                session.SessionName = value.Length == 0 ? "-" : value;
                sawName = true;
                continue;
            }

            switch (type)
            {
                case 'v':
                case 'o':
                case 's':
                    return Fail<SessionDescription>(out error, lineNumber, $"{type}= may appear only once, at the start of the description");
                case 'm':
                    media = ParseMedia(value, lineNumber, out error);
                    if (media is null)
                    {
                        return null;
                    }

                    session.Media.Add(media);
                    break;
                case 'c':
                    var connection = ParseConnection(value, lineNumber, out error);
                    if (connection is null)
                    {
                        return null;
                    }

                    if (media is null)
                    {
                        if (sessionConnection is not null)
                        {
                            return Fail<SessionDescription>(out error, lineNumber, "a second session-level c= line");
                        }

                        sessionConnection = connection;
                    }
                    else if (media.Connection is not null)
                    {
                        // RFC 4566 allows several c= lines per media only for layered multicast; keep the first.
                        break;
                    }
                    else
                    {
                        media.Connection = connection;
                    }

                    break;
                case 'a':
                    var attribute = ParseAttribute(value, lineNumber, out error);
                    if (attribute is null)
                    {
                        return null;
                    }

                    (media?.Attributes ?? session.Attributes).Add(attribute);
                    break;
                case 'i' or 'u' or 'e' or 'p' or 'b' or 't' or 'r' or 'z' or 'k':
                    if (media is null)
                    {
                        pendingSessionLines.Add(new SdpLine(type, value));
                    }
                    else
                    {
                        media.OtherLines.Add(new SdpLine(type, value));
                    }

                    break;
                default:
                    // RFC 4566 §5: unknown line types are ignored.
                    break;
            }
        }

        if (!sawVersion)
        {
            return Fail<SessionDescription>(out error, 0, "the description has no v= line");
        }

        if (session is null)
        {
            return Fail<SessionDescription>(out error, 0, "the description has no o= line");
        }

        if (!sawName)
        {
            return Fail<SessionDescription>(out error, 0, "the description has no s= line");
        }

        session.Connection = sessionConnection;
        session.OtherLines.AddRange(pendingSessionLines);
        return session;
    }

    public static MediaDirection? FindDirection(IEnumerable<SdpAttributeLine> attributes)
    {
        foreach (var a in attributes)
        {
            if (TryParseDirection(a.Name, out var d))
            {
                return d;
            }
        }

        return null;
    }

    public static bool TryParseDirection(string name, out MediaDirection direction)
    {
        switch (name.ToUpperInvariant())
        {
            case "SENDRECV":
                direction = MediaDirection.SendRecv;
                return true;
            case "SENDONLY":
                direction = MediaDirection.SendOnly;
                return true;
            case "RECVONLY":
                direction = MediaDirection.RecvOnly;
                return true;
            case "INACTIVE":
                direction = MediaDirection.Inactive;
                return true;
            default:
                direction = MediaDirection.SendRecv;
                return false;
        }
    }

    public static bool TryParseRtpMap(string value, out RtpMap map)
    {
        map = null!;
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !int.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
        {
            return false;
        }

        var parts = value[(space + 1)..].Trim().Split('/');
        if (parts.Length < 2 || parts[0].Length == 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rate) || rate == 0)
        {
            return false;
        }

        int? channels = null;
        if (parts.Length >= 3)
        {
            if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c == 0)
            {
                return false;
            }

            channels = c;
        }

        map = new RtpMap(pt, parts[0], rate, channels);
        return true;
    }

    private static SdpOrigin? ParseOrigin(string value, int lineNumber, out SdpFormatException? error)
    {
        error = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            return Fail<SdpOrigin>(out error, lineNumber, $"o= must have 6 fields (username sess-id sess-version nettype addrtype address), found {parts.Length}");
        }

        if (!ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Fail<SdpOrigin>(out error, lineNumber, $"o= session id \"{Truncate(parts[1])}\" is not a decimal number");
        }

        if (!ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Fail<SdpOrigin>(out error, lineNumber, $"o= session version \"{Truncate(parts[2])}\" is not a decimal number");
        }

        return new SdpOrigin(parts[0], id, version, parts[3], parts[4], parts[5]);
    }

    private static SdpConnection? ParseConnection(string value, int lineNumber, out SdpFormatException? error)
    {
        error = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            return Fail<SdpConnection>(out error, lineNumber, $"c= must have 3 fields (nettype addrtype address), found {parts.Length}");
        }

        return new SdpConnection(parts[0], parts[1], parts[2]);
    }

    private static MediaDescription? ParseMedia(string value, int lineNumber, out SdpFormatException? error)
    {
        error = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            return Fail<MediaDescription>(out error, lineNumber, $"m= must have at least 4 fields (media port proto fmt...), found {parts.Length}");
        }

        var portText = parts[1];
        int? portCount = null;
        var slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!int.TryParse(portText.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count == 0)
            {
                return Fail<MediaDescription>(out error, lineNumber, $"m= port count in \"{Truncate(portText)}\" is not a positive number");
            }

            portCount = count;
            portText = portText[..slash];
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return Fail<MediaDescription>(out error, lineNumber, $"m= port \"{Truncate(portText)}\" is not a number from 0 to 65535");
        }

        if (parts[2].StartsWith("RTP/", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = 3; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
                {
                    return Fail<MediaDescription>(out error, lineNumber, $"m= format \"{Truncate(parts[i])}\" is not an RTP payload type from 0 to 127");
                }
            }
        }

        return new MediaDescription(parts[0], port, parts[2], parts.Skip(3)) { PortCount = portCount };
    }

    private static SdpAttributeLine? ParseAttribute(string value, int lineNumber, out SdpFormatException? error)
    {
        error = null;
        if (value.Length == 0)
        {
            return Fail<SdpAttributeLine>(out error, lineNumber, "a= has no attribute name");
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? value : value[..colon];
        var attributeValue = colon < 0 ? null : value[(colon + 1)..];
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            return Fail<SdpAttributeLine>(out error, lineNumber, $"a= attribute name \"{Truncate(name)}\" is empty or contains a space");
        }

        if (name.Equals("rtpmap", StringComparison.OrdinalIgnoreCase) && (attributeValue is null || !TryParseRtpMap(attributeValue, out _)))
        {
            return Fail<SdpAttributeLine>(out error, lineNumber, $"a=rtpmap value \"{Truncate(attributeValue ?? string.Empty)}\" is not '<payload type> <encoding>/<clock rate>[/<channels>]'");
        }

        if (name.Equals("ptime", StringComparison.OrdinalIgnoreCase) && (attributeValue is null || !int.TryParse(attributeValue.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms == 0 || ms > 1000))
        {
            return Fail<SdpAttributeLine>(out error, lineNumber, $"a=ptime value \"{Truncate(attributeValue ?? string.Empty)}\" is not a number of milliseconds from 1 to 1000");
        }

        if (name.Equals("rtcp", StringComparison.OrdinalIgnoreCase))
        {
            var first = attributeValue?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (first is null || !int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                return Fail<SdpAttributeLine>(out error, lineNumber, $"a=rtcp value \"{Truncate(attributeValue ?? string.Empty)}\" does not start with a port from 0 to 65535");
            }
        }

        return new SdpAttributeLine(name, attributeValue);
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "...";

    private static T? Fail<T>(out SdpFormatException? error, int lineNumber, string reason)
        where T : class
    {
        error = new SdpFormatException(lineNumber, reason);
        return null;
    }
}
