using System.Buffers.Binary;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

public sealed class AudioTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-media-" + Guid.NewGuid().ToString("N"));

    public AudioTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static byte[] Wav(ushort format, int channels, int rate, int bits, byte[] data, bool extensible = false, bool streamingSize = false)
    {
        using var ms = new MemoryStream();
        var fmtSize = extensible ? 40 : 16;
        var header = new byte[12 + 8 + fmtSize + 8];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(header.Length - 8 + data.Length));
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), extensible ? (ushort)0xFFFE : format);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)(rate * channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), (ushort)bits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(36), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(38), (ushort)bits);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(44), format); // sub-format GUID starts with the format code
        }

        "data"u8.CopyTo(header.AsSpan(20 + fmtSize));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24 + fmtSize), streamingSize ? 0xFFFFFFFF : (uint)data.Length);
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    private static double[] Sine(double frequency, int rate, double seconds, double amplitude) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => amplitude * Math.Sin(2 * Math.PI * frequency * i / rate)).ToArray();

    private static byte[] Pcm16(IEnumerable<double> samples, int channels = 1)
    {
        var list = new List<byte>();
        foreach (var s in samples)
        {
            for (var c = 0; c < channels; c++)
            {
                var v = (short)Math.Round(s);
                list.Add((byte)v);
                list.Add((byte)(v >> 8));
            }
        }

        return [.. list];
    }

    private static double Frequency(ReadOnlySpan<short> samples)
    {
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if ((samples[i - 1] < 0) != (samples[i] < 0))
            {
                crossings++;
            }
        }

        return crossings / 2.0 / (samples.Length / 8000.0);
    }

    private static double Peak(ReadOnlySpan<short> samples)
    {
        var peak = 0;
        foreach (var s in samples)
        {
            peak = Math.Max(peak, Math.Abs((int)s));
        }

        return peak;
    }

    [Fact]
    public void Mono_8khz_pcm_round_trips_exactly()
    {
        var original = new AudioClip(Enumerable.Range(0, 800).Select(i => (short)((i * 37) - 10000)).ToArray(), "x");
        using var ms = new MemoryStream();

        WavFile.Write(ms, original);
        ms.Position = 0;
        var back = WavFile.Read(ms);

        Assert.Equal(original.Samples.ToArray(), back.Samples.ToArray());
        Assert.Equal(44 + 1600, ms.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(100), back.Duration);
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(11025)]
    public void Other_sample_rates_are_resampled_keeping_pitch_and_level(int rate)
    {
        var wav = Wav(1, 1, rate, 16, Pcm16(Sine(1000, rate, 1, 10000)));

        var clip = WavFile.Read(new MemoryStream(wav));

        Assert.InRange(clip.Length, 7990, 8000);
        var middle = clip.Samples.Span[400..7600];
        Assert.InRange(Frequency(middle), 995, 1005);
        Assert.InRange(Peak(middle), 9500, 10500);
    }

    [Fact]
    public void Resampling_down_filters_out_frequencies_above_4khz()
    {
        var wav = Wav(1, 1, 16000, 16, Pcm16(Sine(6000, 16000, 1, 10000)));

        var clip = WavFile.Read(new MemoryStream(wav));

        // Without a low-pass filter 6 kHz would alias to 2 kHz at full level.
        Assert.True(Peak(clip.Samples.Span[400..7600]) < 300);
    }

    [Fact]
    public void Stereo_is_mixed_down_to_mono()
    {
        var data = new List<byte>();
        for (var i = 0; i < 800; i++)
        {
            data.AddRange(BitConverter.GetBytes((short)1000));
            data.AddRange(BitConverter.GetBytes((short)3000));
        }

        var clip = WavFile.Read(new MemoryStream(Wav(1, 2, 8000, 16, [.. data])));

        Assert.Equal(800, clip.Length);
        Assert.All(clip.Samples.ToArray(), s => Assert.Equal(2000, s));
    }

    [Fact]
    public void Eight_bit_unsigned_pcm_is_converted()
    {
        var clip = WavFile.Read(new MemoryStream(Wav(1, 1, 8000, 8, [128, 255, 0, 192])));

        Assert.Equal(new short[] { 0, 32512, -32768, 16384 }, clip.Samples.ToArray());
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(6, false)]
    [InlineData(7, true)]
    public void Mu_law_and_a_law_wavs_are_decoded(ushort format, bool extensible)
    {
        var samples = new short[] { 0, 1000, -1000, 20000 };
        var encoded = new byte[4];
        G711.Encode(format == 7 ? AudioEncoding.Pcmu : AudioEncoding.Pcma, samples, encoded);

        var clip = WavFile.Read(new MemoryStream(Wav(format, 1, 8000, 8, encoded, extensible)));

        var expected = encoded.Select(b => format == 7 ? G711.DecodeMuLaw(b) : G711.DecodeALaw(b)).ToArray();
        Assert.Equal(expected, clip.Samples.ToArray());
    }

    [Fact]
    public void Float_wavs_are_converted()
    {
        var data = new List<byte>();
        foreach (var f in new[] { 0f, 0.5f, -1f, 2f })
        {
            data.AddRange(BitConverter.GetBytes(f));
        }

        var clip = WavFile.Read(new MemoryStream(Wav(3, 1, 8000, 32, [.. data])));

        Assert.Equal(new short[] { 0, 16384, -32767, 32767 }, clip.Samples.ToArray());
    }

    [Fact]
    public void Data_size_left_open_by_a_streaming_writer_reads_to_the_end()
    {
        var clip = WavFile.Read(new MemoryStream(Wav(1, 1, 8000, 16, Pcm16([1, 2, 3]), streamingSize: true)));

        Assert.Equal(new short[] { 1, 2, 3 }, clip.Samples.ToArray());
    }

    [Theory]
    [InlineData(0x0011, 4, "0x0011 (IMA ADPCM)")]
    [InlineData(0x0031, 0, "0x0031 (GSM 6.10)")]
    [InlineData(0x0055, 0, "0x0055 (MPEG Layer 3)")]
    [InlineData(0x1234, 16, "0x1234 (unknown format)")]
    [InlineData(1, 12, "PCM with 12 bits per sample")]
    public void Unsupported_formats_are_refused_naming_the_format(ushort format, int bits, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(Wav(format, 1, 8000, bits, new byte[16])), "hold.wav"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"hold.wav\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("convert it to 8 kHz 16-bit mono PCM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_wav_and_truncated_files_are_refused_with_the_problem()
    {
        Assert.Contains("not a WAV file", Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream("hello world, not audio"u8.ToArray()))).Message, StringComparison.Ordinal);
        var noData = Wav(1, 1, 8000, 16, [])[..36];
        Assert.Contains("has no data chunk", Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(noData))).Message, StringComparison.Ordinal);
        var tooBig = Wav(1, 1, 8000, 16, new byte[2000]);
        Assert.Contains("more than the limit of 1000", Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(tooBig), "big", 1000)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_header_is_valid_after_each_update_while_writing()
    {
        var path = Path.Combine(_folder, "growing.wav");
        using var writer = new WavWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), channels: 2);
        writer.Write(new short[1600]);
        writer.UpdateHeader();

        using (var copy = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var bytes = new byte[copy.Length];
            copy.ReadExactly(bytes);
            Assert.Equal(3200u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
            Assert.Equal(3200u + 36, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
            Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), writer.Duration);
    }

    [Fact]
    public void Tones_follow_their_cadence()
    {
        var source = new ToneSource(ToneSpec.Busy);
        var buffer = new short[8000];

        source.Read(buffer);

        Assert.InRange(Peak(buffer.AsSpan(0, 4000)), 7000, 8000);
        Assert.Equal(0, Peak(buffer.AsSpan(4000, 4000)));
        var ringback = new ToneSource(ToneSpec.RingbackEurope);
        var second = new short[8000];
        ringback.Read(second);
        Assert.InRange(Frequency(second), 420, 430);
    }

    [Fact]
    public void Beep_plays_once_then_ends()
    {
        var beep = new ToneSource(ToneSpec.Beep);
        var buffer = new short[4000];

        Assert.Equal(2000, beep.Read(buffer));
        Assert.Equal(0, beep.Read(buffer));
    }

    [Fact]
    public void Invalid_tone_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ToneSource(new ToneSpec([5000], TimeSpan.FromSeconds(1), TimeSpan.Zero)));
        Assert.Throws<ArgumentException>(() => new ToneSource(new ToneSpec([400, 500, 600], TimeSpan.FromSeconds(1), TimeSpan.Zero)));
    }

    [Fact]
    public async Task Sequence_plays_items_in_order_and_completes()
    {
        var clip = new AudioClip(Enumerable.Repeat((short)100, 240).ToArray());
        var player = new PromptPlayer([PromptItem.Clip(clip), PromptItem.Silence(TimeSpan.FromMilliseconds(10)), PromptItem.Clip(clip)]);
        var frame = new short[160];
        var output = new List<short>();

        int n;
        while ((n = player.Read(frame)) > 0)
        {
            output.AddRange(frame[..n]);
        }

        Assert.Equal(560, output.Count);
        Assert.All(output.Take(240), s => Assert.Equal(100, s));
        Assert.All(output.Skip(240).Take(80), s => Assert.Equal(0, s));
        Assert.All(output.Skip(320), s => Assert.Equal(100, s));
        var result = await player.Completion;
        Assert.Equal(PromptEnd.Finished, result.End);
        Assert.Equal(TimeSpan.FromMilliseconds(70), result.Played);
    }

    [Fact]
    public async Task Loops_repeat_the_sequence()
    {
        var clip = new AudioClip(Enumerable.Range(0, 100).Select(i => (short)i).ToArray());
        var player = new PromptPlayer([PromptItem.Clip(clip)], loops: 3);
        var buffer = new short[1000];

        var n = player.Read(buffer);

        Assert.Equal(300, n);
        Assert.Equal(99, buffer[199]);
        Assert.Equal(0, buffer[200]);
        Assert.Equal(PromptEnd.Finished, (await player.Completion).End);
    }

    [Fact]
    public async Task Barge_in_stops_on_a_digit_but_only_when_allowed()
    {
        var clip = new AudioClip(new short[8000]);
        var plain = PromptPlayer.Play(clip);
        var interruptible = PromptPlayer.Play(clip, bargeIn: true);
        var frame = new short[160];
        interruptible.Read(frame);

        Assert.False(plain.OnDigit('1'));
        Assert.True(interruptible.OnDigit('5'));
        Assert.Equal(0, interruptible.Read(frame));
        var result = await interruptible.Completion;
        Assert.Equal(PromptEnd.BargedIn, result.End);
        Assert.Equal('5', result.Digit);
        Assert.Equal(TimeSpan.FromMilliseconds(20), result.Played);
        Assert.Equal(160, plain.Read(frame));
    }

    [Fact]
    public async Task Hold_music_loops_until_stopped()
    {
        var clip = new AudioClip(Enumerable.Repeat((short)7, 100).ToArray());
        var hold = PromptPlayer.HoldMusic(clip);
        var frame = new short[160];

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(160, hold.Read(frame));
        }

        hold.Stop();
        Assert.Equal(0, hold.Read(frame));
        Assert.Equal(PromptEnd.Stopped, (await hold.Completion).End);
    }

    [Fact]
    public void Ringback_in_a_prompt_plays_until_stopped()
    {
        var player = new PromptPlayer([PromptItem.Tone(ToneSpec.Ringback)]);
        var frame = new short[160];
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(160, player.Read(frame));
        }

        player.Stop();
        Assert.True(player.IsEnded);
    }

    [Fact]
    public void Cache_decodes_a_file_once_for_every_call()
    {
        var path = Path.Combine(_folder, "welcome.wav");
        File.WriteAllBytes(path, Wav(1, 1, 16000, 16, Pcm16(Sine(500, 16000, 0.5, 5000))));
        var cache = new PromptCache();

        var clips = Enumerable.Range(0, 20).AsParallel().Select(_ => cache.Get(path)).ToList();

        Assert.All(clips, c => Assert.Same(clips[0], c));
        Assert.Equal(1, cache.Loads);
        Assert.Equal(4000, cache.CachedSamples);
    }

    [Fact]
    public void Cache_reloads_a_changed_file_and_evicts_the_least_recently_used()
    {
        var a = Path.Combine(_folder, "a.wav");
        var b = Path.Combine(_folder, "b.wav");
        File.WriteAllBytes(a, Wav(1, 1, 8000, 16, new byte[2000]));
        File.WriteAllBytes(b, Wav(1, 1, 8000, 16, new byte[2000]));
        var cache = new PromptCache(maxSamples: 1500);

        var first = cache.Get(a);
        cache.Get(b);
        Assert.Equal(1, cache.Count);

        File.WriteAllBytes(b, Wav(1, 1, 8000, 16, new byte[1000]));
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(500, cache.Get(b).Length);
        Assert.Equal(1000, first.Length);
    }

    [Fact]
    public void Cache_reports_missing_and_bad_files_and_does_not_keep_failures()
    {
        var cache = new PromptCache();
        var bad = Path.Combine(_folder, "bad.wav");
        File.WriteAllText(bad, "nope");

        Assert.Throws<FileNotFoundException>(() => cache.Get(Path.Combine(_folder, "missing.wav")));
        Assert.Throws<InvalidDataException>(() => cache.Get(bad));
        Assert.Equal(0, cache.Count);

        File.WriteAllBytes(bad, Wav(1, 1, 8000, 16, new byte[20]));
        File.SetLastWriteTimeUtc(bad, DateTime.UtcNow.AddMinutes(2));
        Assert.Equal(10, cache.Get(bad).Length);
    }
}
