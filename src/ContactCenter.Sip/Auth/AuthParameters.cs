using System.Text;

namespace ContactCenter.Sip.Auth;

/// <summary>
/// The value of a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization header:
/// a scheme and its comma-separated <c>name=value</c> parameters (RFC 3261 §25.1, RFC 7616 §3.3).
/// </summary>
internal sealed class AuthParameters
{
    private readonly List<KeyValuePair<string, string>> _items;

    private AuthParameters(string scheme, List<KeyValuePair<string, string>> items)
    {
        Scheme = scheme;
        _items = items;
    }

    public string Scheme { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    /// <summary>The first value of <paramref name="name"/> (case-insensitive), unquoted; null when absent.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var item in _items)
            {
                if (string.Equals(item.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return item.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Parses a header value; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string value, out AuthParameters? parameters, out string? error)
    {
        parameters = null;
        var s = value.AsSpan();
        var i = SkipSpace(s, 0);
        var schemeStart = i;
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }

        if (i == schemeStart)
        {
            error = "the value does not start with an authentication scheme";
            return false;
        }

        var scheme = s[schemeStart..i].ToString();
        var items = new List<KeyValuePair<string, string>>();
        i = SkipSpace(s, i);
        while (i < s.Length)
        {
            var nameStart = i;
            while (i < s.Length && IsTokenChar(s[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                error = $"expected a parameter name at offset {i}";
                return false;
            }

            var name = s[nameStart..i].ToString();
            i = SkipSpace(s, i);
            if (i >= s.Length || s[i] != '=')
            {
                error = $"parameter '{name}' has no '=' and value";
                return false;
            }

            i = SkipSpace(s, i + 1);
            string paramValue;
            if (i < s.Length && s[i] == '"')
            {
                var builder = new StringBuilder();
                i++;
                var closed = false;
                while (i < s.Length)
                {
                    var c = s[i++];
                    if (c == '\\' && i < s.Length)
                    {
                        builder.Append(s[i++]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        builder.Append(c);
                    }
                }

                if (!closed)
                {
                    error = $"parameter '{name}' has an unterminated quoted string";
                    return false;
                }

                paramValue = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < s.Length && IsTokenChar(s[i]))
                {
                    i++;
                }

                if (i == valueStart)
                {
                    error = $"parameter '{name}' has an empty value";
                    return false;
                }

                paramValue = s[valueStart..i].ToString();
            }

            items.Add(new(name, paramValue));
            i = SkipSpace(s, i);
            if (i < s.Length)
            {
                if (s[i] != ',')
                {
                    error = $"expected ',' after parameter '{name}'";
                    return false;
                }

                i = SkipSpace(s, i + 1);
            }
        }

        parameters = new AuthParameters(scheme, items);
        error = null;
        return true;
    }

    /// <summary>Appends <c>name="value"</c> with quotes and backslashes escaped.</summary>
    public static void AppendQuoted(StringBuilder builder, string name, string value)
    {
        builder.Append(name).Append("=\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }

    private static int SkipSpace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or '\r' or '\n')
        {
            i++;
        }

        return i;
    }

    // RFC 3261 token characters, plus '/' for base64-ish tokens some peers leave unquoted.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~' or '/' or ':';
}
