using System.Security.Cryptography;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>A SIP request: method, Request-URI, headers and body.</summary>
public sealed class SipRequest : SipMessage
{
    private AbsoluteUri? _requestUri;
    private readonly ReadOnlyMemory<byte> _requestUriBytes;

    /// <summary>Creates a request with no headers and no body; add headers through <see cref="SipMessage.Headers"/>.</summary>
    public SipRequest(SipMethod method, AbsoluteUri requestUri)
        : base(new SipHeaders(), ReadOnlyMemory<byte>.Empty)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requestUri);
        Method = method;
        _requestUri = requestUri;
        RequestUriReplaced = true;
    }

    internal SipRequest(SipHeaders headers, ReadOnlyMemory<byte> body, byte[] raw, in FrameInfo info)
        : base(headers, body)
    {
        Method = SipMethod.FromBytes(raw.AsSpan(0, info.MethodEnd));
        _requestUriBytes = raw.AsMemory(info.UriStart, info.UriEnd - info.UriStart);
    }

    /// <inheritdoc />
    public override bool IsRequest => true;

    /// <summary>The method.</summary>
    public SipMethod Method { get; }

    /// <summary>The Request-URI (decoded on first read for a parsed request).</summary>
    /// <exception cref="SipHeaderFormatException">The parser ran without validation and the Request-URI is malformed.</exception>
    public AbsoluteUri RequestUri
    {
        get
        {
            if (_requestUri is null)
            {
                if (!AbsoluteUri.TryParse(_requestUriBytes.Span, out var uri, out var error))
                {
                    throw new SipHeaderFormatException("Request-URI", 1, "is invalid: " + error);
                }

                _requestUri = uri;
            }

            return _requestUri;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _requestUri = value;
            RequestUriReplaced = true;
        }
    }

    /// <summary>The Request-URI bytes as received, when the request was parsed and the URI not replaced.</summary>
    internal ReadOnlySpan<byte> RawRequestUri => _requestUriBytes.Span;

    /// <summary>True when the Request-URI must be written from <see cref="RequestUri"/> rather than the received bytes.</summary>
    internal bool RequestUriReplaced { get; private set; }

    /// <summary>
    /// Builds a response to this request as RFC 3261 §8.2.6 says: the Via headers (in order), From, Call-ID and CSeq
    /// are copied; To is copied and, unless it has a tag already or the status is 100, gets <paramref name="toTag"/>
    /// (a new random tag when null). A 100 (Trying) copies Timestamp; a 101-299 response to INVITE or SUBSCRIBE copies
    /// Record-Route (§12.1.1).
    /// </summary>
    /// <param name="statusCode">100 to 699.</param>
    /// <param name="reasonPhrase">The reason phrase; the standard one for the code when null.</param>
    /// <param name="toTag">The tag to add to To; generated when null.</param>
    public SipResponse CreateResponse(int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        var h = response.Headers;
        for (var i = 0; i < Headers.Count; i++)
        {
            var kind = Headers.KindAt(i);
            switch (kind)
            {
                case HeaderKind.Via:
                case HeaderKind.From:
                case HeaderKind.CallId:
                case HeaderKind.CSeq:
                case HeaderKind.Timestamp when statusCode == 100:
                case HeaderKind.RecordRoute when statusCode is > 100 and < 300 && (Method == SipMethod.Invite || Method == SipMethod.Subscribe):
                    h.Add(Headers.NameAt(i), Headers.ValueAt(i));
                    break;
                case HeaderKind.To:
                    var to = Headers.ValueAt(i);
                    if (statusCode != 100 && To?.Tag is null)
                    {
                        to += ";tag=" + (toTag ?? NewTag());
                    }

                    h.Add(SipHeaderNames.To, to);
                    break;
            }
        }

        return response;
    }

    /// <summary>A new random tag: 64 bits as 16 hex digits, unique across nodes without coordination.</summary>
    internal static string NewTag() => RandomNumberGenerator.GetHexString(16, lowercase: true);
}
