using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2 with RFC 6026): absorbs retransmitted requests by resending the last
/// response, retransmits a non-2xx final response to INVITE over UDP until the ACK (timers G, H), and lingers
/// to absorb late retransmissions (timers I, J, L). The TU answers through <see cref="RespondAsync"/>.
/// </summary>
public sealed class SipServerTransaction : SipTransaction
{
    private SipResponse? _lastResponse;
    private TimeSpan _interval;

    internal SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote source)
        : base(layer, key, request, IsReliable(source.Protocol),
            request.Method == SipMethod.Invite ? SipTransactionState.Proceeding : SipTransactionState.Trying)
    {
        Source = source;
        IsInvite = request.Method == SipMethod.Invite;
    }

    /// <summary>Where the request came from; responses go back there (RFC 3261 §18.2.2).</summary>
    public SipRemote Source { get; }

    /// <summary>True for an INVITE transaction.</summary>
    public bool IsInvite { get; }

    /// <summary>The last response sent, or null.</summary>
    public SipResponse? LastResponse
    {
        get
        {
            lock (Gate)
            {
                return _lastResponse;
            }
        }
    }

    /// <summary>True once a final response was sent.</summary>
    public bool IsAnswered
    {
        get
        {
            lock (Gate)
            {
                return _lastResponse is { StatusCode: >= 200 };
            }
        }
    }

    /// <summary>
    /// Sends a response. Provisional responses may repeat; after a final response the transaction takes no more
    /// (a 2xx to INVITE is retransmitted by the dialog layer, RFC 3261 §13.3.1.4).
    /// </summary>
    /// <exception cref="InvalidOperationException">A final response was already sent.</exception>
    /// <exception cref="IOException">The transport could not send it.</exception>
    public ValueTask RespondAsync(SipResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (Gate)
        {
            if (_lastResponse is { StatusCode: >= 200 } || State == SipTransactionState.Terminated)
            {
                throw new InvalidOperationException(
                    $"The {Request.Method} transaction {Branch} already sent its final response ({_lastResponse?.StatusCode}).");
            }

            _lastResponse = response;
            var code = response.StatusCode;
            if (code < 200)
            {
                if (State == SipTransactionState.Trying)
                {
                    MoveTo(SipTransactionState.Proceeding);
                }
            }
            else if (IsInvite && code < 300)
            {
                MoveTo(SipTransactionState.Accepted);
                ArmTimeout(Options.TransactionTimeout); // timer L
            }
            else if (IsInvite)
            {
                MoveTo(SipTransactionState.Completed);
                if (!Reliable)
                {
                    _interval = Options.T1;
                    ArmRetransmit(_interval); // timer G
                }

                ArmTimeout(Options.TransactionTimeout); // timer H
            }
            else
            {
                MoveTo(SipTransactionState.Completed);
                ArmTimeout(Reliable ? TimeSpan.Zero : Options.TransactionTimeout); // timer J
            }
        }

        return Layer.Transport.SendResponseAsync(response, Source, cancellationToken);
    }

    /// <summary>A retransmission of the request (or, for INVITE, the ACK of a non-2xx response) arrived.</summary>
    internal void OnRequest(SipRequest request)
    {
        SipResponse? resend = null;
        lock (Gate)
        {
            if (request.Method == SipMethod.Ack)
            {
                if (State == SipTransactionState.Completed && IsInvite)
                {
                    StopRetransmit();
                    MoveTo(SipTransactionState.Confirmed);
                    ArmTimeout(Reliable ? TimeSpan.Zero : Options.T4); // timer I
                }

                return;
            }

            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed)
            {
                resend = _lastResponse;
            }
        }

        if (resend is not null)
        {
            SendInBackground(() => Layer.Transport.SendResponseAsync(resend, Source));
        }
    }

    private protected override void OnRetransmitTimer()
    {
        if (State != SipTransactionState.Completed || _lastResponse is not { } response)
        {
            return;
        }

        _interval = _interval * 2 < Options.T2 ? _interval * 2 : Options.T2;
        ArmRetransmit(_interval);
        Layer.Telemetry.Retransmissions.Add(1);
        SendInBackground(() => Layer.Transport.SendResponseAsync(response, Source));
    }

    private protected override void OnTimeoutTimer()
    {
        var ackTimedOut = IsInvite && State == SipTransactionState.Completed;
        MoveTo(SipTransactionState.Terminated);
        if (ackTimedOut)
        {
            Layer.Telemetry.TransactionTimeouts.Add(1);
            Layer.User.OnAckTimeout(this);
        }
    }
}
