using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>Keeps every received frame that is not silence.</summary>
internal sealed class FrameCollector : IAudioSink
{
    private readonly Lock _gate = new();
    private readonly List<short[]> _frames = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<short[]> AudibleFrames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public Task WaitForAudibleFramesAsync(int count)
    {
        lock (_gate)
        {
            if (_frames.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public void Write(ReadOnlySpan<short> frame)
    {
        var peak = 0;
        foreach (var sample in frame)
        {
            peak = Math.Max(peak, Math.Abs((int)sample));
        }

        if (peak < 1000)
        {
            return;
        }

        lock (_gate)
        {
            _frames.Add(frame.ToArray());
            foreach (var waiter in _waiters.Where(w => _frames.Count >= w.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>True when the frame equals the tone at some offset, within G.711's quantisation error.</summary>
    public static bool MatchesSomewhereIn(short[] frame, short[] clip)
    {
        for (var offset = 0; offset < clip.Length; offset++)
        {
            var matches = true;
            for (var i = 0; i < frame.Length && matches; i++)
            {
                matches = Math.Abs(frame[i] - clip[(offset + i) % clip.Length]) <= 300;
            }

            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}
