using System.Globalization;
using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>
/// Checks a framed message against the grammar of its Request-URI and of the headers the transaction and dialog
/// layers rely on. It builds no objects: a header value is still decoded only when somebody reads it.
/// </summary>
internal static class SipValidator
{
    private const string MismatchMarker = "method mismatch";

    public static bool Validate(ReadOnlySpan<byte> data, in FrameInfo info, ReadOnlySpan<HeaderEntry> entries, out SipParseError? error)
    {
        error = null;
        if (!info.IsResponse && !UriGrammar.TryParse(data[info.UriStart..info.UriEnd], out _, out var uriError))
        {
            error = new SipParseError(SipParseErrorKind.InvalidStartLine, $"line 1: the Request-URI '{SipFramer.Printable(data[info.UriStart..info.UriEnd])}' is invalid: {uriError}", 400, 1);
            return false;
        }

        foreach (ref readonly var e in entries)
        {
            var value = data.Slice(e.ValueStart, e.ValueLength);
            var problem = e.Kind switch
            {
                HeaderKind.Via => CheckVia(value),
                HeaderKind.From or HeaderKind.To => CheckSingleAddress(value),
                HeaderKind.Contact => CheckContact(value),
                HeaderKind.Route or HeaderKind.RecordRoute => CheckAddressList(value, allowAddrSpec: false),
                HeaderKind.CSeq => CheckCSeq(data, info, value, out var mismatch) ?? (mismatch ? MismatchMarker : null),
                HeaderKind.CallId => SipGrammar.IsCallId(value) ? null : "is not a Call-ID (word [\"@\" word])",
                HeaderKind.MaxForwards => SipGrammar.TryParseNumber(value, 255, out _) ? null : "is not an integer from 0 to 255",
                _ => null,
            };

            if (problem is null)
            {
                continue;
            }

            var name = HeaderTable.NameOf(e.Kind);
            if (ReferenceEquals(problem, MismatchMarker))
            {
                var method = SipFramer.Printable(data[..info.MethodEnd]);
                _ = SipGrammar.TryReadCSeq(value, out _, out var ms, out var me, out _);
                error = new SipParseError(
                    SipParseErrorKind.MethodMismatch,
                    string.Create(CultureInfo.InvariantCulture, $"CSeq header (line {e.Line}) names method '{SipFramer.Printable(value[ms..me])}' but the request method is '{method}'"),
                    400,
                    e.Line,
                    name);
                return false;
            }

            error = new SipParseError(
                SipParseErrorKind.InvalidHeaderValue,
                string.Create(CultureInfo.InvariantCulture, $"{name} header (line {e.Line}) {problem}"),
                400,
                e.Line,
                name,
                info.IsResponse);
            return false;
        }

        return true;
    }

    private static string? CheckVia(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (true)
        {
            if (!SipGrammar.TryReadVia(value, ref i, out var via, out var error))
            {
                return error;
            }

            if (!Ascii.EqualsIgnoreCase(value[via.ProtocolStart..via.ProtocolEnd], "SIP"u8) || !value[via.VersionStart..via.VersionEnd].SequenceEqual("2.0"u8))
            {
                return "has a sent-protocol that is not SIP/2.0";
            }

            if (!SipGrammar.NextListElement(value, ref i, out var listError))
            {
                return listError;
            }
        }
    }

    private static string? CheckSingleAddress(ReadOnlySpan<byte> value)
    {
        var i = 0;
        if (!SipGrammar.TryReadNameAddr(value, ref i, allowAddrSpec: true, out _, out var error))
        {
            return error;
        }

        var end = SipGrammar.SkipLws(value, i);
        return end == value.Length ? null : $"has an unexpected '{(char)value[end]}' after its address";
    }

    private static string? CheckContact(ReadOnlySpan<byte> value)
    {
        var star = SipGrammar.SkipLws(value, 0);
        if (star < value.Length && value[star] == SipChars.Star)
        {
            return SipGrammar.SkipLws(value, star + 1) == value.Length ? null : "has '*' mixed with other values";
        }

        return CheckAddressList(value, allowAddrSpec: true);
    }

    private static string? CheckAddressList(ReadOnlySpan<byte> value, bool allowAddrSpec)
    {
        var i = 0;
        while (true)
        {
            if (!SipGrammar.TryReadNameAddr(value, ref i, allowAddrSpec, out _, out var error))
            {
                return error;
            }

            if (!SipGrammar.NextListElement(value, ref i, out var listError))
            {
                return listError;
            }
        }
    }

    private static string? CheckCSeq(ReadOnlySpan<byte> data, in FrameInfo info, ReadOnlySpan<byte> value, out bool mismatch)
    {
        mismatch = false;
        if (!SipGrammar.TryReadCSeq(value, out _, out var methodStart, out var methodEnd, out var error))
        {
            return error;
        }

        if (!info.IsResponse && !value[methodStart..methodEnd].SequenceEqual(data[..info.MethodEnd]))
        {
            mismatch = true;
        }

        return null;
    }
}
