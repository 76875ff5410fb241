using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ContactCenter.Routing;
using ContactCenter.Routing.Engine;

namespace ContactCenter.Benchmarks.Routing;

/// <summary>
/// Routing decisions with 10,000 agents, 100 queues, 50 skills and 10,000 waiting items.
/// <c>SelectBestItem</c> is the pure decision (an agent frees up: scan its queues, pick by priority, aging and
/// wait); <c>SteadyStateCycle</c> is the full command path per agent (complete, offer, accept, new arrival = 2 decisions).
/// </summary>
[MemoryDiagnoser]
public class RoutingDecisionBenchmarks
{
    private const int Batch = 1_000;
    private RoutingFixture _fixture = null!;
    private AgentState[] _agents = null!;
    private int _cursor;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new RoutingFixture();
        _agents = _fixture.AgentStates;
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    [Benchmark(OperationsPerInvoke = Batch, Description = "Decision: best item for a freed agent (10k waiting)")]
    public int SelectBestItem()
    {
        var found = 0;
        var core = _fixture.Engine.Core;
        for (var i = 0; i < Batch; i++)
        {
            var agent = _agents[_cursor];
            _cursor = (_cursor + 1) % _agents.Length;
            if (RoutingFixture.FindBestAsIfFree(core, agent) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Cycle: complete + offer + accept + enqueue (2 decisions)")]
    public void SteadyStateCycle()
    {
        for (var i = 0; i < Batch; i++)
        {
            _fixture.Cycle(_cursor);
            _cursor = (_cursor + 1) % RoutingFixture.Agents;
        }
    }
}

/// <summary>
/// Enqueue-to-offer latency: with the full load in place, an item enters a queue whose agent is free and is
/// offered within the same command. Each operation is timed; percentiles are printed at cleanup.
/// </summary>
[MemoryDiagnoser]
public class RoutingLatencyBenchmarks
{
    private const int Batch = 1_000;
    private readonly List<long> _samples = new(4_000_000);
    private RoutingFixture _fixture = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new RoutingFixture();
        var engine = _fixture.Engine;
        RoutingFixture.Check(engine.Execute(new ConfigureQueue(new QueueDefinition
        {
            Name = "latency",
            SkillRequirements = [new SkillRequirement("latency", 1)],
        })));
        RoutingFixture.Check(engine.Execute(new ConfigureAgent(new AgentDefinition
        {
            Id = "latency-agent",
            Skills = new Dictionary<string, int> { ["latency"] = 5 },
        })));
        RoutingFixture.Check(engine.Execute(new LogIn("latency-agent")));
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Enqueue to offer (free agent, 10k waiting elsewhere)")]
    public void EnqueueToOffer()
    {
        var engine = _fixture.Engine;
        for (var i = 0; i < Batch; i++)
        {
            var id = "l" + (++_next).ToString(CultureInfo.InvariantCulture);
            var start = Stopwatch.GetTimestamp();
            engine.Execute(new Enqueue(new WorkItem { Id = id, Queue = "latency" }));
            var elapsed = Stopwatch.GetTimestamp() - start;
            if (_samples.Count < _samples.Capacity)
            {
                _samples.Add(elapsed);
            }

            engine.Execute(new Abandon(id));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixture.Dispose();
        if (_samples.Count == 0)
        {
            return;
        }

        _samples.Sort();
        double Micro(double q) => _samples[(int)Math.Min(_samples.Count - 1, q * _samples.Count)] * 1_000_000.0 / Stopwatch.Frequency;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"ROUTING-LATENCY enqueue-to-offer over {_samples.Count} samples: p50 {Micro(0.50):F2} us, p99 {Micro(0.99):F2} us, p99.9 {Micro(0.999):F2} us, max {Micro(1):F2} us");
        Console.WriteLine(line);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "routing-latency.txt"), line + Environment.NewLine);
    }
}

/// <summary>Memory per waiting item: 10,000 items enqueued into an engine with nobody logged in.</summary>
[MemoryDiagnoser]
public class RoutingMemoryBenchmarks
{
    private const int Items = 10_000;
    private RoutingEngine _engine = null!;
    private WorkItem[] _items = null!;

    [IterationSetup]
    public void Setup()
    {
        _engine = new RoutingEngine(new RoutingEngineOptions { Dispatch = RoutingDispatch.Inline });
        for (var q = 0; q < RoutingFixture.Queues; q++)
        {
            _engine.Execute(new ConfigureQueue(new QueueDefinition { Name = RoutingFixture.QueueName(q), MaxWait = TimeSpan.FromHours(1) }));
        }

        _items = new WorkItem[Items];
        for (var i = 0; i < Items; i++)
        {
            _items[i] = new WorkItem
            {
                Id = "w" + i.ToString(CultureInfo.InvariantCulture),
                Queue = RoutingFixture.QueueName(i % RoutingFixture.Queues),
                RequiredSkills = [new SkillRequirement(RoutingFixture.SkillName(i % RoutingFixture.Skills), 2)],
            };
        }
    }

    [IterationCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>Allocated bytes per operation = engine memory per waiting item (the caller's WorkItem excluded).</summary>
    [Benchmark(OperationsPerInvoke = Items, Description = "Enqueue one waiting item (allocated = bytes per item)")]
    public void EnqueueWaitingItems()
    {
        foreach (var item in _items)
        {
            _engine.Execute(new Enqueue(item));
        }
    }
}
