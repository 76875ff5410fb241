namespace ContactCenter.Sip.Transactions;

/// <summary>Timer values of RFC 3261 §17 (Table 4) and limits of <see cref="SipTransactionLayer"/>.</summary>
public sealed class SipTransactionOptions
{
    /// <summary>T1, the round-trip time estimate. Default 500 ms.</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>T2, the longest retransmit interval for non-INVITE requests and INVITE responses. Default 4 s.</summary>
    public TimeSpan T2 { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>T4, how long a message may stay in the network. Default 5 s.</summary>
    public TimeSpan T4 { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D, how long a client INVITE transaction absorbs retransmitted final responses over UDP. Default 32 s.</summary>
    public TimeSpan TimerD { get; set; } = TimeSpan.FromSeconds(32);

    /// <summary>
    /// The most transactions alive at once; a new request beyond it is answered 503 with Retry-After. A finished
    /// transaction lingers 64·T1 (32 s) over UDP to absorb retransmissions (timers J and L), so a call's INVITE and
    /// BYE keep about 64 transaction-seconds: 2,000 calls per second need room for some 130,000. Default 500,000.
    /// </summary>
    public int MaxTransactions { get; set; } = 500_000;

    /// <summary>Checks the options; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (T1 <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipTransactionOptions.T1 must be positive.", nameof(T1));
        }

        if (T2 < T1)
        {
            throw new ArgumentException("SipTransactionOptions.T2 must be at least T1.", nameof(T2));
        }

        if (T4 <= TimeSpan.Zero)
        {
            throw new ArgumentException("SipTransactionOptions.T4 must be positive.", nameof(T4));
        }

        if (TimerD < TimeSpan.Zero)
        {
            throw new ArgumentException("SipTransactionOptions.TimerD must not be negative.", nameof(TimerD));
        }

        if (MaxTransactions < 1)
        {
            throw new ArgumentException("SipTransactionOptions.MaxTransactions must be at least 1.", nameof(MaxTransactions));
        }
    }

    /// <summary>64·T1: timers B, F, H, J, L and M.</summary>
    internal TimeSpan TransactionTimeout => T1 * 64;
}

/// <summary>The states of the four transaction machines of RFC 3261 §17 with RFC 6026's Accepted.</summary>
public enum SipTransactionState
{
    /// <summary>Client INVITE: sent, nothing heard yet.</summary>
    Calling,

    /// <summary>Client non-INVITE: sent, nothing heard yet; server non-INVITE: received, no response yet.</summary>
    Trying,

    /// <summary>A provisional response was received (client) or sent (server).</summary>
    Proceeding,

    /// <summary>INVITE with a 2xx (RFC 6026): absorbing retransmissions while the dialog layer handles ACK.</summary>
    Accepted,

    /// <summary>A final response was received (client) or sent (server); absorbing retransmissions.</summary>
    Completed,

    /// <summary>Server INVITE: the ACK for a non-2xx final response arrived.</summary>
    Confirmed,

    /// <summary>Over: removed from the layer.</summary>
    Terminated,
}

/// <summary>How a client transaction ended.</summary>
public enum SipClientOutcome
{
    /// <summary>A final response arrived.</summary>
    Response,

    /// <summary>No final response before timer B or F (reported to the caller as a local 408).</summary>
    Timeout,

    /// <summary>The transport could not send the request (reported as a local 503).</summary>
    TransportError,
}
