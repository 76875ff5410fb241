using System.Globalization;
using ContactCenter.Dialer.Pacing;

namespace ContactCenter.Dialer.Simulation;

/// <summary>The workload of a simulated campaign. Durations in seconds unless named otherwise.</summary>
public sealed record SimulationOptions
{
    /// <summary>Agents logged in for the whole run.</summary>
    public int Agents { get; init; } = 10;

    /// <summary>Contacts in the list (0: enough that the campaign does not run dry).</summary>
    public int Contacts { get; init; }

    /// <summary>Probability a dial is answered by a person.</summary>
    public double AnswerRate { get; init; } = 0.3;

    /// <summary>Probability a dial is answered by a machine.</summary>
    public double MachineRate { get; init; } = 0.15;

    /// <summary>Probability a dial is busy. The rest ring until the ring timeout.</summary>
    public double BusyRate { get; init; } = 0.1;

    /// <summary>Mean time from dial to answer (half fixed, half exponential).</summary>
    public double RingTime { get; init; } = 10;

    /// <summary>The dialer's ring timeout.</summary>
    public double RingTimeout { get; init; } = 25;

    /// <summary>Mean talk time (exponential).</summary>
    public double Talk { get; init; } = 120;

    /// <summary>Mean wrap-up time (exponential).</summary>
    public double Wrap { get; init; } = 15;

    /// <summary>The dialing mode.</summary>
    public DialingMode Mode { get; init; } = DialingMode.Predictive;

    /// <summary>The abandonment cap.</summary>
    public double TargetAbandon { get; init; } = 0.03;

    /// <summary>Simulated hours.</summary>
    public double DurationHours { get; init; } = 8;

    /// <summary>The random seed; the same seed gives the same result.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Probability answering-machine detection classifies a person as a machine (counted as abandoned).</summary>
    public double AmdFalsePositiveRate { get; init; }

    /// <summary>Seconds from a person's answer to the end of their greeting (the person verdict).</summary>
    public double GreetingTime { get; init; } = 1;

    /// <summary>Seconds answering-machine detection needs to classify a machine.</summary>
    public double MachineDetectionTime { get; init; } = 3;

    /// <summary>Seconds an agent looks at a preview before accepting it.</summary>
    public double PreviewReviewTime { get; init; } = 5;

    /// <summary>The compliance window the cap is measured over.</summary>
    public ComplianceWindowKind ComplianceWindow { get; init; } = ComplianceWindowKind.CampaignLife;

    /// <summary>Refuse a ring timeout under 15 s (default on).</summary>
    public bool EnforceMinimumRing { get; init; } = true;

    /// <summary>Checks the workload; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        static void Fail(string name, string message) => throw new ArgumentException($"{name}: {message}", name);
        if (Agents is < 1 or > 10_000)
        {
            Fail(nameof(Agents), "must be 1 to 10000.");
        }

        if (Contacts is < 0 or > 10_000_000)
        {
            Fail(nameof(Contacts), "must be 0 (automatic) to 10000000.");
        }

        foreach (var (name, value) in new[] { (nameof(AnswerRate), AnswerRate), (nameof(MachineRate), MachineRate), (nameof(BusyRate), BusyRate), (nameof(AmdFalsePositiveRate), AmdFalsePositiveRate) })
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                Fail(name, $"must be between 0 and 1, not {value.ToString(CultureInfo.InvariantCulture)}.");
            }
        }

        if (AnswerRate + MachineRate + BusyRate > 1)
        {
            Fail(nameof(AnswerRate), "answer, machine and busy rates add up to more than 1.");
        }

        foreach (var (name, value) in new[] { (nameof(RingTime), RingTime), (nameof(Talk), Talk), (nameof(Wrap), Wrap), (nameof(GreetingTime), GreetingTime), (nameof(MachineDetectionTime), MachineDetectionTime), (nameof(PreviewReviewTime), PreviewReviewTime) })
        {
            if (value is < 0 or > 86_400 || double.IsNaN(value))
            {
                Fail(name, "must be 0 to 86400 seconds.");
            }
        }

        if (RingTimeout is <= 0 or > 600 || double.IsNaN(RingTimeout))
        {
            Fail(nameof(RingTimeout), "must be more than 0 and at most 600 seconds.");
        }

        if (EnforceMinimumRing && RingTimeout < 15)
        {
            Fail(nameof(RingTimeout), $"{RingTimeout.ToString(CultureInfo.InvariantCulture)} s is under the 15 s minimum ring.");
        }

        if (TargetAbandon is <= 0 or >= 1 || double.IsNaN(TargetAbandon))
        {
            Fail(nameof(TargetAbandon), "must be between 0 and 1.");
        }

        if (DurationHours is <= 0 or > 24 * 30 || double.IsNaN(DurationHours))
        {
            Fail(nameof(DurationHours), "must be more than 0 and at most 720 hours.");
        }

        if (Mode == DialingMode.Agentless)
        {
            Fail(nameof(Mode), "the simulator models agents; use preview, progressive or predictive.");
        }
    }
}

/// <summary>What a simulated campaign achieved.</summary>
/// <param name="Dials">Calls placed.</param>
/// <param name="LiveAnswers">Calls answered by a person.</param>
/// <param name="MachineAnswers">Calls answered by a machine.</param>
/// <param name="Abandoned">Live answers not connected to an agent in time (including persons classified as machines).</param>
/// <param name="AbandonRate">Abandoned / live answers over the whole run.</param>
/// <param name="MaxWindowAbandonRate">The highest rate over the compliance window seen at any moment of the run.</param>
/// <param name="Occupancy">Time on calls and in wrap-up / time logged in.</param>
/// <param name="TalkMinutesPerAgentHour">Talk minutes per logged-in agent hour.</param>
/// <param name="ContactsCompleted">Contacts finished (connected, exhausted or do-not-call).</param>
/// <param name="PredictiveDecisionShare">Share of pacing passes in predictive (not fallback) mode.</param>
public sealed record SimulationResult(
    long Dials,
    long LiveAnswers,
    long MachineAnswers,
    long Abandoned,
    double AbandonRate,
    double MaxWindowAbandonRate,
    double Occupancy,
    double TalkMinutesPerAgentHour,
    long ContactsCompleted,
    double PredictiveDecisionShare);

/// <summary>
/// Runs the real <see cref="OutboundDialer"/> against a virtual carrier and virtual agents in virtual time
/// (discrete events; an eight-hour campaign takes about a second).
/// </summary>
public static class DialerSimulation
{
    /// <summary>The simulated start: Monday 2026-01-05 09:00 UTC.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Runs one simulation.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public static SimulationResult Run(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var world = new World(options);
        return world.Run();
    }

    private sealed class World : IOutboundCallPort, IAgentPool, IAnsweringMachineDetector, IDisposable
    {
        private readonly SimulationOptions _o;
        private readonly SimulationClock _clock = new(DialerSimulation.Start);
        private readonly Random _random;
        private readonly bool[] _free;
        private readonly long[] _busySince;
        private readonly Stack<int> _freeStack = new();
        private readonly Dictionary<string, int> _agentIndex = new(StringComparer.Ordinal);
        private readonly string[] _agentIds;
        private readonly Dictionary<OutboundCall, bool> _truth = [];
        private readonly ComplianceWindow _window;
        private readonly long _end;
        private OutboundDialer _dialer = null!;
        private int _freeCount;
        private long _busyTicks;
        private long _talkTicks;
        private double _maxWindowRate;
        private long _passes;
        private long _predictivePasses;

        public World(SimulationOptions o)
        {
            _o = o;
            _random = new Random(o.Seed);
            _free = new bool[o.Agents];
            _busySince = new long[o.Agents];
            _agentIds = new string[o.Agents];
            for (var i = o.Agents - 1; i >= 0; i--)
            {
                _agentIds[i] = "agent-" + (i + 1).ToString("D4", CultureInfo.InvariantCulture);
                _agentIndex[_agentIds[i]] = i;
                _free[i] = true;
                _freeStack.Push(i);
            }

            _freeCount = o.Agents;
            _end = (DialerSimulation.Start + TimeSpan.FromHours(o.DurationHours)).UtcTicks;
            _window = new ComplianceWindow(o.ComplianceWindow == ComplianceWindowKind.Rolling24Hours ? TimeSpan.FromHours(24) : TimeSpan.FromDays(30));
        }

        public int LoggedInAgents => _o.Agents;

        public int FreeAgents => _freeCount;

        public SimulationResult Run()
        {
            var store = new InMemoryCampaignStore();
            _dialer = new OutboundDialer(this, this, store, _clock, machineDetector: this);
            var campaign = _dialer.CreateCampaign(new CampaignSettings
            {
                Name = "simulation",
                Mode = _o.Mode,
                CallingWindows = CallingWindows.Always,
                AbandonCap = _o.TargetAbandon,
                RingTimeout = TimeSpan.FromSeconds(_o.RingTimeout),
                EnforceMinimumRing = _o.EnforceMinimumRing,
                ComplianceWindow = _o.ComplianceWindow,
                PreviewTimeout = TimeSpan.FromSeconds(Math.Max(30, _o.PreviewReviewTime * 2)),
            });

            var contacts = _o.Contacts > 0 ? _o.Contacts : (int)Math.Min(10_000_000, Math.Ceiling(_o.Agents * _o.DurationHours * 150) + 100);
            var inputs = new List<ContactInput>(contacts);
            for (var i = 0; i < contacts; i++)
            {
                // Distinct valid NANP numbers: +1 212 2xx xxxx and onwards.
                var n = 2_122_000_000L + i;
                inputs.Add(new ContactInput("+1" + n.ToString(CultureInfo.InvariantCulture)));
            }

            campaign.AddContacts(inputs);
            campaign.Start();
            _clock.Schedule(0, () => _dialer.NotifyAgentAvailable());
            ScheduleSampler();
            _clock.RunUntil(new DateTimeOffset(_end, TimeSpan.Zero));

            // Close the books at the end of the run.
            for (var i = 0; i < _o.Agents; i++)
            {
                if (!_free[i] && _busySince[i] > 0)
                {
                    _busyTicks += _end - _busySince[i];
                }
            }

            var stats = campaign.GetStatistics();
            var live = stats.LiveAnswers;
            var abandoned = stats.Abandoned;
            var agentHours = _o.Agents * _o.DurationHours;
            return new SimulationResult(
                stats.Dials,
                live,
                stats.MachineAnswers,
                abandoned,
                live == 0 ? 0 : (double)abandoned / live,
                _maxWindowRate,
                _busyTicks / (agentHours * TimeSpan.TicksPerHour),
                _talkTicks / (double)TimeSpan.TicksPerMinute / agentHours,
                stats.FinishedContacts,
                _passes == 0 ? 0 : (double)_predictivePasses / _passes);
        }

        public void Dispose() => _dialer?.Dispose();

        private void ScheduleSampler()
        {
            _clock.Schedule(TimeSpan.FromSeconds(60), () =>
            {
                _passes++;
                if (_dialer.Campaigns[0].GetStatistics().Predictive)
                {
                    _predictivePasses++;
                }

                ScheduleSampler();
            });
        }

        private static long Ticks(double seconds) => (long)(seconds * TimeSpan.TicksPerSecond);

        private double Exponential(double mean) => mean <= 0 ? 0 : -mean * Math.Log(1 - _random.NextDouble());

        private void RecordWindow(bool abandoned)
        {
            _window.AddLive(_clock.NowTicks, abandoned);
            _maxWindowRate = Math.Max(_maxWindowRate, _window.Rate);
        }

        // The carrier.
        public void Dial(OutboundCall outboundCall)
        {
            var u = _random.NextDouble();
            var ring = (_o.RingTime * 0.5) + Exponential(_o.RingTime * 0.5);
            if (u < _o.AnswerRate)
            {
                _truth[outboundCall] = true;
                _clock.Schedule(Ticks(ring), outboundCall.ReportAnswered);
            }
            else if (u < _o.AnswerRate + _o.MachineRate)
            {
                _truth[outboundCall] = false;
                _clock.Schedule(Ticks(ring), outboundCall.ReportAnswered);
            }
            else if (u < _o.AnswerRate + _o.MachineRate + _o.BusyRate)
            {
                _clock.Schedule(Ticks(1 + (_random.NextDouble() * 3)), () => outboundCall.ReportFailed(CallOutcome.Busy));
            }

            // Otherwise it rings until the dialer's ring timeout.
        }

        // Answering-machine detection.
        public void Start(OutboundCall outboundCall)
        {
            var person = _truth.Remove(outboundCall, out var t) && t;
            if (person)
            {
                if (_o.AmdFalsePositiveRate > 0 && _random.NextDouble() < _o.AmdFalsePositiveRate)
                {
                    _clock.Schedule(Ticks(_o.MachineDetectionTime), () =>
                    {
                        // A person classified as a machine hears nothing: an abandoned call. The simulator knows the
                        // truth and reports it the way a host does, so the dialer counts it in its rate and windows.
                        RecordWindow(abandoned: true);
                        outboundCall.ReportAmdVerdict(AmdVerdict.Machine);
                        outboundCall.ReportPersonClassifiedAsMachine();
                    });
                }
                else
                {
                    _clock.Schedule(Ticks(_o.GreetingTime), () => outboundCall.ReportAmdVerdict(AmdVerdict.Person));
                }
            }
            else
            {
                _clock.Schedule(Ticks(_o.MachineDetectionTime), () => outboundCall.ReportAmdVerdict(AmdVerdict.Machine));
            }
        }

        public void Connect(OutboundCall outboundCall, string agentId)
        {
            RecordWindow(abandoned: false);
            var agent = _agentIndex[agentId];
            _busySince[agent] = _clock.NowTicks;
            var talk = Ticks(Exponential(_o.Talk));
            var talkStart = _clock.NowTicks;
            _clock.Schedule(talk, () =>
            {
                _talkTicks += Math.Min(_clock.NowTicks, _end) - talkStart;
                outboundCall.ReportHangUp();
                _clock.Schedule(Ticks(Exponential(_o.Wrap)), () =>
                {
                    _busyTicks += _clock.NowTicks - _busySince[agent];
                    _busySince[agent] = 0;
                    _dialer.SubmitDisposition(outboundCall.Id, AgentDisposition.Final("COMPLETED"));
                    MarkFree(agent);
                    _dialer.NotifyAgentAvailable();
                });
            });
        }

        public void PlayComplianceMessage(OutboundCall outboundCall, string prompt) => RecordWindow(abandoned: true);

        public void StartFlow(OutboundCall outboundCall, string flowId) => _clock.Schedule(Ticks(Exponential(_o.Talk)), outboundCall.ReportHangUp);

        public void HangUp(OutboundCall outboundCall) => _truth.Remove(outboundCall);

        // The agents.
        public bool TryReserve(string? agentId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? reservedAgentId)
        {
            if (agentId is not null)
            {
                if (_agentIndex.TryGetValue(agentId, out var specific) && _free[specific])
                {
                    _free[specific] = false;
                    _freeCount--;
                    reservedAgentId = agentId;
                    return true;
                }

                reservedAgentId = null;
                return false;
            }

            while (_freeStack.TryPop(out var i))
            {
                if (_free[i])
                {
                    _free[i] = false;
                    _freeCount--;
                    reservedAgentId = _agentIds[i];
                    return true;
                }
            }

            reservedAgentId = null;
            return false;
        }

        public void Release(string agentId)
        {
            MarkFree(_agentIndex[agentId]);
        }

        public void OfferPreview(string agentId, PreviewOffer offer) =>
            _clock.Schedule(Ticks(_o.PreviewReviewTime), () => _dialer.AcceptPreview(offer.Id));

        private void MarkFree(int agent)
        {
            if (!_free[agent])
            {
                _free[agent] = true;
                _freeCount++;
                _freeStack.Push(agent);
            }
        }
    }
}
