using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>%HH escaping of URI components (RFC 3261 §19.1.2, §25.1).</summary>
internal static class SipEscaping
{
    private const string Hex = "0123456789ABCDEF";

    /// <summary>Decodes every %HH escape; the result is read as UTF-8.</summary>
    public static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf(SipChars.Percent) < 0)
        {
            return Encoding.UTF8.GetString(s);
        }

        var buffer = new byte[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == SipChars.Percent && i + 2 < s.Length && SipChars.IsHex(s[i + 1]) && SipChars.IsHex(s[i + 2]))
            {
                buffer[n++] = (byte)((SipChars.HexValue(s[i + 1]) << 4) | SipChars.HexValue(s[i + 2]));
                i += 2;
            }
            else
            {
                buffer[n++] = s[i];
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Escapes, as %HH of its UTF-8, every character of <paramref name="value"/> that <paramref name="allowed"/> rejects.</summary>
    public static string Escape(string value, Func<byte, bool> allowed)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (b < 0x80 && allowed(b))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The canonical form of an escaped component, used to write and to compare (RFC 3261 §19.1.4): an escape of an
    /// unreserved character equals the character and is decoded; every other escape stays, with upper-case hex.
    /// </summary>
    public static string NormalizeEscapes(string escaped)
    {
        if (!escaped.Contains('%', StringComparison.Ordinal))
        {
            return escaped;
        }

        var sb = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '%' && i + 2 < escaped.Length && char.IsAsciiHexDigit(escaped[i + 1]) && char.IsAsciiHexDigit(escaped[i + 2]))
            {
                var b = (byte)((SipChars.HexValue((byte)escaped[i + 1]) << 4) | SipChars.HexValue((byte)escaped[i + 2]));
                if (SipChars.IsUnreserved(b))
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append('%').Append(char.ToUpperInvariant(escaped[i + 1])).Append(char.ToUpperInvariant(escaped[i + 2]));
                }

                i += 2;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
