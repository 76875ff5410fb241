using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>A SIP response: status code, reason phrase, headers and body.</summary>
public sealed class SipResponse : SipMessage
{
    private string? _reasonPhrase;
    private readonly ReadOnlyMemory<byte> _reasonBytes;

    /// <summary>Creates a response with no headers; see also <see cref="SipRequest.CreateResponse"/>.</summary>
    /// <param name="statusCode">100 to 699.</param>
    /// <param name="reasonPhrase">The reason phrase; the standard one for the code when null.</param>
    public SipResponse(int statusCode, string? reasonPhrase = null)
        : base(new SipHeaders(), ReadOnlyMemory<byte>.Empty)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        if (reasonPhrase is not null && reasonPhrase.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A reason phrase cannot contain CR or LF.", nameof(reasonPhrase));
        }

        StatusCode = statusCode;
        _reasonPhrase = reasonPhrase ?? DefaultReasonPhrase(statusCode);
    }

    internal SipResponse(SipHeaders headers, ReadOnlyMemory<byte> body, byte[] raw, in FrameInfo info)
        : base(headers, body)
    {
        StatusCode = info.StatusCode;
        _reasonBytes = raw.AsMemory(info.ReasonStart, info.ReasonEnd - info.ReasonStart);
    }

    /// <inheritdoc />
    public override bool IsRequest => false;

    /// <summary>The status code, 100 to 699.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase (may be empty).</summary>
    public string ReasonPhrase => _reasonPhrase ??= Encoding.UTF8.GetString(_reasonBytes.Span);

    /// <summary>True for 1xx.</summary>
    public bool IsProvisional => StatusCode < 200;

    /// <summary>True for 2xx.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>The reason phrase RFC 3261 §21 (and the extensions this package knows) gives a status code; "Unknown" otherwise.</summary>
    public static string DefaultReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        199 => "Early Dialog Terminated",
        200 => "OK",
        202 => "Accepted",
        204 => "No Notification",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        412 => "Conditional Request Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        422 => "Session Interval Too Small",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => "Unknown",
    };
}
