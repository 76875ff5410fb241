namespace ContactCenter.Sip.Media;

/// <summary>
/// Produces 8 kHz 16-bit mono audio, one frame at a time, when the pacing clock asks (prompt players,
/// tone generators, mixers). Implementations must not block.
/// </summary>
public interface IAudioSource
{
    /// <summary>Fills <paramref name="frame"/>; returns the samples written (less than the frame at the end, 0 when finished).</summary>
    int Read(Span<short> frame);
}

/// <summary>Consumes 8 kHz 16-bit mono audio, one frame per ptime (recorders, detectors, mixers).</summary>
public interface IAudioSink
{
    /// <summary>Takes one frame; called on the pacing clock, must not block.</summary>
    void Write(ReadOnlySpan<short> frame);
}
