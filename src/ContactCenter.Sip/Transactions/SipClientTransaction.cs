using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 §17.1 with RFC 6026): sends a request, retransmits it over UDP (timers A, E),
/// gives up after 64·T1 (timers B, F), ACKs non-2xx final responses to INVITE itself, and reports every
/// response. <see cref="FinalResponse"/> completes with the first final response, or with a local 408 on
/// timeout or 503 on a transport error (<see cref="Outcome"/> tells which).
/// </summary>
public sealed class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<SipResponse>? _onResponse;
    private TimeSpan _interval;
    private SipRequest? _ack;
    private bool _cancelWanted;

    internal SipClientTransaction(SipTransactionLayer layer, string key, SipRequest request, SipDestination destination, Action<SipResponse>? onResponse)
        : base(layer, key, request, IsReliable(destination.Protocol),
            request.Method == SipMethod.Invite ? SipTransactionState.Calling : SipTransactionState.Trying)
    {
        Destination = destination;
        _onResponse = onResponse;
        IsInvite = request.Method == SipMethod.Invite;
    }

    /// <summary>
    /// Replaces what gets the responses still to come. A call that ended hands over a handler that only sends its
    /// ACK again, so the transaction, which lingers for 64·T1 after a 2xx (timer M), does not keep the call alive.
    /// </summary>
    internal void ReplaceResponseHandler(Action<SipResponse>? onResponse) => Volatile.Write(ref _onResponse, onResponse);

    /// <summary>Where the request goes.</summary>
    public SipDestination Destination { get; }

    /// <summary>True for an INVITE transaction.</summary>
    public bool IsInvite { get; }

    /// <summary>The first final response (or the local 408/503 that stands for a timeout or transport error).</summary>
    public Task<SipResponse> FinalResponse => _final.Task;

    /// <summary>How the transaction ended; meaningful once <see cref="FinalResponse"/> completed.</summary>
    public SipClientOutcome Outcome { get; private set; }

    /// <summary>True once a provisional response arrived (a CANCEL may be sent only then, RFC 3261 §9.1).</summary>
    public bool HasProvisional { get; private set; }

    internal void Start()
    {
        lock (Gate)
        {
            _interval = Options.T1;
            if (!Reliable)
            {
                ArmRetransmit(_interval);
            }

            ArmTimeout(Options.TransactionTimeout);
        }

        Transmit();
    }

    /// <summary>Asks for a CANCEL once a provisional response arrived; true when it was or will be sent.</summary>
    internal bool RequestCancel(out bool sendNow)
    {
        lock (Gate)
        {
            sendNow = false;
            if (!IsInvite || State is not (SipTransactionState.Calling or SipTransactionState.Proceeding) || _cancelWanted)
            {
                return false;
            }

            _cancelWanted = true;
            sendNow = HasProvisional;
            return true;
        }
    }

    internal void OnResponse(SipResponse response)
    {
        var deliver = false;
        var complete = false;
        var sendAck = false;
        var sendCancel = false;
        lock (Gate)
        {
            var code = response.StatusCode;
            switch (State)
            {
                case SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding when code < 200:
                    if (State != SipTransactionState.Proceeding)
                    {
                        MoveTo(SipTransactionState.Proceeding);
                        if (IsInvite)
                        {
                            // Timer B applies to Calling only; the TU decides how long to ring (CANCEL).
                            StopRetransmit();
                            StopTimeout();
                        }
                        else if (!Reliable)
                        {
                            ArmRetransmit(Options.T2);
                        }
                    }

                    sendCancel = _cancelWanted && !HasProvisional;
                    HasProvisional = true;
                    deliver = true;
                    break;

                case SipTransactionState.Calling or SipTransactionState.Proceeding when IsInvite && code < 300:
                    StopRetransmit();
                    MoveTo(SipTransactionState.Accepted);
                    ArmTimeout(Options.TransactionTimeout); // timer M
                    deliver = complete = true;
                    break;

                case SipTransactionState.Calling or SipTransactionState.Proceeding when IsInvite:
                    StopRetransmit();
                    _ack = BuildAck(response);
                    MoveTo(SipTransactionState.Completed);
                    complete = deliver = sendAck = true;
                    ArmTimeout(Reliable ? TimeSpan.Zero : Options.TimerD);
                    break;

                case SipTransactionState.Trying or SipTransactionState.Proceeding:
                    StopRetransmit();
                    MoveTo(SipTransactionState.Completed);
                    complete = deliver = true;
                    ArmTimeout(Reliable ? TimeSpan.Zero : Options.T4); // timer K
                    break;

                case SipTransactionState.Accepted when code is >= 200 and < 300:
                    deliver = true; // a retransmitted or forked 2xx: the TU ACKs it again
                    break;

                case SipTransactionState.Completed when IsInvite && code >= 300:
                    sendAck = true; // the ACK was lost: send it again
                    break;
            }
        }

        if (sendAck && _ack is { } ack)
        {
            SendInBackground(() => Layer.Transport.SendAsync(ack, Destination));
        }

        if (sendCancel)
        {
            Layer.SendCancel(this);
        }

        if (deliver)
        {
            Volatile.Read(ref _onResponse)?.Invoke(response);
        }

        if (complete)
        {
            Outcome = SipClientOutcome.Response;
            _final.TrySetResult(response);
        }
    }

    private protected override void OnRetransmitTimer()
    {
        if (State is not (SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        // Timer A doubles without bound; timer E doubles up to T2, and stays at T2 once Proceeding.
        _interval = IsInvite ? _interval * 2 : State == SipTransactionState.Proceeding ? Options.T2 : Min(_interval * 2, Options.T2);
        ArmRetransmit(_interval);
        Layer.Telemetry.Retransmissions.Add(1);
        Transmit();
    }

    private protected override void OnTimeoutTimer()
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding:
                MoveTo(SipTransactionState.Terminated);
                Layer.Telemetry.TransactionTimeouts.Add(1);
                Fail(SipClientOutcome.Timeout, 408, "Request Timeout");
                break;
            default:
                MoveTo(SipTransactionState.Terminated); // timers D, K, M
                break;
        }
    }

    private void Transmit() => SendInBackground(() => Layer.Transport.SendAsync(Request, Destination), _ =>
    {
        lock (Gate)
        {
            if (State is SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding)
            {
                MoveTo(SipTransactionState.Terminated);
            }
            else
            {
                return;
            }
        }

        Fail(SipClientOutcome.TransportError, 503, "Service Unavailable");
    });

    private void Fail(SipClientOutcome outcome, int code, string reason)
    {
        Outcome = outcome;
        _final.TrySetResult(SipTransactionLayer.LocalResponse(Request, code, reason));
    }

    /// <summary>The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same transaction, To from the response.</summary>
    private SipRequest BuildAck(SipResponse response)
    {
        var ack = new SipRequest(SipMethod.Ack, Request.RequestUri);
        var source = Request.Headers;
        ack.Headers.Add("Via", Request.TopVia!.ToString());
        foreach (var route in source.GetValues("Route"))
        {
            ack.Headers.Add("Route", route);
        }

        ack.Headers.Add("Max-Forwards", "70");
        ack.Headers.Add("From", source["From"]!);
        ack.Headers.Add("To", response.Headers["To"] ?? source["To"]!);
        ack.Headers.Add("Call-ID", source["Call-ID"]!);
        ack.Headers.Add("CSeq", new SipCSeq(Request.CSeq!.Sequence, SipMethod.Ack).ToString());
        return ack;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
