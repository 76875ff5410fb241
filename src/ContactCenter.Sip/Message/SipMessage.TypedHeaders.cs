using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>Decodes a header value from its bytes.</summary>
internal delegate T HeaderDecoder<out T>(ReadOnlySpan<byte> value);

/// <content>Typed, lazily decoded header values. An accessor throws <see cref="SipHeaderFormatException"/> when the value breaks its grammar.</content>
public abstract partial class SipMessage
{
    // The decoded values, one slot per header kind read (a message reads a handful of the kinds there are).
    private CacheSlot[]? _cache;
    private int _cacheCount;
    private int _cacheVersion;

    /// <summary>The Via entries, top first, across every Via line.</summary>
    public IReadOnlyList<SipVia> Via => Cached(HeaderKind.Via, static m => m.ReadList(HeaderKind.Via, ReadVias))!;

    /// <summary>The top Via entry, or null.</summary>
    public SipVia? TopVia => Via.Count > 0 ? Via[0] : null;

    /// <summary>The From address, or null when absent.</summary>
    public SipNameAddress? From => Cached(HeaderKind.From, static m => m.ReadFirst(HeaderKind.From, ReadSingleAddress));

    /// <summary>The To address, or null when absent.</summary>
    public SipNameAddress? To => Cached(HeaderKind.To, static m => m.ReadFirst(HeaderKind.To, ReadSingleAddress));

    /// <summary>The Call-ID, or null when absent.</summary>
    public string? CallId => Cached(HeaderKind.CallId, static m => m.ReadFirst(HeaderKind.CallId, static v => SipHeaders.DecodeValue(v)));

    /// <summary>The CSeq, or null when absent.</summary>
    public SipCSeq? CSeq => Cached(HeaderKind.CSeq, static m => m.ReadFirst(HeaderKind.CSeq, SipCSeq.Read));

    /// <summary>Max-Forwards (0 to 255), or null when absent.</summary>
    public int? MaxForwards => CachedValue(HeaderKind.MaxForwards, static m => m.ReadFirstValue(HeaderKind.MaxForwards, static v =>
        SipGrammar.TryParseNumber(v, 255, out var n) ? (int)n : throw new FormatException("is not an integer from 0 to 255")));

    /// <summary>The Contact addresses across every Contact line (empty for <c>Contact: *</c>, see <see cref="IsContactWildcard"/>).</summary>
    public IReadOnlyList<SipNameAddress> Contact => Cached(HeaderKind.Contact, static m => m.IsContactWildcard ? [] : m.ReadList(HeaderKind.Contact, static v => ReadAddresses(v, true)))!;

    /// <summary>True for <c>Contact: *</c> (a REGISTER removing every binding).</summary>
    public bool IsContactWildcard
    {
        get
        {
            var i = Headers.IndexOf(HeaderKind.Contact, 0);
            return i >= 0 && Headers.ValueBytesAt(i).Trim(" \t\r\n"u8).SequenceEqual("*"u8);
        }
    }

    /// <summary>The Route entries, in order.</summary>
    public IReadOnlyList<SipNameAddress> Route => Cached(HeaderKind.Route, static m => m.ReadList(HeaderKind.Route, static v => ReadAddresses(v, false)))!;

    /// <summary>The Record-Route entries, in order.</summary>
    public IReadOnlyList<SipNameAddress> RecordRoute => Cached(HeaderKind.RecordRoute, static m => m.ReadList(HeaderKind.RecordRoute, static v => ReadAddresses(v, false)))!;

    /// <summary>The P-Asserted-Identity addresses (RFC 3325).</summary>
    public IReadOnlyList<SipNameAddress> PAssertedIdentity => Cached(HeaderKind.PAssertedIdentity, static m => m.ReadList(HeaderKind.PAssertedIdentity, static v => ReadAddresses(v, true)))!;

    /// <summary>The Diversion entries (RFC 5806), most recent first.</summary>
    public IReadOnlyList<SipNameAddress> Diversion => Cached(HeaderKind.Diversion, static m => m.ReadList(HeaderKind.Diversion, static v => ReadAddresses(v, true)))!;

    /// <summary>The Refer-To address (RFC 3515), or null.</summary>
    public SipNameAddress? ReferTo => Cached(HeaderKind.ReferTo, static m => m.ReadFirst(HeaderKind.ReferTo, ReadSingleAddress));

    /// <summary>The Referred-By address (RFC 3892), or null.</summary>
    public SipNameAddress? ReferredBy => Cached(HeaderKind.ReferredBy, static m => m.ReadFirst(HeaderKind.ReferredBy, ReadSingleAddress));

    /// <summary>The Content-Length value, or null when absent (the body length is <see cref="Body"/>'s).</summary>
    public int? ContentLength => CachedValue(HeaderKind.ContentLength, static m => m.ReadFirstValue(HeaderKind.ContentLength, static v =>
        SipGrammar.TryParseNumber(v, int.MaxValue, out var n) ? (int)n : throw new FormatException("is not a non-negative integer")));

    /// <summary>The Content-Type, or null.</summary>
    public SipMediaType? ContentType => Cached(HeaderKind.ContentType, static m => m.ReadFirst(HeaderKind.ContentType, SipMediaType.Read));

    /// <summary>The Content-Encoding tokens.</summary>
    public IReadOnlyList<string> ContentEncoding => TokenList(HeaderKind.ContentEncoding);

    /// <summary>The option tags of Require.</summary>
    public IReadOnlyList<string> Require => TokenList(HeaderKind.Require);

    /// <summary>The option tags of Supported.</summary>
    public IReadOnlyList<string> Supported => TokenList(HeaderKind.Supported);

    /// <summary>The option tags of Unsupported.</summary>
    public IReadOnlyList<string> Unsupported => TokenList(HeaderKind.Unsupported);

    /// <summary>The option tags of Proxy-Require.</summary>
    public IReadOnlyList<string> ProxyRequire => TokenList(HeaderKind.ProxyRequire);

    /// <summary>The methods of Allow.</summary>
    public IReadOnlyList<string> Allow => TokenList(HeaderKind.Allow);

    /// <summary>The event packages of Allow-Events.</summary>
    public IReadOnlyList<string> AllowEvents => TokenList(HeaderKind.AllowEvents);

    /// <summary>The media ranges of Accept.</summary>
    public IReadOnlyList<SipMediaType> Accept => Cached(HeaderKind.Accept, static m => m.ReadList(HeaderKind.Accept, static v => SplitEach(v, SipMediaType.Read)))!;

    /// <summary>The Authorization credentials, one per header line.</summary>
    public IReadOnlyList<SipAuthHeader> Authorization => AuthList(HeaderKind.Authorization);

    /// <summary>The Proxy-Authorization credentials, one per header line.</summary>
    public IReadOnlyList<SipAuthHeader> ProxyAuthorization => AuthList(HeaderKind.ProxyAuthorization);

    /// <summary>The WWW-Authenticate challenges, one per header line.</summary>
    public IReadOnlyList<SipAuthHeader> WwwAuthenticate => AuthList(HeaderKind.WwwAuthenticate);

    /// <summary>The Proxy-Authenticate challenges, one per header line.</summary>
    public IReadOnlyList<SipAuthHeader> ProxyAuthenticate => AuthList(HeaderKind.ProxyAuthenticate);

    /// <summary>Expires in seconds (values above 2^32-1 read as 2^32-1), or null.</summary>
    public uint? Expires => CachedValue(HeaderKind.Expires, static m => m.ReadFirstValue(HeaderKind.Expires, HeaderValues.ReadDeltaSeconds));

    /// <summary>Min-Expires in seconds, or null.</summary>
    public uint? MinExpires => CachedValue(HeaderKind.MinExpires, static m => m.ReadFirstValue(HeaderKind.MinExpires, HeaderValues.ReadDeltaSeconds));

    /// <summary>Retry-After: seconds (with an optional comment) and parameters such as <c>duration</c>, or null.</summary>
    public SipValueWithParameters? RetryAfter => Cached(HeaderKind.RetryAfter, static m => m.ReadFirst(HeaderKind.RetryAfter, SipValueWithParameters.Read));

    /// <summary>Replaces (RFC 3891): the Call-ID and the <c>to-tag</c>, <c>from-tag</c>, <c>early-only</c> parameters, or null.</summary>
    public SipValueWithParameters? Replaces => Cached(HeaderKind.Replaces, static m => m.ReadFirst(HeaderKind.Replaces, SipValueWithParameters.Read));

    /// <summary>Event (RFC 6665): the event package and parameters such as <c>id</c>, or null.</summary>
    public SipValueWithParameters? Event => Cached(HeaderKind.Event, static m => m.ReadFirst(HeaderKind.Event, SipValueWithParameters.Read));

    /// <summary>Subscription-State (RFC 6665): the state and <c>reason</c>, <c>expires</c>, <c>retry-after</c> parameters, or null.</summary>
    public SipValueWithParameters? SubscriptionState => Cached(HeaderKind.SubscriptionState, static m => m.ReadFirst(HeaderKind.SubscriptionState, SipValueWithParameters.Read));

    /// <summary>Session-Expires (RFC 4028): the interval in seconds and the <c>refresher</c> parameter, or null.</summary>
    public SipValueWithParameters? SessionExpires => Cached(HeaderKind.SessionExpires, static m => m.ReadFirst(HeaderKind.SessionExpires, SipValueWithParameters.Read));

    /// <summary>Min-SE (RFC 4028) in seconds, or null.</summary>
    public uint? MinSE => CachedValue(HeaderKind.MinSE, static m => m.ReadFirstValue(HeaderKind.MinSE, static v =>
        HeaderValues.ReadDeltaSeconds(v[..(v.IndexOf(SipChars.Semicolon) is var s and >= 0 ? s : v.Length)])));

    /// <summary>RSeq (RFC 3262), or null.</summary>
    public uint? RSeq => CachedValue(HeaderKind.RSeq, static m => m.ReadFirstValue(HeaderKind.RSeq, static v =>
        SipGrammar.TryParseNumber(v, uint.MaxValue, out var n) ? (uint)n : throw new FormatException("is not an integer from 0 to 4294967295")));

    /// <summary>RAck (RFC 3262), or null.</summary>
    public SipRAck? RAck => Cached(HeaderKind.RAck, static m => m.ReadFirst(HeaderKind.RAck, SipRAck.Read));

    /// <summary>The Reason entries (RFC 3326): protocol and <c>cause</c>, <c>text</c> parameters.</summary>
    public IReadOnlyList<SipValueWithParameters> Reason => Cached(HeaderKind.Reason, static m => m.ReadList(HeaderKind.Reason, static v => SplitEach(v, SipValueWithParameters.Read)))!;

    /// <summary>The User-Agent text, or null.</summary>
    public string? UserAgent => Headers[SipHeaderNames.UserAgent];

    /// <summary>The Server text, or null.</summary>
    public string? Server => Headers[SipHeaderNames.Server];

    /// <summary>The extension headers whose names start with <c>X-</c> (attached data), in order.</summary>
    public IReadOnlyList<SipHeader> ExtensionHeaders
    {
        get
        {
            var list = new List<SipHeader>();
            for (var i = 0; i < Headers.Count; i++)
            {
                if (Headers.KindAt(i) == HeaderKind.Unknown)
                {
                    var name = Headers.NameAt(i);
                    if (name.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
                    {
                        list.Add(new SipHeader(name, Headers.ValueAt(i)));
                    }
                }
            }

            return list;
        }
    }

    private List<string> TokenList(HeaderKind kind) =>
        Cached(kind, kind, static (m, k) => m.ReadList(k, static v => SplitEach(v, static t =>
        {
            var token = t.Trim(" \t\r\n"u8);
            return SipGrammar.IsToken(token) ? Encoding.ASCII.GetString(token) : throw new FormatException($"has '{Encoding.UTF8.GetString(token)}' where a token should be");
        })))!;

    private List<SipAuthHeader> AuthList(HeaderKind kind) =>
        Cached(kind, kind, static (m, k) => m.ReadList<SipAuthHeader>(k, static v => [SipAuthHeader.Read(v)]))!;

    // The accessors below allocate only what they decode: the decoders are static (no closure per read), and the cache
    // array is allocated once per message (grown as more kinds are read) and cleared, not replaced, when the headers change.
    private T? Cached<T>(HeaderKind kind, Func<SipMessage, T?> decode)
        where T : class => Cached(kind, decode, static (m, d) => d(m));

    private T? Cached<T, TState>(HeaderKind kind, TState state, Func<SipMessage, TState, T?> decode)
        where T : class
    {
        if (TryCached(kind, out var cached))
        {
            return (T?)cached;
        }

        var value = decode(this, state);
        Store(kind, value);
        return value;
    }

    private T? CachedValue<T>(HeaderKind kind, Func<SipMessage, T?> decode)
        where T : struct
    {
        if (TryCached(kind, out var cached))
        {
            return (T?)cached;
        }

        var value = decode(this);
        Store(kind, value is { } v ? v : null);
        return value;
    }

    /// <summary>The decoded value of <paramref name="kind"/> (null for an absent header) when it was decoded since the headers last changed.</summary>
    private bool TryCached(HeaderKind kind, out object? value)
    {
        value = null;
        if (_cache is null || _cacheVersion != Headers.Version)
        {
            return false;
        }

        for (var i = 0; i < _cacheCount; i++)
        {
            if (_cache[i].Kind == kind)
            {
                value = _cache[i].Value;
                return true;
            }
        }

        return false;
    }

    private void Store(HeaderKind kind, object? value)
    {
        if (_cache is null)
        {
            _cache = new CacheSlot[8];
            _cacheVersion = Headers.Version;
        }
        else if (_cacheVersion != Headers.Version)
        {
            // The headers changed since the values held were decoded: they are all stale.
            Array.Clear(_cache, 0, _cacheCount);
            _cacheCount = 0;
            _cacheVersion = Headers.Version;
        }

        // Called only after TryCached missed, so the kind is not held yet.
        if (_cacheCount == _cache.Length)
        {
            Array.Resize(ref _cache, _cache.Length * 2);
        }

        _cache[_cacheCount++] = new CacheSlot(kind, value);
    }

    /// <summary>A header kind and its decoded value (null for an absent header).</summary>
    private struct CacheSlot(HeaderKind kind, object? value)
    {
        public HeaderKind Kind = kind;
        public object? Value = value;
    }

    private T? ReadFirst<T>(HeaderKind kind, HeaderDecoder<T> decode)
        where T : class
    {
        var i = Headers.IndexOf(kind, 0);
        return i < 0 ? null : DecodeAt(i, decode);
    }

    private T? ReadFirstValue<T>(HeaderKind kind, HeaderDecoder<T> decode)
        where T : struct
    {
        var i = Headers.IndexOf(kind, 0);
        return i < 0 ? null : DecodeAt(i, decode);
    }

    private List<T> ReadList<T>(HeaderKind kind, HeaderDecoder<List<T>> decode)
    {
        // Each decoder returns a new list: the first line's becomes the result, so one header line costs one list.
        List<T>? list = null;
        for (var i = Headers.IndexOf(kind, 0); i >= 0; i = Headers.IndexOf(kind, i + 1))
        {
            var line = DecodeAt(i, decode);
            if (list is null)
            {
                list = line;
            }
            else
            {
                list.AddRange(line);
            }
        }

        return list ?? [];
    }

    private T DecodeAt<T>(int index, HeaderDecoder<T> decode)
    {
        try
        {
            return decode(Headers.ValueBytesAt(index));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException && ex is not SipHeaderFormatException)
        {
            throw new SipHeaderFormatException(Headers.NameAt(index), Headers.LineAt(index), ex.Message);
        }
    }

    private static SipNameAddress ReadSingleAddress(ReadOnlySpan<byte> v)
    {
        var i = 0;
        if (!SipGrammar.TryReadNameAddr(v, ref i, allowAddrSpec: true, out var r, out var error))
        {
            throw new FormatException(error);
        }

        if (SipGrammar.SkipLws(v, i) != v.Length)
        {
            throw new FormatException("has more than one address");
        }

        return SipNameAddress.FromRanges(v, r);
    }

    private static List<SipNameAddress> ReadAddresses(ReadOnlySpan<byte> v, bool allowAddrSpec)
    {
        var list = new List<SipNameAddress>();
        var i = 0;
        while (true)
        {
            if (!SipGrammar.TryReadNameAddr(v, ref i, allowAddrSpec, out var r, out var error))
            {
                throw new FormatException(error);
            }

            list.Add(SipNameAddress.FromRanges(v, r));
            if (!SipGrammar.NextListElement(v, ref i, out var listError))
            {
                return listError is null ? list : throw new FormatException(listError);
            }
        }
    }

    private static List<SipVia> ReadVias(ReadOnlySpan<byte> v)
    {
        var list = new List<SipVia>();
        var i = 0;
        while (true)
        {
            if (!SipGrammar.TryReadVia(v, ref i, out var r, out var error))
            {
                throw new FormatException(error);
            }

            list.Add(SipVia.FromRanges(v, r));
            if (!SipGrammar.NextListElement(v, ref i, out var listError))
            {
                return listError is null ? list : throw new FormatException(listError);
            }
        }
    }

    private static List<T> SplitEach<T>(ReadOnlySpan<byte> v, HeaderDecoder<T> decode)
    {
        var list = new List<T>();
        foreach (var range in HeaderValues.SplitList(v))
        {
            list.Add(decode(v[range]));
        }

        return list;
    }
}
