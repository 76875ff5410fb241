using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Transactions;

/// <summary>
/// The transaction user (TU, RFC 3261 §17): the UAS/UAC core above the transaction layer. The layer calls it
/// from receive loops and timers; implementations must not block.
/// </summary>
public interface ISipTransactionUser
{
    /// <summary>A new request (anything but ACK and CANCEL) arrived: answer it through <paramref name="transaction"/>.</summary>
    ValueTask OnRequestAsync(SipServerTransaction transaction);

    /// <summary>
    /// A CANCEL matched an INVITE still waiting for its final response. The layer already answered the CANCEL
    /// with 200; the TU should answer the INVITE with 487 (Request Terminated).
    /// </summary>
    ValueTask OnCancelAsync(SipServerTransaction invite, SipRequest cancel);

    /// <summary>An ACK that matched no transaction: the ACK for a 2xx, which belongs to the dialog.</summary>
    ValueTask OnAckAsync(SipRequest ack, SipRemote source);

    /// <summary>A response that matched no client transaction, such as a retransmitted 2xx to an INVITE that must be ACKed again.</summary>
    ValueTask OnStrayResponseAsync(SipResponse response, SipRemote source);

    /// <summary>A server INVITE transaction sent a non-2xx final response and no ACK came before timer H.</summary>
    void OnAckTimeout(SipServerTransaction invite);
}
