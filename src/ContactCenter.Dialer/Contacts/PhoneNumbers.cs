using System.Diagnostics.CodeAnalysis;

namespace ContactCenter.Dialer;

/// <summary>
/// Normalizes phone numbers to E.164. Numbers starting with <c>+</c> (or an international prefix: <c>00</c>,
/// or <c>011</c> in NANP) are taken as international. National formats are understood for the countries in
/// <see cref="SupportedCountries"/>: US, CA (NANP, +1), GB (+44), FR (+33), DE (+49), ES (+34), IT (+39),
/// NL (+31), BE (+32), AU (+61), IN (+91). Spaces, dashes, dots and parentheses are ignored.
/// </summary>
public static class PhoneNumbers
{
    private sealed record Country(string Iso, string Code, bool TrunkZero, int MinNational, int MaxNational, string InternationalPrefix);

    private static readonly Dictionary<string, Country> Countries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["US"] = new("US", "1", false, 10, 10, "011"),
        ["CA"] = new("CA", "1", false, 10, 10, "011"),
        ["GB"] = new("GB", "44", true, 9, 10, "00"),
        ["FR"] = new("FR", "33", true, 9, 9, "00"),
        ["DE"] = new("DE", "49", true, 6, 11, "00"),
        ["ES"] = new("ES", "34", false, 9, 9, "00"),
        ["IT"] = new("IT", "39", false, 6, 11, "00"),
        ["NL"] = new("NL", "31", true, 9, 9, "00"),
        ["BE"] = new("BE", "32", true, 8, 9, "00"),
        ["AU"] = new("AU", "61", true, 9, 9, "0011"),
        ["IN"] = new("IN", "91", true, 10, 10, "00"),
    };

    /// <summary>The ISO 3166 country codes whose national formats are understood.</summary>
    public static IReadOnlyCollection<string> SupportedCountries => Countries.Keys;

    /// <summary>Whether <paramref name="number"/> is already E.164: <c>+</c>, a non-zero digit, 8 to 15 digits in all.</summary>
    public static bool IsE164([NotNullWhen(true)] string? number)
    {
        if (number is null || number.Length < 9 || number.Length > 16 || number[0] != '+' || number[1] == '0')
        {
            return false;
        }

        for (var i = 1; i < number.Length; i++)
        {
            if (!char.IsAsciiDigit(number[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Normalizes <paramref name="input"/> to E.164 using <paramref name="defaultCountry"/> for national formats.
    /// Returns false with a reason naming the problem when the number cannot be normalized.
    /// </summary>
    public static bool TryNormalize(string? input, string defaultCountry, [NotNullWhen(true)] out string? e164, [NotNullWhen(false)] out string? error)
    {
        e164 = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "the phone number is empty";
            return false;
        }

        if (!Countries.TryGetValue(defaultCountry ?? string.Empty, out var country))
        {
            error = $"default country '{defaultCountry}' is not supported (supported: {string.Join(", ", Countries.Keys)})";
            return false;
        }

        Span<char> digits = stackalloc char[32];
        var count = 0;
        var plus = false;
        foreach (var c in input.AsSpan().Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    error = $"'{input}' has too many digits";
                    return false;
                }

                digits[count++] = c;
            }
            else if (c == '+' && count == 0 && !plus)
            {
                plus = true;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                error = $"'{input}' contains '{c}', which is not part of a phone number";
                return false;
            }
        }

        var d = new string(digits[..count]);
        string international;
        if (plus)
        {
            international = d;
        }
        else if (d.StartsWith(country.InternationalPrefix, StringComparison.Ordinal))
        {
            international = d[country.InternationalPrefix.Length..];
        }
        else
        {
            var national = d;
            if (country.Code == "1" && national.Length == 11 && national[0] == '1')
            {
                national = national[1..];
            }
            else if (country.TrunkZero && national.StartsWith('0'))
            {
                national = national[1..];
            }

            if (national.Length < country.MinNational || national.Length > country.MaxNational)
            {
                error = $"'{input}' has {national.Length} national digits; a {country.Iso} number has {Range(country)}";
                return false;
            }

            if (country.Code == "1" && (national[0] < '2' || national[3] < '2'))
            {
                error = $"'{input}' is not a valid NANP number (area code and exchange must not start with 0 or 1)";
                return false;
            }

            international = country.Code + national;
        }

        if (international.Length < 8 || international.Length > 15 || international[0] == '0')
        {
            error = $"'{input}' is not a valid international number (E.164 has 8 to 15 digits and no leading 0)";
            return false;
        }

        if (international[0] == '1' && (international.Length != 11 || international[1] < '2' || international[4] < '2'))
        {
            error = $"'{input}' is not a valid NANP number (+1 and 10 digits, area code and exchange not starting with 0 or 1)";
            return false;
        }

        e164 = "+" + international;
        error = null;
        return true;
    }

    /// <summary>The prefix that identifies the area of an E.164 number: +1 and the area code in NANP, else the country code and 2 digits.</summary>
    public static string AreaPrefix(string e164)
    {
        if (!IsE164(e164))
        {
            return string.Empty;
        }

        if (e164[1] == '1')
        {
            return e164[..5];
        }

        foreach (var country in Countries.Values)
        {
            if (e164.AsSpan(1).StartsWith(country.Code, StringComparison.Ordinal))
            {
                var length = 1 + country.Code.Length + 2;
                return length <= e164.Length ? e164[..length] : string.Empty;
            }
        }

        return string.Empty;
    }

    private static string Range(Country c) => c.MinNational == c.MaxNational
        ? c.MinNational.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{c.MinNational.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {c.MaxNational.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
