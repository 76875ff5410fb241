using System.Buffers;

namespace ContactCenter.Sip.Media;

/// <summary>
/// The pools that per-call media buffers (jitter buffer slots, recorder sample queues, recording file chunks, RTCP
/// receive buffers) are taken from and handed back to when the call ends. They keep what is handed back, up to
/// <see cref="ArraysPerSize"/> arrays of each size, where the shared pool keeps a few dozen: a buffer that lives as long
/// as a call survives the garbage collections during the call, so every one allocated anew is copied from generation
/// to generation and stops the process longer at each collection. Held for reuse, the same arrays serve call after
/// call. What they keep at most (sizes up to <see cref="MaxArrayLength"/>) is bounded by the busiest moment.
/// </summary>
internal static class MediaBuffers
{
    /// <summary>Arrays kept of each power-of-two size: the buffers of about 2,000 calls at once.</summary>
    public const int ArraysPerSize = 4096;

    /// <summary>The largest array pooled (longer ones are allocated and dropped).</summary>
    public const int MaxArrayLength = 64 * 1024;

    /// <summary>Byte buffers: jitter buffer slots, recording file chunks, RTCP receive buffers.</summary>
    public static ArrayPool<byte> Bytes { get; } = ArrayPool<byte>.Create(MaxArrayLength, ArraysPerSize);

    /// <summary>Sample buffers: the recorder's and mixer's sample queues.</summary>
    public static ArrayPool<short> Samples { get; } = ArrayPool<short>.Create(MaxArrayLength, ArraysPerSize);
}
