namespace ContactCenter.Sip.Media;

/// <summary>One element of a prompt sequence: a clip, a tone, or silence.</summary>
public abstract record PromptItem
{
    private protected PromptItem()
    {
    }

    /// <summary>Plays a decoded clip (from a file through <see cref="PromptCache"/>, or built in memory).</summary>
    public static PromptItem Clip(AudioClip clip) => new ClipItem(clip ?? throw new ArgumentNullException(nameof(clip)));

    /// <summary>Plays a tone; a tone that repeats forever ends only when the player is stopped or barged in.</summary>
    public static PromptItem Tone(ToneSpec tone)
    {
        ArgumentNullException.ThrowIfNull(tone);
        tone.Validate();
        return new ToneItem(tone);
    }

    /// <summary>Plays silence.</summary>
    public static PromptItem Silence(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return new SilenceItem((long)(duration.TotalSeconds * G711.SampleRate));
    }

    internal sealed record ClipItem(AudioClip Value) : PromptItem;

    internal sealed record ToneItem(ToneSpec Value) : PromptItem;

    internal sealed record SilenceItem(long Samples) : PromptItem;
}

/// <summary>Why a prompt stopped playing.</summary>
public enum PromptEnd
{
    /// <summary>Every item (and loop) played.</summary>
    Finished,

    /// <summary>The caller pressed a digit while barge-in was allowed.</summary>
    BargedIn,

    /// <summary><see cref="PromptPlayer.Stop"/> was called.</summary>
    Stopped,
}

/// <summary>How a prompt ended.</summary>
/// <param name="End">Why it ended.</param>
/// <param name="Digit">The digit that barged in, when <see cref="PromptEnd.BargedIn"/>.</param>
/// <param name="Played">How much audio was played.</param>
public readonly record struct PromptResult(PromptEnd End, char? Digit, TimeSpan Played);

/// <summary>
/// Plays a sequence of clips, tones and silences, optionally looped (hold music loops forever), as an
/// <see cref="IAudioSource"/> for an <see cref="RtpSession"/> or a mixer. With barge-in, the first digit
/// passed to <see cref="OnDigit"/> stops it. Clips are shared, never copied: a player keeps only positions.
/// </summary>
public sealed class PromptPlayer : IAudioSource
{
    private readonly IReadOnlyList<PromptItem> _items;
    private readonly int _loops;
    private readonly TaskCompletionSource<PromptResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _item;
    private long _position;
    private int _loop;
    private long _played;
    private ToneSource? _tone;
    private int _ended;

    /// <summary>Creates a player.</summary>
    /// <param name="items">What to play, in order.</param>
    /// <param name="loops">How many times to play the sequence; 0 loops until stopped.</param>
    /// <param name="bargeIn">Stop on the first digit.</param>
    public PromptPlayer(IEnumerable<PromptItem> items, int loops = 1, bool bargeIn = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(loops);
        _items = [.. items];
        if (_items.Count == 0)
        {
            throw new ArgumentException("A prompt needs at least one item.", nameof(items));
        }

        if (loops == 0 && _items.All(i => i is PromptItem.SilenceItem { Samples: 0 } or PromptItem.ClipItem { Value.Length: 0 }))
        {
            throw new ArgumentException("A prompt that loops forever needs an item with some audio.", nameof(items));
        }

        _loops = loops;
        BargeIn = bargeIn;
    }

    /// <summary>Plays one clip once.</summary>
    public static PromptPlayer Play(AudioClip clip, bool bargeIn = false) => new([PromptItem.Clip(clip)], 1, bargeIn);

    /// <summary>Plays a clip in a loop until stopped (hold music).</summary>
    public static PromptPlayer HoldMusic(AudioClip clip) => new([PromptItem.Clip(clip)], loops: 0);

    /// <summary>True when a digit stops the prompt.</summary>
    public bool BargeIn { get; }

    /// <summary>Completes when the prompt ends.</summary>
    public Task<PromptResult> Completion => _completion.Task;

    /// <summary>True once the prompt has ended.</summary>
    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Passes a received digit: with barge-in, the prompt stops. Returns true when it stopped the prompt.</summary>
    public bool OnDigit(char digit) => BargeIn && End(PromptEnd.BargedIn, digit);

    /// <summary>Stops the prompt.</summary>
    public void Stop() => End(PromptEnd.Stopped, null);

    /// <inheritdoc />
    public int Read(Span<short> frame)
    {
        var written = 0;
        while (written < frame.Length && !IsEnded)
        {
            var n = ReadItem(frame[written..]);
            written += n;
            _played += n;
            if (n == 0)
            {
                Advance();
            }
        }

        return written;
    }

    private int ReadItem(Span<short> destination)
    {
        switch (_items[_item])
        {
            case PromptItem.ClipItem clip:
                var samples = clip.Value.Samples.Span;
                var n = (int)Math.Min(destination.Length, samples.Length - _position);
                samples.Slice((int)_position, n).CopyTo(destination);
                _position += n;
                return n;
            case PromptItem.ToneItem tone:
                _tone ??= new ToneSource(tone.Value);
                return _tone.Read(destination);
            case PromptItem.SilenceItem silence:
                var s = (int)Math.Min(destination.Length, silence.Samples - _position);
                destination[..s].Clear();
                _position += s;
                return s;
            default:
                return 0;
        }
    }

    private void Advance()
    {
        _position = 0;
        _tone = null;
        if (++_item < _items.Count)
        {
            return;
        }

        _item = 0;
        if (_loops != 0 && ++_loop >= _loops)
        {
            End(PromptEnd.Finished, null);
        }
    }

    private bool End(PromptEnd end, char? digit)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        _completion.TrySetResult(new PromptResult(end, digit, TimeSpan.FromSeconds(Volatile.Read(ref _played) / (double)G711.SampleRate)));
        return true;
    }
}
