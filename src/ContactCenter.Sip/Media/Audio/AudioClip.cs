namespace ContactCenter.Sip.Media;

/// <summary>Decoded audio, 8 kHz 16-bit mono, immutable: one copy is shared by every call that plays it.</summary>
public sealed class AudioClip
{
    private readonly short[] _samples;

    /// <summary>Creates a clip from samples (copied).</summary>
    /// <param name="samples">8 kHz mono samples.</param>
    /// <param name="name">A name for logs and errors.</param>
    public AudioClip(ReadOnlySpan<short> samples, string name = "clip")
    {
        _samples = samples.ToArray();
        Name = name ?? "clip";
    }

    // Takes ownership of a freshly decoded array (no copy).
    private AudioClip(short[] samples, string name)
    {
        _samples = samples;
        Name = name;
    }

    /// <summary>A name for logs and errors (often the file path).</summary>
    public string Name { get; }

    /// <summary>The samples.</summary>
    public ReadOnlyMemory<short> Samples => _samples;

    /// <summary>The number of samples.</summary>
    public int Length => _samples.Length;

    /// <summary>How long the clip plays.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(_samples.Length / (double)G711.SampleRate);

    internal static AudioClip Wrap(short[] samples, string name) => new(samples, name);
}
