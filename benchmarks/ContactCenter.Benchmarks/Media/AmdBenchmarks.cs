using BenchmarkDotNet.Attributes;
using ContactCenter.Sip.Media;

namespace ContactCenter.Benchmarks.Media;

/// <summary>
/// Answering-machine detection over 5 s of audio (250 frames of 20 ms: speech and silence alternating every 200 ms),
/// with limits set so the verdict never comes and every frame is analysed. Divide by 250 for the cost per frame.
/// </summary>
[MemoryDiagnoser]
public class AmdBenchmarks
{
    private readonly short[] _speech = new short[160];
    private readonly short[] _silence = new short[160];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _speech.Length; i++)
        {
            _speech[i] = (short)(4000 * Math.Sin(2 * Math.PI * 220 * i / 8000.0));
        }
    }

    /// <summary>A new detector per call, fed 5 s of audio.</summary>
    [Benchmark]
    public void Five_seconds_of_audio()
    {
        var detector = new AnsweringMachineDetector(new AnsweringMachineDetectorOptions
        {
            TotalAnalysisTime = TimeSpan.FromSeconds(30),
            InitialSilence = TimeSpan.FromSeconds(30),
            Greeting = TimeSpan.FromSeconds(30),
            MaximumWords = 1000,
        });
        for (var i = 0; i < 250; i++)
        {
            detector.Write((i / 10) % 2 == 0 ? _speech : _silence);
        }
    }
}
