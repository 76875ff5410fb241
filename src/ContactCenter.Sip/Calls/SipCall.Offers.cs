using System.Globalization;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Calls;

/// <summary>Re-INVITE and UPDATE (RFC 3261 §14, RFC 3311): new offers both ways, glare, hold and resume.</summary>
public sealed partial class SipCall
{
    private bool _localOfferPending;
    private bool _remoteInvitePending;
    private SipRequest? _reinviteAck;
    private SipClientTransaction? _reinviteTransaction;
    private SipResponse? _reinviteAnswer;
    private ITimer? _reinviteRetransmit;
    private TimeSpan _reinviteInterval;
    private DateTimeOffset _reinviteAnsweredAt;
    private SipRemote _reinviteSource;

    /// <summary>True when we put the peer on hold (<see cref="HoldAsync"/> succeeded, no <see cref="ResumeAsync"/> since).</summary>
    public bool IsOnHold { get; private set; }

    /// <summary>True when the peer's latest offer put us on hold (sendonly, inactive or a 0.0.0.0 address for every audio stream).</summary>
    public bool IsHeldByRemote { get; private set; }

    /// <summary>Raised when the peer puts us on hold (its offer stops sending to us).</summary>
    public event Action<SipCall>? Held;

    /// <summary>Raised when the peer takes us off hold.</summary>
    public event Action<SipCall>? Resumed;

    /// <summary>
    /// Produces our SDP answer to an offer the peer sent in a re-INVITE or UPDATE. Return the answer, or empty to
    /// refuse the offer with 488. Without a handler the answer is our last SDP with the direction mirrored
    /// (an offered sendonly is answered recvonly) and its o= version raised when it changes.
    /// </summary>
    public Func<SipCall, ReadOnlyMemory<byte>, ValueTask<ReadOnlyMemory<byte>>>? OfferReceived { get; set; }

    /// <summary>True when the peer lists UPDATE in Allow: session refreshes then use UPDATE.</summary>
    internal bool PeerAllowsUpdate { get; private set; }

    /// <summary>
    /// Sends a re-INVITE with a new offer and returns the final response; a 2xx is ACKed and its SDP becomes
    /// <see cref="RemoteSdp"/>. A 491 (glare) is retried after the RFC 3261 §14.1 random interval, up to
    /// <see cref="SipUserAgentOptions.GlareRetries"/> times. A 408 or 481 ends the call.
    /// </summary>
    /// <param name="sdp">The new offer, e.g. <c>SdpSession.CreateOffer()</c> after changing <c>LocalDirection</c>.</param>
    /// <param name="headers">Extra headers for the request.</param>
    /// <param name="cancellationToken">Stops waiting (the transaction itself runs to its end).</param>
    /// <exception cref="ArgumentException"><paramref name="sdp"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The call is not established, or another offer is outstanding.</exception>
    public Task<SipResponse> ReinviteAsync(ReadOnlyMemory<byte> sdp, IEnumerable<SipHeader>? headers = null, CancellationToken cancellationToken = default)
    {
        ThrowIfEmptyOffer(sdp);
        return SendOfferAsync(SipMethod.Invite, sdp, headers, cancellationToken);
    }

    /// <summary>
    /// Sends an UPDATE (RFC 3311) with a new offer and returns the final response; on 2xx its SDP becomes
    /// <see cref="RemoteSdp"/>. Glare is handled as for <see cref="ReinviteAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sdp"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The call is not established, or another offer is outstanding.</exception>
    public Task<SipResponse> UpdateAsync(ReadOnlyMemory<byte> sdp, IEnumerable<SipHeader>? headers = null, CancellationToken cancellationToken = default)
    {
        ThrowIfEmptyOffer(sdp);
        return SendOfferAsync(SipMethod.Update, sdp, headers, cancellationToken);
    }

    /// <summary>
    /// Puts the peer on hold with a re-INVITE carrying <paramref name="holdOffer"/> (an offer with
    /// <c>a=sendonly</c>: <c>SdpSession.LocalDirection = MediaDirection.SendOnly</c>, then <c>CreateOffer()</c>).
    /// <see cref="IsOnHold"/> is true once the peer accepts.
    /// </summary>
    public async Task<SipResponse> HoldAsync(ReadOnlyMemory<byte> holdOffer, CancellationToken cancellationToken = default)
    {
        var response = await ReinviteAsync(holdOffer, null, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            IsOnHold = true;
        }

        return response;
    }

    /// <summary>Takes the peer off hold with a re-INVITE carrying a <c>sendrecv</c> offer; <see cref="IsOnHold"/> is false once accepted.</summary>
    public async Task<SipResponse> ResumeAsync(ReadOnlyMemory<byte> offer, CancellationToken cancellationToken = default)
    {
        var response = await ReinviteAsync(offer, null, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            IsOnHold = false;
        }

        return response;
    }

    private static void ThrowIfEmptyOffer(ReadOnlyMemory<byte> sdp)
    {
        if (sdp.IsEmpty)
        {
            throw new ArgumentException("The offer is empty: a re-INVITE or UPDATE from this API carries an SDP offer.", nameof(sdp));
        }
    }

    /// <summary>Sends a re-INVITE or UPDATE (with an offer, or without body for a refresh) and handles 491, 422, 408 and 481.</summary>
    private async Task<SipResponse> SendOfferAsync(SipMethod method, ReadOnlyMemory<byte> sdp, IEnumerable<SipHeader>? headers, CancellationToken cancellationToken)
    {
        var extra = headers?.ToList() ?? [];
        var glare = 0;
        var intervalRaised = false;
        while (true)
        {
            lock (_gate)
            {
                if (State != SipCallState.Established && !(State == SipCallState.Answered && method == SipMethod.Update))
                {
                    throw new InvalidOperationException($"Call {CallId} is {State}: a re-INVITE or UPDATE needs an established call.");
                }

                if (_localOfferPending || (method == SipMethod.Invite && _remoteInvitePending))
                {
                    throw new InvalidOperationException($"Call {CallId} already has an offer or INVITE in progress (RFC 3261 §14.1): wait for it to finish.");
                }

                _localOfferPending = true;
            }

            SipResponse response;
            SipRequest request;
            try
            {
                request = NewRequest(method);
                request.Headers.Add("Supported", SupportedTags);
                AddSessionTimerHeaders(request);
                foreach (var h in extra)
                {
                    request.Headers.Add(h.Name, h.Value);
                }

                SetBody(request, sdp);
                var tx = _agent.Endpoint.Transactions.SendRequest(request, NextHop, method == SipMethod.Invite ? ResendReinviteAck : null);
                if (method == SipMethod.Invite)
                {
                    lock (_gate)
                    {
                        _reinviteTransaction = tx;
                    }
                }

                response = await tx.FinalResponse.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (method == SipMethod.Invite && response.IsSuccess)
                {
                    var ack = BuildAck(response);
                    lock (_gate)
                    {
                        _reinviteAck = ack;
                    }

                    await SendQuietly(ack).ConfigureAwait(false);
                }
            }
            finally
            {
                lock (_gate)
                {
                    _localOfferPending = false;
                }
            }

            var code = response.StatusCode;
            if (response.IsSuccess)
            {
                if (!sdp.IsEmpty)
                {
                    LocalSdp = sdp;
                    RemoteSdp = response.Body;
                }

                if (response.Allow.Count > 0)
                {
                    PeerAllowsUpdate = response.Allow.Contains("UPDATE", StringComparer.OrdinalIgnoreCase);
                }

                StartSessionTimerAsUac(response);
                RaiseSessionRefreshed();
                return response;
            }

            if (code == 491 && glare < _agent.Options.GlareRetries)
            {
                glare++;
                await Task.Delay(GlareDelay(), _agent.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (code == 422 && !intervalRaised && response.MinSE is { } minSe)
            {
                intervalRaised = true;
                RaiseRequestedInterval(minSe);
                continue;
            }

            if (code is 408 or 481)
            {
                // RFC 3261 §12.2.1.2: the dialog is gone.
                await HangUpAsync(code == 408 ? SipCallEndReason.Timeout : SipCallEndReason.RemoteHangUp).ConfigureAwait(false);
            }

            return response;
        }
    }

    /// <summary>RFC 3261 §14.1: 2.1-4 s in 10 ms steps when we own the Call-ID (we placed the call), else 0-2 s.</summary>
    private TimeSpan GlareDelay() => Direction == SipCallDirection.Outgoing
        ? TimeSpan.FromMilliseconds(10 * Random.Shared.Next(210, 401))
        : TimeSpan.FromMilliseconds(10 * Random.Shared.Next(0, 201));

    private void ResendReinviteAck(SipResponse response)
    {
        SipRequest? ack;
        lock (_gate)
        {
            ack = _reinviteAck;
        }

        if (response.IsSuccess && ack is not null && ack.CSeq!.Sequence == response.CSeq?.Sequence)
        {
            _ = SendQuietly(ack);
        }
    }

    /// <summary>An incoming re-INVITE or UPDATE: glare (491), overlap (500), session timer (422), then our answer.</summary>
    private async ValueTask OnOfferRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var isInvite = request.Method == SipMethod.Invite;
        var hasOffer = !request.Body.IsEmpty;
        SipResponse? refusal = null;
        lock (_gate)
        {
            if (isInvite && _remoteInvitePending)
            {
                refusal = request.CreateResponse(500, "Previous INVITE Still In Progress");
                refusal.Headers.Add("Retry-After", Random.Shared.Next(0, 11).ToString(CultureInfo.InvariantCulture));
            }
            else if (_localOfferPending && (hasOffer || isInvite))
            {
                refusal = request.CreateResponse(491, "Request Pending");
            }
            else if (isInvite)
            {
                _remoteInvitePending = true;
            }
        }

        if (refusal is not null)
        {
            await transaction.RespondAsync(refusal).ConfigureAwait(false);
            return;
        }

        try
        {
            await AnswerOfferRequestAsync(transaction, isInvite, hasOffer).ConfigureAwait(false);
        }
        finally
        {
            if (isInvite && transaction.LastResponse is not { StatusCode: >= 200 and < 300 })
            {
                lock (_gate)
                {
                    _remoteInvitePending = false;
                }
            }
        }
    }

    private async ValueTask AnswerOfferRequestAsync(SipServerTransaction transaction, bool isInvite, bool hasOffer)
    {
        var request = transaction.Request;
        var terms = NegotiateAsUas(request, TimerOptions, out var rejection);
        if (rejection is not null)
        {
            await transaction.RespondAsync(rejection).ConfigureAwait(false);
            return;
        }

        try
        {
            if (request.Allow.Count > 0)
            {
                PeerAllowsUpdate = request.Allow.Contains("UPDATE", StringComparer.OrdinalIgnoreCase);
            }
        }
        catch (SipHeaderFormatException)
        {
            // A malformed Allow says nothing about UPDATE.
        }

        SipResponse? response = null;
        if (RequestReceived is { } handler)
        {
            response = await handler(this, request).ConfigureAwait(false);
        }

        ReadOnlyMemory<byte> answer = default;
        if (response is null)
        {
            answer = hasOffer ? await ProduceAnswerAsync(request.Body).ConfigureAwait(false) : isInvite ? LocalSdp : default;
            if (hasOffer && answer.IsEmpty)
            {
                await transaction.RespondAsync(request.CreateResponse(488, "Not Acceptable Here")).ConfigureAwait(false);
                return;
            }

            response = request.CreateResponse(200);
            AddContact(response);
            response.Headers.Add("Allow", _agent.AllowHeader);
            response.Headers.Add("Supported", SupportedTags);
            if (terms is { } t)
            {
                AddSessionTimerHeaders(response, t);
            }

            SetBody(response, answer);
        }
        else
        {
            // The application wrote the response: its own Session-Expires, or none, decides (RFC 4028 §9).
            answer = response.Body;
            terms = null;
        }

        var success = response.IsSuccess;
        if (success)
        {
            if (hasOffer)
            {
                RemoteSdp = request.Body;
                if (!answer.IsEmpty)
                {
                    LocalSdp = answer;
                }

                ObserveRemoteHold(request.Body);
            }

            if (isInvite)
            {
                StartReinviteRetransmit(response, transaction.Source);
            }
        }

        if (success)
        {
            StartSessionTimerAsUas(terms);
        }

        await transaction.RespondAsync(response).ConfigureAwait(false);
        if (success)
        {
            RaiseSessionRefreshed();
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ProduceAnswerAsync(ReadOnlyMemory<byte> offer)
    {
        if (OfferReceived is { } handler)
        {
            return await handler(this, offer).ConfigureAwait(false);
        }

        return MirrorAnswer(LocalSdp, offer, IsOnHold);
    }

    /// <summary>
    /// The default answer: our last SDP, each stream's direction set to what the offer allows (we stop
    /// receiving while we hold the peer), the o= version raised when that changes it. Empty when our last SDP
    /// or the offer cannot be read, or their streams do not line up.
    /// </summary>
    internal static ReadOnlyMemory<byte> MirrorAnswer(ReadOnlyMemory<byte> local, ReadOnlyMemory<byte> offer, bool weHold)
    {
        if (local.IsEmpty)
        {
            return default;
        }

        SessionDescription ours;
        SessionDescription theirs;
        try
        {
            ours = SessionDescription.Parse(local.Span);
            theirs = SessionDescription.Parse(offer.Span);
        }
        catch (SdpFormatException)
        {
            return default;
        }

        if (ours.Media.Count != theirs.Media.Count)
        {
            return default;
        }

        var directions = new MediaDirection[ours.Media.Count];
        var changed = false;
        for (var i = 0; i < directions.Length; i++)
        {
            var offered = theirs.DirectionFor(theirs.Media[i]);
            if (theirs.ConnectionFor(theirs.Media[i]) is { Address: "0.0.0.0" })
            {
                offered = MediaDirection.SendOnly; // RFC 2543 hold: the peer no longer receives
            }

            var send = offered is MediaDirection.SendRecv or MediaDirection.RecvOnly;
            var receive = (offered is MediaDirection.SendRecv or MediaDirection.SendOnly) && !weHold;
            directions[i] = (send, receive) switch
            {
                (true, true) => MediaDirection.SendRecv,
                (true, false) => MediaDirection.SendOnly,
                (false, true) => MediaDirection.RecvOnly,
                _ => MediaDirection.Inactive,
            };
            changed |= directions[i] != ours.DirectionFor(ours.Media[i]);
        }

        if (!changed)
        {
            return local;
        }

        var answer = ours.Clone();
        answer.Attributes.RemoveAll(a => a.Name is "sendrecv" or "sendonly" or "recvonly" or "inactive");
        for (var i = 0; i < directions.Length; i++)
        {
            answer.Media[i].Direction = directions[i];
        }

        answer.Origin = answer.Origin with { SessionVersion = answer.Origin.SessionVersion + 1 };
        return answer.ToUtf8();
    }

    /// <summary>True when an offer stops the peer sending to us: every audio stream sendonly, inactive, or at 0.0.0.0.</summary>
    internal static bool IsHoldOffer(ReadOnlyMemory<byte> offer)
    {
        try
        {
            var sdp = SessionDescription.Parse(offer.Span);
            var audio = sdp.Media.Where(m => string.Equals(m.Media, "audio", StringComparison.OrdinalIgnoreCase) && m.Port != 0).ToList();
            return audio.Count > 0 && audio.All(m =>
                sdp.DirectionFor(m) is MediaDirection.SendOnly or MediaDirection.Inactive
                || sdp.ConnectionFor(m) is { Address: "0.0.0.0" });
        }
        catch (SdpFormatException)
        {
            return false;
        }
    }

    private void ObserveRemoteHold(ReadOnlyMemory<byte> offer)
    {
        var held = IsHoldOffer(offer);
        bool changed;
        lock (_gate)
        {
            changed = held != IsHeldByRemote;
            IsHeldByRemote = held;
        }

        if (changed)
        {
            (held ? Held : Resumed)?.Invoke(this);
        }
    }

    /// <summary>Retransmits our 2xx to a re-INVITE until its ACK (RFC 3261 §13.3.1.4); without ACK for 64*T1, BYE.</summary>
    private void StartReinviteRetransmit(SipResponse ok, SipRemote source)
    {
        lock (_gate)
        {
            _reinviteRetransmit?.Dispose();
            _reinviteAnswer = ok;
            _reinviteSource = source;
            _reinviteAnsweredAt = _agent.Time.GetUtcNow();
            _reinviteInterval = _agent.T1;
            _reinviteRetransmit = _agent.Time.CreateTimer(static s => ((SipCall)s!).RetransmitReinviteAnswer(), this, _reinviteInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void RetransmitReinviteAnswer()
    {
        SipResponse? ok;
        lock (_gate)
        {
            ok = _reinviteAnswer;
            if (ok is null || State == SipCallState.Terminated)
            {
                return;
            }

            if (_agent.Time.GetUtcNow() - _reinviteAnsweredAt >= _agent.T1 * 64)
            {
                ok = null;
                _reinviteAnswer = null;
                _remoteInvitePending = false;
            }
            else
            {
                _reinviteInterval = _reinviteInterval * 2 < _agent.T2 ? _reinviteInterval * 2 : _agent.T2;
                _reinviteRetransmit?.Change(_reinviteInterval, Timeout.InfiniteTimeSpan);
            }
        }

        if (ok is null)
        {
            _ = HangUpAsync(SipCallEndReason.Timeout).AsTask();
            return;
        }

        _ = SendQuietly(ok, _reinviteSource);
    }

    /// <summary>The ACK of our 2xx to a re-INVITE: stop retransmitting; an offerless re-INVITE's answer is in it.</summary>
    private bool OnReinviteAck(SipRequest ack)
    {
        lock (_gate)
        {
            if (_reinviteAnswer is not { } ok || ok.CSeq!.Sequence != ack.CSeq?.Sequence)
            {
                return false;
            }

            _reinviteAnswer = null;
            _remoteInvitePending = false;
            _reinviteRetransmit?.Dispose();
            _reinviteRetransmit = null;
        }

        if (!ack.Body.IsEmpty)
        {
            RemoteSdp = ack.Body;
        }

        return true;
    }

    private void StopReinviteRetransmit()
    {
        lock (_gate)
        {
            _reinviteRetransmit?.Dispose();
            _reinviteRetransmit = null;
            _reinviteAnswer = null;
        }
    }
}
