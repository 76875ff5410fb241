using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Media;

/// <summary>
/// An SDP session description (RFC 4566). Parse one with <see cref="Parse(string, int)"/> or <see cref="TryParse"/>,
/// build one by setting properties, and write it with <see cref="ToString"/> (CRLF line endings).
/// Lines and attributes this library does not interpret are kept in order and written back.
/// </summary>
public sealed class SessionDescription
{
    /// <summary>The largest description <see cref="Parse(string, int)"/> accepts by default, in characters.</summary>
    public const int DefaultMaxLength = 16 * 1024;

    /// <summary>Creates a description with an origin and a session name.</summary>
    public SessionDescription(SdpOrigin origin, string sessionName = "-")
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
        SessionName = string.IsNullOrEmpty(sessionName) ? "-" : sessionName;
    }

    /// <summary>The protocol version (v=), always 0.</summary>
    public int Version { get; set; }

    /// <summary>The origin (o=).</summary>
    public SdpOrigin Origin { get; set; }

    /// <summary>The session name (s=).</summary>
    public string SessionName { get; set; }

    /// <summary>The session-level connection (c=), used by media sections without their own.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Session-level lines kept without interpretation (i=, u=, e=, p=, b=, t=, r=, z=, k=), in order.</summary>
    public List<SdpLine> OtherLines { get; } = [];

    /// <summary>Session-level attributes, in order.</summary>
    public List<SdpAttributeLine> Attributes { get; } = [];

    /// <summary>The media sections, in order.</summary>
    public List<MediaDescription> Media { get; } = [];

    /// <summary>The session-level direction attribute, or null.</summary>
    public MediaDirection? Direction => SdpParser.FindDirection(Attributes);

    /// <summary>The connection that applies to a media section: its own, else the session one.</summary>
    public SdpConnection? ConnectionFor(MediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media.Connection ?? Connection;
    }

    /// <summary>The direction that applies to a media section (media attribute, else session attribute, else sendrecv).</summary>
    public MediaDirection DirectionFor(MediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media.Direction ?? Direction ?? MediaDirection.SendRecv;
    }

    /// <summary>Parses a description; throws <see cref="SdpFormatException"/> naming the line and the problem.</summary>
    public static SessionDescription Parse(string text, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SdpParser.Parse(text, maxLength, out var error) ?? throw error!;
    }

    /// <summary>Parses a description without throwing; <paramref name="error"/> names the line and the problem.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SessionDescription? description, [NotNullWhen(false)] out SdpFormatException? error, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        description = SdpParser.Parse(text, maxLength, out error);
        return description is not null;
    }

    /// <summary>Parses a message body (UTF-8), checking the size limit before decoding.</summary>
    public static SessionDescription Parse(ReadOnlySpan<byte> body, int maxLength = DefaultMaxLength)
    {
        if (body.Length > maxLength)
        {
            throw new SdpFormatException(0, string.Create(CultureInfo.InvariantCulture, $"the description is {body.Length} bytes, more than the limit of {maxLength}"));
        }

        return Parse(Encoding.UTF8.GetString(body), maxLength);
    }

    /// <summary>The description as a UTF-8 message body.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(ToString());

    /// <summary>A deep copy.</summary>
    public SessionDescription Clone()
    {
        var copy = new SessionDescription(Origin, SessionName) { Version = Version, Connection = Connection };
        copy.OtherLines.AddRange(OtherLines);
        copy.Attributes.AddRange(Attributes);
        copy.Media.AddRange(Media.Select(m => m.Clone()));
        return copy;
    }

    /// <summary>The description in wire form, lines in RFC 4566 order, each ending with CRLF.</summary>
    public override string ToString()
    {
        var b = new StringBuilder(256);
        b.Append("v=").Append(Version.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        b.Append("o=").Append(Origin).Append("\r\n");
        b.Append("s=").Append(SessionName).Append("\r\n");
        foreach (var line in OtherLines.Where(l => l.Type is 'i' or 'u' or 'e' or 'p'))
        {
            b.Append(line).Append("\r\n");
        }

        if (Connection is not null)
        {
            b.Append("c=").Append(Connection).Append("\r\n");
        }

        foreach (var line in OtherLines.Where(l => l.Type == 'b'))
        {
            b.Append(line).Append("\r\n");
        }

        var timing = OtherLines.Where(l => l.Type is 't' or 'r').ToList();
        if (timing.Count == 0)
        {
            b.Append("t=0 0\r\n");
        }

        foreach (var line in timing)
        {
            b.Append(line).Append("\r\n");
        }

        foreach (var line in OtherLines.Where(l => l.Type is 'z' or 'k'))
        {
            b.Append(line).Append("\r\n");
        }

        foreach (var a in Attributes)
        {
            b.Append("a=").Append(a).Append("\r\n");
        }

        foreach (var m in Media)
        {
            m.WriteTo(b);
        }

        return b.ToString();
    }
}

/// <summary>A malformed session description, with the line where the problem is.</summary>
public sealed class SdpFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public SdpFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SdpFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SdpFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a line.</summary>
    public SdpFormatException(int lineNumber, string reason)
        : base(lineNumber > 0 ? string.Create(CultureInfo.InvariantCulture, $"SDP line {lineNumber}: {reason}") : "SDP: " + reason)
    {
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>The 1-based line number, or 0 when the problem is not on one line.</summary>
    public int LineNumber { get; }

    /// <summary>The problem, without the line prefix.</summary>
    public string Reason { get; } = string.Empty;
}
