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
    /// <paramref name="patienceSeconds"/>. P(abandon) here is theta x E[queue length] / lambda (Little's law).
    /// </summary>
    public static (double ProbabilityOfWait, double ProbabilityOfAbandon) ErlangA(int agents, double lambdaPerSecond, double ahtSeconds, double patienceSeconds)
    {
        var pi = ErlangAStationary(agents, lambdaPerSecond, ahtSeconds, patienceSeconds);
        var theta = 1 / patienceSeconds;
        double waiting = 0, queueLength = 0;
        for (var j = agents; j < pi.Length; j++)
        {
            waiting += pi[j];
            queueLength += (j - agents) * pi[j];
        }

        return (waiting, theta * queueLength / lambdaPerSecond);
    }

    /// <summary>
    /// The customer-level figures of Erlang A, defined as the engine defines them:
    /// service level = P(answered within <paramref name="thresholdSeconds"/>) /
    /// (P(answered) + P(abandoned after waiting at least <paramref name="shortAbandonSeconds"/>)),
    /// ASA = E[wait | answered] (answered at once counts as 0).
    /// </summary>
    /// <remarks>
    /// By PASTA an arrival finds j in system with the stationary probability pi_j. With j &lt; n it is answered at once.
    /// With j = n + q it has q callers ahead. While k callers are ahead, the next of them leaves the queue (answered or
    /// abandoned) at rate n mu + k theta, and the tagged caller abandons at rate theta, independently. So its offered
    /// wait V is a sum of independent exponentials with rates n mu + k theta, k = q..0, and it is answered iff its
    /// patience exceeds V:
    /// P(answered | q) = E[exp(-theta V)] = prod_k (n mu + k theta) / (n mu + (k+1) theta) = n mu / (n mu + (q+1) theta),
    /// E[V; answered | q] = -d/ds E[exp(-s V)] at s = theta = P(answered | q) x sum_k 1 / (n mu + (k+1) theta).
    /// P(answered within t) and P(abandoned before s) come from the transient law of the "callers ahead" chain with
    /// killing (state k leaves at n mu + (k+1) theta, to k-1 or to answered at n mu + k theta, to abandoned at theta),
    /// computed by uniformization.
    /// </remarks>
    public static ErlangAFigures ErlangAFull(int agents, double lambdaPerSecond, double ahtSeconds, double patienceSeconds, double thresholdSeconds, double shortAbandonSeconds)
    {
        var pi = ErlangAStationary(agents, lambdaPerSecond, ahtSeconds, patienceSeconds);
        var nMu = agents / ahtSeconds;
        var theta = 1 / patienceSeconds;
        var queueStates = Math.Max(pi.Length - agents, 0);

        double answeredAtOnce = 0;
        for (var j = 0; j < Math.Min(agents, pi.Length); j++)
        {
            answeredAtOnce += pi[j];
        }

        double answered = answeredAtOnce, waitOfAnswered = 0, abandoned = 0, waiting = 0;
        var ahead = new double[queueStates];
        for (var q = 0; q < queueStates; q++)
        {
            var p = pi[agents + q];
            ahead[q] = p;
            waiting += p;
            var pAnswered = nMu / (nMu + ((q + 1) * theta));
            double sum = 0;
            for (var k = 0; k <= q; k++)
            {
                sum += 1 / (nMu + ((k + 1) * theta));
            }

            answered += p * pAnswered;
            abandoned += p * (1 - pAnswered);
            waitOfAnswered += p * pAnswered * sum;
        }

        var (answeredWithinT, _) = Transient(ahead, nMu, theta, thresholdSeconds);
        var (_, abandonedBeforeShort) = Transient(ahead, nMu, theta, shortAbandonSeconds);
        var within = answeredAtOnce + answeredWithinT;
        var slDenominator = answered + abandoned - abandonedBeforeShort;
        return new ErlangAFigures(waiting, answered, abandoned, within / slDenominator, waitOfAnswered / answered);
    }

    /// <summary>
    /// Answered-by-t and abandoned-by-t masses of callers who start with k callers ahead with mass
    /// <paramref name="ahead"/>[k], by uniformization, in slices so that the Poisson weights never underflow.
    /// </summary>
    internal static (double Answered, double Abandoned) Transient(double[] ahead, double nMu, double theta, double seconds)
    {
        var p = (double[])ahead.Clone();
        var next = new double[p.Length];
        double answered = 0, abandoned = 0;
        if (p.Length == 0 || seconds <= 0)
        {
            return (0, 0);
        }

        var rate = nMu + (p.Length * theta);
        var slices = Math.Max(1, (int)Math.Ceiling(rate * seconds / 50));
        var lt = rate * seconds / slices;
        var sliceP = new double[p.Length];
        for (var s = 0; s < slices; s++)
        {
            // One slice: x(dt) = sum_n Poisson(n; rate dt) P^n x(0), with the absorbed masses carried along.
            Array.Clear(sliceP);
            double sliceAnswered = 0, sliceAbandoned = 0, stepAnswered = 0, stepAbandoned = 0;
            var weight = Math.Exp(-lt);
            var cumulative = 0.0;
            for (var n = 0; ; n++)
            {
                for (var k = 0; k < p.Length; k++)
                {
                    sliceP[k] += weight * p[k];
                }

                sliceAnswered += weight * stepAnswered;
                sliceAbandoned += weight * stepAbandoned;
                cumulative += weight;
                if (cumulative > 1 - 1e-14 || n > lt + 50 + (20 * Math.Sqrt(lt)))
                {
                    break;
                }

                // One step of the uniformized chain.
                for (var k = 0; k < p.Length; k++)
                {
                    var outRate = nMu + ((k + 1) * theta);
                    var down = k + 1 < p.Length ? p[k + 1] * (nMu + ((k + 1) * theta)) / rate : 0;
                    next[k] = (p[k] * (1 - (outRate / rate))) + down;
                    stepAbandoned += p[k] * theta / rate;
                }

                stepAnswered += p[0] * nMu / rate;
                (p, next) = (next, p);
                weight *= lt / (n + 1);
            }

            // The absorbed masses so far add to what this slice absorbed.
            answered += sliceAnswered;
            abandoned += sliceAbandoned;
            (p, sliceP) = (sliceP, p);
        }

        return (answered, abandoned);
    }

    /// <summary>Stationary P(j in system), j = 0.., of M/M/n+M, cut where the tail is below 1e-18.</summary>
    internal static double[] ErlangAStationary(int agents, double lambdaPerSecond, double ahtSeconds, double patienceSeconds)
    {
        var mu = 1 / ahtSeconds;
        var theta = 1 / patienceSeconds;
        var terms = new List<double> { 1.0 };
        var p = 1.0;
        var total = 1.0;
        for (var j = 1; j < 100_000; j++)
        {
            var death = (Math.Min(j, agents) * mu) + (Math.Max(j - agents, 0) * theta);
            p *= lambdaPerSecond / death;
            total += p;
            terms.Add(p);
            if (j > agents && p < 1e-18 * total)
            {
                break;
            }
        }

        var pi = terms.ToArray();
        for (var j = 0; j < pi.Length; j++)
        {
            pi[j] /= total;
        }

        return pi;
    }
}

/// <summary>Erlang A figures per arrival: probabilities of waiting, being answered, abandoning; service level; ASA in seconds.</summary>
internal sealed record ErlangAFigures(double ProbabilityOfWait, double ProbabilityOfAnswer, double ProbabilityOfAbandon, double ServiceLevel, double Asa);
