namespace ContactCenter.Ivr.Tests;

/// <summary>
/// Integration tests of the offline engine. They need the Debian packages espeak-ng and sox (the CI script installs
/// them); without them they fail with the engine's message naming the missing package.
/// </summary>
public sealed class EspeakNgTextToSpeechTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "cc-tts-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Synthesizes_8_kHz_16_bit_mono_wav()
    {
        var tts = new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache });
        var path = await tts.SynthesizeAsync("Welcome to Contoso. For sales, press 1.", "en-us", default);

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.Equal(1, BitConverter.ToInt16(bytes, 20));      // PCM
        Assert.Equal(1, BitConverter.ToInt16(bytes, 22));      // mono
        Assert.Equal(8000, BitConverter.ToInt32(bytes, 24));   // 8 kHz
        Assert.Equal(16, BitConverter.ToInt16(bytes, 34));     // 16-bit
        Assert.True(bytes.Length > 8000, "at least half a second of audio");
    }

    [Fact]
    public async Task Caches_by_text_and_voice()
    {
        var tts = new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache });
        var first = await tts.SynthesizeAsync("Goodbye", "en-us", default);
        var written = File.GetLastWriteTimeUtc(first);
        var again = await tts.SynthesizeAsync("Goodbye", "en-us", default);
        var otherVoice = await tts.SynthesizeAsync("Goodbye", "fr", default);

        Assert.Equal(first, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again));
        Assert.NotEqual(first, otherVoice);
        Assert.Equal(2, Directory.GetFiles(_cache, "*.wav").Length);
    }

    [Fact]
    public async Task A_missing_engine_names_the_package_to_install()
    {
        var tts = new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache, EspeakPath = "/nonexistent/espeak-ng" });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => tts.SynthesizeAsync("Hi", "en-us", default).AsTask());
        Assert.Contains("espeak-ng", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_names_cannot_smuggle_arguments()
    {
        var tts = new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache });
        await Assert.ThrowsAsync<ArgumentException>(() => tts.SynthesizeAsync("Hi", "en --stdout", default).AsTask());
    }

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }
}
