using System.Text;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transactions;

namespace ContactCenter.Sip.Calls;

/// <summary>INFO with DTMF (application/dtmf-relay, application/dtmf).</summary>
public sealed partial class SipCall
{
    /// <summary>Raised for a digit the peer sent in an INFO (application/dtmf-relay or application/dtmf); the INFO gets 200.</summary>
    public event Action<SipCall, DtmfDigit>? DtmfReceived;

    /// <summary>Sends a digit in an INFO with an application/dtmf-relay body ("Signal=5", "Duration=160") and returns the response.</summary>
    /// <param name="digit">0-9, *, #, A-D.</param>
    /// <param name="duration">How long the key is pressed; 160 ms when null.</param>
    /// <exception cref="ArgumentException"><paramref name="digit"/> is not a DTMF digit.</exception>
    /// <exception cref="InvalidOperationException">The call is not answered.</exception>
    public Task<SipResponse> SendDtmfAsync(char digit, TimeSpan? duration = null)
    {
        var body = DtmfRelayBody.Create(digit, duration ?? TimeSpan.FromMilliseconds(160));
        return SendRequestAsync(SipMethod.Info, Encoding.ASCII.GetBytes(body), DtmfRelayBody.RelayContentType);
    }

    /// <summary>An INFO nobody else answered: a DTMF body raises <see cref="DtmfReceived"/> (400 when malformed); another body type gets 415.</summary>
    private async ValueTask OnInfoAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.Body.IsEmpty)
        {
            await transaction.RespondAsync(request.CreateResponse(200)).ConfigureAwait(false);
            return;
        }

        SipMediaType? type;
        try
        {
            type = request.ContentType;
        }
        catch (SipHeaderFormatException e)
        {
            await transaction.RespondAsync(request.CreateResponse(400, e.Message)).ConfigureAwait(false);
            return;
        }

        if (type is null || !(type.Is(DtmfRelayBody.RelayContentType) || type.Is(DtmfRelayBody.DtmfContentType)))
        {
            var refused = request.CreateResponse(415, "Unsupported Media Type");
            refused.Headers.Add("Accept", DtmfRelayBody.RelayContentType + ", " + DtmfRelayBody.DtmfContentType);
            await transaction.RespondAsync(refused).ConfigureAwait(false);
            return;
        }

        if (!DtmfRelayBody.TryParse(type.MediaType, Encoding.UTF8.GetString(request.Body.Span), out var digit, out var error))
        {
            await transaction.RespondAsync(request.CreateResponse(400, "INFO body: " + error)).ConfigureAwait(false);
            return;
        }

        await transaction.RespondAsync(request.CreateResponse(200)).ConfigureAwait(false);
        DtmfReceived?.Invoke(this, digit);
    }
}
