using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>
/// One header line of a message: ranges into the raw bytes. A header added through the API has a negative
/// <see cref="NameStart"/> and its strings at index <see cref="ValueStart"/> of its collection's added list.
/// </summary>
internal struct HeaderEntry
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
    public int Line;
    public HeaderKind Kind;
}

/// <summary>The start line and the extent of a framed message.</summary>
internal struct FrameInfo
{
    public bool IsResponse;
    public int MethodEnd;
    public int UriStart;
    public int UriEnd;
    public int StatusCode;
    public int ReasonStart;
    public int ReasonEnd;
    public int HeaderCount;
    public int BodyStart;
    public int BodyLength;
    public int Length;
}

internal enum FrameStatus
{
    Complete,
    NeedMoreData,
    Error,
}

/// <summary>
/// Finds where a message ends and indexes its header lines, over one contiguous span, without allocating
/// (an error allocates its description). This is the hot path of every transport read.
/// </summary>
internal static class SipFramer
{
    public static FrameStatus Frame(ReadOnlySpan<byte> data, bool datagram, SipParserOptions options, Span<HeaderEntry> entries, out FrameInfo info, out SipParseError? error)
    {
        info = default;
        error = null;
        if (datagram && data.Length > options.MaxMessageSize)
        {
            error = new SipParseError(SipParseErrorKind.MessageTooLarge, Invariant($"the datagram is {data.Length} bytes, more than the limit of {options.MaxMessageSize}"), 513);
            return FrameStatus.Error;
        }

        var lf = data.IndexOf(SipChars.Lf);
        if (lf < 0)
        {
            return Incomplete(data, 0, 1, datagram, options, ref error);
        }

        var lineEnd = lf > 0 && data[lf - 1] == SipChars.Cr ? lf - 1 : lf;
        if (lineEnd > options.MaxLineLength)
        {
            error = LineTooLong(1, lineEnd, options);
            return FrameStatus.Error;
        }

        if (!ParseStartLine(data[..lineEnd], ref info, out error))
        {
            return FrameStatus.Error;
        }

        var pos = lf + 1;
        var line = 2;
        var count = 0;
        while (true)
        {
            if (pos >= data.Length)
            {
                return Incomplete(data, pos, line, datagram, options, ref error);
            }

            var b = data[pos];
            if (b == SipChars.Lf)
            {
                pos += 1;
                break;
            }

            if (b == SipChars.Cr)
            {
                if (pos + 1 >= data.Length)
                {
                    return Incomplete(data, pos, line, datagram, options, ref error);
                }

                if (data[pos + 1] == SipChars.Lf)
                {
                    pos += 2;
                    break;
                }

                error = HeaderLineError(line, "has a CR that is not followed by LF");
                return FrameStatus.Error;
            }

            if (SipChars.IsWsp(b))
            {
                error = new SipParseError(SipParseErrorKind.InvalidHeaderLine, Invariant($"line {line} starts with white space, but the start line cannot be continued"), 400, line, isResponse: info.IsResponse);
                return FrameStatus.Error;
            }

            var headerStart = pos;
            var nameEnd = SipGrammar.SkipToken(data, pos);
            if (nameEnd == pos)
            {
                error = HeaderLineError(line, Invariant($"starts with '{Printable(b)}' instead of a header name"), info.IsResponse);
                return FrameStatus.Error;
            }

            var colon = nameEnd;
            while (colon < data.Length && SipChars.IsWsp(data[colon]))
            {
                colon++;
            }

            if (colon >= data.Length)
            {
                return Incomplete(data, pos, line, datagram, options, ref error);
            }

            if (data[colon] != SipChars.Colon)
            {
                var name = Encoding.ASCII.GetString(data[pos..nameEnd]);
                error = new SipParseError(
                    SipParseErrorKind.InvalidHeaderLine,
                    Invariant($"line {line}: header '{name}' is not followed by ':'"),
                    400,
                    line,
                    name,
                    info.IsResponse);
                return FrameStatus.Error;
            }

            // The value: up to the LF of the last physical line of this header (folds continue it).
            var headerLine = line;
            var lineStart = pos;
            var scan = colon + 1;
            int valueEnd;
            while (true)
            {
                var next = data[scan..].IndexOf(SipChars.Lf);
                if (next < 0)
                {
                    return Incomplete(data, lineStart, line, datagram, options, ref error);
                }

                next += scan;
                var physicalEnd = next > lineStart && data[next - 1] == SipChars.Cr ? next - 1 : next;
                if (physicalEnd - lineStart > options.MaxLineLength)
                {
                    error = LineTooLong(line, physicalEnd - lineStart, options);
                    return FrameStatus.Error;
                }

                if (next + 1 >= data.Length)
                {
                    return Incomplete(data, lineStart, line, datagram, options, ref error);
                }

                if (SipChars.IsWsp(data[next + 1]))
                {
                    line++;
                    lineStart = next + 1;
                    scan = next + 1;
                    continue;
                }

                valueEnd = next;
                pos = next + 1;
                line++;
                break;
            }

            var valueStart = SipGrammar.SkipLws(data[..valueEnd], colon + 1);
            while (valueEnd > valueStart && SipChars.IsLws(data[valueEnd - 1]))
            {
                valueEnd--;
            }

            if (count >= options.MaxHeaderCount || count >= entries.Length)
            {
                error = new SipParseError(SipParseErrorKind.TooManyHeaders, Invariant($"the message has more than {options.MaxHeaderCount} header lines (line {headerLine})"), 513, headerLine, isResponse: info.IsResponse);
                return FrameStatus.Error;
            }

            ref var entry = ref entries[count++];
            entry.NameStart = headerStart;
            entry.NameLength = nameEnd - headerStart;
            entry.Kind = HeaderTable.Lookup(data[headerStart..nameEnd]);
            entry.ValueStart = valueStart;
            entry.ValueLength = valueEnd - valueStart;
            entry.Line = headerLine;
        }

        info.HeaderCount = count;
        info.BodyStart = pos;
        return FrameBody(data, datagram, options, entries[..count], ref info, out error);
    }

    private static FrameStatus FrameBody(ReadOnlySpan<byte> data, bool datagram, SipParserOptions options, ReadOnlySpan<HeaderEntry> entries, ref FrameInfo info, out SipParseError? error)
    {
        error = null;
        var contentLength = -1;
        foreach (ref readonly var e in entries)
        {
            if (e.Kind != HeaderKind.ContentLength)
            {
                continue;
            }

            var value = data.Slice(e.ValueStart, e.ValueLength);
            if (!TryParseContentLength(value, out var length, out var tooLarge))
            {
                error = tooLarge
                    ? new SipParseError(SipParseErrorKind.BodyTooLarge, Invariant($"Content-Length header (line {e.Line}) announces a body larger than the limit of {options.MaxBodySize} bytes"), 413, e.Line, SipHeaderNames.ContentLength, info.IsResponse)
                    : new SipParseError(SipParseErrorKind.InvalidContentLength, Invariant($"Content-Length header (line {e.Line}) is '{Printable(value)}', not a non-negative integer"), 400, e.Line, SipHeaderNames.ContentLength, info.IsResponse);
                return FrameStatus.Error;
            }

            if (contentLength < 0)
            {
                contentLength = length;
            }
            else if (length != contentLength && !datagram)
            {
                error = new SipParseError(SipParseErrorKind.InvalidContentLength, Invariant($"Content-Length header (line {e.Line}) says {length} but an earlier one says {contentLength}: the stream cannot be framed"), 400, e.Line, SipHeaderNames.ContentLength, info.IsResponse);
                return FrameStatus.Error;
            }
        }

        var available = data.Length - info.BodyStart;
        if (contentLength < 0)
        {
            if (!datagram)
            {
                error = new SipParseError(SipParseErrorKind.MissingContentLength, "the message has no Content-Length header, which a stream transport requires", 400, isResponse: info.IsResponse);
                return FrameStatus.Error;
            }

            contentLength = available;
        }

        if (contentLength > options.MaxBodySize)
        {
            error = new SipParseError(SipParseErrorKind.BodyTooLarge, Invariant($"the body is {contentLength} bytes, more than the limit of {options.MaxBodySize}"), 413, isResponse: info.IsResponse);
            return FrameStatus.Error;
        }

        if ((long)info.BodyStart + contentLength > options.MaxMessageSize)
        {
            error = new SipParseError(SipParseErrorKind.MessageTooLarge, Invariant($"the message is {info.BodyStart + (long)contentLength} bytes, more than the limit of {options.MaxMessageSize}"), 513, isResponse: info.IsResponse);
            return FrameStatus.Error;
        }

        if (available < contentLength)
        {
            if (datagram)
            {
                error = new SipParseError(SipParseErrorKind.IncompleteMessage, Invariant($"the body is {available} bytes, fewer than the {contentLength} that Content-Length announces"), 400, isResponse: info.IsResponse);
                return FrameStatus.Error;
            }

            return FrameStatus.NeedMoreData;
        }

        info.BodyLength = contentLength;
        info.Length = info.BodyStart + contentLength;
        return FrameStatus.Complete;
    }

    private static bool TryParseContentLength(ReadOnlySpan<byte> value, out int length, out bool tooLarge)
    {
        length = 0;
        tooLarge = false;
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!SipChars.IsDigit(b))
            {
                return false;
            }

            if (length > 99_999_999)
            {
                tooLarge = true;
                return false;
            }

            length = (length * 10) + (b - '0');
        }

        return true;
    }

    private static bool ParseStartLine(ReadOnlySpan<byte> line, ref FrameInfo info, out SipParseError? error)
    {
        error = null;
        var sp = line.IndexOf(SipChars.Space);
        if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8))
        {
            info.IsResponse = true;
            var version = sp < 0 ? line : line[..sp];
            if (!Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8))
            {
                error = new SipParseError(SipParseErrorKind.UnsupportedVersion, $"line 1: the version '{Printable(version)}' is not SIP/2.0", 505, 1, isResponse: true);
                return false;
            }

            var rest = line[(sp + 1)..];
            if (sp < 0 || rest.Length < 3 || !SipChars.IsDigit(rest[0]) || !SipChars.IsDigit(rest[1]) || !SipChars.IsDigit(rest[2])
                || (rest.Length > 3 && rest[3] != SipChars.Space) || rest[0] is < (byte)'1' or > (byte)'6')
            {
                error = new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: the status line '{Printable(line)}' has no three-digit status code from 100 to 699", 400, 1, isResponse: true);
                return false;
            }

            info.StatusCode = ((rest[0] - '0') * 100) + ((rest[1] - '0') * 10) + (rest[2] - '0');
            info.ReasonStart = Math.Min(sp + 5, line.Length);
            info.ReasonEnd = line.Length;
            foreach (var b in line[info.ReasonStart..])
            {
                if (b < 0x20 && b != SipChars.Tab)
                {
                    error = new SipParseError(SipParseErrorKind.InvalidStartLine, "line 1: the reason phrase contains a control character", 400, 1, isResponse: true);
                    return false;
                }
            }

            return true;
        }

        if (sp <= 0)
        {
            error = new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: '{Printable(line)}' is neither a request line 'METHOD URI SIP/2.0' nor a status line 'SIP/2.0 CODE REASON'", 400, 1);
            return false;
        }

        if (!SipGrammar.IsToken(line[..sp]))
        {
            error = new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: the method '{Printable(line[..sp])}' is not a token", 400, 1);
            return false;
        }

        info.MethodEnd = sp;
        var afterMethod = line[(sp + 1)..];
        var sp2 = afterMethod.IndexOf(SipChars.Space);
        if (sp2 < 0)
        {
            error = new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: the request line '{Printable(line)}' has no SIP version", 400, 1);
            return false;
        }

        if (sp2 == 0)
        {
            error = new SipParseError(SipParseErrorKind.InvalidStartLine, "line 1: the request line has more than one SP after the method", 400, 1);
            return false;
        }

        info.UriStart = sp + 1;
        info.UriEnd = sp + 1 + sp2;
        var versionPart = afterMethod[(sp2 + 1)..];
        if (versionPart.Contains(SipChars.Space) || versionPart.Contains(SipChars.Tab))
        {
            var trailing = versionPart.TrimEnd(" \t"u8);
            error = trailing.Length > 0 && !trailing.Contains(SipChars.Space) && Ascii.EqualsIgnoreCase(trailing, "SIP/2.0"u8)
                ? new SipParseError(SipParseErrorKind.InvalidStartLine, "line 1: the request line has white space after the SIP version", 400, 1)
                : new SipParseError(SipParseErrorKind.InvalidStartLine, "line 1: the Request-URI contains white space", 400, 1);
            return false;
        }

        if (!Ascii.EqualsIgnoreCase(versionPart, "SIP/2.0"u8))
        {
            error = versionPart.Length >= 4 && Ascii.EqualsIgnoreCase(versionPart[..4], "SIP/"u8)
                ? new SipParseError(SipParseErrorKind.UnsupportedVersion, $"line 1: the version '{Printable(versionPart)}' is not SIP/2.0", 505, 1)
                : new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: '{Printable(versionPart)}' is not a SIP version", 400, 1);
            return false;
        }

        return true;
    }

    private static FrameStatus Incomplete(ReadOnlySpan<byte> data, int lineStart, int line, bool datagram, SipParserOptions options, ref SipParseError? error)
    {
        if (data.Length - lineStart > options.MaxLineLength)
        {
            error = LineTooLong(line, data.Length - lineStart, options);
            return FrameStatus.Error;
        }

        if (datagram)
        {
            error = new SipParseError(SipParseErrorKind.IncompleteMessage, Invariant($"the message ends at line {line} before the empty line that closes its headers"), 400, line);
            return FrameStatus.Error;
        }

        if (data.Length >= options.MaxMessageSize)
        {
            error = new SipParseError(SipParseErrorKind.MessageTooLarge, Invariant($"the headers exceed the message size limit of {options.MaxMessageSize} bytes"), 513);
            return FrameStatus.Error;
        }

        return FrameStatus.NeedMoreData;
    }

    private static SipParseError LineTooLong(int line, int length, SipParserOptions options) =>
        new(SipParseErrorKind.LineTooLong, Invariant($"line {line} is longer than the limit of {options.MaxLineLength} bytes ({length} so far)"), 513, line);

    private static SipParseError HeaderLineError(int line, string problem, bool isResponse = false) =>
        new(SipParseErrorKind.InvalidHeaderLine, Invariant($"line {line} {problem}"), 400, line, isResponse: isResponse);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bytes shown in an error: printable ASCII kept, others as \xHH, cut at 64 characters.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
        {
            if (sb.Length >= 64)
            {
                sb.Append("...");
                break;
            }

            if (b is >= 0x20 and < 0x7F)
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
        }

        return sb.ToString();
    }

    internal static string Printable(byte b) => Printable([b]);
}
