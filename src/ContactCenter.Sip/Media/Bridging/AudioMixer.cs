namespace ContactCenter.Sip.Media;

/// <summary>How a participant takes part in a mix.</summary>
public enum MixerRole
{
    /// <summary>Hears everyone and is heard by everyone (conference party; a supervisor who barges in).</summary>
    Full,

    /// <summary>Hears everyone, heard by nobody (supervisor silent monitoring).</summary>
    Listen,

    /// <summary>Hears everyone, heard only by the whisper target (supervisor coaching an agent).</summary>
    Whisper,

    /// <summary>Hears nobody and is heard by nobody (a caller on hold during a consultation; play hold music to it separately).</summary>
    Held,
}

/// <summary>One participant of an <see cref="AudioMixer"/>.</summary>
public sealed class MixerParticipant
{
    private readonly AudioMixer _mixer;

    internal MixerParticipant(AudioMixer mixer, string name, MixerRole role)
    {
        _mixer = mixer;
        Name = name;
        Role = role;
        Input = new InputSink(this);
        Output = new OutputSource(this);
    }

    /// <summary>A name for logs.</summary>
    public string Name { get; }

    /// <summary>How the participant takes part; change it at any time (listen, then whisper, then barge).</summary>
    public MixerRole Role { get; set; }

    /// <summary>With <see cref="MixerRole.Whisper"/>, the only participant who hears this one.</summary>
    public MixerParticipant? WhisperTarget { get; set; }

    /// <summary>Attach as a sink of this participant's session: what the participant says.</summary>
    public IAudioSink Input { get; }

    /// <summary>Set as the source of this participant's session: what the participant hears.</summary>
    public IAudioSource Output { get; }

    internal SampleFifo Heard { get; } = new(AudioMixer.FifoCapacity);

    internal SampleFifo Said { get; } = new(AudioMixer.FifoCapacity);

    internal short[] Frame { get; } = new short[AudioMixer.FrameSamples];

    internal bool HasFrame { get; set; }

    internal bool IsHeardBy(MixerParticipant listener) => Role switch
    {
        MixerRole.Full => listener.Role != MixerRole.Held,
        MixerRole.Whisper => ReferenceEquals(WhisperTarget, listener),
        _ => false,
    };

    private sealed class InputSink(MixerParticipant owner) : IAudioSink
    {
        public void Write(ReadOnlySpan<short> frame)
        {
            lock (owner._mixer.Gate)
            {
                owner.Said.Write(frame);
            }
        }
    }

    private sealed class OutputSource(MixerParticipant owner) : IAudioSource
    {
        public int Read(Span<short> frame)
        {
            lock (owner._mixer.Gate)
            {
                var n = owner.Heard.Read(frame);
                frame[n..].Clear();
            }

            // Always a full frame: silence when nothing is mixed yet keeps the stream going.
            return frame.Length;
        }
    }
}

/// <summary>
/// Mixes three or more call legs in the linear domain: every 20 ms on the shared <see cref="MediaClock"/>
/// it takes one frame from each participant and gives each participant the sum of what it may hear
/// (its own voice excluded), clipped to 16 bits. Roles give supervisor listen, whisper and barge, and
/// consultation (the caller held while agent and consultant talk). Thread-safe.
/// </summary>
public sealed class AudioMixer : IMediaClockSubscriber, IDisposable
{
    internal const int FrameSamples = 160;
    internal const int FifoCapacity = FrameSamples * 6;
    private readonly MediaClock _clock;
    private readonly int[] _sum = new int[FrameSamples];
    private readonly int[] _scratch = new int[FrameSamples];
    private MixerParticipant[] _participants = [];
    private bool _disposed;

    /// <summary>Creates a mixer and joins the clock.</summary>
    public AudioMixer(MediaClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        clock.Subscribe(this);
    }

    /// <summary>The most participants (default 32).</summary>
    public int MaxParticipants { get; init; } = 32;

    /// <summary>The participants.</summary>
    public IReadOnlyList<MixerParticipant> Participants
    {
        get
        {
            lock (Gate)
            {
                return _participants;
            }
        }
    }

    internal object Gate { get; } = new();

    /// <summary>Adds a participant; wire <see cref="MixerParticipant.Input"/> and <see cref="MixerParticipant.Output"/> to its session.</summary>
    public MixerParticipant Add(string name, MixerRole role = MixerRole.Full)
    {
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_participants.Length >= MaxParticipants)
            {
                throw new InvalidOperationException($"The mixer already has its maximum of {MaxParticipants} participants.");
            }

            var p = new MixerParticipant(this, name ?? "participant", role);
            _participants = [.. _participants, p];
            return p;
        }
    }

    /// <summary>Removes a participant.</summary>
    public void Remove(MixerParticipant participant)
    {
        lock (Gate)
        {
            var remaining = _participants.Where(p => !ReferenceEquals(p, participant)).ToArray();
            if (remaining.Length < _participants.Length)
            {
                participant.Heard.Release();
                participant.Said.Release();
            }

            _participants = remaining;
            foreach (var p in _participants.Where(p => ReferenceEquals(p.WhisperTarget, participant)))
            {
                p.WhisperTarget = null;
            }
        }
    }

    /// <summary>Leaves the clock.</summary>
    public void Dispose()
    {
        _clock.Unsubscribe(this);
        lock (Gate)
        {
            _disposed = true;
            foreach (var p in _participants)
            {
                p.Heard.Release();
                p.Said.Release();
            }
        }
    }

    /// <inheritdoc />
    void IMediaClockSubscriber.OnTick(long tick)
    {
        var ticksPerFrame = Math.Max(1, (int)(20 / _clock.Tick.TotalMilliseconds));
        if (tick % ticksPerFrame != 0)
        {
            return;
        }

        lock (Gate)
        {
            Mix();
        }
    }

    internal void Mix()
    {
        var participants = _participants;
        foreach (var p in participants)
        {
            var n = p.Said.Read(p.Frame);
            p.Frame.AsSpan(n).Clear();
            p.HasFrame = n > 0;
        }

        // Sum of everyone heard by a Full listener once; per listener, remove what it may not hear.
        Array.Clear(_sum);
        foreach (var p in participants)
        {
            if (p.Role == MixerRole.Full && p.HasFrame)
            {
                for (var i = 0; i < FrameSamples; i++)
                {
                    _sum[i] += p.Frame[i];
                }
            }
        }

        Span<short> output = stackalloc short[FrameSamples];
        foreach (var listener in participants)
        {
            if (listener.Role == MixerRole.Held)
            {
                continue;
            }

            for (var i = 0; i < FrameSamples; i++)
            {
                var v = _sum[i];
                if (listener.Role == MixerRole.Full && listener.HasFrame)
                {
                    v -= listener.Frame[i];
                }

                _scratch[i] = v;
            }

            foreach (var talker in participants)
            {
                if (talker.Role == MixerRole.Whisper && talker.HasFrame && talker.IsHeardBy(listener))
                {
                    for (var i = 0; i < FrameSamples; i++)
                    {
                        _scratch[i] += talker.Frame[i];
                    }
                }
            }

            for (var i = 0; i < FrameSamples; i++)
            {
                output[i] = (short)Math.Clamp(_scratch[i], short.MinValue, short.MaxValue);
            }

            listener.Heard.Write(output);
        }
    }
}

/// <summary>
/// A bounded FIFO of samples that drops the oldest on overflow. Its storage starts small and doubles as needed up to
/// the bound: a recorder's two sides are normally within a frame of each other, so allocating the bound (seconds of
/// audio, 64 KiB per recording) up front for every call only gave the garbage collector more to move. The storage comes
/// from <see cref="MediaBuffers.Samples"/> and goes back there on <see cref="Release"/> (or when it grows).
/// </summary>
internal sealed class SampleFifo
{
    private const int InitialSamples = 1024;
    private readonly int _capacity;
    private short[] _buffer = [];
    // The ring's length: at most _capacity, and at most the (pooled, perhaps longer) buffer's.
    private int _size;
    private int _start;
    private int _count;

    public SampleFifo(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _count;

    /// <summary>The samples it holds at most.</summary>
    public int Capacity => _capacity;

    public void Write(ReadOnlySpan<short> samples)
    {
        if (_count + samples.Length > _size && _size < _capacity)
        {
            Grow(_count + samples.Length);
        }

        if (samples.Length >= _size)
        {
            samples[^_size..].CopyTo(_buffer);
            _start = 0;
            _count = _size;
            return;
        }

        var overflow = _count + samples.Length - _size;
        if (overflow > 0)
        {
            _start = (_start + overflow) % _size;
            _count -= overflow;
        }

        var end = (_start + _count) % _size;
        var first = Math.Min(samples.Length, _size - end);
        samples[..first].CopyTo(_buffer.AsSpan(end));
        samples[first..].CopyTo(_buffer);
        _count += samples.Length;
    }

    private void Grow(int needed)
    {
        var size = Math.Min(_capacity, Math.Max(_size, InitialSamples));
        while (size < needed && size < _capacity)
        {
            size = (int)Math.Min(_capacity, 2L * size);
        }

        var grown = MediaBuffers.Samples.Rent(size);
        var held = Read(grown);
        ReturnBuffer();
        _buffer = grown;
        _size = size;
        _start = 0;
        _count = held;
    }

    public void WriteSilence(int samples)
    {
        if (samples <= 0)
        {
            return;
        }

        Span<short> zeros = stackalloc short[Math.Min(samples, 480)];
        zeros.Clear();
        while (samples > 0)
        {
            var n = Math.Min(samples, zeros.Length);
            Write(zeros[..n]);
            samples -= n;
        }
    }

    public int Read(Span<short> destination)
    {
        var n = Math.Min(destination.Length, _count);
        if (n == 0)
        {
            return 0;
        }

        var first = Math.Min(n, _size - _start);
        _buffer.AsSpan(_start, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        _start = (_start + n) % _size;
        _count -= n;
        return n;
    }

    public void Clear()
    {
        _start = 0;
        _count = 0;
    }

    /// <summary>Empties the queue and hands its storage back to the pool; a later write takes new storage.</summary>
    public void Release()
    {
        Clear();
        ReturnBuffer();
        _buffer = [];
        _size = 0;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            MediaBuffers.Samples.Return(_buffer);
        }
    }
}
