using System.Globalization;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 §19.1): user, password, host, port, parameters and headers.
/// Properties hold unescaped text; <see cref="ToString"/> escapes what the grammar requires.
/// Equality follows RFC 3261 §19.1.4. Immutable.
/// </summary>
public sealed class SipUri : AbsoluteUri
{
    private string? _user;
    private string? _password;
    private string _host;
    private int? _port;
    private SipParameters _parameters = SipParameters.Empty;
    private SipParameters _headers = SipParameters.Empty;
    private string? _userEscaped;
    private string? _passwordEscaped;

    /// <summary>Creates <c>sip:host</c>; set the other parts with an object initializer.</summary>
    /// <param name="host">A host name, an IPv4 address, or an IPv6 reference in brackets (<c>[2001:db8::1]</c>).</param>
    public SipUri(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        _host = host;
    }

    /// <summary>True for a <c>sips:</c> URI.</summary>
    public bool IsSecure { get; init; }

    /// <inheritdoc />
    public override string Scheme => IsSecure ? "sips" : "sip";

    /// <summary>The user part, unescaped; null when absent.</summary>
    public string? User
    {
        get => _user;
        init
        {
            _user = value is { Length: 0 } ? throw new ArgumentException("The user part cannot be empty; use null for none.", nameof(value)) : value;
            _userEscaped = null;
        }
    }

    /// <summary>The password, unescaped; null when absent.</summary>
    public string? Password
    {
        get => _password;
        init
        {
            _password = value;
            _passwordEscaped = null;
        }
    }

    /// <summary>The host: a name, an IPv4 address or an IPv6 reference in brackets.</summary>
    public string Host
    {
        get => _host;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _host = value;
        }
    }

    /// <summary>The port; null when absent (not the same URI as one with an explicit 5060).</summary>
    public int? Port
    {
        get => _port;
        init => _port = value is null or (>= 0 and <= 65535) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A port is from 0 to 65535.");
    }

    /// <summary>The URI parameters (<c>;transport=tcp;lr</c>), unescaped.</summary>
    public SipParameters Parameters
    {
        get => _parameters;
        init => _parameters = value ?? SipParameters.Empty;
    }

    /// <summary>The URI headers (<c>?Subject=hi&amp;Priority=urgent</c>), unescaped.</summary>
    public SipParameters Headers
    {
        get => _headers;
        init => _headers = value ?? SipParameters.Empty;
    }

    /// <summary>The <c>transport</c> parameter, or null.</summary>
    public string? Transport => _parameters["transport"];

    /// <summary>True when the <c>lr</c> parameter is present (a loose router, RFC 3261 §19.1.1).</summary>
    public bool IsLooseRouter => _parameters.Contains("lr");

    /// <summary>The <c>maddr</c> parameter, or null.</summary>
    public string? Maddr => _parameters["maddr"];

    /// <summary>The <c>user</c> parameter (e.g. <c>phone</c>), or null.</summary>
    public string? UserParameter => _parameters["user"];

    /// <summary>The <c>method</c> parameter, or null.</summary>
    public string? Method => _parameters["method"];

    /// <summary>The <c>ttl</c> parameter, or null when absent or not a number.</summary>
    public int? Ttl => int.TryParse(_parameters["ttl"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>Parses a sip or sips URI.</summary>
    /// <exception cref="FormatException">The text is not a valid sip or sips URI.</exception>
    public static new SipUri Parse(string text) =>
        AbsoluteUri.Parse(text) as SipUri ?? throw new FormatException($"'{text}' is not a sip or sips URI.");

    /// <summary>A copy with the parameter set (replaced or appended).</summary>
    public SipUri WithParameter(string name, string? value)
    {
        var copy = Copy();
        copy._parameters = _parameters.With(name, value);
        return copy;
    }

    /// <summary>A copy without the parameter.</summary>
    public SipUri WithoutParameter(string name)
    {
        var copy = Copy();
        copy._parameters = _parameters.Without(name);
        return copy;
    }

    /// <summary>A copy without URI headers (what a Request-URI built from this URI must look like, RFC 3261 §19.1.5).</summary>
    public SipUri WithoutHeaders()
    {
        var copy = Copy();
        copy._headers = SipParameters.Empty;
        return copy;
    }

    /// <summary>
    /// RFC 3261 §19.1.4: same scheme; user and password equal case-sensitively (an escaped unreserved character equals
    /// itself); host equal case-insensitively; ports equal (absent is not 5060); the user, ttl, method, maddr and
    /// transport parameters present in either must be in both with equal values; other parameters must be equal when
    /// present in both; URI headers must all be present in both and equal.
    /// </summary>
    public override bool Equals(AbsoluteUri? other)
    {
        if (other is not SipUri o)
        {
            return false;
        }

        if (ReferenceEquals(this, o))
        {
            return true;
        }

        if (IsSecure != o.IsSecure
            || !string.Equals(SipEscaping.NormalizeEscapes(UserEscaped ?? string.Empty), SipEscaping.NormalizeEscapes(o.UserEscaped ?? string.Empty), StringComparison.Ordinal)
            || (User is null) != (o.User is null)
            || !string.Equals(SipEscaping.NormalizeEscapes(PasswordEscaped ?? string.Empty), SipEscaping.NormalizeEscapes(o.PasswordEscaped ?? string.Empty), StringComparison.Ordinal)
            || (Password is null) != (o.Password is null)
            || !string.Equals(Host, o.Host, StringComparison.OrdinalIgnoreCase)
            || Port != o.Port)
        {
            return false;
        }

        foreach (var name in (ReadOnlySpan<string>)["user", "ttl", "method", "maddr", "transport"])
        {
            var a = _parameters.TryGetValue(name, out var va);
            var b = o._parameters.TryGetValue(name, out var vb);
            if (a != b || !string.Equals(va, vb, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (var p in _parameters)
        {
            if (o._parameters.TryGetValue(p.Name, out var v) && !string.Equals(p.Value, v, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if (_headers.Count != o._headers.Count)
        {
            return false;
        }

        foreach (var h in _headers)
        {
            if (!o._headers.TryGetValue(h.Name, out var v) || !string.Equals(h.Value, v, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(IsSecure, SipEscaping.NormalizeEscapes(UserEscaped ?? string.Empty), StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder(64).Append(Scheme).Append(':');
        if (_user is not null)
        {
            sb.Append(SipEscaping.NormalizeEscapes(UserEscaped!));
            if (_password is not null)
            {
                sb.Append(':').Append(SipEscaping.NormalizeEscapes(PasswordEscaped!));
            }

            sb.Append('@');
        }

        sb.Append(_host);
        if (_port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var p in _parameters)
        {
            sb.Append(';').Append(SipEscaping.Escape(p.Name, SipChars.IsParamChar));
            if (p.Value is not null)
            {
                sb.Append('=').Append(SipEscaping.Escape(p.Value, SipChars.IsParamChar));
            }
        }

        var first = true;
        foreach (var h in _headers)
        {
            sb.Append(first ? '?' : '&').Append(SipEscaping.Escape(h.Name, SipChars.IsHeaderChar))
                .Append('=').Append(SipEscaping.Escape(h.Value ?? string.Empty, SipChars.IsHeaderChar));
            first = false;
        }

        return sb.ToString();
    }

    private string? UserEscaped => _user is null ? null : _userEscaped ??= SipEscaping.Escape(_user, SipChars.IsUserChar);

    private string? PasswordEscaped => _password is null ? null : _passwordEscaped ??= SipEscaping.Escape(_password, SipChars.IsPasswordChar);

    private SipUri Copy() => (SipUri)MemberwiseClone();

    internal static SipUri FromRanges(ReadOnlySpan<byte> s, in UriRanges r)
    {
        var uri = new SipUri(Encoding.ASCII.GetString(s[r.HostStart..r.HostEnd]))
        {
            IsSecure = r.Kind == UriSchemeKind.Sips,
            Port = r.Port >= 0 ? r.Port : null,
        };
        if (r.UserStart >= 0)
        {
            uri._user = SipEscaping.Unescape(s[r.UserStart..r.UserEnd]);
            uri._userEscaped = Encoding.ASCII.GetString(s[r.UserStart..r.UserEnd]);
        }

        if (r.PasswordStart >= 0)
        {
            uri._password = SipEscaping.Unescape(s[r.PasswordStart..r.PasswordEnd]);
            uri._passwordEscaped = Encoding.ASCII.GetString(s[r.PasswordStart..r.PasswordEnd]);
        }

        if (r.ParamsStart >= 0)
        {
            uri._parameters = SipParameters.FromList(ParseUriParams(s[r.ParamsStart..r.ParamsEnd], SipChars.Semicolon));
        }

        if (r.HeadersStart >= 0)
        {
            uri._headers = SipParameters.FromList(ParseUriParams(s[r.HeadersStart..r.HeadersEnd], SipChars.Ampersand));
        }

        return uri;
    }
}
