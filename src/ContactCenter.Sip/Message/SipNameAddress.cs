using System.Globalization;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// An address as From, To, Contact, Route, Record-Route, Refer-To, Referred-By, P-Asserted-Identity and Diversion carry it:
/// an optional display name, a URI, and header parameters (<c>tag</c>, <c>q</c>, <c>expires</c>, ...). Immutable.
/// </summary>
public sealed class SipNameAddress
{
    /// <summary>Creates an address.</summary>
    /// <param name="uri">The URI.</param>
    /// <param name="displayName">The display name (unquoted text), or null.</param>
    /// <param name="parameters">Header parameters (values of quoted-strings keep their quotes), or null.</param>
    public SipNameAddress(AbsoluteUri uri, string? displayName = null, SipParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri = uri;
        DisplayName = displayName;
        Parameters = parameters ?? SipParameters.Empty;
    }

    /// <summary>The display name without its quotes, or null.</summary>
    public string? DisplayName { get; }

    /// <summary>The URI.</summary>
    public AbsoluteUri Uri { get; }

    /// <summary>The header parameters after the address.</summary>
    public SipParameters Parameters { get; }

    /// <summary>The <c>tag</c> parameter (From and To), or null.</summary>
    public string? Tag => Parameters["tag"];

    /// <summary>The <c>q</c> parameter of a Contact (0 to 1), or null when absent or not a number.</summary>
    public double? Q => double.TryParse(Parameters["q"], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q is >= 0 and <= 1 ? q : null;

    /// <summary>The <c>expires</c> parameter of a Contact in seconds, or null when absent or not a number.</summary>
    public long? Expires => long.TryParse(Parameters["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : null;

    /// <summary>Parses a name-addr (<c>"Bob" &lt;sip:bob@example.com&gt;;tag=1</c>) or an addr-spec with parameters.</summary>
    /// <exception cref="FormatException">The text is not an address.</exception>
    public static SipNameAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var i = 0;
        if (!SipGrammar.TryReadNameAddr(bytes, ref i, allowAddrSpec: true, out var r, out var error))
        {
            throw new FormatException($"'{text}' is not an address: it {error}.");
        }

        if (SipGrammar.SkipLws(bytes, i) != bytes.Length)
        {
            throw new FormatException($"'{text}' is not one address: it has more after the first.");
        }

        return FromRanges(bytes, r);
    }

    /// <summary>A copy with the <c>tag</c> parameter set.</summary>
    public SipNameAddress WithTag(string tag) => WithParameter("tag", tag);

    /// <summary>A copy with a header parameter set (replaced or appended).</summary>
    public SipNameAddress WithParameter(string name, string? value) => new(Uri, DisplayName, Parameters.With(name, value));

    /// <summary>The canonical form: <c>"Display" &lt;uri&gt;;params</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (DisplayName is not null)
        {
            sb.Append(SipParameters.Quote(DisplayName)).Append(' ');
        }

        sb.Append('<').Append(Uri).Append('>').Append(Parameters);
        return sb.ToString();
    }

    internal static SipNameAddress FromRanges(ReadOnlySpan<byte> s, in NameAddrRanges r)
    {
        string? display = null;
        if (r.DisplayStart >= 0)
        {
            var raw = SipHeaders.DecodeValue(s[r.DisplayStart..r.DisplayEnd]);
            display = r.DisplayQuoted ? SipParameters.Unquote(raw) : raw;
        }

        if (!AbsoluteUri.TryParse(s[r.UriStart..r.UriEnd], out var uri, out var error))
        {
            throw new FormatException("The address has an invalid URI: " + error);
        }

        return new SipNameAddress(uri, display, HeaderValues.ReadParams(s, r.ParamsStart));
    }
}
