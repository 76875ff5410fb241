namespace ContactCenter.Sip.Calls;

/// <summary>The state of a <see cref="SipCall"/>.</summary>
public enum SipCallState
{
    /// <summary>Outgoing: the INVITE is out, nothing heard yet. Incoming: offered, not yet answered.</summary>
    Calling,

    /// <summary>A provisional response (180/183) made an early dialog.</summary>
    Ringing,

    /// <summary>Answered: the 2xx was sent or received.</summary>
    Answered,

    /// <summary>The ACK for the 2xx went out or arrived: the call is up.</summary>
    Established,

    /// <summary>Over: hung up, rejected, cancelled, failed or timed out.</summary>
    Terminated,
}

/// <summary>Which side placed the call.</summary>
public enum SipCallDirection
{
    /// <summary>The call came in (we are the UAS).</summary>
    Incoming,

    /// <summary>We placed the call (we are the UAC).</summary>
    Outgoing,
}

/// <summary>Why a call ended.</summary>
public enum SipCallEndReason
{
    /// <summary>Not ended.</summary>
    None,

    /// <summary>We sent BYE.</summary>
    LocalHangUp,

    /// <summary>The peer sent BYE.</summary>
    RemoteHangUp,

    /// <summary>Rejected with a final non-2xx response (see <see cref="SipCall.FinalStatus"/>).</summary>
    Rejected,

    /// <summary>The caller cancelled before the answer.</summary>
    Cancelled,

    /// <summary>No answer in time: no final response, or no ACK for our 2xx.</summary>
    Timeout,

    /// <summary>The transport failed.</summary>
    TransportError,

    /// <summary>The session timer (RFC 4028) ran out without a refresh: we sent BYE.</summary>
    SessionExpired,

    /// <summary>Another call replaced this one (RFC 3891 Replaces, e.g. the end of an attended transfer).</summary>
    Replaced,
}
