namespace ContactCenter.Dialer.Pacing;

/// <summary>What the pacer knows at the moment of a decision.</summary>
internal struct PacingInput
{
    /// <summary>Agents free now and not claimed by a higher-priority campaign.</summary>
    public double FreeAgents;

    /// <summary>Answered persons waiting for an agent (they abandon within the connect deadline).</summary>
    public int WaitingForAgent;

    /// <summary>Measured probability that a dial ends in a live answer.</summary>
    public double LiveAnswerProbability;

    /// <summary>Seconds ahead: the mean time from dial to a live answer plus the connect deadline.</summary>
    public double HorizonSeconds;

    /// <summary>The abandon ratio the decision may accept (cap x controller factor).</summary>
    public double AllowedAbandonRatio;

    /// <summary>The most new calls this decision may launch.</summary>
    public int MaxNewCalls;

    /// <summary>The most abandons the decision may expect in absolute terms (a share of the room left under the cap).</summary>
    public double MaxExpectedAbandons;
}

/// <summary>
/// Predictive pacing. The agents free at the horizon are free agents plus, for every agent on a call, the chance
/// its call and wrap-up end within the horizon given how long it has lasted (the measured talk+wrap distribution).
/// The live answers by then are the answered-and-waiting calls, the calls still ringing (each with the chance it
/// still turns into a live answer given how long it has rung: measured live-answer probability, ring-time
/// distribution of live answers and time-to-outcome distribution of all dials) and the new calls. With a normal approximation of both sums, the expected number of live answers
/// left without an agent is E[(L - A)+]; the pacer launches the largest n whose expected abandons stay within
/// the allowed ratio of the expected live answers, and within an absolute share of the room left under the cap.
/// </summary>
/// <remarks>The approximation's spurious excess at zero live answers (it lets A go negative) is subtracted.</remarks>
internal static class PredictivePacer
{
    private const double InverseSqrt2Pi = 0.3989422804014327;

    public static int Decide(
        in PacingInput input,
        ReadOnlySpan<double> busyElapsedSeconds,
        ReadOnlySpan<double> ringingElapsedSeconds,
        DurationDistribution handleTime,
        DurationDistribution liveRingTime,
        DurationDistribution ringingTime)
    {
        if (input.MaxNewCalls <= 0 || input.LiveAnswerProbability <= 0)
        {
            return 0;
        }

        var h = input.HorizonSeconds;
        double meanAgents = input.FreeAgents;
        double varianceAgents = 0;
        foreach (var elapsed in busyElapsedSeconds)
        {
            var p = handleTime.EndsWithin(elapsed, h);
            meanAgents += p;
            varianceAgents += p * (1 - p);
        }

        var pLive = input.LiveAnswerProbability;
        double meanLive = input.WaitingForAgent;
        double varianceLive = 0;
        foreach (var elapsed in ringingElapsedSeconds)
        {
            // P(live answer still to come | still ringing after `elapsed`) = p (1 - G(e)) / (1 - R(e)), G the ring time of
            // live answers, R the time any dial leaves the ringing state (busy, machine, timeout, live).
            var stillRinging = Math.Max(1e-6, 1 - ringingTime.Cdf(elapsed));
            var q = Math.Clamp(pLive * (1 - liveRingTime.Cdf(elapsed)) / stillRinging, 0, 1);
            meanLive += q;
            varianceLive += q * (1 - q);
        }

        var pq = pLive * (1 - pLive);
        var ratio = input.AllowedAbandonRatio;
        var maxAbandons = input.MaxExpectedAbandons;

        // The normal approximation gives (L - A)+ some mass even with no live answers at all, because it lets A go
        // negative; subtract that spurious part (the same approximation of (-A)+) so zero calls means zero excess.
        var spurious = ExpectedPositivePart(-meanAgents, Math.Sqrt(varianceAgents));

        // f(n) = E[(L - A)+] - ratio * E[L] grows with n near the answer; find the largest n with f(n) <= 0.
        if (Excess(0) > 0)
        {
            return 0;
        }

        int low = 0, high = input.MaxNewCalls;
        if (Excess(high) <= 0)
        {
            return high;
        }

        while (high - low > 1)
        {
            var mid = (low + high) >>> 1;
            if (Excess(mid) <= 0)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return low;

        double Excess(int n)
        {
            var liveMean = meanLive + (n * pLive);
            var m = liveMean - meanAgents;
            var s = Math.Sqrt(varianceAgents + varianceLive + (n * pq));
            var excess = Math.Max(0, ExpectedPositivePart(m, s) - spurious);
            return Math.Max(excess - (ratio * liveMean), excess - maxAbandons);
        }
    }

    /// <summary>E[max(X, 0)] for X normal with mean <paramref name="mean"/> and deviation <paramref name="deviation"/>.</summary>
    internal static double ExpectedPositivePart(double mean, double deviation)
    {
        if (deviation < 1e-9)
        {
            return Math.Max(mean, 0);
        }

        var z = mean / deviation;
        return (mean * NormalCdf(z)) + (deviation * InverseSqrt2Pi * Math.Exp(-0.5 * z * z));
    }

    /// <summary>The standard normal CDF (Abramowitz and Stegun 7.1.26, error under 1.5e-7).</summary>
    internal static double NormalCdf(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * x));
        var y = 1 - ((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
    }
}

/// <summary>
/// The abandonment controller. Its factor k scales the ratio the pacer may accept: each live answer of an
/// unreserved call moves log k by eta x (aim - abandoned), so k settles where the measured rate equals the aim.
/// A tightening factor falls linearly from 1 to 0 as the compliance-window rate rises from the aim to the cap.
/// k starts low (0.1): predictive pacing ramps up as its statistics mature, instead of trusting early samples,
/// which are biased toward short calls (the long ones have not ended yet).
/// </summary>
internal sealed class AbandonController(double cap, double aimFraction)
{
    private const double Eta = 0.4;
    private const double MinLogK = -4.6;  // k >= 0.01
    private const double MaxLogK = 4.6;   // k <= 100
    private const double InitialFactor = 0.1;
    private double _logK = Math.Log(InitialFactor);

    public double Cap { get; } = cap;

    public double Aim { get; } = cap * aimFraction;

    public double Factor => Math.Exp(_logK);

    public void Observe(bool abandoned)
    {
        var x = abandoned ? 1.0 : 0.0;
        _logK = Math.Clamp(_logK + (Eta * (Aim - x)), MinLogK, MaxLogK);
    }

    /// <summary>The ratio allowed now, given the rate measured over the compliance window.</summary>
    public double AllowedRatio(double windowRate)
    {
        var tighten = Math.Clamp((Cap - windowRate) / Math.Max(Cap - Aim, 1e-9), 0, 1);
        return Cap * Factor * tighten;
    }
}
