namespace ContactCenter.Sip.Media;

/// <summary>
/// A call-progress tone: one or two frequencies switched on and off in a cadence, repeated.
/// </summary>
/// <param name="Frequencies">One or two frequencies in Hz.</param>
/// <param name="On">How long the tone sounds in each cycle.</param>
/// <param name="Off">The silence after it (zero for a continuous tone).</param>
/// <param name="Cycles">How many cycles; 0 repeats forever.</param>
/// <param name="Amplitude">Peak amplitude of each frequency (default 4000, about -18 dBFS per tone).</param>
public sealed record ToneSpec(IReadOnlyList<double> Frequencies, TimeSpan On, TimeSpan Off, int Cycles = 0, double Amplitude = 4000)
{
    /// <summary>North American ringback: 440 + 480 Hz, 2 s on, 4 s off.</summary>
    public static ToneSpec Ringback { get; } = new([440, 480], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));

    /// <summary>European ringback (ETSI): 425 Hz, 1 s on, 4 s off.</summary>
    public static ToneSpec RingbackEurope { get; } = new([425], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    /// <summary>North American busy: 480 + 620 Hz, 0.5 s on, 0.5 s off.</summary>
    public static ToneSpec Busy { get; } = new([480, 620], TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

    /// <summary>European busy (ETSI): 425 Hz, 0.5 s on, 0.5 s off.</summary>
    public static ToneSpec BusyEurope { get; } = new([425], TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

    /// <summary>A single beep (e.g. before a voicemail recording): 1000 Hz for 250 ms, once.</summary>
    public static ToneSpec Beep { get; } = new([1000], TimeSpan.FromMilliseconds(250), TimeSpan.Zero, Cycles: 1, Amplitude: 8000);

    /// <summary>
    /// A DTMF digit as an in-band tone pair (for peers without telephone-event): row and column frequency,
    /// <paramref name="duration"/> on (default 100 ms) then 50 ms of silence, once.
    /// </summary>
    public static ToneSpec ForDigit(char digit, TimeSpan? duration = null)
    {
        var key = char.ToUpperInvariant(digit);
        for (var row = 0; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                if (InBandDtmfDetector.Keys[row, column] == key)
                {
                    return new ToneSpec(
                        [InBandDtmfDetector.RowFrequencies[row], InBandDtmfDetector.ColumnFrequencies[column]],
                        duration ?? TimeSpan.FromMilliseconds(100),
                        TimeSpan.FromMilliseconds(50),
                        Cycles: 1,
                        Amplitude: 6000);
                }
            }
        }

        throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D).", nameof(digit));
    }

    internal void Validate()
    {
        if (Frequencies.Count is < 1 or > 2 || Frequencies.Any(f => f is <= 0 or >= 4000))
        {
            throw new ArgumentException("A tone has one or two frequencies between 0 and 4000 Hz.", nameof(Frequencies));
        }

        if (On <= TimeSpan.Zero || Off < TimeSpan.Zero || Cycles < 0 || Amplitude is <= 0 or > 16000)
        {
            throw new ArgumentException("A tone needs a positive on time, a non-negative off time and cycle count, and an amplitude up to 16000.", nameof(On));
        }
    }
}

/// <summary>Generates a <see cref="ToneSpec"/> as audio, sample by sample, without allocating.</summary>
public sealed class ToneSource : IAudioSource
{
    private readonly ToneSpec _spec;
    private readonly long _onSamples;
    private readonly long _cycleSamples;
    private readonly double _step1;
    private readonly double _step2;
    private long _n;

    /// <summary>Creates a generator.</summary>
    public ToneSource(ToneSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _onSamples = (long)(spec.On.TotalSeconds * G711.SampleRate);
        _cycleSamples = _onSamples + (long)(spec.Off.TotalSeconds * G711.SampleRate);
        _step1 = 2 * Math.PI * spec.Frequencies[0] / G711.SampleRate;
        _step2 = spec.Frequencies.Count > 1 ? 2 * Math.PI * spec.Frequencies[1] / G711.SampleRate : 0;
    }

    /// <inheritdoc />
    public int Read(Span<short> frame)
    {
        var total = _spec.Cycles == 0 ? long.MaxValue : _spec.Cycles * _cycleSamples;
        var count = (int)Math.Min(frame.Length, total - _n);
        for (var i = 0; i < count; i++, _n++)
        {
            var inCycle = _n % _cycleSamples;
            if (inCycle >= _onSamples)
            {
                frame[i] = 0;
                continue;
            }

            var v = Math.Sin(_step1 * inCycle);
            if (_step2 != 0)
            {
                v += Math.Sin(_step2 * inCycle);
            }

            frame[i] = (short)(v * _spec.Amplitude);
        }

        return Math.Max(0, count);
    }
}
