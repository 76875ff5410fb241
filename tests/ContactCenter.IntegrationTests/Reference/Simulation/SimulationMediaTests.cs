using ContactCenter.Ivr;
using ContactCenter.Reference.Simulation;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// Spoken prompts are synthesized once with espeak-ng (the Debian packages espeak-ng and sox, which the CI installs);
/// when synthesis is not possible the tone sequence plays instead and one warning says why.
/// </summary>
public sealed class SimulationMediaTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "cc-sim-tts-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_greeting_is_spoken_with_espeak_ng_and_synthesized_once()
    {
        using var media = new SimulationMedia(new SimulationMediaOptions { RtpPortMin = 48000, RtpPortMax = 48099 }, speech: new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache }));
        var fallback = SimulatedPrompt.Tones([440], TimeSpan.FromMilliseconds(100), TimeSpan.Zero);

        var greeting = await media.SpeakAsync("Thank you for calling Contoso. How can I help you today?", fallback);
        var again = await media.SpeakAsync("Thank you for calling Contoso. How can I help you today?", fallback);

        Assert.NotSame(fallback, greeting);
        Assert.Same(greeting, again);
        Assert.InRange(greeting.Duration, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.Single(Directory.GetFiles(_cache, "*.wav"));
        var frame = new short[160];
        var player = greeting.Play();
        var audible = 0;
        for (var i = 0; i < 100; i++)
        {
            player.Read(frame);
            audible += frame.Any(s => Math.Abs((int)s) > 1000) ? 1 : 0;
        }

        Assert.True(audible > 20, $"only {audible} of the first 100 frames of the spoken greeting are audible");
    }

    [Fact]
    public async Task Without_espeak_ng_the_tone_sequence_plays_and_one_warning_names_the_cause()
    {
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var speech = new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = _cache, EspeakPath = "/nonexistent/espeak-ng" });
        using var media = new SimulationMedia(new SimulationMediaOptions { RtpPortMin = 48100, RtpPortMax = 48199 }, loggerFactory: loggerFactory, speech: speech);
        var fallback = SimulatedPrompt.Tones([523.25, 659.25], TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(50));

        Assert.Same(fallback, await media.SpeakAsync("Hello?", fallback));
        Assert.Same(fallback, await media.SpeakAsync("Goodbye.", fallback));

        // One warning for both prompts (the media clock may log its own warnings on a loaded machine).
        var warning = Assert.Single(logs.Messages, m => m.Text.StartsWith("Speech synthesis is not available", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("espeak-ng", warning.Text, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(600), fallback.Duration);
        Assert.Equal(4, fallback.Items.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly List<(LogLevel Level, string Text)> _messages = [];

        public IReadOnlyList<(LogLevel Level, string Text)> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._messages)
                {
                    owner._messages.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
