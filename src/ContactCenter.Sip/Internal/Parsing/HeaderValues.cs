using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>Turns header value bytes into strings and parameter lists; throws <see cref="FormatException"/> on bad syntax.</summary>
internal static class HeaderValues
{
    /// <summary>Reads <c>*(SEMI generic-param)</c> from <paramref name="start"/> up to the end or a comma.</summary>
    public static SipParameters ReadParams(ReadOnlySpan<byte> s, int start) => ReadParams(s, ref start);

    public static SipParameters ReadParams(ReadOnlySpan<byte> s, ref int i)
    {
        List<SipParameter>? list = null;
        while (true)
        {
            var r = SipGrammar.NextParam(s, ref i, out var ns, out var ne, out var vs, out var ve);
            if (r == 0)
            {
                return SipParameters.FromList(list);
            }

            if (r < 0)
            {
                throw new FormatException("has a malformed parameter");
            }

            list ??= [];
            var name = Encoding.ASCII.GetString(s[ns..ne]);
            list.Add(new SipParameter(name, vs == ne && ve == ne ? null : SipHeaders.DecodeValue(s[vs..ve])));
        }
    }

    /// <summary>Splits a value into the ranges of its comma-separated elements (commas in quotes, &lt;&gt; or () do not count).</summary>
    public static List<Range> SplitList(ReadOnlySpan<byte> s)
    {
        var list = new List<Range>();
        var start = 0;
        var depthAngle = 0;
        var depthParen = 0;
        for (var i = 0; i < s.Length; i++)
        {
            switch (s[i])
            {
                case SipChars.Quote:
                    var q = SipGrammar.SkipQuoted(s, i);
                    if (q < 0)
                    {
                        throw new FormatException("has an unterminated quoted string");
                    }

                    i = q - 1;
                    break;
                case SipChars.LeftAngle:
                    depthAngle++;
                    break;
                case SipChars.RightAngle:
                    depthAngle = Math.Max(0, depthAngle - 1);
                    break;
                case (byte)'(':
                    depthParen++;
                    break;
                case (byte)')':
                    depthParen = Math.Max(0, depthParen - 1);
                    break;
                case SipChars.Comma when depthAngle == 0 && depthParen == 0:
                    AddTrimmed(s, list, start, i);
                    start = i + 1;
                    break;
            }
        }

        AddTrimmed(s, list, start, s.Length);
        return list;
    }

    private static void AddTrimmed(ReadOnlySpan<byte> s, List<Range> list, int start, int end)
    {
        start = SipGrammar.SkipLws(s, start);
        while (end > start && SipChars.IsLws(s[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            list.Add(start..end);
        }
    }

    /// <summary>Reads <c>value *(SEMI param)</c>: the value is everything before the first semicolon.</summary>
    public static string ReadLeadingValue(ReadOnlySpan<byte> s, out SipParameters parameters)
    {
        var semi = s.IndexOf(SipChars.Semicolon);
        var end = semi < 0 ? s.Length : semi;
        var value = SipHeaders.DecodeValue(s[..end]).Trim();
        if (value.Length == 0)
        {
            throw new FormatException("has no value before its parameters");
        }

        parameters = semi < 0 ? SipParameters.Empty : ReadParams(s, semi);
        return value;
    }

    public static uint ReadDeltaSeconds(ReadOnlySpan<byte> s)
    {
        // RFC 3261 §20.19: a delta-seconds larger than 2^32-1 is taken as 2^32-1.
        var t = s.Trim(" \t\r\n"u8);
        if (t.IsEmpty)
        {
            throw new FormatException("is empty");
        }

        ulong v = 0;
        foreach (var b in t)
        {
            if (!SipChars.IsDigit(b))
            {
                throw new FormatException("is not a number of seconds");
            }

            v = Math.Min(uint.MaxValue, (v * 10) + (ulong)(b - '0'));
        }

        return (uint)v;
    }

    public static uint ReadUInt(string value, string what)
    {
        if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            throw new FormatException($"has {what} '{value}' that is not an integer from 0 to 4294967295");
        }

        return v;
    }
}
