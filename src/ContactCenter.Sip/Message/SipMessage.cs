using System.Buffers;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// A SIP request or response (RFC 3261 §7): a start line, header lines in order with duplicates, and a body.
/// A parsed message owns a copy of its bytes and decodes a header value only when it is read; typed values are cached
/// until the headers change. Not thread-safe for writing.
/// </summary>
public abstract partial class SipMessage
{
    private ReadOnlyMemory<byte> _body;

    private protected SipMessage(SipHeaders headers, ReadOnlyMemory<byte> body)
    {
        Headers = headers;
        _body = body;
    }

    /// <summary>The header lines, in order.</summary>
    public SipHeaders Headers { get; }

    /// <summary>The body (empty when there is none). The serializer writes a Content-Length that matches it.</summary>
    public ReadOnlyMemory<byte> Body
    {
        get => _body;
        set => _body = value;
    }

    /// <summary>True for a <see cref="SipRequest"/>.</summary>
    public abstract bool IsRequest { get; }

    /// <summary>Parses one message from text (as from a datagram), with the default options.</summary>
    /// <exception cref="SipParseException">The message is malformed; the error names what and where.</exception>
    public static SipMessage Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Parses one message from bytes (as from a datagram), with the default options.</summary>
    /// <exception cref="SipParseException">The message is malformed or there is no message.</exception>
    public static SipMessage Parse(ReadOnlySpan<byte> bytes)
    {
        var parser = new SipMessageParser();
        if (parser.TryParseDatagram(bytes, out var message, out var error))
        {
            return message;
        }

        throw new SipParseException(error ?? new SipParseError(SipParseErrorKind.IncompleteMessage, "there is no message, only line breaks", 400));
    }

    /// <summary>Writes the message in canonical form (see <see cref="SipMessageWriter"/>).</summary>
    public void WriteTo(IBufferWriter<byte> output) => SipMessageWriter.Write(this, output);

    /// <summary>The message in canonical form, as bytes.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(256 + _body.Length);
        WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The message in canonical form, as text (the body decoded as UTF-8).</summary>
    public override string ToString() => Encoding.UTF8.GetString(ToArray());

    internal static SipMessage FromFrame(ReadOnlySpan<byte> data, in FrameInfo info, ReadOnlySpan<HeaderEntry> entries)
    {
        var raw = data[..info.Length].ToArray();
        var copy = entries.ToArray();
        var headers = new SipHeaders(raw, copy, copy.Length);
        var body = new ReadOnlyMemory<byte>(raw, info.BodyStart, info.BodyLength);
        return info.IsResponse
            ? new SipResponse(headers, body, raw, info)
            : new SipRequest(headers, body, raw, info);
    }
}
