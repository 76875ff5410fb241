using System.Buffers;
using System.Buffers.Text;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>
/// Writes messages in canonical form: <c>SIP/2.0</c>, full header names (compact forms expanded), <c>Name: value</c>
/// with folded lines joined by one space, headers in order, a Content-Length that matches the body last, CRLF line ends.
/// </summary>
public static class SipMessageWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private static ReadOnlySpan<byte> Version => "SIP/2.0"u8;

    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    public static void Write(SipMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        if (message is SipRequest request)
        {
            WriteAscii(output, request.Method.Name);
            output.Write(" "u8);
            if (request.RequestUriReplaced)
            {
                Encoding.UTF8.GetBytes(request.RequestUri.ToString(), output);
            }
            else
            {
                output.Write(request.RawRequestUri);
            }

            output.Write(" "u8);
            output.Write(Version);
        }
        else
        {
            var response = (SipResponse)message;
            output.Write(Version);
            output.Write(" "u8);
            WriteNumber(output, response.StatusCode);
            output.Write(" "u8);
            Encoding.UTF8.GetBytes(response.ReasonPhrase, output);
        }

        output.Write(Crlf);
        var headers = message.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.KindAt(i) == HeaderKind.ContentLength)
            {
                continue;
            }

            var name = headers.NameBytesAt(i, out var nameString);
            if (nameString is not null)
            {
                WriteAscii(output, nameString);
            }
            else
            {
                output.Write(name);
            }

            output.Write(": "u8);
            WriteValue(output, headers.ValueBytesAt(i));
            output.Write(Crlf);
        }

        output.Write("Content-Length: "u8);
        WriteNumber(output, message.Body.Length);
        output.Write(Crlf);
        output.Write(Crlf);
        output.Write(message.Body.Span);
    }

    /// <summary>Writes a header value, joining folded lines with a single space.</summary>
    private static void WriteValue(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            var brk = value.IndexOfAny(SipChars.Cr, SipChars.Lf);
            if (brk < 0)
            {
                output.Write(value);
                return;
            }

            output.Write(value[..brk].TrimEnd(" \t"u8));
            output.Write(" "u8);
            value = value[brk..].TrimStart(" \t\r\n"u8);
        }
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text) => Encoding.ASCII.GetBytes(text, output);

    private static void WriteNumber(IBufferWriter<byte> output, int value)
    {
        var span = output.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}
