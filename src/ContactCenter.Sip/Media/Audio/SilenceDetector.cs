namespace ContactCenter.Sip.Media;

/// <summary>
/// Waits for a stretch of silence in received audio: attach it as a sink of a call's RTP session. It completes with
/// <see langword="true"/> once <c>silence</c> of audio in a row stays under the threshold (for example the quiet after an
/// answering machine's beep, when a message can be left), or with <see langword="false"/> when <c>maximum</c> of audio
/// went by first. Like <see cref="AnsweringMachineDetector"/> it works on 10 ms blocks and counts time in audio.
/// </summary>
public sealed class SilenceDetector : IAudioSink
{
    private const int BlockSamples = AnsweringMachineDetector.BlockMilliseconds * 8;

    private readonly object _gate = new();
    private readonly SampleBlocks _blocks = new(BlockSamples);
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _silence;
    private readonly long _maximum;
    private readonly double _thresholdSquared;
    private long _elapsed;
    private long _quiet;
    private bool _done;

    /// <summary>Creates a detector.</summary>
    /// <param name="silence">The silence to wait for (10 ms to 30 s).</param>
    /// <param name="maximum">The longest wait, at least <paramref name="silence"/> (at most 5 minutes).</param>
    /// <param name="silenceThreshold">10 ms blocks with an RMS below this are silent (default 300 of 32767).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the message names it).</exception>
    public SilenceDetector(TimeSpan silence, TimeSpan maximum, double silenceThreshold = 300)
    {
        if (silence < TimeSpan.FromMilliseconds(AnsweringMachineDetector.BlockMilliseconds) || silence > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(silence), silence, "The silence to wait for must be between 10 ms and 30 s.");
        }

        if (maximum < silence || maximum > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(maximum), maximum, "The longest wait must be at least the silence waited for and at most 5 minutes.");
        }

        if (!(silenceThreshold > 0 && silenceThreshold < short.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(silenceThreshold), silenceThreshold, "The silence threshold must be above 0 and below 32767.");
        }

        _silence = (long)silence.TotalMilliseconds;
        _maximum = (long)maximum.TotalMilliseconds;
        _thresholdSquared = silenceThreshold * silenceThreshold;
    }

    /// <summary>True when the silence was heard; false when the longest wait ran out (or <see cref="Stop"/> was called).</summary>
    public Task<bool> Completion => _completion.Task;

    /// <summary>Audio analysed so far.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromMilliseconds(_elapsed);
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            while (!frame.IsEmpty && !_done)
            {
                if (!_blocks.TryFill(ref frame, out var block))
                {
                    continue;
                }

                _elapsed += AnsweringMachineDetector.BlockMilliseconds;
                _quiet = AnsweringMachineDetector.IsVoiced(block, _thresholdSquared) ? 0 : _quiet + AnsweringMachineDetector.BlockMilliseconds;
                if (_quiet >= _silence)
                {
                    Finish(true);
                }
                else if (_elapsed >= _maximum)
                {
                    Finish(false);
                }
            }
        }
    }

    /// <summary>Stops waiting: <see cref="Completion"/> completes with false unless the silence was already heard.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (!_done)
            {
                Finish(false);
            }
        }
    }

    private void Finish(bool heard)
    {
        _done = true;
        _completion.TrySetResult(heard);
    }
}
