using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Ivr;

/// <summary>
/// What an IVR channel over a SIP call asks of the host when the flow hands the caller on: queue the call (the
/// host rings agents, bridges, records) or transfer it to a number or extension. Implemented by the host.
/// </summary>
internal interface IIvrCallRouter
{
    /// <summary>Queues the caller and returns when the queued call ends (agent leg over, overflow, failure).</summary>
    ValueTask<QueueTransferResult> QueueAsync(SipIvrChannel channel, QueueTransferRequest request, CancellationToken cancellationToken);

    /// <summary>Transfers the caller to a number or an extension; returns when connected or failed.</summary>
    ValueTask<TransferResult> TransferAsync(SipIvrChannel channel, TransferRequest request, CancellationToken cancellationToken);
}
