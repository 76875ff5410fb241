namespace ContactCenter.Routing.Tests;

/// <summary>Reference formulas the simulator is checked against (computed here, independently of the engine).</summary>
internal static class QueueingTheory
{
    /// <summary>Erlang C: the probability that an arrival waits, for <paramref name="agents"/> servers and offered load <paramref name="erlangs"/>.</summary>
    public static double ErlangC(int agents, double erlangs)
    {
        // Erlang B by the stable recursion, then C from B.
        var b = 1.0;
        for (var k = 1; k <= agents; k++)
        {
            b = erlangs * b / (k + (erlangs * b));
        }

        return agents * b / (agents - (erlangs * (1 - b)));
    }

    /// <summary>Erlang C service level: P(wait &lt;= t).</summary>
    public static double ErlangCServiceLevel(int agents, double lambdaPerSecond, double ahtSeconds, double thresholdSeconds)
    {
        var a = lambdaPerSecond * ahtSeconds;
        var c = ErlangC(agents, a);
        return 1 - (c * Math.Exp(-(agents - a) * thresholdSeconds / ahtSeconds));
    }

    /// <summary>Erlang C average speed of answer in seconds.</summary>
    public static double ErlangCAsa(int agents, double lambdaPerSecond, double ahtSeconds)
    {
        var a = lambdaPerSecond * ahtSeconds;
        return ErlangC(agents, a) * ahtSeconds / (agents - a);
    }

    /// <summary>
    /// Erlang A (M/M/n+M) by its birth-death chain: P(wait) and P(abandon) for exponential patience with mean
    /// <paramref name="patienceSeconds"/>.
    /// </summary>
    public static (double ProbabilityOfWait, double ProbabilityOfAbandon) ErlangA(int agents, double lambdaPerSecond, double ahtSeconds, double patienceSeconds)
    {
        var mu = 1 / ahtSeconds;
        var theta = 1 / patienceSeconds;
        var p = 1.0;
        double total = 1, waiting = agents == 0 ? 1 : 0, queueLength = 0;
        for (var j = 1; j < 100_000; j++)
        {
            var death = (Math.Min(j, agents) * mu) + (Math.Max(j - agents, 0) * theta);
            p *= lambdaPerSecond / death;
            total += p;
            if (j >= agents)
            {
                waiting += p;
            }

            queueLength += Math.Max(j - agents, 0) * p;
            if (j > agents && p < 1e-18 * total)
            {
                break;
            }
        }

        return (waiting / total, theta * (queueLength / total) / lambdaPerSecond);
    }
}
