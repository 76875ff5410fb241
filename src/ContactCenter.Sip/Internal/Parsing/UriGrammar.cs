using System.Buffers;
using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>The scheme family of a URI.</summary>
internal enum UriSchemeKind : byte
{
    Sip,
    Sips,
    Tel,
    Other,
}

/// <summary>Where the parts of a URI lie in its text; -1 marks an absent part.</summary>
internal struct UriRanges
{
    public UriSchemeKind Kind;
    public int SchemeEnd;
    public int UserStart;
    public int UserEnd;
    public int PasswordStart;
    public int PasswordEnd;
    public int HostStart;
    public int HostEnd;
    public int Port;
    public int ParamsStart;
    public int ParamsEnd;
    public int HeadersStart;
    public int HeadersEnd;
}

/// <summary>
/// Span-based recognizer for SIP-URI, SIPS-URI (RFC 3261 §19.1, §25), tel URIs (RFC 3966) and other absolute URIs.
/// It allocates nothing on success; the error text is a constant.
/// </summary>
internal static class UriGrammar
{
    public static bool TryParse(ReadOnlySpan<byte> s, out UriRanges r, out string? error)
    {
        r = default;
        r.UserStart = r.UserEnd = r.PasswordStart = r.PasswordEnd = -1;
        r.HostStart = r.HostEnd = r.Port = -1;
        r.ParamsStart = r.ParamsEnd = r.HeadersStart = r.HeadersEnd = -1;
        error = null;
        if (s.IsEmpty)
        {
            error = "the URI is empty";
            return false;
        }

        if (!SipChars.IsAlpha(s[0]))
        {
            error = "a URI must start with a scheme (a letter)";
            return false;
        }

        var i = 1;
        while (i < s.Length && (SipChars.IsAlpha(s[i]) || SipChars.IsDigit(s[i]) || s[i] is (byte)'+' or (byte)'-' or (byte)'.'))
        {
            i++;
        }

        if (i >= s.Length || s[i] != SipChars.Colon)
        {
            error = "the URI has no 'scheme:'";
            return false;
        }

        r.SchemeEnd = i;
        var scheme = s[..i];
        var rest = i + 1;
        if (Ascii.EqualsIgnoreCase(scheme, "sip"u8))
        {
            r.Kind = UriSchemeKind.Sip;
            return TryParseSip(s, rest, ref r, out error);
        }

        if (Ascii.EqualsIgnoreCase(scheme, "sips"u8))
        {
            r.Kind = UriSchemeKind.Sips;
            return TryParseSip(s, rest, ref r, out error);
        }

        if (Ascii.EqualsIgnoreCase(scheme, "tel"u8))
        {
            r.Kind = UriSchemeKind.Tel;
            return TryParseTel(s, rest, ref r, out error);
        }

        r.Kind = UriSchemeKind.Other;
        if (rest >= s.Length)
        {
            error = "the URI has nothing after its scheme";
            return false;
        }

        for (var k = rest; k < s.Length; k++)
        {
            var b = s[k];
            if (b <= 0x20 || b >= 0x7F || b is SipChars.LeftAngle or SipChars.RightAngle or SipChars.Quote)
            {
                error = "the URI contains a character that must be escaped";
                return false;
            }
        }

        return true;
    }

    private static bool TryParseSip(ReadOnlySpan<byte> s, int i, ref UriRanges r, out string? error)
    {
        error = null;
        var at = s[i..].IndexOf(SipChars.At);
        if (at >= 0)
        {
            at += i;
            var colon = s[i..at].IndexOf(SipChars.Colon);
            var userEnd = colon >= 0 ? i + colon : at;
            if (userEnd == i)
            {
                error = "the user part of the URI is empty";
                return false;
            }

            if (!CheckEscaped(s[i..userEnd], SipChars.UserOrPercent))
            {
                error = "the user part of the URI contains a character that must be escaped";
                return false;
            }

            r.UserStart = i;
            r.UserEnd = userEnd;
            if (colon >= 0)
            {
                if (!CheckEscaped(s[(userEnd + 1)..at], SipChars.PasswordOrPercent))
                {
                    error = "the password of the URI contains a character that must be escaped";
                    return false;
                }

                r.PasswordStart = userEnd + 1;
                r.PasswordEnd = at;
            }

            i = at + 1;
        }

        if (i >= s.Length)
        {
            error = "the URI has no host";
            return false;
        }

        r.HostStart = i;
        if (s[i] == SipChars.LeftBracket)
        {
            var close = s[i..].IndexOf(SipChars.RightBracket);
            if (close < 0)
            {
                error = "the IPv6 reference of the URI has no ']'";
                return false;
            }

            close += i;
            if (!IsIpv6(s[(i + 1)..close]))
            {
                error = "the IPv6 reference of the URI is not an IPv6 address";
                return false;
            }

            i = close + 1;
        }
        else
        {
            i = SipChars.Skip(s, i, SipChars.Host);
            if (i == r.HostStart)
            {
                error = "the host of the URI is empty or contains an invalid character";
                return false;
            }
        }

        r.HostEnd = i;
        if (i < s.Length && s[i] == SipChars.Colon)
        {
            i++;
            if (!SipGrammar.TryReadPort(s, ref i, out var port))
            {
                error = "the port of the URI is not a number from 0 to 65535";
                return false;
            }

            r.Port = port;
        }

        if (i < s.Length && s[i] == SipChars.Semicolon)
        {
            r.ParamsStart = i + 1;
            while (i < s.Length && s[i] == SipChars.Semicolon)
            {
                i++;
                if (!ReadParamPart(s, ref i))
                {
                    error = "the URI has an empty parameter or an invalid % escape in one";
                    return false;
                }

                if (i < s.Length && s[i] == SipChars.Equal)
                {
                    i++;
                    if (!ReadParamPart(s, ref i))
                    {
                        error = "a URI parameter has '=' but no value, or an invalid % escape in its value";
                        return false;
                    }
                }
            }

            r.ParamsEnd = i;
        }

        if (i < s.Length && s[i] == SipChars.Question)
        {
            r.HeadersStart = i + 1;
            i++;
            while (true)
            {
                var nameStart = i;
                i = SipChars.Skip(s, i, SipChars.HeaderOrPercent);
                if (i == nameStart || i >= s.Length || s[i] != SipChars.Equal || !CheckEscaped(s[nameStart..i], SipChars.HeaderOrPercent))
                {
                    error = "a URI header is not 'name=value'";
                    return false;
                }

                i++;
                var valueStart = i;
                i = SipChars.Skip(s, i, SipChars.HeaderOrPercent);
                if (!CheckEscaped(s[valueStart..i], SipChars.HeaderOrPercent))
                {
                    error = "a URI header has an invalid % escape";
                    return false;
                }

                if (i < s.Length && s[i] == SipChars.Ampersand)
                {
                    i++;
                    continue;
                }

                break;
            }

            r.HeadersEnd = i;
        }

        if (i != s.Length)
        {
            error = s[i] is SipChars.Space or SipChars.Tab or SipChars.Cr or SipChars.Lf
                ? "the URI contains white space"
                : "the URI contains a character that must be escaped";
            return false;
        }

        return true;
    }

    private static bool TryParseTel(ReadOnlySpan<byte> s, int i, ref UriRanges r, out string? error)
    {
        error = null;
        var start = i;
        while (i < s.Length && SipChars.IsTelChar(s[i]))
        {
            i++;
        }

        if (i == start)
        {
            error = "the tel URI has no number";
            return false;
        }

        r.UserStart = start;
        r.UserEnd = i;
        if (i < s.Length && s[i] == SipChars.Semicolon)
        {
            r.ParamsStart = i + 1;
            while (i < s.Length && s[i] == SipChars.Semicolon)
            {
                i++;
                var nameStart = i;
                while (i < s.Length && (SipChars.IsParamChar(s[i]) || s[i] == SipChars.Percent || s[i] == SipChars.Equal))
                {
                    i++;
                }

                if (i == nameStart)
                {
                    error = "the tel URI has an empty parameter";
                    return false;
                }
            }

            r.ParamsEnd = i;
        }

        if (i != s.Length)
        {
            error = "the tel URI contains a character that must be escaped";
            return false;
        }

        return true;
    }

    /// <summary>Reads a non-empty run of paramchar (escapes checked) at <paramref name="i"/>.</summary>
    private static bool ReadParamPart(ReadOnlySpan<byte> s, ref int i)
    {
        var start = i;
        i = SipChars.Skip(s, i, SipChars.ParamOrPercent);
        return i > start && CheckEscaped(s[start..i], SipChars.ParamOrPercent);
    }

    /// <summary>Checks that every byte of <paramref name="part"/> is in <paramref name="allowed"/> and every '%' starts a %HH escape.</summary>
    public static bool CheckEscaped(ReadOnlySpan<byte> part, SearchValues<byte> allowed)
    {
        if (part.IndexOfAnyExcept(allowed) >= 0)
        {
            return false;
        }

        var p = part.IndexOf(SipChars.Percent);
        while (p >= 0)
        {
            if (p + 2 >= part.Length || !SipChars.IsHex(part[p + 1]) || !SipChars.IsHex(part[p + 2]))
            {
                return false;
            }

            var next = part[(p + 3)..].IndexOf(SipChars.Percent);
            p = next < 0 ? -1 : p + 3 + next;
        }

        return true;
    }

    private static bool IsIpv6(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var b in s)
        {
            if (!SipChars.IsHex(b) && b != SipChars.Colon && b != (byte)'.')
            {
                return false;
            }
        }

        return s.Contains(SipChars.Colon);
    }
}
