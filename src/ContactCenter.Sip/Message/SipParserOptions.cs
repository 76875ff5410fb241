namespace ContactCenter.Sip;

/// <summary>Limits and strictness of <see cref="SipMessageParser"/>. The defaults are safe for a public-facing server.</summary>
public sealed class SipParserOptions
{
    /// <summary>The largest message (start line, headers and body) accepted, in bytes. Default 65,536 (64 KiB).</summary>
    public int MaxMessageSize { get; set; } = 64 * 1024;

    /// <summary>The most header lines a message may have (folded lines count once). Default 128.</summary>
    public int MaxHeaderCount { get; set; } = 128;

    /// <summary>The longest physical line (without its CRLF), in bytes. Default 8,192.</summary>
    public int MaxLineLength { get; set; } = 8 * 1024;

    /// <summary>The largest body accepted, in bytes. Default 65,536; the message size limit applies as well.</summary>
    public int MaxBodySize { get; set; } = 64 * 1024;

    /// <summary>
    /// When true (the default) the parser checks the Request-URI and the headers the transaction layer relies on
    /// (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route) against their grammar, and the CSeq
    /// method against the request method. When false only framing and header indexing are done.
    /// </summary>
    public bool ValidateHeaders { get; set; } = true;

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMessageSize, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHeaderCount, nameof(MaxHeaderCount));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxLineLength, nameof(MaxLineLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBodySize, nameof(MaxBodySize));
    }

    internal SipParserOptions Clone() => (SipParserOptions)MemberwiseClone();
}
