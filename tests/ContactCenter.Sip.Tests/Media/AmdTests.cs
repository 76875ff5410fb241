using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

/// <summary>Answering-machine detection over synthesized audio: speech-like bursts and quiet line noise.</summary>
public sealed class AmdTests
{
    /// <summary>Builds audio as 8 kHz samples: speech-like bursts (two formant-ish tones, syllable envelope) and line noise.</summary>
    private sealed class Audio
    {
        private readonly List<short> _samples = [];
        private readonly Random _random = new(7);

        public Audio Silence(int ms)
        {
            for (var i = 0; i < ms * 8; i++)
            {
                _samples.Add((short)Math.Round(40 * Gaussian()));
            }

            return this;
        }

        public Audio Speech(int ms)
        {
            var n = ms * 8;
            for (var i = 0; i < n; i++)
            {
                var t = i / 8000.0;
                var syllable = 0.6 + (0.4 * Math.Abs(Math.Sin(Math.PI * t * 5))); // ~5 syllables per second
                var v = syllable * ((5000 * Math.Sin(2 * Math.PI * 220 * t)) + (2500 * Math.Sin(2 * Math.PI * 1100 * t))) + (40 * Gaussian());
                _samples.Add((short)Math.Clamp(Math.Round(v), short.MinValue, short.MaxValue));
            }

            return this;
        }

        /// <summary>Voice bursts of <paramref name="wordMs"/> separated by <paramref name="gapMs"/> of silence.</summary>
        public Audio Words(int count, int wordMs, int gapMs)
        {
            for (var i = 0; i < count; i++)
            {
                Speech(wordMs);
                Silence(gapMs);
            }

            return this;
        }

        public short[] ToArray() => [.. _samples];

        private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
    }

    private static AnsweringMachineResult? Run(Audio audio, int frameSamples = 160, AnsweringMachineDetectorOptions? options = null)
    {
        var detector = new AnsweringMachineDetector(options);
        var samples = audio.ToArray();
        for (var offset = 0; offset < samples.Length; offset += frameSamples)
        {
            detector.Write(samples.AsSpan(offset, Math.Min(frameSamples, samples.Length - offset)));
        }

        return detector.Result;
    }

    [Fact]
    public void A_short_hello_then_silence_is_a_person_once_the_silence_after_the_greeting_has_lasted()
    {
        var result = Run(new Audio().Silence(400).Speech(500).Silence(2000));

        Assert.NotNull(result);
        Assert.Equal(AnsweringMachineVerdict.Person, result.Value.Verdict);
        Assert.Equal(AnsweringMachineReason.SilenceAfterGreeting, result.Value.Reason);
        Assert.Equal(1, result.Value.Words);
        Assert.InRange(result.Value.Speech.TotalMilliseconds, 450, 520);
        // 400 ms before, 500 ms of hello, 800 ms of silence after it.
        Assert.InRange(result.Value.AnalysedFor.TotalMilliseconds, 1680, 1730);
    }

    [Fact]
    public void Two_short_words_then_silence_are_a_person()
    {
        var result = Run(new Audio().Silence(300).Words(2, 300, 200).Silence(1500));

        Assert.Equal(AnsweringMachineVerdict.Person, result?.Verdict);
        Assert.Equal(2, result?.Words);
    }

    [Fact]
    public void A_long_continuous_greeting_is_a_machine_as_soon_as_its_speech_exceeds_the_greeting_length()
    {
        var result = Run(new Audio().Silence(200).Speech(4000).Silence(1000));

        Assert.Equal(AnsweringMachineVerdict.Machine, result?.Verdict);
        Assert.Equal(AnsweringMachineReason.LongGreeting, result?.Reason);
        Assert.InRange(result!.Value.AnalysedFor.TotalMilliseconds, 1700, 1760); // 200 ms + just over 1.5 s of speech
    }

    [Fact]
    public void Many_short_words_are_a_machine_at_the_word_past_the_maximum()
    {
        // "Hi, you've reached Ann and Bob, leave a message": short bursts, too many of them for a person's hello.
        var result = Run(new Audio().Silence(200).Words(8, 250, 120));

        Assert.Equal(AnsweringMachineVerdict.Machine, result?.Verdict);
        Assert.Equal(AnsweringMachineReason.TooManyWords, result?.Reason);
        Assert.Equal(4, result?.Words);
    }

    [Fact]
    public void Nothing_said_for_the_initial_silence_is_a_machine()
    {
        var result = Run(new Audio().Silence(6000));

        Assert.Equal(AnsweringMachineVerdict.Machine, result?.Verdict);
        Assert.Equal(AnsweringMachineReason.InitialSilence, result?.Reason);
        Assert.Equal(0, result?.Words);
        Assert.Equal(2500, result?.AnalysedFor.TotalMilliseconds);
    }

    [Fact]
    public void Clicks_shorter_than_a_word_do_not_end_the_initial_silence()
    {
        var audio = new Audio();
        for (var i = 0; i < 10; i++)
        {
            audio.Silence(400).Speech(40);
        }

        var result = Run(audio);

        Assert.Equal(AnsweringMachineVerdict.Machine, result?.Verdict);
        Assert.Equal(AnsweringMachineReason.InitialSilence, result?.Reason);
        Assert.Equal(0, result?.Words);
    }

    [Fact]
    public void A_pattern_that_fits_no_rule_is_not_sure_at_the_analysis_time_limit()
    {
        // Starts late (under the initial silence), then three short words with pauses too short to end the greeting.
        var result = Run(new Audio().Silence(2000).Words(3, 300, 700).Speech(300).Silence(2000));

        Assert.Equal(AnsweringMachineVerdict.NotSure, result?.Verdict);
        Assert.Equal(AnsweringMachineReason.AnalysisTimeLimit, result?.Reason);
        Assert.Equal(5000, result?.AnalysedFor.TotalMilliseconds);
    }

    [Fact]
    public async Task No_verdict_before_the_audio_decides_and_none_changes_after_it()
    {
        var detector = new AnsweringMachineDetector();
        var hello = new Audio().Silence(200).Speech(400).Silence(500).ToArray();
        detector.Write(hello);
        Assert.Null(detector.Result);
        Assert.False(detector.Completion.IsCompleted);

        detector.Write(new Audio().Silence(400).ToArray());
        var verdict = detector.Result;
        Assert.Equal(AnsweringMachineVerdict.Person, verdict?.Verdict);
        Assert.True(detector.Completion.IsCompletedSuccessfully);

        detector.Write(new Audio().Speech(3000).ToArray());
        detector.Stop();
        Assert.Equal(verdict, detector.Result);
        Assert.Equal(verdict, await detector.Completion);
    }

    [Fact]
    public async Task Stopping_before_a_verdict_completes_as_not_sure()
    {
        var detector = new AnsweringMachineDetector();
        detector.Write(new Audio().Speech(300).ToArray());

        detector.Stop();

        var result = await detector.Completion;
        Assert.Equal(AnsweringMachineVerdict.NotSure, result.Verdict);
        Assert.Equal(AnsweringMachineReason.Stopped, result.Reason);
        Assert.Equal(1, result.Words);
    }

    [Fact]
    public void The_verdict_does_not_depend_on_how_the_audio_is_cut_into_frames()
    {
        var audio = new Audio().Silence(700).Words(2, 350, 90).Silence(1200);
        var expected = Run(audio, 160);

        foreach (var frame in new[] { 1, 7, 80, 240, 333 })
        {
            Assert.Equal(expected, Run(audio, frame));
        }
    }

    [Fact]
    public void Options_steer_the_rules()
    {
        var patient = new AnsweringMachineDetectorOptions { InitialSilence = TimeSpan.FromSeconds(4), TotalAnalysisTime = TimeSpan.FromSeconds(8) };
        var lateHello = new Audio().Silence(3000).Speech(400).Silence(1000);

        Assert.Equal(AnsweringMachineVerdict.Machine, Run(lateHello)?.Verdict);
        Assert.Equal(AnsweringMachineVerdict.Person, Run(lateHello, options: patient)?.Verdict);

        var quiet = new Audio().Silence(100).Speech(600).Silence(1000);
        Assert.Equal(AnsweringMachineVerdict.Person, Run(quiet)?.Verdict);
        Assert.Equal(AnsweringMachineVerdict.Machine, Run(quiet, options: new AnsweringMachineDetectorOptions { SilenceThreshold = 20 })?.Verdict);
    }

    [Theory]
    [InlineData(nameof(AnsweringMachineDetectorOptions.MaximumWords))]
    [InlineData(nameof(AnsweringMachineDetectorOptions.TotalAnalysisTime))]
    [InlineData(nameof(AnsweringMachineDetectorOptions.Greeting))]
    [InlineData(nameof(AnsweringMachineDetectorOptions.SilenceThreshold))]
    [InlineData(nameof(AnsweringMachineDetectorOptions.MinimumWordLength))]
    public void An_option_out_of_range_is_refused_naming_it(string name)
    {
        var options = new AnsweringMachineDetectorOptions();
        switch (name)
        {
            case nameof(AnsweringMachineDetectorOptions.MaximumWords): options.MaximumWords = 0; break;
            case nameof(AnsweringMachineDetectorOptions.TotalAnalysisTime): options.TotalAnalysisTime = TimeSpan.FromMinutes(2); break;
            case nameof(AnsweringMachineDetectorOptions.Greeting): options.Greeting = TimeSpan.Zero; break;
            case nameof(AnsweringMachineDetectorOptions.SilenceThreshold): options.SilenceThreshold = -1; break;
            default: options.MinimumWordLength = TimeSpan.FromMilliseconds(5); break;
        }

        var error = Assert.ThrowsAny<ArgumentException>(() => new AnsweringMachineDetector(options));
        Assert.Equal(name, error.ParamName);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_silence_detector_waits_through_a_greeting_with_pauses_until_the_silence_after_the_beep()
    {
        // A machine's greeting with short pauses, a beep, then the quiet of a machine recording.
        var audio = new Audio().Speech(800).Silence(400).Speech(900).Silence(300).Speech(200).Silence(3000).ToArray();
        var detector = new SilenceDetector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        detector.Write(audio.AsSpan(0, 8 * 2600)); // up to the end of the beep
        Assert.False(detector.Completion.IsCompleted);
        detector.Write(audio.AsSpan(8 * 2600));

        Assert.True(await detector.Completion);
        Assert.Equal(3600, detector.Elapsed.TotalMilliseconds); // 2.6 s of greeting and beep, then 1 s of silence
    }

    [Fact]
    public async Task The_silence_detector_gives_up_at_its_longest_wait()
    {
        var detector = new SilenceDetector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        detector.Write(new Audio().Words(10, 500, 300).ToArray());

        Assert.False(await detector.Completion);
        Assert.Equal(2000, detector.Elapsed.TotalMilliseconds);
    }

    [Fact]
    public void The_silence_detector_refuses_a_longest_wait_shorter_than_the_silence()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SilenceDetector(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Equal("maximum", error.ParamName);
    }
}
