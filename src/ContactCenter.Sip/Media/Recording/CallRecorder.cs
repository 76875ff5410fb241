namespace ContactCenter.Sip.Media;

/// <summary>
/// Records both directions of a call into a two-channel 8 kHz 16-bit WAV: the caller on the left, the agent
/// on the right. Attach <see cref="Caller"/> as a sink of the caller leg's session and <see cref="Agent"/> of
/// the agent leg's. The file is written as audio arrives and its header is rewritten at least every
/// <see cref="HeaderInterval"/> of audio (default 1 s), so a crash loses about that much. While paused
/// (e.g. while the caller reads a card number) audio is dropped, or replaced by silence when
/// <see cref="SilenceWhilePaused"/> is set. Recording to a path, the file is written by a background thread, so the
/// media clock that hands over the audio never waits for the disk; dispose (or <see cref="DisposeAsync"/>) returns
/// once the file is complete. Thread-safe.
/// </summary>
public sealed class CallRecorder : IDisposable, IAsyncDisposable
{
    private const int MaxLagSamples = G711.SampleRate; // one side silent for 1 s is padded
    private readonly object _gate = new();
    private readonly WavWriter _writer;
    private readonly WriteBehindFile? _file;
    // A side holds at most MaxLagSamples plus one frame before the other is padded: twice that never overflows.
    private readonly SampleFifo _left = new(2 * MaxLagSamples);
    private readonly SampleFifo _right = new(2 * MaxLagSamples);
    private const int ChunkFrames = 480;
    // The left and right chunks and their interleaving, one pooled array returned when the recording closes.
    private short[] _scratch = MediaBuffers.Samples.Rent(4 * ChunkFrames);
    private long _framesSinceHeader;
    private bool _paused;
    private bool _disposed;

    /// <summary>Creates a recording into a new file (fails if it exists), written by a background thread.</summary>
    public CallRecorder(string path)
        : this(WriteBehindFile.CreateNew(path ?? throw new ArgumentNullException(nameof(path))))
    {
        Path = path;
        _file = (WriteBehindFile)_writer.Stream;
    }

    /// <summary>Creates a recording into a writable, seekable stream (owned and closed by the recorder).</summary>
    public CallRecorder(Stream stream)
    {
        _writer = new WavWriter(stream, channels: 2);
        Caller = new ChannelSink(this, left: true);
        Agent = new ChannelSink(this, left: false);
    }

    /// <summary>The file path, when recording to a file.</summary>
    public string? Path { get; }

    /// <summary>The sink for the caller's audio (left channel).</summary>
    public IAudioSink Caller { get; }

    /// <summary>The sink for the agent's audio (right channel).</summary>
    public IAudioSink Agent { get; }

    /// <summary>Audio written between header updates (default 1 s).</summary>
    public TimeSpan HeaderInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Write silence while paused instead of dropping the time (default false).</summary>
    public bool SilenceWhilePaused { get; init; }

    /// <summary>True while paused.</summary>
    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    /// <summary>How much audio the file holds.</summary>
    public TimeSpan Duration
    {
        get
        {
            lock (_gate)
            {
                return _writer.Duration;
            }
        }
    }

    /// <summary>Stops recording audio until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // What both sides said before the pause is kept; the unmatched rest is dropped.
            WritePairs(force: true);
            _paused = true;
        }
    }

    /// <summary>Records again after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _left.Clear();
            _right.Clear();
            _paused = false;
        }
    }

    /// <summary>Writes what is pending, finalizes the header and closes the file; returns once the file is complete.</summary>
    /// <exception cref="IOException">Writing the file failed (the first error).</exception>
    public void Dispose()
    {
        Close();
        _file?.Completion.GetAwaiter().GetResult();
    }

    /// <summary>Same as <see cref="Dispose"/>, without holding a thread while the file is completed.</summary>
    /// <exception cref="IOException">Writing the file failed (the first error).</exception>
    public async ValueTask DisposeAsync()
    {
        Close();
        if (_file is { } file)
        {
            await file.Completion.ConfigureAwait(false);
        }
    }

    private void Close()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (!_paused)
                {
                    WritePairs(force: true);
                }
            }
            finally
            {
                _left.Release();
                _right.Release();
                MediaBuffers.Samples.Return(_scratch);
                _scratch = [];
                _writer.Dispose();
            }
        }
    }

    private void Write(bool left, ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_paused)
            {
                if (SilenceWhilePaused && left)
                {
                    AppendSilence(frame.Length);
                }

                return;
            }

            (left ? _left : _right).Write(frame);
            WritePairs(force: false);
        }
    }

    private void WritePairs(bool force)
    {
        // Pad a side that has fallen far behind (its leg stopped delivering audio).
        if (force || _left.Count - _right.Count > MaxLagSamples || _right.Count - _left.Count > MaxLagSamples)
        {
            _left.WriteSilence(_right.Count - _left.Count);
            _right.WriteSilence(_left.Count - _right.Count);
        }

        var leftChunk = _scratch.AsSpan(0, ChunkFrames);
        var rightChunk = _scratch.AsSpan(ChunkFrames, ChunkFrames);
        var interleaved = _scratch.AsSpan(2 * ChunkFrames, 2 * ChunkFrames);
        while (_left.Count > 0 && _right.Count > 0)
        {
            var n = Math.Min(Math.Min(_left.Count, _right.Count), ChunkFrames);
            _left.Read(leftChunk[..n]);
            _right.Read(rightChunk[..n]);
            for (var i = 0; i < n; i++)
            {
                interleaved[2 * i] = leftChunk[i];
                interleaved[(2 * i) + 1] = rightChunk[i];
            }

            Commit(interleaved[..(2 * n)]);
        }
    }

    private void AppendSilence(int frames)
    {
        while (frames > 0)
        {
            var n = Math.Min(frames, ChunkFrames);
            var silence = _scratch.AsSpan(2 * ChunkFrames, 2 * n);
            silence.Clear();
            Commit(silence);
            frames -= n;
        }
    }

    private void Commit(ReadOnlySpan<short> interleaved)
    {
        _writer.Write(interleaved);
        _framesSinceHeader += interleaved.Length / 2;
        if (_framesSinceHeader >= HeaderInterval.TotalSeconds * G711.SampleRate)
        {
            _writer.UpdateHeader();
            _framesSinceHeader = 0;
        }
    }

    private sealed class ChannelSink(CallRecorder owner, bool left) : IAudioSink
    {
        public void Write(ReadOnlySpan<short> frame) => owner.Write(left, frame);
    }
}
