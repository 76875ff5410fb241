using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

public sealed class InBandDtmfTests
{
    private static readonly Dictionary<char, (double Row, double Column)> Pairs = new()
    {
        ['1'] = (697, 1209), ['2'] = (697, 1336), ['3'] = (697, 1477), ['A'] = (697, 1633),
        ['4'] = (770, 1209), ['5'] = (770, 1336), ['6'] = (770, 1477), ['B'] = (770, 1633),
        ['7'] = (852, 1209), ['8'] = (852, 1336), ['9'] = (852, 1477), ['C'] = (852, 1633),
        ['*'] = (941, 1209), ['0'] = (941, 1336), ['#'] = (941, 1477), ['D'] = (941, 1633),
    };

    private static void AddTone(List<short> audio, char digit, int ms, double rowAmplitude, double columnAmplitude, double noise, Random random)
    {
        var (row, column) = Pairs[digit];
        var n = ms * 8;
        for (var i = 0; i < n; i++)
        {
            var t = i / 8000.0;
            var v = (rowAmplitude * Math.Sin(2 * Math.PI * row * t)) + (columnAmplitude * Math.Sin(2 * Math.PI * column * t)) + (noise * Gaussian(random));
            audio.Add((short)Math.Clamp(v, short.MinValue, short.MaxValue));
        }
    }

    private static void AddSilence(List<short> audio, int ms, double noise, Random random)
    {
        for (var i = 0; i < ms * 8; i++)
        {
            audio.Add((short)Math.Clamp(noise * Gaussian(random), short.MinValue, short.MaxValue));
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string Detect(List<short> audio)
    {
        var digits = new List<char>();
        var detector = new InBandDtmfDetector(d => digits.Add(d.Digit));
        var samples = audio.ToArray();
        // Feed in 20 ms frames, as the RTP path does.
        for (var i = 0; i < samples.Length; i += 160)
        {
            detector.Process(samples.AsSpan(i, Math.Min(160, samples.Length - i)));
        }

        return new string([.. digits]);
    }

    [Fact]
    public void Every_digit_is_detected_in_clean_audio()
    {
        var random = new Random(1);
        var audio = new List<short>();
        foreach (var digit in DtmfDigits.All)
        {
            AddTone(audio, digit, 80, 6000, 6000, 0, random);
            AddSilence(audio, 60, 0, random);
        }

        Assert.Equal(DtmfDigits.All, Detect(audio));
    }

    [Fact]
    public void Digits_are_detected_with_noise_at_15_db_snr()
    {
        var random = new Random(2);
        var audio = new List<short>();
        // Each tone 4000 peak: signal power 2 * 4000^2 / 2 = 16e6; noise sigma 715 -> 0.51e6 (15 dB below).
        foreach (var digit in "159#")
        {
            AddTone(audio, digit, 100, 4000, 4000, 715, random);
            AddSilence(audio, 60, 715, random);
        }

        Assert.Equal("159#", Detect(audio));
    }

    [Theory]
    [InlineData(1.0, 0.45, true)] // column 7 dB weaker (normal twist within 8 dB)
    [InlineData(0.7, 1.0, true)] // column 3 dB stronger (reverse twist within 4 dB)
    [InlineData(1.0, 0.3, false)] // column 10.5 dB weaker
    [InlineData(0.5, 1.0, false)] // column 6 dB stronger
    public void Twist_limits_are_applied(double rowScale, double columnScale, bool detected)
    {
        var random = new Random(3);
        var audio = new List<short>();
        AddTone(audio, '8', 120, 8000 * rowScale, 8000 * columnScale, 0, random);

        Assert.Equal(detected ? "8" : string.Empty, Detect(audio));
    }

    [Fact]
    public void A_held_digit_is_reported_once_and_a_repeat_after_a_gap_twice()
    {
        var random = new Random(4);
        var audio = new List<short>();
        AddTone(audio, '3', 600, 6000, 6000, 0, random);
        AddSilence(audio, 60, 0, random);
        AddTone(audio, '3', 80, 6000, 6000, 0, random);

        Assert.Equal("33", Detect(audio));
    }

    [Fact]
    public void Speech_like_harmonic_signal_is_not_a_digit()
    {
        var audio = new List<short>();
        // Voiced speech: a gliding fundamental with many harmonics under a formant envelope.
        for (var i = 0; i < 8000 * 3; i++)
        {
            var t = i / 8000.0;
            var f0 = 110 + (40 * Math.Sin(2 * Math.PI * 0.7 * t));
            double v = 0;
            for (var h = 1; h * f0 < 3400; h++)
            {
                var f = h * f0;
                var envelope = Math.Exp(-Math.Pow((f - 700) / 300, 2)) + (0.6 * Math.Exp(-Math.Pow((f - 1200) / 250, 2))) + 0.1;
                v += envelope * Math.Sin(2 * Math.PI * f0 * h * t);
            }

            audio.Add((short)(v * 3000));
        }

        Assert.Equal(string.Empty, Detect(audio));
    }

    [Fact]
    public void Single_tones_music_chords_and_noise_are_not_digits()
    {
        var random = new Random(5);
        var audio = new List<short>();
        for (var i = 0; i < 8000; i++)
        {
            audio.Add((short)(8000 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0)));
        }

        for (var i = 0; i < 8000; i++)
        {
            // A row tone alone, then with a third non-DTMF tone.
            var t = i / 8000.0;
            audio.Add((short)((6000 * Math.Sin(2 * Math.PI * 770 * t)) + (i > 4000 ? 6000 * Math.Sin(2 * Math.PI * 440 * t) : 0)));
        }

        AddSilence(audio, 1000, 5000, random);

        Assert.Equal(string.Empty, Detect(audio));
    }

    [Fact]
    public void Quiet_tones_below_the_threshold_are_ignored()
    {
        var audio = new List<short>();
        AddTone(audio, '1', 200, 100, 100, 0, new Random(6));

        Assert.Equal(string.Empty, Detect(audio));
    }

    [Fact]
    public void Generated_in_band_digits_are_detected_after_g711_round_trip()
    {
        var items = "0123456789*#ABCD".Select(d => PromptItem.Tone(ToneSpec.ForDigit(d))).ToList();
        var player = new PromptPlayer(items);
        var audio = new List<short>();
        var frame = new short[160];
        var encoded = new byte[160];
        int n;
        while ((n = player.Read(frame)) > 0)
        {
            // Through µ-law as it would be on the wire.
            G711.Encode(AudioEncoding.Pcmu, frame.AsSpan(0, n), encoded);
            G711.Decode(AudioEncoding.Pcmu, encoded.AsSpan(0, n), frame);
            audio.AddRange(frame[..n]);
        }

        Assert.Equal("0123456789*#ABCD", Detect(audio));
        Assert.Throws<ArgumentException>(() => ToneSpec.ForDigit('x'));
    }
}
