using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// Parses SIP messages from a stream (TCP, TLS: framed by Content-Length, CRLF keep-alives skipped, messages split across
/// any segment boundary) or from a datagram (UDP). Framing and header indexing allocate nothing; a complete message
/// gets one copy of its bytes. Whatever the input, the parser returns an error rather than throwing.
/// Stateless and thread-safe: one instance can serve every connection.
/// </summary>
public sealed class SipMessageParser
{
    private readonly SipParserOptions _options;

    /// <summary>Creates a parser with the given limits (a copy is taken), or the defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public SipMessageParser(SipParserOptions? options = null)
    {
        _options = (options ?? new SipParserOptions()).Clone();
        _options.Validate();
    }

    /// <summary>
    /// Parses the next message of a stream. Leading CRLFs (keep-alives, RFC 5626) are consumed. Outcomes:
    /// <list type="bullet">
    /// <item>true: <paramref name="message"/> is set and <paramref name="buffer"/> starts after it;</item>
    /// <item>false with a null <paramref name="error"/>: more data is needed; <paramref name="buffer"/> starts at the
    /// message start (mark it consumed and the end of the read examined);</item>
    /// <item>false with an <paramref name="error"/>: the stream is malformed and cannot be framed any further; answer the
    /// error's status code when it is a request, then close the connection.</item>
    /// </list>
    /// </summary>
    public bool TryParse(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out SipMessage? message, out SipParseError? error)
    {
        message = null;
        error = null;
        var firstSpan = buffer.FirstSpan;
        if (firstSpan.IsEmpty || firstSpan[0] is SipChars.Cr or SipChars.Lf)
        {
            var reader = new SequenceReader<byte>(buffer);
            reader.AdvancePastAny(SipChars.Cr, SipChars.Lf);
            buffer = buffer.Slice(reader.Position);
            if (buffer.IsEmpty)
            {
                return false;
            }
        }

        if (buffer.IsSingleSegment)
        {
            if (!TryParseSpan(buffer.FirstSpan, datagram: false, out message, out var length, out error))
            {
                return false;
            }

            buffer = buffer.Slice(length);
            return true;
        }

        // Rare path: the message starts in one segment and goes on in others. Index a pooled contiguous copy of its
        // start, growing the copy only while the message needs more (a read may hold many small messages).
        var available = (int)Math.Min(buffer.Length, _options.MaxMessageSize);
        var copyLength = Math.Min(available, 4096);
        while (true)
        {
            var rented = ArrayPool<byte>.Shared.Rent(copyLength);
            try
            {
                buffer.Slice(0, copyLength).CopyTo(rented);
                if (TryParseSpan(rented.AsSpan(0, copyLength), datagram: false, out message, out var length, out error))
                {
                    buffer = buffer.Slice(length);
                    return true;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (error is not null || copyLength == available)
            {
                return false;
            }

            copyLength = (int)Math.Min((long)copyLength * 4, available);
        }
    }

    /// <summary>
    /// Parses one datagram. Leading CRLFs are skipped, octets after the message (beyond Content-Length) are ignored,
    /// and without Content-Length the body runs to the end of the datagram. Returns false with a null error for a
    /// keep-alive datagram (only CR and LF).
    /// </summary>
    public bool TryParseDatagram(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out SipMessage? message, out SipParseError? error)
    {
        var start = datagram.IndexOfAnyExcept(SipChars.Cr, SipChars.Lf);
        if (start < 0)
        {
            message = null;
            error = null;
            return false;
        }

        return TryParseSpan(datagram[start..], datagram: true, out message, out _, out error);
    }

    /// <summary>
    /// Frames and indexes one message without building it (no allocation): what every read does before a message
    /// exists. Returns the number of header lines, 0 when more data is needed, -1 when malformed.
    /// </summary>
    internal int FrameOnly(ReadOnlySpan<byte> data, Span<HeaderEntry> entries, bool validate)
    {
        var status = SipFramer.Frame(data, datagram: false, _options, entries, out var info, out _);
        if (status != FrameStatus.Complete)
        {
            return status == FrameStatus.NeedMoreData ? 0 : -1;
        }

        if (validate && !SipValidator.Validate(data, info, entries[..info.HeaderCount], out _))
        {
            return -1;
        }

        return info.HeaderCount;
    }

    private bool TryParseSpan(ReadOnlySpan<byte> data, bool datagram, [NotNullWhen(true)] out SipMessage? message, out int length, out SipParseError? error)
    {
        message = null;
        length = 0;
        var entries = ArrayPool<HeaderEntry>.Shared.Rent(_options.MaxHeaderCount);
        try
        {
            var status = SipFramer.Frame(data, datagram, _options, entries.AsSpan(0, _options.MaxHeaderCount), out var info, out error);
            if (status != FrameStatus.Complete)
            {
                return false;
            }

            var indexed = entries.AsSpan(0, info.HeaderCount);
            if (_options.ValidateHeaders && !SipValidator.Validate(data[..info.Length], info, indexed, out error))
            {
                return false;
            }

            message = SipMessage.FromFrame(data, info, indexed);
            length = info.Length;
            return true;
        }
        finally
        {
            ArrayPool<HeaderEntry>.Shared.Return(entries);
        }
    }
}
