using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// Counts audible G.711 packets as they arrive. Unlike frames played out through a sink, the count does not depend on
/// the listening session's own clock keeping time, which a machine running many tests at once does not promise.
/// </summary>
internal sealed class LoudPacketCounter : IRtpPayloadObserver
{
    private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _wanted;
    private int _count;

    public LoudPacketCounter(int wanted) => _wanted = wanted;

    /// <summary>Completes once the wanted number of audible packets arrived.</summary>
    public Task Enough => _enough.Task;

    public void OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        foreach (var encoded in payload)
        {
            var sample = header.PayloadType == 8 ? G711.DecodeALaw(encoded) : G711.DecodeMuLaw(encoded);
            if (Math.Abs((int)sample) > 500)
            {
                if (Interlocked.Increment(ref _count) >= _wanted)
                {
                    _enough.TrySetResult();
                }

                return;
            }
        }
    }
}
