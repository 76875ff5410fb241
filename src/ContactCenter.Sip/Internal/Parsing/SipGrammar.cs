namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>Where a name-addr or addr-spec (with its header parameters) lies in a header value.</summary>
internal struct NameAddrRanges
{
    public int DisplayStart;
    public int DisplayEnd;
    public bool DisplayQuoted;
    public int UriStart;
    public int UriEnd;
    public bool Bracketed;
    public int ParamsStart;
    public int End;
}

/// <summary>Where a via-parm lies in a Via header value.</summary>
internal struct ViaRanges
{
    public int ProtocolStart;
    public int ProtocolEnd;
    public int VersionStart;
    public int VersionEnd;
    public int TransportStart;
    public int TransportEnd;
    public int HostStart;
    public int HostEnd;
    public int Port;
    public int ParamsStart;
    public int End;
}

/// <summary>
/// Span-based recognizers for the header grammar of RFC 3261 §25. A header value handed to them may contain folds
/// (CRLF followed by white space), which count as linear white space. Nothing is allocated on success.
/// </summary>
internal static class SipGrammar
{
    public static int SkipLws(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && SipChars.IsLws(s[i]))
        {
            i++;
        }

        return i;
    }

    public static int SkipToken(ReadOnlySpan<byte> s, int i) => SipChars.Skip(s, i, SipChars.Token);

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExcept(SipChars.Token) < 0;

    /// <summary>Reads 1*DIGIT at <paramref name="i"/> as a port (0 to 65535); false when absent or out of range.</summary>
    public static bool TryReadPort(ReadOnlySpan<byte> s, ref int i, out int port)
    {
        port = 0;
        var start = i;
        while (i < s.Length && SipChars.IsDigit(s[i]) && i - start < 6)
        {
            port = (port * 10) + (s[i] - '0');
            i++;
        }

        return i > start && port <= 65535 && (i >= s.Length || !SipChars.IsDigit(s[i]));
    }

    /// <summary>Skips a quoted-string that starts at <paramref name="i"/> (a DQUOTE); returns the index after it or -1.</summary>
    public static int SkipQuoted(ReadOnlySpan<byte> s, int i)
    {
        i++;
        while (i < s.Length)
        {
            var b = s[i];
            if (b == SipChars.Backslash)
            {
                if (i + 1 >= s.Length || s[i + 1] is SipChars.Cr or SipChars.Lf || s[i + 1] > 0x7F)
                {
                    return -1;
                }

                i += 2;
                continue;
            }

            if (b == SipChars.Quote)
            {
                return i + 1;
            }

            if (b < 0x20 && !SipChars.IsLws(b))
            {
                return -1;
            }

            i++;
        }

        return -1;
    }

    /// <summary>
    /// Reads the next header parameter (<c>SEMI generic-param</c>) at <paramref name="i"/>.
    /// Returns 1 when one was read, 0 at the end of the value or at a comma (i is left there), -1 on a syntax error.
    /// The value range includes the quotes of a quoted-string; a parameter without value has an empty value range.
    /// </summary>
    public static int NextParam(ReadOnlySpan<byte> s, ref int i, out int nameStart, out int nameEnd, out int valueStart, out int valueEnd)
    {
        nameStart = nameEnd = valueStart = valueEnd = -1;
        var j = SkipLws(s, i);
        if (j >= s.Length || s[j] == SipChars.Comma)
        {
            i = j;
            return 0;
        }

        if (s[j] != SipChars.Semicolon)
        {
            i = j;
            return -1;
        }

        j = SkipLws(s, j + 1);
        nameStart = j;
        j = SkipToken(s, j);
        if (j == nameStart)
        {
            i = j;
            return -1;
        }

        nameEnd = j;
        var k = SkipLws(s, j);
        if (k < s.Length && s[k] == SipChars.Equal)
        {
            k = SkipLws(s, k + 1);
            valueStart = k;
            if (k < s.Length && s[k] == SipChars.Quote)
            {
                k = SkipQuoted(s, k);
                if (k < 0)
                {
                    i = valueStart;
                    return -1;
                }
            }
            else
            {
                k = SipChars.Skip(s, k, SipChars.GenValue);

                if (k == valueStart)
                {
                    i = k;
                    return -1;
                }
            }

            valueEnd = k;
            i = k;
            return 1;
        }

        valueStart = valueEnd = nameEnd;
        i = nameEnd;
        return 1;
    }

    /// <summary>Checks every header parameter from <paramref name="i"/> up to the end or a comma.</summary>
    public static bool SkipParams(ReadOnlySpan<byte> s, ref int i, out string? error)
    {
        error = null;
        while (true)
        {
            var r = NextParam(s, ref i, out _, out _, out _, out _);
            if (r == 0)
            {
                return true;
            }

            if (r < 0)
            {
                error = i < s.Length && s[i] == SipChars.Semicolon || (i > 0 && s[i - 1] == SipChars.Semicolon)
                    ? "has an empty parameter"
                    : "has a malformed parameter";
                return false;
            }
        }
    }

    /// <summary>
    /// Reads one name-addr or addr-spec followed by its header parameters, starting at <paramref name="i"/>.
    /// On success <paramref name="i"/> is at the end of the value or at the comma that ends the element.
    /// </summary>
    public static bool TryReadNameAddr(ReadOnlySpan<byte> s, ref int i, bool allowAddrSpec, out NameAddrRanges r, out string? error)
    {
        r = default;
        r.DisplayStart = r.DisplayEnd = -1;
        error = null;
        var j = SkipLws(s, i);
        if (j >= s.Length)
        {
            error = "is empty";
            return false;
        }

        int lt;
        if (s[j] == SipChars.Quote)
        {
            var q = SkipQuoted(s, j);
            if (q < 0)
            {
                error = "has an unterminated quoted display name";
                return false;
            }

            r.DisplayStart = j;
            r.DisplayEnd = q;
            r.DisplayQuoted = true;
            lt = SkipLws(s, q);
            if (lt >= s.Length || s[lt] != SipChars.LeftAngle)
            {
                error = "has a quoted display name not followed by '<'";
                return false;
            }
        }
        else if (s[j] == SipChars.LeftAngle)
        {
            lt = j;
        }
        else
        {
            var t = SkipToken(s, j);
            if (t == j)
            {
                error = "does not start with a display name, '<' or a URI";
                return false;
            }

            if (t < s.Length && s[t] == SipChars.Colon)
            {
                if (!allowAddrSpec)
                {
                    error = "must enclose its URI in '<' and '>'";
                    return false;
                }

                return TryReadAddrSpec(s, ref i, j, ref r, out error);
            }

            var displayEnd = t;
            while (true)
            {
                var k = SkipLws(s, t);
                if (k < s.Length && s[k] == SipChars.LeftAngle)
                {
                    lt = k;
                    break;
                }

                if (k < s.Length && k > t && SipChars.IsToken(s[k]))
                {
                    t = SkipToken(s, k);
                    displayEnd = t;
                    continue;
                }

                error = k < s.Length
                    ? $"has a display name with '{(char)s[k]}': a display name with such characters must be quoted"
                    : "has a display name but no '<URI>'";
                return false;
            }

            r.DisplayStart = j;
            r.DisplayEnd = displayEnd;
        }

        var uriStart = lt + 1;
        var gt = s[uriStart..].IndexOf(SipChars.RightAngle);
        if (gt < 0)
        {
            error = "has '<' without '>'";
            return false;
        }

        gt += uriStart;
        if (gt == uriStart)
        {
            error = "has an empty '<>'";
            return false;
        }

        if (SipChars.IsLws(s[uriStart]) || SipChars.IsLws(s[gt - 1]))
        {
            error = "has white space inside '<' and '>'";
            return false;
        }

        if (!UriGrammar.TryParse(s[uriStart..gt], out _, out var uriError))
        {
            error = "has an invalid URI: " + uriError;
            return false;
        }

        r.UriStart = uriStart;
        r.UriEnd = gt;
        r.Bracketed = true;
        r.ParamsStart = gt + 1;
        i = gt + 1;
        if (!SkipParams(s, ref i, out error))
        {
            return false;
        }

        r.End = i;
        return true;
    }

    private static bool TryReadAddrSpec(ReadOnlySpan<byte> s, ref int i, int start, ref NameAddrRanges r, out string? error)
    {
        var end = start;
        while (end < s.Length && !SipChars.IsLws(s[end]) && s[end] is not SipChars.Semicolon and not SipChars.Comma)
        {
            end++;
        }

        var uri = s[start..end];
        if (uri.Contains(SipChars.Question))
        {
            error = "has a URI with headers ('?') that is not enclosed in '<' and '>'";
            return false;
        }

        if (!UriGrammar.TryParse(uri, out _, out var uriError))
        {
            error = "has an invalid URI: " + uriError;
            return false;
        }

        r.UriStart = start;
        r.UriEnd = end;
        r.Bracketed = false;
        r.ParamsStart = end;
        i = end;
        if (!SkipParams(s, ref i, out error))
        {
            return false;
        }

        r.End = i;
        return true;
    }

    /// <summary>Reads one via-parm at <paramref name="i"/>; on success i is at the end or at the comma that ends it.</summary>
    public static bool TryReadVia(ReadOnlySpan<byte> s, ref int i, out ViaRanges r, out string? error)
    {
        r = default;
        r.Port = -1;
        error = null;
        var j = SkipLws(s, i);
        r.ProtocolStart = j;
        j = SkipToken(s, j);
        r.ProtocolEnd = j;
        if (!ReadSlash(s, ref j) || r.ProtocolEnd == r.ProtocolStart)
        {
            error = "does not start with a sent-protocol like 'SIP/2.0/UDP'";
            return false;
        }

        r.VersionStart = j;
        j = SkipToken(s, j);
        r.VersionEnd = j;
        if (r.VersionEnd == r.VersionStart || !ReadSlash(s, ref j))
        {
            error = "does not start with a sent-protocol like 'SIP/2.0/UDP'";
            return false;
        }

        r.TransportStart = j;
        j = SkipToken(s, j);
        r.TransportEnd = j;
        if (r.TransportEnd == r.TransportStart)
        {
            error = "has no transport in its sent-protocol";
            return false;
        }

        var k = SkipLws(s, j);
        if (k == j || k >= s.Length)
        {
            error = "has no sent-by host";
            return false;
        }

        r.HostStart = k;
        if (s[k] == SipChars.LeftBracket)
        {
            var close = s[k..].IndexOf(SipChars.RightBracket);
            if (close < 0)
            {
                error = "has an IPv6 reference without ']'";
                return false;
            }

            k += close + 1;
        }
        else
        {
            k = SipChars.Skip(s, k, SipChars.Host);
        }

        if (k == r.HostStart)
        {
            error = "has an invalid sent-by host";
            return false;
        }

        r.HostEnd = k;
        var c = SkipLws(s, k);
        if (c < s.Length && s[c] == SipChars.Colon)
        {
            c = SkipLws(s, c + 1);
            if (!TryReadPort(s, ref c, out var port))
            {
                error = "has a sent-by port that is not a number from 0 to 65535";
                return false;
            }

            r.Port = port;
            k = c;
        }

        r.ParamsStart = k;
        i = k;
        if (!SkipParams(s, ref i, out error))
        {
            return false;
        }

        r.End = i;
        return true;
    }

    private static bool ReadSlash(ReadOnlySpan<byte> s, ref int j)
    {
        var k = SkipLws(s, j);
        if (k >= s.Length || s[k] != SipChars.Slash)
        {
            return false;
        }

        j = SkipLws(s, k + 1);
        return true;
    }

    /// <summary>
    /// After an element of a comma-separated list: true with i after the comma when another element follows,
    /// false at the end. Sets <paramref name="error"/> when something else follows the element.
    /// </summary>
    public static bool NextListElement(ReadOnlySpan<byte> s, ref int i, out string? error)
    {
        error = null;
        var j = SkipLws(s, i);
        if (j >= s.Length)
        {
            i = j;
            return false;
        }

        if (s[j] != SipChars.Comma)
        {
            error = $"has an unexpected '{(char)s[j]}'";
            i = j;
            return false;
        }

        j = SkipLws(s, j + 1);
        if (j >= s.Length || s[j] == SipChars.Comma)
        {
            error = "has an empty element in its comma-separated list";
            i = j;
            return false;
        }

        i = j;
        return true;
    }

    /// <summary>Parses 1*DIGIT surrounded by LWS into a value no larger than <paramref name="max"/>.</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> s, ulong max, out ulong value)
    {
        value = 0;
        var i = SkipLws(s, 0);
        var start = i;
        while (i < s.Length && SipChars.IsDigit(s[i]))
        {
            if (value > (max / 10) + 1)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            i++;
        }

        return i > start && value <= max && SkipLws(s, i) == s.Length;
    }

    /// <summary>Reads a CSeq value: 1*DIGIT LWS Method.</summary>
    public static bool TryReadCSeq(ReadOnlySpan<byte> s, out uint number, out int methodStart, out int methodEnd, out string? error)
    {
        number = 0;
        methodStart = methodEnd = -1;
        error = null;
        var i = SkipLws(s, 0);
        var start = i;
        ulong value = 0;
        while (i < s.Length && SipChars.IsDigit(s[i]))
        {
            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > uint.MaxValue)
            {
                error = "has a sequence number larger than 2^32-1";
                return false;
            }

            i++;
        }

        if (i == start)
        {
            error = "does not start with a sequence number";
            return false;
        }

        var m = SkipLws(s, i);
        if (m == i)
        {
            error = "has no method after its sequence number";
            return false;
        }

        methodStart = m;
        methodEnd = SkipToken(s, m);
        if (methodEnd == methodStart || SkipLws(s, methodEnd) != s.Length)
        {
            error = "has a method that is not a token";
            return false;
        }

        number = (uint)value;
        return true;
    }

    /// <summary>Checks a Call-ID: word [ "@" word ].</summary>
    public static bool IsCallId(ReadOnlySpan<byte> s)
    {
        var start = SkipLws(s, 0);
        var end = s.Length;
        while (end > start && SipChars.IsLws(s[end - 1]))
        {
            end--;
        }

        var v = s[start..end];
        if (v.IsEmpty)
        {
            return false;
        }

        var at = v.IndexOf(SipChars.At);
        return at < 0 ? IsWord(v) : IsWord(v[..at]) && IsWord(v[(at + 1)..]);
    }

    private static bool IsWord(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExcept(SipChars.Word) < 0;
}
