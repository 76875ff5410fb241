using BenchmarkDotNet.Attributes;
using ContactCenter.Dialer;
using ContactCenter.Dialer.Pacing;
using ContactCenter.Dialer.Simulation;

namespace ContactCenter.Benchmarks.Dialer;

/// <summary>One predictive pacing decision for a 100-agent campaign (goal: at most 10 us).</summary>
[MemoryDiagnoser]
public class DialerPacingBenchmarks
{
    private DurationDistribution _handle = null!;
    private DurationDistribution _ring = null!;
    private DurationDistribution _exit = null!;
    private double[] _busy = null!;
    private double[] _ringing = null!;
    private PacingInput _input;

    [Params(10, 100)]
    public int Agents { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _handle = new DurationDistribution(500, 2, 1800);
        _ring = new DurationDistribution(500, 0.5, 240);
        _exit = new DurationDistribution(500, 0.5, 240);
        for (var i = 0; i < 500; i++)
        {
            _handle.Add(-135 * Math.Log(1 - random.NextDouble()));
            _ring.Add(5 - (5 * Math.Log(1 - random.NextDouble())));
            _exit.Add(random.NextDouble() < 0.5 ? 5 - (5 * Math.Log(1 - random.NextDouble())) : 25);
        }

        _handle.Refresh(Enumerable.Range(0, Agents).Select(i => (double)(i * 3 % 300)).ToArray());
        _ring.Refresh();
        _exit.Refresh();
        _busy = Enumerable.Range(0, Agents).Select(i => (double)(i * 3 % 300)).ToArray();
        _ringing = Enumerable.Range(0, Agents / 2).Select(i => (double)(i % 25)).ToArray();
        _input = new PacingInput
        {
            FreeAgents = 1,
            LiveAnswerProbability = 0.3,
            HorizonSeconds = 12,
            AllowedAbandonRatio = 0.024,
            MaxNewCalls = Agents,
            MaxExpectedAbandons = 5,
        };
    }

    [Benchmark]
    public int Decide() => PredictivePacer.Decide(_input, _busy, _ringing, _handle, _ring, _exit);
}

/// <summary>An eight-hour predictive campaign in virtual time (goal: at most 5 s for 100 agents).</summary>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1)]
public class DialerSimulationBenchmarks
{
    [Params(DialingMode.Predictive, DialingMode.Progressive)]
    public DialingMode Mode { get; set; }

    [Benchmark]
    public SimulationResult EightHours100Agents() => DialerSimulation.Run(new SimulationOptions { Agents = 100, DurationHours = 8, Mode = Mode, Seed = 1 });
}
