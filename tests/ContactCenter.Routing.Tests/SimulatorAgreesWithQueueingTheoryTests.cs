using ContactCenter.Routing.Simulation;

namespace ContactCenter.Routing.Tests;

/// <summary>
/// Long virtual-time runs of the real engine against Erlang C (no patience) and Erlang A (exponential patience).
/// Tolerances are those of the issue: 1 percentage point for probabilities, 5% for ASA.
/// </summary>
public sealed class SimulatorAgreesWithQueueingTheoryTests
{
    [Fact]
    public void Erlang_C_formula_matches_closed_forms()
    {
        // M/M/2 at 50% utilisation: P(wait) = 2r^2 / (1 + r) = 1/3.
        Assert.Equal(1.0 / 3, QueueingTheory.ErlangC(2, 1), 9);
        // One server: P(wait) equals utilisation.
        Assert.Equal(0.7, QueueingTheory.ErlangC(1, 0.7), 6);
    }

    [Fact]
    public void Erlang_A_tends_to_Erlang_C_when_callers_are_very_patient()
    {
        var (wait, abandon) = QueueingTheory.ErlangA(10, 7.0 / 180, 180, 1e9);

        Assert.Equal(QueueingTheory.ErlangC(10, 7), wait, 4);
        Assert.True(abandon < 1e-5);
    }

    [Fact]
    public void One_queue_without_patience_agrees_with_Erlang_C()
    {
        const int agents = 10;
        const double aht = 180, perHour = 140, threshold = 20;
        var result = RoutingSimulator.Run(new SimulationOptions
        {
            Agents = agents, ArrivalRatePerHour = perHour, AhtSeconds = aht, DurationHours = 3000, ServiceLevelThresholdSeconds = threshold, Seed = 4,
        });

        var lambda = perHour / 3600;
        var pWait = QueueingTheory.ErlangC(agents, lambda * aht);
        var sl = QueueingTheory.ErlangCServiceLevel(agents, lambda, aht, threshold);
        var asa = QueueingTheory.ErlangCAsa(agents, lambda, aht);

        Assert.Equal(0, result.Abandoned);
        Assert.InRange(result.ProbabilityOfWait, pWait - 0.01, pWait + 0.01);
        Assert.InRange(result.ServiceLevel, sl - 0.01, sl + 0.01);
        Assert.InRange(result.Asa, asa * 0.95, asa * 1.05);
        Assert.InRange(result.Occupancy, (lambda * aht / agents) - 0.01, (lambda * aht / agents) + 0.01);
    }

    [Fact]
    public void One_queue_with_patience_agrees_with_Erlang_A()
    {
        const int agents = 10;
        const double aht = 180, perHour = 190, patience = 120;
        var result = RoutingSimulator.Run(new SimulationOptions
        {
            Agents = agents, ArrivalRatePerHour = perHour, AhtSeconds = aht, PatienceSeconds = patience, DurationHours = 1500, Seed = 11,
        });

        var (pWait, pAbandon) = QueueingTheory.ErlangA(agents, perHour / 3600, aht, patience);

        Assert.InRange(result.ProbabilityOfWait, pWait - 0.01, pWait + 0.01);
        Assert.InRange(result.AbandonRate, pAbandon - 0.01, pAbandon + 0.01);
        Assert.InRange(result.AbandonRate, pAbandon * 0.95, pAbandon * 1.05);
    }
}
