namespace ContactCenter.Sip.Media;

/// <summary>
/// Cuts audio that arrives in frames of any size into blocks of a fixed size, for the analysers that work block by
/// block (answering-machine and silence detection, in-band DTMF). Not thread-safe: the owner serializes calls.
/// </summary>
internal sealed class SampleBlocks(int blockSamples)
{
    private readonly short[] _block = new short[blockSamples];
    private int _filled;

    /// <summary>
    /// Moves samples from the front of <paramref name="samples"/> into the block being filled; true, with the block,
    /// once it is full (it is valid until the next call).
    /// </summary>
    public bool TryFill(ref ReadOnlySpan<short> samples, out ReadOnlySpan<short> block)
    {
        var take = Math.Min(_block.Length - _filled, samples.Length);
        samples[..take].CopyTo(_block.AsSpan(_filled));
        _filled += take;
        samples = samples[take..];
        if (_filled < _block.Length)
        {
            block = default;
            return false;
        }

        _filled = 0;
        block = _block;
        return true;
    }

    /// <summary>Drops the samples of the block being filled.</summary>
    public void Clear() => _filled = 0;
}
