namespace ContactCenter.Sip.Media;

/// <summary>Who answered an outbound call, as far as <see cref="AnsweringMachineDetector"/> can tell.</summary>
public enum AnsweringMachineVerdict
{
    /// <summary>A person: a short greeting followed by silence (they wait for us to speak).</summary>
    Person,

    /// <summary>A machine: a long greeting, many words, or nothing said for too long.</summary>
    Machine,

    /// <summary>The analysis time ran out (or the detector was stopped) without a clear pattern.</summary>
    NotSure,
}

/// <summary>Why <see cref="AnsweringMachineDetector"/> reached its verdict.</summary>
public enum AnsweringMachineReason
{
    /// <summary>Person: the greeting was followed by <see cref="AnsweringMachineDetectorOptions.AfterGreetingSilence"/>.</summary>
    SilenceAfterGreeting,

    /// <summary>Machine: nothing was said for <see cref="AnsweringMachineDetectorOptions.InitialSilence"/>.</summary>
    InitialSilence,

    /// <summary>Machine: the greeting held more than <see cref="AnsweringMachineDetectorOptions.Greeting"/> of speech.</summary>
    LongGreeting,

    /// <summary>Machine: the greeting held more than <see cref="AnsweringMachineDetectorOptions.MaximumWords"/> words.</summary>
    TooManyWords,

    /// <summary>Not sure: <see cref="AnsweringMachineDetectorOptions.TotalAnalysisTime"/> ran out.</summary>
    AnalysisTimeLimit,

    /// <summary>Not sure: <see cref="AnsweringMachineDetector.Stop"/> was called before a verdict.</summary>
    Stopped,
}

/// <summary>The verdict of an <see cref="AnsweringMachineDetector"/> and what it was based on.</summary>
/// <param name="Verdict">Person, machine or not sure.</param>
/// <param name="Reason">The rule that decided.</param>
/// <param name="Words">Words counted in the greeting.</param>
/// <param name="Speech">Speech heard in the greeting (voiced time, pauses excluded).</param>
/// <param name="AnalysedFor">Audio analysed until the verdict (from the first frame).</param>
public readonly record struct AnsweringMachineResult(
    AnsweringMachineVerdict Verdict, AnsweringMachineReason Reason, int Words, TimeSpan Speech, TimeSpan AnalysedFor);

/// <summary>
/// Options of an <see cref="AnsweringMachineDetector"/>. The defaults are those of the classic energy-based
/// detectors (Asterisk's <c>app_amd</c>): people say a word or two ("Hello?") and wait; machines talk for seconds.
/// </summary>
public sealed class AnsweringMachineDetectorOptions
{
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(AnsweringMachineDetector.BlockMilliseconds);

    /// <summary>Silence before the first word after which the answer is a machine (default 2.5 s).</summary>
    public TimeSpan InitialSilence { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>Speech in the greeting beyond which the answer is a machine (default 1.5 s).</summary>
    public TimeSpan Greeting { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Silence after the greeting that makes the answer a person (default 800 ms).</summary>
    public TimeSpan AfterGreetingSilence { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The longest analysis; then the verdict is <see cref="AnsweringMachineVerdict.NotSure"/> (default 5 s, at most 30 s).</summary>
    public TimeSpan TotalAnalysisTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Voice shorter than this is a click or a breath, not a word (default 100 ms).</summary>
    public TimeSpan MinimumWordLength { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Silence that separates two words (default 50 ms).</summary>
    public TimeSpan BetweenWordsSilence { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A greeting with more words than this is a machine (default 3).</summary>
    public int MaximumWords { get; set; } = 3;

    /// <summary>10 ms blocks with an RMS below this are silence (default 300 of 32767, about -41 dBFS).</summary>
    public double SilenceThreshold { get; set; } = 300;

    /// <summary>Checks every option; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        Positive(InitialSilence, nameof(InitialSilence));
        Positive(Greeting, nameof(Greeting));
        Positive(AfterGreetingSilence, nameof(AfterGreetingSilence));
        Positive(MinimumWordLength, nameof(MinimumWordLength));
        Positive(BetweenWordsSilence, nameof(BetweenWordsSilence));
        if (TotalAnalysisTime < Block || TotalAnalysisTime > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(TotalAnalysisTime), TotalAnalysisTime, "AnsweringMachineDetectorOptions.TotalAnalysisTime must be between 10 ms and 30 s.");
        }

        if (MaximumWords < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumWords), MaximumWords, "AnsweringMachineDetectorOptions.MaximumWords must be at least 1.");
        }

        if (!(SilenceThreshold > 0 && SilenceThreshold < short.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceThreshold), SilenceThreshold, "AnsweringMachineDetectorOptions.SilenceThreshold must be above 0 and below 32767.");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value < Block || value > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(name, value, $"AnsweringMachineDetectorOptions.{name} must be between 10 ms and 30 s (the detector works in 10 ms blocks).");
        }
    }
}

/// <summary>
/// Answering-machine detection over the audio received on an answered call: attach it as a sink of the call's RTP
/// session (<see cref="RtpSession.AddSink"/>). It works on 10 ms blocks of 8 kHz audio, each voiced or silent by its
/// energy, counts words (voice of at least <see cref="AnsweringMachineDetectorOptions.MinimumWordLength"/> between
/// silences) and decides, in the order the audio arrives: silence for
/// <see cref="AnsweringMachineDetectorOptions.InitialSilence"/> before any word is a machine; more speech than
/// <see cref="AnsweringMachineDetectorOptions.Greeting"/> or more than
/// <see cref="AnsweringMachineDetectorOptions.MaximumWords"/> words is a machine; a greeting followed by
/// <see cref="AnsweringMachineDetectorOptions.AfterGreetingSilence"/> is a person; nothing decisive within
/// <see cref="AnsweringMachineDetectorOptions.TotalAnalysisTime"/> is not sure. Time is the audio itself
/// (one block = 10 ms), so a verdict depends only on what was heard. Frames after the verdict are ignored.
/// </summary>
public sealed class AnsweringMachineDetector : IAudioSink
{
    internal const int BlockMilliseconds = 10;
    private const int BlockSamples = BlockMilliseconds * 8;

    private readonly object _gate = new();
    private readonly SampleBlocks _blocks = new(BlockSamples);
    private readonly TaskCompletionSource<AnsweringMachineResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _initialSilence;
    private readonly long _greeting;
    private readonly long _afterGreetingSilence;
    private readonly long _total;
    private readonly long _minimumWord;
    private readonly long _betweenWords;
    private readonly int _maximumWords;
    private readonly double _thresholdSquared;
    private long _elapsed;
    private long _silence;
    private long _voice;
    private long _speech;
    private int _words;
    private bool _inWord;
    private AnsweringMachineResult? _result;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">Thresholds and timings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public AnsweringMachineDetector(AnsweringMachineDetectorOptions? options = null)
    {
        options ??= new AnsweringMachineDetectorOptions();
        options.Validate();
        _initialSilence = Milliseconds(options.InitialSilence);
        _greeting = Milliseconds(options.Greeting);
        _afterGreetingSilence = Milliseconds(options.AfterGreetingSilence);
        _total = Milliseconds(options.TotalAnalysisTime);
        _minimumWord = Milliseconds(options.MinimumWordLength);
        _betweenWords = Milliseconds(options.BetweenWordsSilence);
        _maximumWords = options.MaximumWords;
        _thresholdSquared = options.SilenceThreshold * options.SilenceThreshold;
    }

    /// <summary>Completes with the verdict (continuations run asynchronously, never on the media clock).</summary>
    public Task<AnsweringMachineResult> Completion => _completion.Task;

    /// <summary>The verdict, once reached.</summary>
    public AnsweringMachineResult? Result
    {
        get
        {
            lock (_gate)
            {
                return _result;
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            while (!frame.IsEmpty && _result is null)
            {
                if (_blocks.TryFill(ref frame, out var block))
                {
                    OnBlock(IsVoiced(block, _thresholdSquared));
                }
            }
        }
    }

    /// <summary>Ends the analysis without a verdict (the call ended): <see cref="Completion"/> completes as not sure.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_result is null)
            {
                Decide(AnsweringMachineVerdict.NotSure, AnsweringMachineReason.Stopped);
            }
        }
    }

    /// <summary>Whether a block's mean power reaches the threshold (squared RMS).</summary>
    internal static bool IsVoiced(ReadOnlySpan<short> block, double thresholdSquared)
    {
        double sum = 0;
        foreach (var sample in block)
        {
            sum += sample * (double)sample;
        }

        return sum / block.Length >= thresholdSquared;
    }

    private void OnBlock(bool voiced)
    {
        _elapsed += BlockMilliseconds;
        if (voiced)
        {
            _voice += BlockMilliseconds;
            if (_inWord)
            {
                _speech += BlockMilliseconds;
            }
            else if (_voice >= _minimumWord)
            {
                // A word (not a click or a breath): its voice so far is speech.
                _inWord = true;
                _words++;
                _speech += _voice;
            }

            if (_inWord)
            {
                // Silence counts again from the end of the word.
                _silence = 0;
            }

            if (_words > _maximumWords)
            {
                Decide(AnsweringMachineVerdict.Machine, AnsweringMachineReason.TooManyWords);
                return;
            }

            if (_speech > _greeting)
            {
                Decide(AnsweringMachineVerdict.Machine, AnsweringMachineReason.LongGreeting);
                return;
            }
        }
        else
        {
            _silence += BlockMilliseconds;
            if (_silence >= _betweenWords)
            {
                _voice = 0;
                _inWord = false;
            }

            if (_words == 0 && _silence >= _initialSilence)
            {
                Decide(AnsweringMachineVerdict.Machine, AnsweringMachineReason.InitialSilence);
                return;
            }

            if (_words > 0 && _silence >= _afterGreetingSilence)
            {
                Decide(AnsweringMachineVerdict.Person, AnsweringMachineReason.SilenceAfterGreeting);
                return;
            }
        }

        if (_elapsed >= _total)
        {
            Decide(AnsweringMachineVerdict.NotSure, AnsweringMachineReason.AnalysisTimeLimit);
        }
    }

    private void Decide(AnsweringMachineVerdict verdict, AnsweringMachineReason reason)
    {
        var result = new AnsweringMachineResult(verdict, reason, _words, TimeSpan.FromMilliseconds(_speech), TimeSpan.FromMilliseconds(_elapsed));
        _result = result;
        _completion.TrySetResult(result);
    }

    private static long Milliseconds(TimeSpan value) => (long)value.TotalMilliseconds;
}
