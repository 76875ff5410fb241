namespace ContactCenter.Sip.Media;

/// <summary>
/// Detects DTMF tones in 8 kHz linear audio with Goertzel filters over 205-sample blocks (25.6 ms).
/// A block holds a digit when one row and one column tone stand out (others at least 8 dB lower),
/// the twist is within limits (column up to 8 dB weaker, or up to 4 dB stronger, than the row), the signal
/// is loud enough, and the two tones carry most of the block's energy (which rejects speech, music and
/// noise). A digit is reported once, after two consecutive blocks agree; it must stop before it can repeat.
/// </summary>
public sealed class InBandDtmfDetector
{
    private const int BlockSize = 205;
    internal static readonly double[] RowFrequencies = [697, 770, 852, 941];
    internal static readonly double[] ColumnFrequencies = [1209, 1336, 1477, 1633];
    internal static readonly char[,] Keys =
    {
        { '1', '2', '3', 'A' },
        { '4', '5', '6', 'B' },
        { '7', '8', '9', 'C' },
        { '*', '0', '#', 'D' },
    };

    private readonly Action<DtmfDigit> _onDigit;
    private readonly double[] _rowCoefficients = new double[4];
    private readonly double[] _columnCoefficients = new double[4];
    private readonly SampleBlocks _blocks = new(BlockSize);
    private char? _candidate;
    private int _candidateBlocks;
    private char? _reported;
    private int _reportedBlocks;

    /// <summary>Creates a detector that calls <paramref name="onDigit"/> for each digit.</summary>
    /// <param name="onDigit">Called with each detected digit (duration = time detected so far when confirmed).</param>
    /// <param name="minimumRms">The weakest signal considered, as RMS of 16-bit samples (default 250, about -42 dBFS).</param>
    public InBandDtmfDetector(Action<DtmfDigit> onDigit, double minimumRms = 250)
    {
        ArgumentNullException.ThrowIfNull(onDigit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumRms);
        _onDigit = onDigit;
        MinimumRms = minimumRms;
        for (var i = 0; i < 4; i++)
        {
            _rowCoefficients[i] = 2 * Math.Cos(2 * Math.PI * RowFrequencies[i] / G711.SampleRate);
            _columnCoefficients[i] = 2 * Math.Cos(2 * Math.PI * ColumnFrequencies[i] / G711.SampleRate);
        }
    }

    /// <summary>The weakest signal considered (RMS).</summary>
    public double MinimumRms { get; }

    /// <summary>Feeds audio; digits are reported through the callback as they are confirmed.</summary>
    public void Process(ReadOnlySpan<short> samples)
    {
        while (!samples.IsEmpty)
        {
            if (_blocks.TryFill(ref samples, out var block))
            {
                OnBlock(Analyse(block));
            }
        }
    }

    /// <summary>Forgets any tone in progress.</summary>
    public void Reset()
    {
        _blocks.Clear();
        _candidate = null;
        _candidateBlocks = 0;
        _reported = null;
        _reportedBlocks = 0;
    }

    internal char? Analyse(ReadOnlySpan<short> block)
    {
        double energy = 0;
        foreach (var s in block)
        {
            energy += (double)s * s;
        }

        if (Math.Sqrt(energy / block.Length) < MinimumRms)
        {
            return null;
        }

        Span<double> rows = stackalloc double[4];
        Span<double> columns = stackalloc double[4];
        for (var i = 0; i < 4; i++)
        {
            rows[i] = Relative(Goertzel(block, _rowCoefficients[i]), energy, block.Length);
            columns[i] = Relative(Goertzel(block, _columnCoefficients[i]), energy, block.Length);
        }

        var r = ArgMax(rows);
        var c = ArgMax(columns);
        var row = rows[r];
        var column = columns[c];

        // The two tones must carry most of the energy: speech and noise spread it.
        if (row + column < 0.6 || row < 0.08 || column < 0.08)
        {
            return null;
        }

        // Twist: column up to 8 dB weaker than the row (normal), up to 4 dB stronger (reverse).
        if (column < row * 0.158 || column > row * 2.51)
        {
            return null;
        }

        // Every other tone of each group at least 8 dB below the strongest.
        for (var i = 0; i < 4; i++)
        {
            if ((i != r && rows[i] > row * 0.158) || (i != c && columns[i] > column * 0.158))
            {
                return null;
            }
        }

        return Keys[r, c];
    }

    private void OnBlock(char? detected)
    {
        if (detected is null || detected != _candidate)
        {
            _candidate = detected;
            _candidateBlocks = detected is null ? 0 : 1;
            if (detected is null || detected != _reported)
            {
                _reported = null;
                _reportedBlocks = 0;
            }

            return;
        }

        _candidateBlocks++;
        if (_reported == detected)
        {
            _reportedBlocks++;
            return;
        }

        if (_candidateBlocks >= 2)
        {
            _reported = detected;
            _reportedBlocks = _candidateBlocks;
            _onDigit(new DtmfDigit(detected.Value, TimeSpan.FromMilliseconds(_candidateBlocks * BlockSize / 8.0), DtmfMethod.InBand));
        }
    }

    private static double Goertzel(ReadOnlySpan<short> block, double coefficient)
    {
        double s1 = 0, s2 = 0;
        foreach (var x in block)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    // A tone's share of the block's mean-square energy: 1.0 for a pure tone at the filter frequency.
    private static double Relative(double power, double energy, int n) => 2 * power / (n * energy);

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
