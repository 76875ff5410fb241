using System.Text;

namespace ContactCenter.Sip.Core;

/// <summary>
/// Builds the error response for a request that could not be parsed (RFC 3261 §8.2, RFC 4475 §3.1.2): the
/// headers a response needs (Via, From, To, Call-ID, CSeq) are read leniently from the raw lines, and the
/// reason phrase names the problem. A malformed response, or a request without a Via, gets nothing.
/// </summary>
internal static class MalformedRequestResponder
{
    private const int MaxReasonLength = 120;

    public static SipResponse? Build(SipParseError error, ReadOnlySpan<byte> bytes)
    {
        if (error.IsResponse || LooksLikeResponse(bytes))
        {
            return null;
        }

        var text = Encoding.Latin1.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headEnd < 0 ? text : text[..headEnd];
        var lines = Unfold(head.Split('\n').Skip(1).Select(l => l.TrimEnd('\r')));
        var response = new SipResponse(error.StatusCode is >= 400 and < 700 ? error.StatusCode : 400, Reason(error));
        var hasVia = false;
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = Canonical(line[..colon].Trim());
            if (name is null)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            if (name != "Via" && response.Headers.Contains(name))
            {
                continue; // one of each, the first
            }

            try
            {
                response.Headers.Add(name, value);
                hasVia |= name == "Via";
            }
            catch (ArgumentException)
            {
                // A value the response cannot carry (control characters): leave it out.
            }
        }

        return hasVia ? response : null;
    }

    private static bool LooksLikeResponse(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        return start >= 0 && bytes[start..].StartsWith("SIP/"u8);
    }

    private static IEnumerable<string> Unfold(IEnumerable<string> lines)
    {
        string? current = null;
        foreach (var line in lines)
        {
            if (line.Length > 0 && line[0] is ' ' or '\t' && current is not null)
            {
                current += " " + line.Trim();
                continue;
            }

            if (current is not null)
            {
                yield return current;
            }

            current = line;
        }

        if (current is not null)
        {
            yield return current;
        }
    }

    private static string? Canonical(string name) => name.ToUpperInvariant() switch
    {
        "VIA" or "V" => "Via",
        "FROM" or "F" => "From",
        "TO" or "T" => "To",
        "CALL-ID" or "I" => "Call-ID",
        "CSEQ" => "CSeq",
        _ => null,
    };

    private static string Reason(SipParseError error)
    {
        var builder = new StringBuilder(error.Message.Length);
        foreach (var c in error.Message)
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        var reason = builder.ToString();
        return reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];
    }
}
