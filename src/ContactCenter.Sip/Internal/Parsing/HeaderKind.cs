using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>The header fields recognized while indexing; <see cref="Unknown"/> for every other name.</summary>
internal enum HeaderKind : byte
{
    Unknown = 0,
    Accept,
    AcceptContact,
    Allow,
    AllowEvents,
    Authorization,
    CallId,
    Contact,
    ContentEncoding,
    ContentLength,
    ContentType,
    CSeq,
    Date,
    Diversion,
    Event,
    Expires,
    From,
    Identity,
    MaxForwards,
    MinExpires,
    MinSE,
    PAssertedIdentity,
    ProxyAuthenticate,
    ProxyAuthorization,
    ProxyRequire,
    RAck,
    Reason,
    RecordRoute,
    ReferTo,
    ReferredBy,
    Replaces,
    Require,
    RetryAfter,
    Route,
    RSeq,
    Server,
    SessionExpires,
    Subject,
    SubscriptionState,
    Supported,
    Timestamp,
    To,
    Unsupported,
    UserAgent,
    Via,
    Warning,
    WwwAuthenticate,
}

/// <summary>Maps header names (full or compact, any case) to <see cref="HeaderKind"/> and back, without allocating.</summary>
internal static class HeaderTable
{
    private static readonly string[] Names = BuildNames();
    private static readonly byte[][] NameBytes = Array.ConvertAll(Names, n => Encoding.ASCII.GetBytes(n));

    // Known kinds grouped by name length: a lookup compares a handful of names, not all of them.
    private static readonly HeaderKind[][] ByLength = BuildByLength();

    public const int Count = (int)HeaderKind.WwwAuthenticate + 1;

    public static string NameOf(HeaderKind kind) => Names[(int)kind];

    public static ReadOnlySpan<byte> NameBytesOf(HeaderKind kind) => NameBytes[(int)kind];

    public static HeaderKind Lookup(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            return (name[0] | 0x20) switch
            {
                'i' => HeaderKind.CallId,
                'm' => HeaderKind.Contact,
                'e' => HeaderKind.ContentEncoding,
                'l' => HeaderKind.ContentLength,
                'c' => HeaderKind.ContentType,
                'f' => HeaderKind.From,
                's' => HeaderKind.Subject,
                'k' => HeaderKind.Supported,
                't' => HeaderKind.To,
                'v' => HeaderKind.Via,
                'o' => HeaderKind.Event,
                'u' => HeaderKind.AllowEvents,
                'r' => HeaderKind.ReferTo,
                'b' => HeaderKind.ReferredBy,
                'x' => HeaderKind.SessionExpires,
                'y' => HeaderKind.Identity,
                'a' => HeaderKind.AcceptContact,
                _ => HeaderKind.Unknown,
            };
        }

        if (name.IsEmpty || (uint)name.Length >= (uint)ByLength.Length)
        {
            return HeaderKind.Unknown;
        }

        var first = name[0] | 0x20;
        foreach (var k in ByLength[name.Length])
        {
            var candidate = NameBytes[(int)k];
            if ((candidate[0] | 0x20) == first && Ascii.EqualsIgnoreCase(candidate, name))
            {
                return k;
            }
        }

        return HeaderKind.Unknown;
    }

    public static HeaderKind Lookup(string name)
    {
        Span<byte> buffer = stackalloc byte[32];
        if (name.Length > buffer.Length || !Ascii.IsValid(name))
        {
            return HeaderKind.Unknown;
        }

        var length = Encoding.ASCII.GetBytes(name, buffer);
        return Lookup(buffer[..length]);
    }

    /// <summary>The canonical name for a header name as written (compact forms expand, known names get their canonical case).</summary>
    public static string Canonical(string name)
    {
        var kind = Lookup(name);
        return kind == HeaderKind.Unknown ? name : NameOf(kind);
    }

    private static HeaderKind[][] BuildByLength()
    {
        var max = Names.Max(n => n.Length);
        var table = new HeaderKind[max + 1][];
        for (var length = 0; length <= max; length++)
        {
            table[length] = [.. Enumerable.Range(1, Names.Length - 1).Where(k => Names[k].Length == length && length > 1).Select(k => (HeaderKind)k)];
        }

        return table;
    }

    private static string[] BuildNames()
    {
        var names = new string[(int)HeaderKind.WwwAuthenticate + 1];
        names[0] = string.Empty;
        names[(int)HeaderKind.Accept] = SipHeaderNames.Accept;
        names[(int)HeaderKind.AcceptContact] = SipHeaderNames.AcceptContact;
        names[(int)HeaderKind.Allow] = SipHeaderNames.Allow;
        names[(int)HeaderKind.AllowEvents] = SipHeaderNames.AllowEvents;
        names[(int)HeaderKind.Authorization] = SipHeaderNames.Authorization;
        names[(int)HeaderKind.CallId] = SipHeaderNames.CallId;
        names[(int)HeaderKind.Contact] = SipHeaderNames.Contact;
        names[(int)HeaderKind.ContentEncoding] = SipHeaderNames.ContentEncoding;
        names[(int)HeaderKind.ContentLength] = SipHeaderNames.ContentLength;
        names[(int)HeaderKind.ContentType] = SipHeaderNames.ContentType;
        names[(int)HeaderKind.CSeq] = SipHeaderNames.CSeq;
        names[(int)HeaderKind.Date] = SipHeaderNames.Date;
        names[(int)HeaderKind.Diversion] = SipHeaderNames.Diversion;
        names[(int)HeaderKind.Event] = SipHeaderNames.Event;
        names[(int)HeaderKind.Expires] = SipHeaderNames.Expires;
        names[(int)HeaderKind.From] = SipHeaderNames.From;
        names[(int)HeaderKind.Identity] = SipHeaderNames.Identity;
        names[(int)HeaderKind.MaxForwards] = SipHeaderNames.MaxForwards;
        names[(int)HeaderKind.MinExpires] = SipHeaderNames.MinExpires;
        names[(int)HeaderKind.MinSE] = SipHeaderNames.MinSE;
        names[(int)HeaderKind.PAssertedIdentity] = SipHeaderNames.PAssertedIdentity;
        names[(int)HeaderKind.ProxyAuthenticate] = SipHeaderNames.ProxyAuthenticate;
        names[(int)HeaderKind.ProxyAuthorization] = SipHeaderNames.ProxyAuthorization;
        names[(int)HeaderKind.ProxyRequire] = SipHeaderNames.ProxyRequire;
        names[(int)HeaderKind.RAck] = SipHeaderNames.RAck;
        names[(int)HeaderKind.Reason] = SipHeaderNames.Reason;
        names[(int)HeaderKind.RecordRoute] = SipHeaderNames.RecordRoute;
        names[(int)HeaderKind.ReferTo] = SipHeaderNames.ReferTo;
        names[(int)HeaderKind.ReferredBy] = SipHeaderNames.ReferredBy;
        names[(int)HeaderKind.Replaces] = SipHeaderNames.Replaces;
        names[(int)HeaderKind.Require] = SipHeaderNames.Require;
        names[(int)HeaderKind.RetryAfter] = SipHeaderNames.RetryAfter;
        names[(int)HeaderKind.Route] = SipHeaderNames.Route;
        names[(int)HeaderKind.RSeq] = SipHeaderNames.RSeq;
        names[(int)HeaderKind.Server] = SipHeaderNames.Server;
        names[(int)HeaderKind.SessionExpires] = SipHeaderNames.SessionExpires;
        names[(int)HeaderKind.Subject] = SipHeaderNames.Subject;
        names[(int)HeaderKind.SubscriptionState] = SipHeaderNames.SubscriptionState;
        names[(int)HeaderKind.Supported] = SipHeaderNames.Supported;
        names[(int)HeaderKind.Timestamp] = SipHeaderNames.Timestamp;
        names[(int)HeaderKind.To] = SipHeaderNames.To;
        names[(int)HeaderKind.Unsupported] = SipHeaderNames.Unsupported;
        names[(int)HeaderKind.UserAgent] = SipHeaderNames.UserAgent;
        names[(int)HeaderKind.Via] = SipHeaderNames.Via;
        names[(int)HeaderKind.Warning] = SipHeaderNames.Warning;
        names[(int)HeaderKind.WwwAuthenticate] = SipHeaderNames.WwwAuthenticate;
        return names;
    }
}
