using System.Globalization;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Calls;

/// <summary>
/// One call: an INVITE dialog (RFC 3261 §12-15), incoming or outgoing. Answer, reject, ring or hang up; watch
/// <see cref="StateChanged"/>; re-INVITE or UPDATE with a new offer (<see cref="ReinviteAsync"/>, <see cref="HoldAsync"/>),
/// transfer (<see cref="TransferAsync"/>), send DTMF (<see cref="SendDtmfAsync"/>); react to the peer's offers
/// (<see cref="OfferReceived"/>, <see cref="Held"/>), transfers (<see cref="TransferRequested"/>) and digits
/// (<see cref="DtmfReceived"/>). Reliable provisionals (RFC 3262) and session timers (RFC 4028) run by themselves.
/// Thread-safe; events are raised outside locks.
/// </summary>
public sealed partial class SipCall
{
    private readonly object _gate = new();
    private readonly SipUserAgent _agent;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<string> _routeSet = [];
    private uint _localSequence;
    private SipServerTransaction? _inviteTransaction;
    private SipClientTransaction? _outgoingInvite;
    private SipResponse? _answer;
    private SipRequest? _ack;
    private ITimer? _answerRetransmit;
    private TimeSpan _answerInterval;
    private DateTimeOffset _answeredAt;

    internal SipCall(SipUserAgent agent, SipCallDirection direction, SipRequest invite, SipDestination nextHop, string localTag)
    {
        _agent = agent;
        Direction = direction;
        InitialInvite = invite;
        NextHop = nextHop;
        LocalTag = localTag;
        CallId = invite.CallId ?? throw new ArgumentException("The INVITE has no Call-ID.", nameof(invite));
        RemoteSdp = direction == SipCallDirection.Incoming ? invite.Body : ReadOnlyMemory<byte>.Empty;
        LocalSdp = direction == SipCallDirection.Outgoing ? invite.Body : ReadOnlyMemory<byte>.Empty;
        _localSequence = direction == SipCallDirection.Outgoing ? invite.CSeq!.Sequence : (uint)Random.Shared.Next(1, 1_000_000);
    }

    /// <summary>The Call-ID.</summary>
    public string CallId { get; }

    /// <summary>Incoming or outgoing.</summary>
    public SipCallDirection Direction { get; }

    /// <summary>The INVITE that started the call (received or sent; for an outgoing call, the last one sent).</summary>
    public SipRequest InitialInvite { get; private set; }

    /// <summary>Our tag (To tag of an incoming call, From tag of an outgoing one).</summary>
    public string LocalTag { get; }

    /// <summary>The peer's tag, once known.</summary>
    public string? RemoteTag { get; private set; }

    /// <summary>The current state.</summary>
    public SipCallState State { get; private set; } = SipCallState.Calling;

    /// <summary>Why the call ended, once <see cref="State"/> is <see cref="SipCallState.Terminated"/>.</summary>
    public SipCallEndReason EndReason { get; private set; }

    /// <summary>The final status: the answer or rejection code, or the local 408/503.</summary>
    public int? FinalStatus { get; private set; }

    /// <summary>The peer's latest session description.</summary>
    public ReadOnlyMemory<byte> RemoteSdp { get; private set; }

    /// <summary>Our latest session description.</summary>
    public ReadOnlyMemory<byte> LocalSdp { get; private set; }

    /// <summary>Where requests in this dialog go next (the first route, or the peer's contact).</summary>
    public SipDestination NextHop { get; private set; }

    /// <summary>The peer's contact (remote target), once known.</summary>
    public AbsoluteUri? RemoteTarget { get; private set; }

    /// <summary>Where the INVITE of an incoming call came from (transport, address, connection); null for an outgoing call.</summary>
    public SipRemote? Source => _inviteTransaction?.Source;

    /// <summary>Completes when the call is terminated.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Raised on every state change, with the new state.</summary>
    public event Action<SipCall, SipCallState>? StateChanged;

    /// <summary>
    /// Sees every in-dialog request first (INFO, UPDATE, re-INVITE, REFER, NOTIFY, OPTIONS; not BYE, PRACK) and
    /// may return the response to send. Null, or no handler, gives the default: an offer is answered through
    /// <see cref="OfferReceived"/>, REFER goes to <see cref="TransferRequested"/>, a DTMF INFO raises
    /// <see cref="DtmfReceived"/>, a NOTIFY feeds <see cref="TransferAsync"/>, anything else gets 200.
    /// </summary>
    public Func<SipCall, SipRequest, ValueTask<SipResponse?>>? RequestReceived { get; set; }

    /// <summary>
    /// Sends a provisional response to an incoming call (180 Ringing, or 183 with early-media SDP). When
    /// <see cref="ReliableProvisionals"/> is true it is sent reliably (Require: 100rel, RSeq) and retransmitted
    /// until its PRACK; a second one waits for the PRACK of the first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call is outgoing or already answered.</exception>
    public async ValueTask RingAsync(int statusCode = 180, ReadOnlyMemory<byte> sdp = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 101);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 199);
        var tx = IncomingTransaction();
        if (ReliableProvisionals)
        {
            await SendReliableAsync(tx, statusCode, sdp).ConfigureAwait(false);
            Move(SipCallState.Ringing);
            return;
        }

        var response = tx.Request.CreateResponse(statusCode, null, LocalTag);
        AddContact(response);
        if (!sdp.IsEmpty)
        {
            SetBody(response, sdp);
            LocalSdp = sdp;
        }

        await tx.RespondAsync(response);
        Move(SipCallState.Ringing);
    }

    /// <summary>
    /// Answers an incoming call with 200 and <paramref name="sdp"/>; the 200 is retransmitted until the ACK
    /// arrives (RFC 3261 §13.3.1.4). Extra headers (e.g. <c>X-</c> data) go on the 200. After a reliable
    /// provisional with SDP, the 200 waits for its PRACK (RFC 3262 §3). The session timer starts here.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call is outgoing or already answered or ended.</exception>
    public async ValueTask AnswerAsync(ReadOnlyMemory<byte> sdp, IEnumerable<SipHeader>? headers = null)
    {
        var tx = IncomingTransaction();
        await AwaitPrackBeforeAnswerAsync().ConfigureAwait(false);
        tx = IncomingTransaction();
        var ok = tx.Request.CreateResponse(200, null, LocalTag);
        AddContact(ok);
        ok.Headers.Add("Allow", _agent.AllowHeader);
        ok.Headers.Add("Supported", SupportedTags);
        if (_offeredTerms is { } terms)
        {
            AddSessionTimerHeaders(ok, terms);
        }

        foreach (var h in headers ?? [])
        {
            ok.Headers.Add(h.Name, h.Value);
        }

        SetBody(ok, sdp);
        lock (_gate)
        {
            LocalSdp = sdp;
            _answer = ok;
            _answeredAt = _agent.Time.GetUtcNow();
            _answerInterval = _agent.T1;
            _answerRetransmit = _agent.Time.CreateTimer(static s => ((SipCall)s!).RetransmitAnswer(), this, _answerInterval, Timeout.InfiniteTimeSpan);
        }

        FinalStatus = 200;
        StartSessionTimerAsUas(_offeredTerms);
        await tx.RespondAsync(ok);
        Move(SipCallState.Answered);
        EndReplaced();
    }

    /// <summary>Rejects an incoming call with a final status (486 Busy Here, 603 Decline, 480, ...).</summary>
    /// <exception cref="InvalidOperationException">The call is outgoing or already answered.</exception>
    /// <param name="statusCode">300 to 699.</param>
    /// <param name="reason">The reason phrase; the standard one when null.</param>
    /// <param name="headers">Extra headers, e.g. WWW-Authenticate on a 401, Retry-After on a 486.</param>
    public ValueTask RejectAsync(int statusCode = 486, string? reason = null, IEnumerable<SipHeader>? headers = null) =>
        RejectAsync(statusCode, reason, headers, SipCallEndReason.Rejected);

    private async ValueTask RejectAsync(int statusCode, string? reason, IEnumerable<SipHeader>? headers, SipCallEndReason endReason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        var tx = IncomingTransaction();
        StopReliable(acknowledged: false);
        FinalStatus = statusCode;
        var response = tx.Request.CreateResponse(statusCode, reason, LocalTag);
        foreach (var h in headers ?? [])
        {
            response.Headers.Add(h.Name, h.Value);
        }

        await tx.RespondAsync(response);
        End(endReason);
    }

    /// <summary>
    /// Ends the call however far it got: BYE when answered, CANCEL while an outgoing call rings, 480 for an
    /// unanswered incoming call. Completes once the request is out; the call is terminated at once.
    /// </summary>
    public ValueTask HangUpAsync() => HangUpAsync(SipCallEndReason.LocalHangUp);

    /// <summary>Ends the call as <see cref="HangUpAsync()"/> does, recording <paramref name="reason"/> before anyone is told.</summary>
    private async ValueTask HangUpAsync(SipCallEndReason reason)
    {
        SipCallState state;
        lock (_gate)
        {
            state = State;
        }

        switch (state)
        {
            case SipCallState.Terminated:
                return;
            case SipCallState.Answered or SipCallState.Established:
                var bye = NewRequest(SipMethod.Bye);
                StopAnswerRetransmit();
                End(reason);
                var tx = _agent.SendInDialog(bye, NextHop);
                await tx.FinalResponse;
                return;
            case SipCallState.Calling or SipCallState.Ringing when Direction == SipCallDirection.Outgoing:
                // Recorded before the CANCEL goes out: its 487 may come back before Cancel returns.
                EndReasonOnFinal = SipCallEndReason.Cancelled;
                if (_outgoingInvite is { } invite && _agent.Endpoint.Transactions.Cancel(invite))
                {
                    return;
                }

                End(SipCallEndReason.Cancelled);
                return;
            default:
                // RFC 3891: a replaced early dialog ends as if cancelled.
                await (reason == SipCallEndReason.Replaced
                    ? RejectAsync(487, "Request Terminated", null, reason)
                    : RejectAsync(480, "Temporarily Unavailable", null, reason));
                return;
        }
    }

    /// <summary>Sends a request inside the dialog (INFO, re-INVITE, UPDATE, REFER, ...) and returns its final response.</summary>
    /// <exception cref="InvalidOperationException">The dialog is not established.</exception>
    public async Task<SipResponse> SendRequestAsync(SipMethod method, ReadOnlyMemory<byte> body = default, string? contentType = null, IEnumerable<SipHeader>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (State is not (SipCallState.Answered or SipCallState.Established))
        {
            throw new InvalidOperationException($"Call {CallId} is {State}: in-dialog requests need an answered call.");
        }

        var request = NewRequest(method);
        foreach (var h in headers ?? [])
        {
            request.Headers.Add(h.Name, h.Value);
        }

        if (!body.IsEmpty)
        {
            request.Headers.Add("Content-Type", contentType ?? "application/sdp");
            request.Body = body;
            if (method == SipMethod.Invite || method == SipMethod.Update)
            {
                LocalSdp = body;
            }
        }

        var tx = _agent.SendInDialog(request, NextHop);
        var response = await tx.FinalResponse;
        if (method == SipMethod.Invite && response.IsSuccess)
        {
            RemoteSdp = response.Body;
            await _agent.Transport.SendAsync(BuildAck(response), NextHop);
        }

        return response;
    }

    internal SipCallEndReason EndReasonOnFinal { get; set; } = SipCallEndReason.Rejected;

    internal void AttachIncoming(SipServerTransaction transaction) => _inviteTransaction = transaction;

    /// <summary>An outgoing INVITE was resent with credentials: the dialog follows the new one.</summary>
    internal void ReplaceInvite(SipRequest invite)
    {
        InitialInvite = invite;
        _localSequence = invite.CSeq!.Sequence;
    }

    /// <summary>Over UDP with symmetric signalling, requests go back where the INVITE came from (NAT).</summary>
    internal void PreferSource(SipDestination source)
    {
        if (_routeSet.Count == 0)
        {
            NextHop = source;
        }
    }

    internal void AttachOutgoing(SipClientTransaction transaction) => _outgoingInvite = transaction;

    /// <summary>A response to our INVITE (provisional, final, or a retransmitted 2xx).</summary>
    internal void OnInviteResponse(SipResponse response)
    {
        var code = response.StatusCode;
        if (response.CSeq is { } cseq && cseq.Sequence != InitialInvite.CSeq!.Sequence)
        {
            ResendReinviteAck(response); // a retransmitted 2xx of a re-INVITE whose transaction has ended
            return;
        }

        if (code < 200)
        {
            if (code > 100)
            {
                if (!AcknowledgeReliable(response))
                {
                    return; // a retransmitted reliable provisional: already PRACKed
                }

                LearnDialog(response);
                if (!response.Body.IsEmpty)
                {
                    RemoteSdp = response.Body;
                }

                Move(SipCallState.Ringing);
            }

            return;
        }

        if (code < 300)
        {
            SipRequest ack;
            var first = false;
            lock (_gate)
            {
                if (_ack is null)
                {
                    first = true;
                    LearnDialog(response);
                    if (!response.Body.IsEmpty)
                    {
                        RemoteSdp = response.Body;
                    }

                    FinalStatus = code;
                    _ack = BuildAck(response);
                }

                ack = _ack;
            }

            _ = SendQuietly(ack);
            if (first)
            {
                PeerAllowsUpdate = SafeAllow(response).Contains("UPDATE", StringComparer.OrdinalIgnoreCase);
                StartSessionTimerAsUac(response);
            }

            if (State is SipCallState.Calling or SipCallState.Ringing)
            {
                Move(SipCallState.Answered);
                Move(SipCallState.Established);
                if (EndReasonOnFinal == SipCallEndReason.Cancelled)
                {
                    // The 200 crossed our CANCEL: the call was answered, so end it properly.
                    _ = HangUpAsync().AsTask();
                }
            }

            return;
        }

        FinalStatus = code;
        End(code == 487 && EndReasonOnFinal == SipCallEndReason.Cancelled ? SipCallEndReason.Cancelled
            : code == 408 ? SipCallEndReason.Timeout
            : EndReasonOnFinal == SipCallEndReason.Cancelled ? SipCallEndReason.Cancelled
            : SipCallEndReason.Rejected);
    }

    internal void OnOutcome(SipClientOutcome outcome)
    {
        if (outcome == SipClientOutcome.Timeout)
        {
            FinalStatus = 408;
            End(SipCallEndReason.Timeout);
        }
        else if (outcome == SipClientOutcome.TransportError)
        {
            FinalStatus = 503;
            End(SipCallEndReason.TransportError);
        }
    }

    internal void OnAck(SipRequest ack)
    {
        if (OnReinviteAck(ack))
        {
            return;
        }

        if (ack.CSeq is { } cseq && cseq.Sequence != InitialInvite.CSeq!.Sequence)
        {
            return;
        }

        if (!ack.Body.IsEmpty)
        {
            RemoteSdp = ack.Body;
        }

        StopAnswerRetransmit();
        Move(SipCallState.Established);
    }

    internal void OnCancel()
    {
        FinalStatus = 487;
        End(SipCallEndReason.Cancelled);
    }

    internal async ValueTask OnInDialogRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.CSeq is { } cseq)
        {
            RemoteSequence = cseq.Sequence;
        }

        if (request.Method == SipMethod.Bye)
        {
            await transaction.RespondAsync(request.CreateResponse(200));
            StopAnswerRetransmit();
            End(SipCallEndReason.RemoteHangUp);
            return;
        }

        if (request.Method == SipMethod.Prack)
        {
            await OnPrackAsync(transaction).ConfigureAwait(false);
            return;
        }

        if (request.Method == SipMethod.Invite || request.Method == SipMethod.Update)
        {
            await OnOfferRequestAsync(transaction).ConfigureAwait(false);
            return;
        }

        SipResponse? response = null;
        if (RequestReceived is { } handler)
        {
            response = await handler(this, request).ConfigureAwait(false);
        }

        if (response is not null)
        {
            await transaction.RespondAsync(response).ConfigureAwait(false);
        }
        else if (request.Method == SipMethod.Refer)
        {
            await OnReferAsync(transaction).ConfigureAwait(false);
        }
        else if (request.Method == SipMethod.Notify)
        {
            await OnNotifyAsync(transaction).ConfigureAwait(false);
        }
        else if (request.Method == SipMethod.Info)
        {
            await OnInfoAsync(transaction).ConfigureAwait(false);
        }
        else
        {
            await transaction.RespondAsync(request.CreateResponse(200)).ConfigureAwait(false);
        }
    }

    /// <summary>The option tags we put in Supported (timer only when session timers are enabled).</summary>
    private string SupportedTags => _agent.SupportedHeader;

    private static IReadOnlyList<string> SafeAllow(SipMessage message)
    {
        try
        {
            return message.Allow;
        }
        catch (SipHeaderFormatException)
        {
            return [];
        }
    }

    internal uint RemoteSequence { get; private set; }

    private Task _inbox = Task.CompletedTask;

    /// <summary>
    /// Handles an in-dialog request after the ones before it. The receive loop does not wait for it: it starts at
    /// once when nothing is pending (no thread hop in the common case), else when the previous one is done.
    /// </summary>
    internal void Enqueue(SipServerTransaction transaction)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _inbox;
            _inbox = done.Task;
        }

        if (previous.IsCompleted)
        {
            _ = HandleInOrderAsync(transaction, done);
        }
        else
        {
            _ = previous.ContinueWith(_ => HandleInOrderAsync(transaction, done), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task HandleInOrderAsync(SipServerTransaction transaction, TaskCompletionSource done)
    {
        try
        {
            await HandleQueuedAsync(transaction).ConfigureAwait(false);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task HandleQueuedAsync(SipServerTransaction transaction)
    {
        try
        {
            await OnInDialogRequestAsync(transaction).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            CallLog.RequestFailed(_agent.Logger, CallId, transaction.Request.Method.Name, e.Message);
        }
#pragma warning disable CA1031 // An application handler's failure must not stop the dialog's queue.
        catch (Exception e)
#pragma warning restore CA1031
        {
            CallLog.HandlerFailed(_agent.Logger, e, CallId, transaction.Request.Method.Name);
            if (!transaction.IsAnswered)
            {
                try
                {
                    await transaction.RespondAsync(transaction.Request.CreateResponse(500, "Server Internal Error")).ConfigureAwait(false);
                }
                catch (Exception inner) when (inner is IOException or InvalidOperationException)
                {
                    CallLog.RequestFailed(_agent.Logger, CallId, transaction.Request.Method.Name, inner.Message);
                }
            }
        }
    }

    /// <summary>Rejects an unanswered incoming call after its handler failed; nothing when it was answered meanwhile.</summary>
    internal async Task HangUpQuietlyAsync(int status, string reason)
    {
        if (Direction == SipCallDirection.Incoming)
        {
            await RejectQuietlyAsync(status, reason, SipCallEndReason.Rejected).ConfigureAwait(false);
        }
        else
        {
            await HangUpAsync().ConfigureAwait(false);
        }
    }

    private SipServerTransaction IncomingTransaction()
    {
        if (Direction != SipCallDirection.Incoming || _inviteTransaction is null)
        {
            throw new InvalidOperationException($"Call {CallId} is outgoing: only an incoming call is answered, rung or rejected.");
        }

        if (_inviteTransaction.IsAnswered || State == SipCallState.Terminated)
        {
            throw new InvalidOperationException($"Call {CallId} already has its final response ({FinalStatus}).");
        }

        return _inviteTransaction;
    }

    private void LearnDialog(SipResponse response)
    {
        RemoteTag ??= response.To?.Tag;
        if (response.Contact.Count > 0)
        {
            RemoteTarget = response.Contact[0].Uri;
        }

        var recordRoute = response.Headers.GetValues("Record-Route");
        if (recordRoute.Count > 0)
        {
            _routeSet = [.. recordRoute.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Reverse()];
        }

        NextHop = SipUserAgent.ResolveNextHop(_routeSet, RemoteTarget, NextHop);
    }

    internal void LearnFromInvite(SipRequest invite)
    {
        PeerAllowsUpdate = SafeAllow(invite).Contains("UPDATE", StringComparer.OrdinalIgnoreCase);
        RemoteTag = invite.From?.Tag;
        if (invite.Contact.Count > 0)
        {
            RemoteTarget = invite.Contact[0].Uri;
        }

        _routeSet = [.. invite.Headers.GetValues("Record-Route").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries))];
        NextHop = SipUserAgent.ResolveNextHop(_routeSet, RemoteTarget, NextHop);
    }

    /// <summary>A new request in the dialog (RFC 3261 §12.2.1.1).</summary>
    private SipRequest NewRequest(SipMethod method)
    {
        var target = RemoteTarget ?? InitialInvite.RequestUri;
        var request = new SipRequest(method, target);
        request.Headers.Add("Via", _agent.NewVia(NextHop.Protocol));
        request.Headers.Add("Max-Forwards", "70");
        foreach (var route in _routeSet)
        {
            request.Headers.Add("Route", route);
        }

        var (from, to) = Direction == SipCallDirection.Outgoing
            ? (InitialInvite.Headers["From"]!, WithTag(InitialInvite.Headers["To"]!, RemoteTag))
            : (WithTag(InitialInvite.Headers["To"]!, LocalTag), InitialInvite.Headers["From"]!);
        request.Headers.Add("From", from);
        request.Headers.Add("To", to);
        request.Headers.Add("Call-ID", CallId);
        uint sequence;
        lock (_gate)
        {
            sequence = ++_localSequence;
        }

        request.Headers.Add("CSeq", new SipCSeq(sequence, method).ToString());
        if (method == SipMethod.Invite || method == SipMethod.Update)
        {
            AddContact(request);
        }

        request.Headers.Add("User-Agent", _agent.UserAgentName);
        return request;
    }

    private SipRequest BuildAck(SipResponse response)
    {
        var target = RemoteTarget ?? InitialInvite.RequestUri;
        var ack = new SipRequest(SipMethod.Ack, target);
        ack.Headers.Add("Via", _agent.NewVia(NextHop.Protocol));
        ack.Headers.Add("Max-Forwards", "70");
        foreach (var route in _routeSet)
        {
            ack.Headers.Add("Route", route);
        }

        ack.Headers.Add("From", response.Headers["From"]!);
        ack.Headers.Add("To", response.Headers["To"]!);
        ack.Headers.Add("Call-ID", CallId);
        ack.Headers.Add("CSeq", new SipCSeq(response.CSeq!.Sequence, SipMethod.Ack).ToString());
        ack.Headers.Add("Content-Length", "0");
        return ack;
    }

    private void RetransmitAnswer()
    {
        SipResponse? answer;
        lock (_gate)
        {
            answer = _answer;
            if (answer is null || State != SipCallState.Answered)
            {
                return;
            }

            if (_agent.Time.GetUtcNow() - _answeredAt >= _agent.T1 * 64)
            {
                answer = null;
            }
            else
            {
                _answerInterval = _answerInterval * 2 < _agent.T2 ? _answerInterval * 2 : _agent.T2;
                _answerRetransmit?.Change(_answerInterval, Timeout.InfiniteTimeSpan);
            }
        }

        if (answer is null)
        {
            // No ACK within 64*T1: RFC 3261 §13.3.1.4 — end the dialog with a BYE.
            _ = HangUpAsync(SipCallEndReason.Timeout).AsTask();
            return;
        }

        _ = SendQuietly(answer, _inviteTransaction!.Source);
    }

    private void StopAnswerRetransmit()
    {
        lock (_gate)
        {
            _answerRetransmit?.Dispose();
            _answerRetransmit = null;
        }
    }

    private Task SendQuietly(SipRequest ack) => SendQuietly(_agent.Transport, ack, NextHop);

    private static async Task SendQuietly(ISipTransport transport, SipRequest ack, SipDestination hop)
    {
        try
        {
            await transport.SendAsync(ack, hop);
        }
        catch (IOException)
        {
            // The ACK is sent again when the 2xx is retransmitted.
        }
    }

    private async Task SendQuietly(SipResponse response, SipRemote source)
    {
        try
        {
            await _agent.Transport.SendResponseAsync(response, source);
        }
        catch (IOException)
        {
            // Retransmitted on the next tick.
        }
    }

    private void AddContact(SipMessage message) => message.Headers.Add("Contact", _agent.ContactFor(NextHop.Protocol));

    private static void SetBody(SipMessage message, ReadOnlyMemory<byte> sdp)
    {
        if (sdp.IsEmpty)
        {
            return;
        }

        message.Headers.Add("Content-Type", "application/sdp");
        message.Body = sdp;
    }

    private static string WithTag(string nameAddress, string? tag) =>
        tag is null || nameAddress.Contains(";tag=", StringComparison.OrdinalIgnoreCase) ? nameAddress : nameAddress + ";tag=" + tag;

    private void Move(SipCallState state)
    {
        lock (_gate)
        {
            if (State == SipCallState.Terminated || State >= state)
            {
                return;
            }

            State = state;
        }

        StateChanged?.Invoke(this, state);
    }

    private void End(SipCallEndReason reason)
    {
        lock (_gate)
        {
            if (State == SipCallState.Terminated)
            {
                return;
            }

            State = SipCallState.Terminated;
            EndReason = reason;
        }

        StopAnswerRetransmit();
        StopReliable(acknowledged: false);
        StopSessionTimer();
        StopReinviteRetransmit();
        TaskCompletionSource<SipTransferResult>? transfer;
        lock (_gate)
        {
            transfer = _transfer;
        }

        transfer?.TrySetResult(new SipTransferResult(false, 481, "The call ended before the transfer completed"));
        _agent.Forget(this);
        StateChanged?.Invoke(this, SipCallState.Terminated);
        ReleaseAfterEnd();
        _ended.TrySetResult();
    }

    /// <summary>
    /// Lets go of what would keep an ended call in memory. Its INVITE transactions linger for 64·T1 after a 2xx
    /// (RFC 6026 timer M) to acknowledge a retransmitted 2xx: they keep only the ACK to send again, not the call. No
    /// event fires after <see cref="SipCallState.Terminated"/>, so the handlers (and whatever they hold) go too.
    /// </summary>
    private void ReleaseAfterEnd()
    {
        SipClientTransaction? invite, reinvite;
        SipRequest? ack, reinviteAck;
        lock (_gate)
        {
            (invite, reinvite, ack, reinviteAck) = (_outgoingInvite, _reinviteTransaction, _ack, _reinviteAck);
            _reinviteTransaction = null;
        }

        if (invite is not null && ack is not null)
        {
            invite.ReplaceResponseHandler(AckAgain(ack));
        }

        reinvite?.ReplaceResponseHandler(reinviteAck is null ? null : AckAgain(reinviteAck));
        StateChanged = null;
        DtmfReceived = null;
        Held = null;
        Resumed = null;
        SessionRefreshed = null;
    }

    /// <summary>A handler that answers a retransmitted 2xx with <paramref name="ack"/>, holding nothing of the call.</summary>
    private Action<SipResponse> AckAgain(SipRequest ack)
    {
        var transport = _agent.Transport;
        var hop = NextHop;
        return response =>
        {
            if (response.IsSuccess && response.CSeq?.Sequence == ack.CSeq!.Sequence)
            {
                _ = SendQuietly(transport, ack, hop);
            }
        };
    }

    /// <summary>The dialog key: Call-ID, local tag, remote tag.</summary>
    internal string Key => DialogKey(CallId, LocalTag);

    internal static string DialogKey(string callId, string localTag) =>
        string.Create(CultureInfo.InvariantCulture, $"{callId}|{localTag}");
}
