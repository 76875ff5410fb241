using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// A <c>tel:</c> URI (RFC 3966): a global number (<c>+14155550100</c>) or a local one with a <c>phone-context</c>,
/// with parameters. Equality follows RFC 3966 §4 (visual separators ignored). Immutable.
/// </summary>
public sealed class TelUri : AbsoluteUri
{
    /// <summary>Creates a tel URI.</summary>
    /// <param name="number">The number, with or without visual separators (<c>-</c>, <c>.</c>, <c>(</c>, <c>)</c>).</param>
    /// <param name="parameters">Parameters such as <c>phone-context</c> or <c>ext</c>; null for none.</param>
    /// <exception cref="ArgumentException">The number has a character a tel URI cannot hold.</exception>
    public TelUri(string number, SipParameters? parameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(number);
        foreach (var c in number)
        {
            if (c > 0x7F || !SipChars.IsTelChar((byte)c))
            {
                throw new ArgumentException($"'{number}' is not a telephone number: '{c}' is not allowed.", nameof(number));
            }
        }

        Number = number;
        Parameters = parameters ?? SipParameters.Empty;
    }

    /// <inheritdoc />
    public override string Scheme => "tel";

    /// <summary>The number as written, visual separators included.</summary>
    public string Number { get; }

    /// <summary>True for a global number (it starts with <c>+</c>).</summary>
    public bool IsGlobal => Number.StartsWith('+');

    /// <summary>The <c>phone-context</c> parameter of a local number, or null.</summary>
    public string? PhoneContext => Parameters["phone-context"];

    /// <summary>The parameters.</summary>
    public SipParameters Parameters { get; }

    /// <summary>The number without visual separators: what RFC 3966 compares.</summary>
    public string Digits
    {
        get
        {
            var sb = new StringBuilder(Number.Length);
            foreach (var c in Number)
            {
                if (c is not ('-' or '.' or '(' or ')'))
                {
                    sb.Append(char.ToUpperInvariant(c));
                }
            }

            return sb.ToString();
        }
    }

    /// <inheritdoc />
    public override bool Equals(AbsoluteUri? other)
    {
        if (other is not TelUri o || !string.Equals(Digits, o.Digits, StringComparison.Ordinal) || Parameters.Count != o.Parameters.Count)
        {
            return false;
        }

        foreach (var p in Parameters)
        {
            if (!o.Parameters.TryGetValue(p.Name, out var v) || !string.Equals(p.Value, v, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Digits);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder("tel:").Append(Number);
        foreach (var p in Parameters)
        {
            sb.Append(';').Append(SipEscaping.Escape(p.Name, SipChars.IsParamChar));
            if (p.Value is not null)
            {
                sb.Append('=').Append(SipEscaping.Escape(p.Value, SipChars.IsParamChar));
            }
        }

        return sb.ToString();
    }

    internal static TelUri FromRanges(ReadOnlySpan<byte> s, in UriRanges r) =>
        new(
            Encoding.ASCII.GetString(s[r.UserStart..r.UserEnd]),
            r.ParamsStart >= 0 ? SipParameters.FromList(ParseUriParams(s[r.ParamsStart..r.ParamsEnd], SipChars.Semicolon)) : null);
}
