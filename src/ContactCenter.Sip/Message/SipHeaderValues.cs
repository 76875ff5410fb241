using System.Globalization;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>The CSeq header: a sequence number and a method (RFC 3261 §20.16).</summary>
/// <param name="Sequence">The sequence number (0 to 2^32-1).</param>
/// <param name="Method">The method.</param>
public sealed record SipCSeq(uint Sequence, SipMethod Method)
{
    /// <inheritdoc />
    public override string ToString() => Sequence.ToString(CultureInfo.InvariantCulture) + " " + Method.Name;

    internal static SipCSeq Read(ReadOnlySpan<byte> s)
    {
        if (!SipGrammar.TryReadCSeq(s, out var n, out var ms, out var me, out var error))
        {
            throw new FormatException(error);
        }

        return new SipCSeq(n, SipMethod.FromBytes(s[ms..me]));
    }
}

/// <summary>A media type with parameters, as in Content-Type and Accept (<c>application/sdp</c>, <c>multipart/mixed;boundary=x</c>).</summary>
/// <param name="Type">The type, e.g. <c>application</c> (may be <c>*</c> in Accept).</param>
/// <param name="Subtype">The subtype, e.g. <c>sdp</c>.</param>
/// <param name="Parameters">The parameters.</param>
public sealed record SipMediaType(string Type, string Subtype, SipParameters Parameters)
{
    /// <summary><c>type/subtype</c> in lower case, without parameters.</summary>
    public string MediaType => (Type + "/" + Subtype).ToLowerInvariant();

    /// <summary>True when the type and subtype match (case-insensitively) <paramref name="mediaType"/>, e.g. <c>application/sdp</c>.</summary>
    public bool Is(string mediaType) => string.Equals(MediaType, mediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() => Type + "/" + Subtype + Parameters;

    internal static SipMediaType Read(ReadOnlySpan<byte> s)
    {
        var i = SipGrammar.SkipLws(s, 0);
        var ts = i;
        i = SipGrammar.SkipToken(s, i);
        var te = i;
        i = SipGrammar.SkipLws(s, i);
        if (te == ts || i >= s.Length || s[i] != SipChars.Slash)
        {
            throw new FormatException("is not a media type 'type/subtype'");
        }

        i = SipGrammar.SkipLws(s, i + 1);
        var ss = i;
        i = SipGrammar.SkipToken(s, i);
        if (i == ss)
        {
            throw new FormatException("is not a media type 'type/subtype'");
        }

        var parameters = HeaderValues.ReadParams(s, i);
        return new SipMediaType(Encoding.ASCII.GetString(s[ts..te]), Encoding.ASCII.GetString(s[ss..i]), parameters);
    }
}

/// <summary>
/// A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization, Proxy-Authorization):
/// a scheme and comma-separated auth parameters (RFC 3261 §20.7, §25.1).
/// </summary>
public sealed class SipAuthHeader
{
    /// <summary>Creates a challenge or credentials.</summary>
    /// <param name="scheme">The scheme, usually <c>Digest</c>.</param>
    /// <param name="parameters">The auth parameters; quoted-string values keep their quotes.</param>
    public SipAuthHeader(string scheme, SipParameters parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(parameters);
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>The scheme, e.g. <c>Digest</c>.</summary>
    public string Scheme { get; }

    /// <summary>The auth parameters in order; quoted values keep their quotes (use <see cref="SipParameters.GetUnquoted"/>).</summary>
    public SipParameters Parameters { get; }

    /// <summary>The unquoted <c>realm</c>, or null.</summary>
    public string? Realm => Parameters.GetUnquoted("realm");

    /// <summary>The unquoted <c>nonce</c>, or null.</summary>
    public string? Nonce => Parameters.GetUnquoted("nonce");

    /// <summary>The unquoted <c>username</c>, or null.</summary>
    public string? Username => Parameters.GetUnquoted("username");

    /// <summary>The unquoted <c>opaque</c>, or null.</summary>
    public string? Opaque => Parameters.GetUnquoted("opaque");

    /// <summary>The <c>algorithm</c>, or null.</summary>
    public string? Algorithm => Parameters.GetUnquoted("algorithm");

    /// <summary>The unquoted <c>qop</c> (a list in a challenge, one value in credentials), or null.</summary>
    public string? Qop => Parameters.GetUnquoted("qop");

    /// <summary>The canonical form: <c>Digest name=value, name="value"</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Scheme);
        var first = true;
        foreach (var p in Parameters)
        {
            sb.Append(first ? " " : ", ").Append(p.Name);
            if (p.Value is not null)
            {
                sb.Append('=').Append(p.Value);
            }

            first = false;
        }

        return sb.ToString();
    }

    internal static SipAuthHeader Read(ReadOnlySpan<byte> s)
    {
        var i = SipGrammar.SkipLws(s, 0);
        var ss = i;
        i = SipGrammar.SkipToken(s, i);
        if (i == ss)
        {
            throw new FormatException("does not start with an authentication scheme");
        }

        var scheme = Encoding.ASCII.GetString(s[ss..i]);
        var list = new List<SipParameter>();
        i = SipGrammar.SkipLws(s, i);
        while (i < s.Length)
        {
            var ns = i;
            i = SipGrammar.SkipToken(s, i);
            if (i == ns)
            {
                throw new FormatException($"has an auth parameter starting with '{(char)s[i]}'");
            }

            var name = Encoding.ASCII.GetString(s[ns..i]);
            i = SipGrammar.SkipLws(s, i);
            string? value = null;
            if (i < s.Length && s[i] == SipChars.Equal)
            {
                i = SipGrammar.SkipLws(s, i + 1);
                var vs = i;
                if (i < s.Length && s[i] == SipChars.Quote)
                {
                    i = SipGrammar.SkipQuoted(s, i);
                    if (i < 0)
                    {
                        throw new FormatException($"has an unterminated quoted value for '{name}'");
                    }
                }
                else
                {
                    while (i < s.Length && (SipChars.IsToken(s[i]) || s[i] is SipChars.Slash or SipChars.Equal or SipChars.Colon))
                    {
                        i++;
                    }
                }

                value = SipHeaders.DecodeValue(s[vs..i]);
            }

            list.Add(new SipParameter(name, value));
            i = SipGrammar.SkipLws(s, i);
            if (i < s.Length)
            {
                if (s[i] != SipChars.Comma)
                {
                    throw new FormatException($"has '{(char)s[i]}' where a comma should separate auth parameters");
                }

                i = SipGrammar.SkipLws(s, i + 1);
            }
        }

        return new SipAuthHeader(scheme, SipParameters.FromList(list));
    }
}

/// <summary>A header of the shape <c>value *(;param)</c>: Event, Subscription-State, Session-Expires, Min-SE, Reason, Replaces, Retry-After.</summary>
/// <param name="Value">The value before the first parameter (a comment in parentheses is kept).</param>
/// <param name="Parameters">The parameters.</param>
public sealed record SipValueWithParameters(string Value, SipParameters Parameters)
{
    /// <inheritdoc />
    public override string ToString() => Value + Parameters;

    internal static SipValueWithParameters Read(ReadOnlySpan<byte> s)
    {
        var value = HeaderValues.ReadLeadingValue(s, out var parameters);
        return new SipValueWithParameters(value, parameters);
    }
}

/// <summary>The RAck header of a PRACK (RFC 3262 §7.2).</summary>
/// <param name="ResponseSequence">The RSeq of the reliable provisional response being acknowledged.</param>
/// <param name="CSeqSequence">The CSeq number of that response.</param>
/// <param name="Method">The CSeq method of that response.</param>
public sealed record SipRAck(uint ResponseSequence, uint CSeqSequence, SipMethod Method)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{ResponseSequence} {CSeqSequence} {Method.Name}");

    internal static SipRAck Read(ReadOnlySpan<byte> s)
    {
        var parts = SipHeaders.DecodeValue(s).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            throw new FormatException("is not 'rseq cseq method'");
        }

        return new SipRAck(HeaderValues.ReadUInt(parts[0], "a response number"), HeaderValues.ReadUInt(parts[1], "a CSeq number"), SipMethod.Get(parts[2]));
    }
}
