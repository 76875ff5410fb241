using System.Diagnostics.CodeAnalysis;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// A URI as SIP carries it in a Request-URI or an address: a <see cref="SipUri"/> (sip, sips), a <see cref="TelUri"/> (tel)
/// or an <see cref="OpaqueUri"/> for any other scheme. Immutable.
/// </summary>
[SuppressMessage("Design", "CA1036:Override methods on comparable types", Justification = "URIs are equatable, not ordered.")]
public abstract class AbsoluteUri : IEquatable<AbsoluteUri>
{
    private protected AbsoluteUri()
    {
    }

    /// <summary>The scheme in lower case, e.g. <c>sip</c>.</summary>
    public abstract string Scheme { get; }

    /// <summary>Parses a URI.</summary>
    /// <exception cref="FormatException">The text is not a valid URI; the message says why.</exception>
    public static AbsoluteUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var uri, out var error) ? uri : throw new FormatException($"'{text}' is not a valid URI: {error}.");
    }

    /// <summary>Parses a URI; false when the text is not a valid URI.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AbsoluteUri? uri) => TryParse(text, out uri, out _);

    internal static bool TryParse(string? text, [NotNullWhen(true)] out AbsoluteUri? uri, out string? error)
    {
        uri = null;
        error = "the URI is empty";
        return text is not null && TryParse(Encoding.UTF8.GetBytes(text), out uri, out error);
    }

    internal static bool TryParse(ReadOnlySpan<byte> text, [NotNullWhen(true)] out AbsoluteUri? uri, out string? error)
    {
        uri = null;
        if (!UriGrammar.TryParse(text, out var r, out error))
        {
            return false;
        }

        uri = r.Kind switch
        {
            UriSchemeKind.Sip or UriSchemeKind.Sips => SipUri.FromRanges(text, r),
            UriSchemeKind.Tel => TelUri.FromRanges(text, r),
            _ => new OpaqueUri(Encoding.ASCII.GetString(text[..r.SchemeEnd]), Encoding.UTF8.GetString(text[(r.SchemeEnd + 1)..])),
        };
        return true;
    }

    /// <summary>Compares by the rules of the URI's scheme (RFC 3261 §19.1.4 for SIP, RFC 3966 §4 for tel).</summary>
    public abstract bool Equals(AbsoluteUri? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AbsoluteUri);

    /// <inheritdoc />
    public abstract override int GetHashCode();

    /// <summary>The canonical text of the URI, escaped as the grammar requires.</summary>
    public abstract override string ToString();

    /// <summary>Compares two URIs by the rules of their scheme.</summary>
    public static bool operator ==(AbsoluteUri? left, AbsoluteUri? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two URIs by the rules of their scheme.</summary>
    public static bool operator !=(AbsoluteUri? left, AbsoluteUri? right) => !(left == right);

    internal static List<SipParameter>? ParseUriParams(ReadOnlySpan<byte> s, byte separator)
    {
        if (s.IsEmpty)
        {
            return null;
        }

        var list = new List<SipParameter>();
        foreach (var range in s.Split(separator))
        {
            var part = s[range];
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf(SipChars.Equal);
            list.Add(eq < 0
                ? new SipParameter(SipEscaping.Unescape(part), null)
                : new SipParameter(SipEscaping.Unescape(part[..eq]), SipEscaping.Unescape(part[(eq + 1)..])));
        }

        return list;
    }
}

/// <summary>A URI of a scheme SIP has no special rules for (e.g. <c>http:</c>, <c>urn:</c>), kept as text.</summary>
public sealed class OpaqueUri : AbsoluteUri
{
    /// <summary>Creates the URI <c>scheme:value</c>.</summary>
    public OpaqueUri(string scheme, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Scheme = scheme.ToLowerInvariant();
        Value = value;
    }

    /// <inheritdoc />
    public override string Scheme { get; }

    /// <summary>Everything after <c>scheme:</c>.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override bool Equals(AbsoluteUri? other) =>
        other is OpaqueUri o && o.Scheme == Scheme && string.Equals(o.Value, Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Scheme, StringComparer.Ordinal.GetHashCode(Value));

    /// <inheritdoc />
    public override string ToString() => Scheme + ":" + Value;
}
