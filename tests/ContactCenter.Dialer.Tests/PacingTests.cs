using ContactCenter.Dialer.Pacing;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Dialer.Tests;

public sealed class PacingTests
{
    private static (DurationDistribution Handle, DurationDistribution Ring, DurationDistribution Exit) Distributions(double handleMean = 135, double ringMean = 10)
    {
        var random = new Random(7);
        var handle = new DurationDistribution(500, 2, 1800);
        var ring = new DurationDistribution(500, 0.5, 240);
        var exit = new DurationDistribution(500, 0.5, 240);
        for (var i = 0; i < 500; i++)
        {
            handle.Add(-handleMean * Math.Log(1 - random.NextDouble()));
            ring.Add((ringMean / 2) + (-(ringMean / 2) * Math.Log(1 - random.NextDouble())));

            // Every dial leaves the ringing state: live and machine answers like live ones, the rest at a 25 s timeout.
            exit.Add(random.NextDouble() < 0.5 ? (ringMean / 2) + (-(ringMean / 2) * Math.Log(1 - random.NextDouble())) : 25);
        }

        handle.Refresh();
        ring.Refresh();
        exit.Refresh();
        return (handle, ring, exit);
    }

    private static PacingInput Input(double free, double allowed = 0.03, int waiting = 0, int max = 400) => new()
    {
        FreeAgents = free,
        WaitingForAgent = waiting,
        LiveAnswerProbability = 0.3,
        HorizonSeconds = 12,
        AllowedAbandonRatio = allowed,
        MaxNewCalls = max,
        MaxExpectedAbandons = 100,
    };

    [Fact]
    public void Free_agents_are_covered_by_about_one_over_the_live_answer_probability_calls_each()
    {
        var (handle, ring, exit) = Distributions();
        var n = PredictivePacer.Decide(Input(10), [], [], handle, ring, exit);

        Assert.InRange(n, 20, 40);
        Assert.Equal(5, PredictivePacer.Decide(Input(10, max: 5), [], [], handle, ring, exit));
    }

    [Fact]
    public void Calls_already_ringing_and_answers_waiting_for_an_agent_reduce_the_launch()
    {
        var (handle, ring, exit) = Distributions();
        var idle = PredictivePacer.Decide(Input(10), [], [], handle, ring, exit);
        var ringing = Enumerable.Repeat(2.0, 15).ToArray();

        Assert.True(PredictivePacer.Decide(Input(10), [], ringing, handle, ring, exit) < idle);
        Assert.Equal(0, PredictivePacer.Decide(Input(0, waiting: 3), [], [], handle, ring, exit));
    }

    [Fact]
    public void Busy_agents_close_to_the_end_of_their_calls_let_the_pacer_dial_ahead()
    {
        var (handle, ring, exit) = Distributions();
        var busy = Enumerable.Repeat(60.0, 50).ToArray();

        // 50 agents x P(done within 12 s) ~ 50 x 0.085 ~ 4 agents expected free; no busy agent, no call.
        Assert.Equal(0, PredictivePacer.Decide(Input(0, allowed: 0.1), [], [], handle, ring, exit));
        Assert.InRange(PredictivePacer.Decide(Input(0, allowed: 0.1), busy, [], handle, ring, exit), 3, 12);

        // Twice as many agents on calls: twice as many expected to free up, more calls.
        Assert.True(PredictivePacer.Decide(Input(0, allowed: 0.1), busy.Concat(busy).ToArray(), [], handle, ring, exit) > PredictivePacer.Decide(Input(0, allowed: 0.1), busy, [], handle, ring, exit));
    }

    [Fact]
    public void More_free_agents_or_a_looser_ratio_never_launch_fewer_calls()
    {
        var (handle, ring, exit) = Distributions();
        var gen = Gen.Choose(0, 60).SelectMany(free => Gen.Choose(0, 40).SelectMany(busy => Gen.Choose(1, 100).Select(ratio => (free, busy, ratio))));
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var busy = Enumerable.Range(0, t.busy).Select(i => (double)(i * 7 % 200)).ToArray();
            var allowed = t.ratio / 1000.0;
            var n = PredictivePacer.Decide(Input(t.free, allowed), busy, [], handle, ring, exit);
            Assert.True(PredictivePacer.Decide(Input(t.free + 1, allowed), busy, [], handle, ring, exit) >= n);
            Assert.True(PredictivePacer.Decide(Input(t.free, allowed * 2), busy, [], handle, ring, exit) >= n);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void The_controller_tightens_to_zero_as_the_window_rate_reaches_the_cap()
    {
        var controller = new AbandonController(0.03, 0.8);

        Assert.Equal(0.03 * 0.1, controller.AllowedRatio(0), 6);
        Assert.Equal(controller.AllowedRatio(0), controller.AllowedRatio(0.024), 6);
        Assert.True(controller.AllowedRatio(0.027) < controller.AllowedRatio(0.024));
        Assert.Equal(0, controller.AllowedRatio(0.03));
        Assert.Equal(0, controller.AllowedRatio(0.05));

        var before = controller.Factor;
        controller.Observe(abandoned: true);
        Assert.True(controller.Factor < before);
        for (var i = 0; i < 200; i++)
        {
            controller.Observe(abandoned: false);
        }

        Assert.True(controller.Factor > before);
    }

    [Fact]
    public void The_rolling_window_forgets_events_older_than_its_length()
    {
        var window = new ComplianceWindow(TimeSpan.FromHours(24));
        var t0 = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        window.AddLive(t0, abandoned: true);
        window.AddLive(t0 + TimeSpan.TicksPerHour, abandoned: false);
        Assert.Equal(0.5, window.Rate);

        window.Advance(t0 + TimeSpan.FromHours(24.5).Ticks);

        Assert.Equal(1, window.LiveAnswers);
        Assert.Equal(0, window.Abandoned);
        Assert.Equal(0, window.Rate);
    }

    [Fact]
    public void The_expected_positive_part_matches_known_values()
    {
        Assert.Equal(0.3989, PredictivePacer.ExpectedPositivePart(0, 1), 3);
        Assert.Equal(5, PredictivePacer.ExpectedPositivePart(5, 0), 6);
        Assert.Equal(0, PredictivePacer.ExpectedPositivePart(-5, 0), 6);
        Assert.Equal(0.975, PredictivePacer.NormalCdf(1.96), 3);
    }
}
