using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ContactCenter.Sip.Media;

/// <summary>
/// The body of a SIP INFO carrying a digit: <c>application/dtmf-relay</c> ("Signal=5\r\nDuration=160")
/// and the bare <c>application/dtmf</c> form ("5").
/// </summary>
public static class DtmfRelayBody
{
    /// <summary>The content type of the key=value form.</summary>
    public const string RelayContentType = "application/dtmf-relay";

    /// <summary>The content type of the bare digit form.</summary>
    public const string DtmfContentType = "application/dtmf";

    /// <summary>Reads a body; <paramref name="error"/> says what is wrong when it returns false.</summary>
    /// <param name="contentType">The Content-Type (parameters ignored).</param>
    /// <param name="body">The body text.</param>
    /// <param name="digit">The digit; duration from Duration= (milliseconds), zero when absent.</param>
    /// <param name="error">The problem when false.</param>
    public static bool TryParse(string contentType, string body, out DtmfDigit digit, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        digit = default;
        var type = contentType.Split(';')[0].Trim();
        if (type.Equals(DtmfContentType, StringComparison.OrdinalIgnoreCase))
        {
            var text = body.Trim();
            return Digit(text, TimeSpan.Zero, out digit, out error);
        }

        if (!type.Equals(RelayContentType, StringComparison.OrdinalIgnoreCase))
        {
            error = $"content type \"{type}\" is not {RelayContentType} or {DtmfContentType}";
            return false;
        }

        string? signal = null;
        var duration = TimeSpan.Zero;
        var lineNumber = 0;
        foreach (var raw in body.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"dtmf-relay line {lineNumber} \"{line}\" is not key=value");
                return false;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (key.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                signal = value;
            }
            else if (key.Equals("Duration", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > 60000)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"dtmf-relay line {lineNumber}: Duration \"{value}\" is not a number of milliseconds up to 60000");
                    return false;
                }

                duration = TimeSpan.FromMilliseconds(ms);
            }
        }

        if (signal is null)
        {
            error = "dtmf-relay body has no Signal= line";
            return false;
        }

        return Digit(signal, duration, out digit, out error);
    }

    /// <summary>Builds an application/dtmf-relay body for sending a digit in a SIP INFO.</summary>
    public static string Create(char digit, TimeSpan duration)
    {
        if (!DtmfDigits.IsDigit(digit))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D).", nameof(digit));
        }

        return string.Create(CultureInfo.InvariantCulture, $"Signal={char.ToUpperInvariant(digit)}\r\nDuration={(int)duration.TotalMilliseconds}\r\n");
    }

    private static bool Digit(string text, TimeSpan duration, out DtmfDigit digit, [NotNullWhen(false)] out string? error)
    {
        digit = default;
        // Some gateways send the event code (10 for *, 11 for #) instead of the character.
        if (text.Length == 2 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && DtmfDigits.FromEventCode(code) is { } fromCode)
        {
            digit = new DtmfDigit(fromCode, duration, DtmfMethod.SipInfo);
            error = null;
            return true;
        }

        if (text.Length != 1 || !DtmfDigits.IsDigit(text[0]))
        {
            error = $"signal \"{text}\" is not a DTMF digit (0-9, *, #, A-D)";
            return false;
        }

        digit = new DtmfDigit(char.ToUpperInvariant(text[0]), duration, DtmfMethod.SipInfo);
        error = null;
        return true;
    }
}
