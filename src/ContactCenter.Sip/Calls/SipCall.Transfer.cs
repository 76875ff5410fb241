using System.Text;
using ContactCenter.Sip.Transactions;

namespace ContactCenter.Sip.Calls;

/// <summary>Transfer: REFER with NOTIFY message/sipfrag (RFC 3515) and Replaces (RFC 3891).</summary>
public sealed partial class SipCall
{
    private const string SipFragType = "message/sipfrag;version=2.0";
    private TaskCompletionSource<SipTransferResult>? _transfer;
    private int _refersReceived;

    /// <summary>
    /// Handles a transfer the peer asks for (REFER). Return true to accept (202, then NOTIFY "100 Trying"): place the
    /// new call and report its progress through the <see cref="SipTransferRequest"/>. False, or no handler, declines
    /// with 603.
    /// </summary>
    public Func<SipCall, SipTransferRequest, ValueTask<bool>>? TransferRequested { get; set; }

    /// <summary>
    /// For an incoming call whose INVITE carried Replaces (RFC 3891): the call it replaces. Once this call is
    /// answered the replaced one is ended (BYE, or 487 when it was still ringing), with end reason
    /// <see cref="SipCallEndReason.Replaced"/>.
    /// </summary>
    public SipCall? Replaces { get; internal set; }

    /// <summary>
    /// Transfers the peer (RFC 3515): sends REFER with Refer-To <paramref name="target"/> and Referred-By us, then
    /// follows the NOTIFYs until the final one and returns its outcome. With <paramref name="replacing"/> this is an
    /// attended transfer: Refer-To carries <c>?Replaces=</c> naming that call's dialog (RFC 3891), so the peer's new
    /// call replaces it at <paramref name="target"/>. This call stays up: hang it up after a success. With a
    /// <c>Refer-Sub: false</c> header (RFC 4488) accepted by the peer, the result is the 202 itself.
    /// </summary>
    /// <param name="target">The transfer target, e.g. <c>sip:1002@pbx</c> (for an attended transfer, the other call's party).</param>
    /// <param name="replacing">The consultation call to replace, or null for a blind transfer.</param>
    /// <param name="headers">Extra headers for the REFER.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="InvalidOperationException">The call is not established, or a transfer is already in progress.</exception>
    public async Task<SipTransferResult> TransferAsync(SipUri target, SipCall? replacing = null, IEnumerable<SipHeader>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var referTo = replacing is null ? target : WithReplaces(target, replacing);
        var outcome = new TaskCompletionSource<SipTransferResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (State is not (SipCallState.Answered or SipCallState.Established))
            {
                throw new InvalidOperationException($"Call {CallId} is {State}: only an answered call can be transferred.");
            }

            if (_transfer is not null)
            {
                throw new InvalidOperationException($"Call {CallId} already has a transfer in progress.");
            }

            _transfer = outcome;
        }

        try
        {
            var refer = NewRequest(SipMethod.Refer);
            refer.Headers.Add("Refer-To", "<" + referTo + ">");
            refer.Headers.Add("Referred-By", "<" + LocalUri + ">");
            foreach (var h in headers ?? [])
            {
                refer.Headers.Add(h.Name, h.Value);
            }

            var response = await _agent.SendInDialog(refer, NextHop).FinalResponse.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                return new SipTransferResult(false, response.StatusCode, response.ReasonPhrase);
            }

            if (string.Equals(response.Headers["Refer-Sub"], "false", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 4488: we asked for no subscription and the peer agreed: no NOTIFY will tell the outcome.
                return new SipTransferResult(true, response.StatusCode, response.ReasonPhrase);
            }

            try
            {
                return await outcome.Task.WaitAsync(_agent.Options.TransferTimeout, _agent.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return new SipTransferResult(false, 408, "No final NOTIFY for the transfer");
            }
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_transfer, outcome))
                {
                    _transfer = null;
                }
            }
        }
    }

    /// <summary>Our URI in this dialog (From of an outgoing call, To of an incoming one).</summary>
    private AbsoluteUri LocalUri =>
        (Direction == SipCallDirection.Outgoing ? InitialInvite.From : InitialInvite.To)?.Uri ?? InitialInvite.RequestUri;

    /// <summary>The target with <c>?Replaces=callid;to-tag=...;from-tag=...</c>, tags seen from the replaced call's peer.</summary>
    private static SipUri WithReplaces(SipUri target, SipCall replacing)
    {
        if (replacing.RemoteTag is null)
        {
            throw new ArgumentException($"Call {replacing.CallId} has no remote tag yet: only a call with a dialog can be replaced.", nameof(replacing));
        }

        var value = $"{replacing.CallId};to-tag={replacing.RemoteTag};from-tag={replacing.LocalTag}";
        return new SipUri(target.Host)
        {
            IsSecure = target.IsSecure,
            User = target.User,
            Password = target.Password,
            Port = target.Port,
            Parameters = target.Parameters,
            Headers = target.Headers.Without("Replaces").With("Replaces", value),
        };
    }

    /// <summary>An incoming REFER: 400 without a single Refer-To, 603 when declined, else 202 and NOTIFY 100 (none with Refer-Sub: false).</summary>
    private async ValueTask OnReferAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        SipNameAddress? referTo;
        try
        {
            referTo = request.Headers.GetValues("Refer-To").Count == 1 ? request.ReferTo : null;
        }
        catch (SipHeaderFormatException e)
        {
            await transaction.RespondAsync(request.CreateResponse(400, e.Message)).ConfigureAwait(false);
            return;
        }

        if (referTo is null)
        {
            await transaction.RespondAsync(request.CreateResponse(400, "REFER needs exactly one Refer-To header")).ConfigureAwait(false);
            return;
        }

        var target = referTo.Uri;
        string? replaces = null;
        if (target is SipUri sip)
        {
            replaces = sip.Headers["Replaces"];
            target = sip.Headers.Count > 0 ? sip.WithoutHeaders() : sip;
        }

        // RFC 3515 §2.4.6: NOTIFYs for a REFER after the first in the dialog carry id=CSeq.
        var first = Interlocked.Increment(ref _refersReceived) == 1;
        var eventId = first ? null : request.CSeq!.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var transfer = new SipTransferRequest(this, request, target, replaces, eventId);
        var accepted = TransferRequested is { } handler && await handler(this, transfer).ConfigureAwait(false);
        if (!accepted)
        {
            transfer.MarkCompleted();
            await transaction.RespondAsync(request.CreateResponse(603, "Decline")).ConfigureAwait(false);
            return;
        }

        var accept = request.CreateResponse(202, "Accepted");
        if (string.Equals(request.Headers["Refer-Sub"], "false", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 4488: the transferor asked for no subscription: no NOTIFY at all.
            accept.Headers.Add("Refer-Sub", "false");
            transfer.MarkCompleted();
            await transaction.RespondAsync(accept).ConfigureAwait(false);
            return;
        }

        await transaction.RespondAsync(accept).ConfigureAwait(false);
        await NotifyTransferAsync(eventId, 100, "Trying", final: false).ConfigureAwait(false);
        transfer.MarkAccepted();
    }

    /// <summary>Sends one NOTIFY of a transfer's implicit subscription.</summary>
    internal async Task NotifyTransferAsync(string? eventId, int code, string reason, bool final)
    {
        if (State is not (SipCallState.Answered or SipCallState.Established))
        {
            return;
        }

        var notify = NewRequest(SipMethod.Notify);
        notify.Headers.Add("Event", eventId is null ? "refer" : "refer;id=" + eventId);
        notify.Headers.Add("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60");
        notify.Headers.Add("Content-Type", SipFragType);
        notify.Body = Encoding.UTF8.GetBytes(SipTransferRequest.SipFrag(code, reason));
        await _agent.SendInDialog(notify, NextHop).FinalResponse.ConfigureAwait(false);
    }

    /// <summary>A NOTIFY: Event refer feeds our pending transfer (481 when there is none); other packages get 489.</summary>
    private async ValueTask OnNotifyAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        SipValueWithParameters? evt;
        SipValueWithParameters? state;
        try
        {
            evt = request.Event;
            state = request.SubscriptionState;
        }
        catch (SipHeaderFormatException e)
        {
            await transaction.RespondAsync(request.CreateResponse(400, e.Message)).ConfigureAwait(false);
            return;
        }

        if (evt is null || !evt.Value.Equals("refer", StringComparison.OrdinalIgnoreCase))
        {
            await transaction.RespondAsync(request.CreateResponse(489, "Bad Event")).ConfigureAwait(false);
            return;
        }

        TaskCompletionSource<SipTransferResult>? pending;
        lock (_gate)
        {
            pending = _transfer;
        }

        if (pending is null)
        {
            await transaction.RespondAsync(request.CreateResponse(481, "Subscription Does Not Exist")).ConfigureAwait(false);
            return;
        }

        if (!SipTransferRequest.TryReadSipFrag(request.Body.Span, out var code, out var reason))
        {
            await transaction.RespondAsync(request.CreateResponse(400, "NOTIFY body is not a message/sipfrag status line")).ConfigureAwait(false);
            return;
        }

        await transaction.RespondAsync(request.CreateResponse(200)).ConfigureAwait(false);
        var terminated = state is not null && state.Value.Equals("terminated", StringComparison.OrdinalIgnoreCase);
        if (code >= 200)
        {
            pending.TrySetResult(new SipTransferResult(code < 300, code, reason));
        }
        else if (terminated)
        {
            pending.TrySetResult(new SipTransferResult(false, 408, "Subscription terminated without a final status"));
        }
    }

    /// <summary>The replacing call was answered: end the one it replaces (RFC 3891 §3).</summary>
    private void EndReplaced()
    {
        if (Replaces is { State: not SipCallState.Terminated } old)
        {
            _ = old.HangUpAsync(SipCallEndReason.Replaced).AsTask();
        }
    }

    /// <summary>
    /// Checks an INVITE's Replaces header against our dialogs (RFC 3891 §3): the replaced call, or the response
    /// to send instead (400 malformed, 481 no such dialog or an early dialog we placed, 603 ended, 486 early-only but confirmed).
    /// </summary>
    internal static SipCall? MatchReplaces(SipRequest invite, Func<string, string, SipCall?> find, out SipResponse? rejection)
    {
        rejection = null;
        SipValueWithParameters? header;
        try
        {
            header = invite.Replaces;
        }
        catch (SipHeaderFormatException e)
        {
            rejection = invite.CreateResponse(400, e.Message);
            return null;
        }

        if (header is null)
        {
            return null;
        }

        var toTag = header.Parameters["to-tag"];
        var fromTag = header.Parameters["from-tag"];
        if (string.IsNullOrEmpty(header.Value) || toTag is null || fromTag is null)
        {
            rejection = invite.CreateResponse(400, "Replaces header needs a Call-ID, to-tag and from-tag");
            return null;
        }

        var old = find(header.Value, toTag);
        if (old is null || old.RemoteTag != fromTag || (old.Direction == SipCallDirection.Outgoing && old.State < SipCallState.Answered))
        {
            rejection = invite.CreateResponse(481, "Call/Transaction Does Not Exist");
            return null;
        }

        if (old.State == SipCallState.Terminated)
        {
            rejection = invite.CreateResponse(603, "Decline");
            return null;
        }

        if (header.Parameters.Contains("early-only") && old.State >= SipCallState.Answered)
        {
            rejection = invite.CreateResponse(486, "Busy Here");
            return null;
        }

        return old;
    }
}
