using System.Globalization;

namespace ContactCenter.Sip;

/// <summary>What was wrong with a message the parser rejected.</summary>
public enum SipParseErrorKind
{
    /// <summary>The request line or status line is not well formed.</summary>
    InvalidStartLine,

    /// <summary>The message is not SIP/2.0.</summary>
    UnsupportedVersion,

    /// <summary>A header line is not <c>name: value</c>.</summary>
    InvalidHeaderLine,

    /// <summary>A header value breaks the grammar of that header.</summary>
    InvalidHeaderValue,

    /// <summary>Content-Length is not a non-negative integer, or several disagree on a stream.</summary>
    InvalidContentLength,

    /// <summary>A message on a stream transport has no Content-Length.</summary>
    MissingContentLength,

    /// <summary>A datagram ends before the message does (no empty line after the headers, or a short body).</summary>
    IncompleteMessage,

    /// <summary>The message is larger than <see cref="SipParserOptions.MaxMessageSize"/>.</summary>
    MessageTooLarge,

    /// <summary>A line is longer than <see cref="SipParserOptions.MaxLineLength"/>.</summary>
    LineTooLong,

    /// <summary>The message has more header lines than <see cref="SipParserOptions.MaxHeaderCount"/>.</summary>
    TooManyHeaders,

    /// <summary>The body is larger than <see cref="SipParserOptions.MaxBodySize"/>.</summary>
    BodyTooLarge,

    /// <summary>The CSeq method differs from the request method.</summary>
    MethodMismatch,
}

/// <summary>
/// Why a message was rejected: what, where (header name and line number), and the status code a server should answer
/// a rejected request with.
/// </summary>
public sealed class SipParseError
{
    internal SipParseError(SipParseErrorKind kind, string message, int statusCode, int line = 0, string? headerName = null, bool isResponse = false)
    {
        Kind = kind;
        Message = message;
        StatusCode = statusCode;
        Line = line;
        HeaderName = headerName;
        IsResponse = isResponse;
    }

    /// <summary>The category of the problem.</summary>
    public SipParseErrorKind Kind { get; }

    /// <summary>A readable description that names the header and line when there is one.</summary>
    public string Message { get; }

    /// <summary>
    /// The status code to answer a rejected request with: 400 (Bad Request), 413 (Request Entity Too Large),
    /// 505 (Version Not Supported) or 513 (Message Too Large). A rejected response is dropped instead (see <see cref="IsResponse"/>).
    /// </summary>
    public int StatusCode { get; }

    /// <summary>The 1-based line the problem is on, or 0 when it is not about one line.</summary>
    public int Line { get; }

    /// <summary>The header the problem is in, when there is one.</summary>
    public string? HeaderName { get; }

    /// <summary>True when the rejected message is a response: it must be dropped silently, never answered.</summary>
    public bool IsResponse { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{StatusCode} {Kind}: {Message}");
}

/// <summary>Thrown by the convenience parsing methods (<see cref="SipMessage.Parse(string)"/>) when a message is malformed.</summary>
public sealed class SipParseException : FormatException
{
    /// <summary>Creates the exception for a parse error.</summary>
    public SipParseException(SipParseError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).Message)
    {
        Error = error;
    }

    /// <summary>The parse error.</summary>
    public SipParseError Error { get; }
}

/// <summary>Thrown by a typed header accessor when the header's value breaks that header's grammar.</summary>
public sealed class SipHeaderFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public SipHeaderFormatException(string headerName, int line, string problem)
        : base(line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{headerName} header (line {line}) {problem}")
            : $"{headerName} header {problem}")
    {
        HeaderName = headerName;
        Line = line;
    }

    /// <summary>The header whose value is malformed.</summary>
    public string HeaderName { get; }

    /// <summary>The 1-based line of the header in the parsed message, or 0 for a header added through the API.</summary>
    public int Line { get; }
}
