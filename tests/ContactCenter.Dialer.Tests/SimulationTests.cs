using ContactCenter.Dialer.Simulation;

namespace ContactCenter.Dialer.Tests;

/// <summary>The goals, on the simulator's default workload: 30% live answers, 120 s talk, 15 s wrap, 8 hours.</summary>
public sealed class SimulationTests
{
    private static SimulationOptions Workload(int agents, DialingMode mode, int seed = 1) => new()
    {
        Agents = agents,
        Mode = mode,
        AnswerRate = 0.3,
        Talk = 120,
        Wrap = 15,
        DurationHours = 8,
        TargetAbandon = 0.03,
        Seed = seed,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fifty_agents_predictive_stay_under_3_percent_in_every_window_with_occupancy_of_at_least_085(int seed)
    {
        var result = DialerSimulation.Run(Workload(50, DialingMode.Predictive, seed));

        Assert.InRange(result.MaxWindowAbandonRate, 0, 0.03);
        Assert.InRange(result.AbandonRate, 0, 0.03);
        Assert.True(result.Occupancy >= 0.85, $"occupancy {result.Occupancy:F3}");
        Assert.True(result.Abandoned > 0, "the pacer should use its allowance");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Ten_agents_predictive_stay_under_3_percent_with_occupancy_of_at_least_070(int seed)
    {
        var result = DialerSimulation.Run(Workload(10, DialingMode.Predictive, seed));

        Assert.InRange(result.MaxWindowAbandonRate, 0, 0.03);
        Assert.True(result.Occupancy >= 0.70, $"occupancy {result.Occupancy:F3}");
    }

    [Fact]
    public void Progressive_never_abandons_and_predictive_gains_talk_time_over_it()
    {
        var progressive = DialerSimulation.Run(Workload(25, DialingMode.Progressive));
        var predictive = DialerSimulation.Run(Workload(25, DialingMode.Predictive));

        Assert.Equal(0, progressive.Abandoned);
        Assert.Equal(0, progressive.PredictiveDecisionShare);
        Assert.True(predictive.TalkMinutesPerAgentHour > progressive.TalkMinutesPerAgentHour + 3);
        Assert.True(predictive.Occupancy > progressive.Occupancy);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_and_another_seed_a_different_one()
    {
        var options = Workload(10, DialingMode.Predictive) with { DurationHours = 2 };

        Assert.Equal(DialerSimulation.Run(options), DialerSimulation.Run(options));
        Assert.NotEqual(DialerSimulation.Run(options), DialerSimulation.Run(options with { Seed = 99 }));
    }

    [Fact]
    public void A_short_list_runs_dry_and_every_contact_is_finished()
    {
        var result = DialerSimulation.Run(Workload(5, DialingMode.Progressive) with { Contacts = 200 });

        Assert.Equal(200, result.ContactsCompleted);
        Assert.True(result.Occupancy < 0.5);
    }

    [Fact]
    public void Persons_classified_as_machines_count_as_abandoned()
    {
        var result = DialerSimulation.Run(Workload(10, DialingMode.Progressive) with { DurationHours = 2, AmdFalsePositiveRate = 0.05 });

        Assert.True(result.Abandoned > 0);
        Assert.Equal((double)result.Abandoned / result.LiveAnswers, result.AbandonRate, 6);
    }

    [Fact]
    public void Preview_mode_connects_every_live_answer()
    {
        var result = DialerSimulation.Run(Workload(10, DialingMode.Preview) with { DurationHours = 2 });

        Assert.True(result.LiveAnswers > 50);
        Assert.Equal(0, result.Abandoned);
    }

    [Fact]
    public void A_rolling_24_hour_window_keeps_every_window_under_the_cap_over_two_days()
    {
        var result = DialerSimulation.Run(Workload(20, DialingMode.Predictive) with { DurationHours = 48, ComplianceWindow = ComplianceWindowKind.Rolling24Hours });

        Assert.InRange(result.MaxWindowAbandonRate, 0, 0.03);
    }

    [Fact]
    public void Bad_workloads_are_refused_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => DialerSimulation.Run(new SimulationOptions { AnswerRate = 0.8, MachineRate = 0.3 }));
        Assert.Equal("AnswerRate", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => DialerSimulation.Run(new SimulationOptions { RingTimeout = 10 }));
        Assert.Equal("RingTimeout", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => DialerSimulation.Run(new SimulationOptions { Agents = 0 }));
        Assert.Equal("Agents", ex.ParamName);
    }
}
