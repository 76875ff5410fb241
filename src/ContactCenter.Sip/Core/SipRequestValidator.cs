using System.Globalization;

namespace ContactCenter.Sip.Core;

/// <summary>
/// The checks of RFC 3261 §8.2 a UAS applies before a request reaches the application, in the RFC's order after
/// the mandatory headers: method (405), URI scheme (416), Require (420), body type and encoding (415).
/// </summary>
internal static class SipRequestValidator
{
    // Max-Forwards is left out: RFC 2543 clients do not send it, and a UAS can serve them (RFC 4475 §3.4.1).
    private static readonly string[] Mandatory = ["Via", "To", "From", "Call-ID", "CSeq"];
    private static readonly string[] SingleValued = ["To", "From", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"];

    /// <summary>The response that rejects <paramref name="request"/>, or null when it may proceed.</summary>
    public static SipResponse? Reject(SipRequest request, SipEndpointOptions options)
    {
        try
        {
            return RejectCore(request, options);
        }
        catch (FormatException e)
        {
            // A typed header read found a value the grammar does not allow.
            return Bad(request, e is SipHeaderFormatException h ? $"Bad {h.HeaderName} header" : "Bad header value");
        }
    }

    private static SipResponse? RejectCore(SipRequest request, SipEndpointOptions options)
    {
        foreach (var name in Mandatory)
        {
            if (!request.Headers.Contains(name))
            {
                return Bad(request, $"Missing {name} header");
            }
        }

        foreach (var name in SingleValued)
        {
            var values = request.Headers.GetValues(name);
            if (values.Count > 1)
            {
                return Bad(request, $"Multiple {name} headers");
            }
        }

        if (request.Method != SipMethod.Ack && !options.AllowedMethods.Contains(request.Method.Name, StringComparer.Ordinal))
        {
            var notAllowed = Transactions.SipTransactionLayer.LocalResponse(request, 405, "Method Not Allowed");
            notAllowed.Headers.Add("Allow", string.Join(", ", options.AllowedMethods));
            return notAllowed;
        }

        if (request.CSeq is not { } cseq)
        {
            return Bad(request, "Bad CSeq header");
        }

        if (cseq.Method != request.Method)
        {
            return Bad(request, "CSeq method does not match the request method");
        }

        if (request.From is null || request.To is null)
        {
            return Bad(request, "Bad From or To header");
        }

        if (request.Method == SipMethod.Ack)
        {
            return null;
        }

        if (!IsSupportedScheme(request.RequestUri.Scheme) || !IsSupportedScheme(request.To!.Uri.Scheme))
        {
            return request.CreateResponse(416, "Unsupported URI Scheme");
        }

        if (request.MaxForwards == 0 && request.Method != SipMethod.Options)
        {
            return request.CreateResponse(483, "Too Many Hops");
        }

        var unsupported = request.Require
            .Where(tag => !options.SupportedExtensions.Contains(tag, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (unsupported.Count > 0)
        {
            var badExtension = request.CreateResponse(420, "Bad Extension");
            badExtension.Headers.Add("Unsupported", string.Join(", ", unsupported));
            return badExtension;
        }

        if (!request.Body.IsEmpty)
        {
            if (request.ContentType is { } type
                && !options.AcceptedContentTypes.Contains($"{type.Type}/{type.Subtype}", StringComparer.OrdinalIgnoreCase))
            {
                var unsupportedType = request.CreateResponse(415, "Unsupported Media Type");
                unsupportedType.Headers.Add("Accept", string.Join(", ", options.AcceptedContentTypes));
                return unsupportedType;
            }

            if (request.ContentEncoding.Any(e => !options.AcceptedContentEncodings.Contains(e, StringComparer.OrdinalIgnoreCase)))
            {
                var unsupportedEncoding = request.CreateResponse(415, "Unsupported Media Type");
                unsupportedEncoding.Headers.Add("Accept-Encoding", string.Join(", ", options.AcceptedContentEncodings));
                return unsupportedEncoding;
            }
        }

        return null;
    }

    private static bool IsSupportedScheme(string scheme) => scheme is "sip" or "sips" or "tel";

    private static SipResponse Bad(SipRequest request, string reason) =>
        Transactions.SipTransactionLayer.LocalResponse(request, 400, reason.ToString(CultureInfo.InvariantCulture));
}
