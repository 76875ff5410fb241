namespace ContactCenter.Sip.Media;

/// <summary>Why a voicemail recording ended.</summary>
public enum VoicemailEnd
{
    /// <summary>The caller pressed the terminating digit (default '#').</summary>
    Digit,

    /// <summary>The caller stayed silent for the silence timeout.</summary>
    Silence,

    /// <summary>The maximum length was reached.</summary>
    MaxLength,

    /// <summary><see cref="VoicemailRecorder.Stop"/> was called (e.g. the caller hung up).</summary>
    Stopped,
}

/// <summary>How a voicemail recording ended.</summary>
/// <param name="End">Why it ended.</param>
/// <param name="Duration">How much audio the file holds (trailing silence is not kept).</param>
/// <param name="HeardSpeech">False when the caller never made a sound above the silence threshold.</param>
public readonly record struct VoicemailResult(VoicemailEnd End, TimeSpan Duration, bool HeardSpeech);

/// <summary>Options of a <see cref="VoicemailRecorder"/>.</summary>
public sealed class VoicemailOptions
{
    /// <summary>The longest message (default 3 minutes).</summary>
    public TimeSpan MaxLength { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Silence that ends the message (default 5 s; <see cref="TimeSpan.Zero"/> disables).</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Frames with an RMS below this count as silence (default 300, about -41 dBFS).</summary>
    public double SilenceThreshold { get; set; } = 300;

    /// <summary>The digit that ends the message (default '#'); null disables.</summary>
    public char? TerminationDigit { get; set; } = '#';

    internal void Validate()
    {
        if (MaxLength <= TimeSpan.Zero || MaxLength > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "VoicemailOptions.MaxLength must be positive and at most 1 hour.");
        }

        if (SilenceTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceTimeout), SilenceTimeout, "VoicemailOptions.SilenceTimeout must be zero (off) or positive.");
        }

        if (SilenceThreshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceThreshold), SilenceThreshold, "VoicemailOptions.SilenceThreshold must not be negative.");
        }
    }
}

/// <summary>
/// Records a caller's message into a mono 8 kHz 16-bit WAV. Attach it as a sink of the caller's session and
/// pass digits to <see cref="OnDigit"/>. It ends on the termination digit, after the silence timeout, at the
/// maximum length, or on <see cref="Stop"/>; silence is held back and written only when speech resumes, so the
/// file does not end with the silence that ended it. The header is rewritten every second of audio. Recording to a
/// path, the file is written by a background thread, so the media clock that hands over the audio never waits for
/// the disk. Thread-safe.
/// </summary>
public sealed class VoicemailRecorder : IAudioSink, IDisposable
{
    private readonly object _gate = new();
    private readonly VoicemailOptions _options;
    private readonly WavWriter _writer;
    private readonly List<short> _heldSilence = [];
    private readonly TaskCompletionSource<VoicemailResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _samplesSeen;
    private long _sinceHeader;
    private bool _heardSpeech;
    private bool _ended;

    /// <summary>Records into a new file (fails if it exists).</summary>
    public VoicemailRecorder(string path, VoicemailOptions? options = null)
        : this(WriteBehindFile.CreateNew(path ?? throw new ArgumentNullException(nameof(path))), options)
    {
    }

    /// <summary>Records into a writable, seekable stream (owned and closed by the recorder).</summary>
    public VoicemailRecorder(Stream stream, VoicemailOptions? options = null)
    {
        _options = options ?? new VoicemailOptions();
        _options.Validate();
        _writer = new WavWriter(stream, channels: 1);
    }

    /// <summary>Completes when the recording ends and the file is closed; faulted with an <see cref="IOException"/> when writing it failed.</summary>
    public Task<VoicemailResult> Completion => _completion.Task;

    /// <inheritdoc />
    public void Write(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            var max = (long)(_options.MaxLength.TotalSeconds * G711.SampleRate);
            frame = frame[..(int)Math.Min(frame.Length, max - _samplesSeen)];
            _samplesSeen += frame.Length;
            double energy = 0;
            foreach (var s in frame)
            {
                energy += (double)s * s;
            }

            var silent = frame.Length == 0 || Math.Sqrt(energy / frame.Length) < _options.SilenceThreshold;
            if (silent)
            {
                foreach (var s in frame)
                {
                    _heldSilence.Add(s);
                }

                if (_options.SilenceTimeout > TimeSpan.Zero && _heldSilence.Count >= _options.SilenceTimeout.TotalSeconds * G711.SampleRate)
                {
                    _heldSilence.Clear();
                    EndLocked(VoicemailEnd.Silence);
                    return;
                }
            }
            else
            {
                _heardSpeech = true;
                Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_heldSilence));
                _heldSilence.Clear();
                Append(frame);
            }

            if (_samplesSeen >= max)
            {
                Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_heldSilence));
                _heldSilence.Clear();
                EndLocked(VoicemailEnd.MaxLength);
            }
        }
    }

    /// <summary>Passes a received digit; returns true when it ended the recording.</summary>
    public bool OnDigit(char digit)
    {
        lock (_gate)
        {
            if (_ended || _options.TerminationDigit is not { } end || char.ToUpperInvariant(end) != char.ToUpperInvariant(digit))
            {
                return false;
            }

            _heldSilence.Clear();
            EndLocked(VoicemailEnd.Digit);
            return true;
        }
    }

    /// <summary>Ends the recording now (the caller hung up).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _heldSilence.Clear();
            EndLocked(VoicemailEnd.Stopped);
        }
    }

    /// <summary>Same as <see cref="Stop"/> when still recording.</summary>
    public void Dispose() => Stop();

    private void Append(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        _writer.Write(samples);
        _sinceHeader += samples.Length;
        if (_sinceHeader >= G711.SampleRate)
        {
            _writer.UpdateHeader();
            _sinceHeader = 0;
        }
    }

    private void EndLocked(VoicemailEnd end)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var result = new VoicemailResult(end, _writer.Duration, _heardSpeech);
        try
        {
            _writer.Dispose();
        }
        catch (IOException ex)
        {
            _completion.TrySetException(ex);
            return;
        }

        if (_writer.Stream is not WriteBehindFile file)
        {
            _completion.TrySetResult(result);
            return;
        }

        // Ends once the writer's thread has closed the file (never on the clock thread that ended the message).
        file.Completion.ContinueWith(
            (closed, state) =>
            {
                var (completion, result) = ((TaskCompletionSource<VoicemailResult>, VoicemailResult))state!;
                if (closed.Exception?.InnerException is { } error)
                {
                    completion.TrySetException(error);
                }
                else
                {
                    completion.TrySetResult(result);
                }
            },
            (_completion, result),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
