using System.Diagnostics;
using System.Globalization;

namespace ContactCenter.Routing.Simulation;

/// <summary>
/// Runs the real <see cref="RoutingEngine"/> in virtual time (discrete events: the clock jumps from one event to
/// the next, nothing sleeps): Poisson arrivals, exponential or lognormal handle times, optional exponential
/// patience. Virtual agents accept every offer at once and complete after their handle time.
/// </summary>
public static class RoutingSimulator
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Simulates one queue served by identical agents.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static SimulationResult Run(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        var scenario = new SimulationScenario
        {
            DurationHours = options.DurationHours,
            Seed = options.Seed,
            Queues =
            [
                new QueueScenario
                {
                    Name = "main",
                    Strategy = options.Strategy,
                    ArrivalRatePerHour = options.ArrivalRatePerHour,
                    AhtSeconds = options.AhtSeconds,
                    HandleTimeDistribution = options.HandleTimeDistribution,
                    HandleTimeStdDevSeconds = options.HandleTimeStdDevSeconds,
                    PatienceSeconds = options.PatienceSeconds,
                    ServiceLevelThresholdSeconds = options.ServiceLevelThresholdSeconds,
                    ShortAbandonSeconds = options.ShortAbandonSeconds,
                    WrapUpSeconds = options.WrapUpSeconds,
                },
            ],
            AgentGroups = [new ScenarioAgentGroup { Count = options.Agents, Queues = ["main"] }],
        };
        return Run(scenario);
    }

    /// <summary>Simulates a scenario with several queues and agent groups.</summary>
    /// <exception cref="ArgumentException">The scenario is invalid; the message lists every problem.</exception>
    public static SimulationResult Run(SimulationScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var errors = scenario.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(scenario));
        }

        using var run = new SimulationRun(scenario);
        return run.Execute();
    }

#pragma warning disable CA5394 // Simulation randomness models traffic; it is not a security decision.
    private sealed class SimulationRun : IDisposable
    {
        private readonly SimulationScenario _scenario;
        private readonly VirtualTimeProvider _clock = new(Start);
        private readonly Random _random;
        private readonly RoutingEngine _engine;
        private readonly Dictionary<string, QueueScenario> _queues = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _waited = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IDisposable> _patience = new(StringComparer.Ordinal);
        private readonly long _end;
        private string? _arriving;
        private bool _offeredAtOnce;
        private long _nextId;

        public SimulationRun(SimulationScenario scenario)
        {
            _scenario = scenario;
            _random = new Random(scenario.Seed);
            _end = Start.UtcTicks + (long)(scenario.DurationHours * TimeSpan.TicksPerHour);
            _engine = new RoutingEngine(
                new RoutingEngineOptions { Dispatch = RoutingDispatch.Inline, RandomSeed = scenario.Seed, NotReadyOnOfferTimeout = false },
                _clock);
        }

        public SimulationResult Execute()
        {
            var stopwatch = Stopwatch.StartNew();
            using var subscription = _engine.Subscribe(OnEvent);
            Configure();
            foreach (var queue in _scenario.Queues)
            {
                _waited[queue.Name] = 0;
                ScheduleArrival(queue);
            }

            while (_clock.RunNext(_end))
            {
            }

            _clock.MoveTo(_end);
            var snapshot = _engine.GetSnapshot();
            stopwatch.Stop();
            var decisions = snapshot.Decisions;
            return Summarize(snapshot, decisions, stopwatch.Elapsed.TotalSeconds);
        }

        private void Configure()
        {
            foreach (var q in _scenario.Queues)
            {
                _queues[q.Name] = q;
                Require(_engine.Execute(new ConfigureQueue(new QueueDefinition
                {
                    Name = q.Name,
                    Priority = q.Priority,
                    Strategy = q.Strategy,
                    SkillRequirements = q.SkillRequirements ?? [],
                    ServiceLevelThreshold = TimeSpan.FromSeconds(q.ServiceLevelThresholdSeconds),
                    ShortAbandonThreshold = TimeSpan.FromSeconds(q.ShortAbandonSeconds),
                    WrapUp = TimeSpan.FromSeconds(q.WrapUpSeconds),
                    AgingInterval = q.AgingIntervalSeconds is { } aging ? TimeSpan.FromSeconds(aging) : null,
                    OfferTimeout = TimeSpan.FromHours(1),
                    DefaultHandleTime = TimeSpan.FromSeconds(q.AhtSeconds),
                    Members = Members(q.Name),
                })));
            }

            foreach (var group in _scenario.AgentGroups)
            {
                for (var i = 1; i <= group.Count; i++)
                {
                    var id = AgentId(group, i);
                    Require(_engine.Execute(new ConfigureAgent(new AgentDefinition { Id = id, Skills = group.Skills ?? new Dictionary<string, int>() })));
                    Require(_engine.Execute(new LogIn(id)));
                }
            }
        }

        private QueueMember[] Members(string queue)
        {
            var members = new List<QueueMember>();
            foreach (var group in _scenario.AgentGroups)
            {
                if (group.Queues is null || !group.Queues.Contains(queue, StringComparer.Ordinal))
                {
                    continue;
                }

                for (var i = 1; i <= group.Count; i++)
                {
                    members.Add(new QueueMember(AgentId(group, i), group.MemberPriority));
                }
            }

            return [.. members];
        }

        private string AgentId(ScenarioAgentGroup group, int i)
        {
            var index = 0;
            foreach (var g in _scenario.AgentGroups)
            {
                if (ReferenceEquals(g, group))
                {
                    break;
                }

                index++;
            }

            return string.Create(CultureInfo.InvariantCulture, $"{group.IdPrefix}{index}-{i}");
        }

        private static void Require(RoutingResult result)
        {
            if (!result.Succeeded)
            {
                throw new ArgumentException($"the scenario cannot be set up: {result.Message}");
            }
        }

        private void ScheduleArrival(QueueScenario queue)
        {
            var gap = Exponential(3600.0 / queue.ArrivalRatePerHour);
            _clock.Schedule(TimeSpan.FromSeconds(gap), _ => Arrive(queue), null);
        }

        private void Arrive(QueueScenario queue)
        {
            ScheduleArrival(queue);
            var id = string.Create(CultureInfo.InvariantCulture, $"item-{++_nextId}");
            _arriving = id;
            _offeredAtOnce = false;
            var result = _engine.Execute(new Enqueue(new WorkItem { Id = id, Queue = queue.Name }));
            _arriving = null;
            if (!result.Succeeded)
            {
                return;
            }

            if (!_offeredAtOnce)
            {
                _waited[queue.Name]++;
                if (queue.PatienceSeconds is { } patience)
                {
                    _patience[id] = _clock.Schedule(TimeSpan.FromSeconds(Exponential(patience)), _ => _engine.Execute(new Abandon(id)), null);
                }
            }
        }

        private void OnEvent(RoutingEvent e)
        {
            switch (e)
            {
                case ItemOffered offered:
                    if (string.Equals(offered.ItemId, _arriving, StringComparison.Ordinal))
                    {
                        _offeredAtOnce = true;
                    }

                    _engine.Execute(new Accept(offered.OfferId, offered.AgentIds[0]));
                    break;
                case ItemAssigned assigned:
                    if (_patience.Remove(assigned.ItemId, out var timer))
                    {
                        timer.Dispose();
                    }

                    var handle = HandleTime(_queues[assigned.Queue]);
                    var itemId = assigned.ItemId;
                    _clock.Schedule(TimeSpan.FromSeconds(handle), _ => _engine.Execute(new Complete(itemId)), null);
                    break;
                case ItemAbandoned abandoned:
                    _patience.Remove(abandoned.ItemId);
                    break;
            }
        }

        private double HandleTime(QueueScenario queue)
        {
            if (queue.HandleTimeDistribution == HandleTimeDistribution.Lognormal)
            {
                var mean = queue.AhtSeconds;
                var sd = queue.HandleTimeStdDevSeconds ?? mean;
                var sigma2 = Math.Log(1 + (sd * sd / (mean * mean)));
                var mu = Math.Log(mean) - (sigma2 / 2);
                return Math.Exp(mu + (Math.Sqrt(sigma2) * StandardNormal()));
            }

            return Exponential(queue.AhtSeconds);
        }

        private double Exponential(double mean) => -Math.Log(1 - _random.NextDouble()) * mean;

        private double StandardNormal()
        {
            var u1 = 1 - _random.NextDouble();
            var u2 = _random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        private SimulationResult Summarize(RoutingSnapshot snapshot, long decisions, double seconds)
        {
            long offered = 0, answered = 0, abandoned = 0, within = 0, shortAbandoned = 0, waited = 0;
            double waitSeconds = 0;
            var perQueue = new List<SimulationQueueResult>();
            foreach (var q in snapshot.Queues)
            {
                offered += q.Offered;
                answered += q.Answered;
                abandoned += q.Abandoned;
                within += q.AnsweredWithinThreshold;
                shortAbandoned += q.ShortAbandoned;
                waitSeconds += q.AverageSpeedOfAnswer.TotalSeconds * q.Answered;
                waited += _waited[q.Queue];
                perQueue.Add(new SimulationQueueResult(q.Queue, q.Offered, q.Answered, q.Abandoned, q.ServiceLevel,
                    q.AverageSpeedOfAnswer.TotalSeconds, Ratio(q.Abandoned, q.Offered), Ratio(_waited[q.Queue], q.Offered)));
            }

            double occupancy = 0;
            foreach (var agent in snapshot.Agents)
            {
                occupancy += agent.Occupancy;
            }

            var slDenominator = answered + abandoned - shortAbandoned;
            return new SimulationResult
            {
                Offered = offered,
                Answered = answered,
                Abandoned = abandoned,
                ServiceLevel = slDenominator == 0 ? 1 : (double)within / slDenominator,
                Asa = answered == 0 ? 0 : waitSeconds / answered,
                AbandonRate = Ratio(abandoned, offered),
                Occupancy = snapshot.Agents.Count == 0 ? 0 : occupancy / snapshot.Agents.Count,
                ProbabilityOfWait = Ratio(waited, offered),
                DecisionsPerSecond = seconds <= 0 ? 0 : decisions / seconds,
                Decisions = decisions,
                SimulatedHours = _scenario.DurationHours,
                WallClockSeconds = seconds,
                Queues = perQueue,
            };
        }

        public void Dispose() => _engine.Dispose();

        private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
    }
#pragma warning restore CA5394
}
