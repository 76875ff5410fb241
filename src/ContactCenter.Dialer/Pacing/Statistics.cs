namespace ContactCenter.Dialer.Pacing;

/// <summary>
/// The last N samples of a duration (seconds) as a fixed-width histogram whose cumulative form is rebuilt lazily,
/// so a conditional probability costs two table look-ups.
/// </summary>
internal sealed class DurationDistribution
{
    private const int RefreshEvery = 8;

    private readonly double[] _ring;
    private readonly int[] _counts;
    private readonly double[] _cumulative;
    private readonly double _width;
    private int[]? _censored;
    private int _next;
    private int _size;
    private double _sum;
    private int _dirty = RefreshEvery;

    public DurationDistribution(int window, double bucketWidthSeconds, int buckets)
    {
        _ring = new double[window];
        _counts = new int[buckets];
        _cumulative = new double[buckets + 1];
        _width = bucketWidthSeconds;
    }

    public int Count => _size;

    public double Mean => _size == 0 ? 0 : _sum / _size;

    public void Add(double seconds)
    {
        seconds = Math.Max(0, seconds);
        if (_size == _ring.Length)
        {
            var old = _ring[_next];
            _counts[Bucket(old)]--;
            _sum -= old;
        }
        else
        {
            _size++;
        }

        _ring[_next] = seconds;
        _next = (_next + 1) % _ring.Length;
        _counts[Bucket(seconds)]++;
        _sum += seconds;
        if (_dirty < RefreshEvery)
        {
            _dirty++;
        }
    }

    /// <summary>P(X &lt;= x), linear inside a bucket.</summary>
    public double Cdf(double x)
    {
        if (_size == 0 || x <= 0)
        {
            return 0;
        }

        Refresh();
        var position = x / _width;
        if (position >= _counts.Length)
        {
            return 1;
        }

        var i = (int)position;
        var fraction = position - i;
        return _cumulative[i] + ((_cumulative[i + 1] - _cumulative[i]) * fraction);
    }

    /// <summary>P(X &lt;= elapsed + horizon | X &gt; elapsed): the chance something under way for <paramref name="elapsed"/> ends within the horizon.</summary>
    public double EndsWithin(double elapsed, double horizon)
    {
        var survive = 1 - Cdf(elapsed);
        if (survive < 0.02)
        {
            // Beyond what the window has seen: assume a memoryless tail with the measured mean.
            var mean = Math.Max(Math.Max(CensoredMean, Mean), 1);
            return 1 - Math.Exp(-horizon / mean);
        }

        return Math.Clamp((Cdf(elapsed + horizon) - Cdf(elapsed)) / survive, 0, 1);
    }

    /// <summary>Rebuilds the cumulative table once at least 8 samples arrived since the last rebuild.</summary>
    public void Refresh() => Refresh([]);

    /// <summary>
    /// Rebuilds the cumulative table (at most every 8 samples) as a Kaplan-Meier estimate: <paramref name="censored"/>
    /// are things still under way (how long each has lasted so far), which only say the duration is longer. Without
    /// them, early samples hold only the short durations and the distribution would look shorter than it is.
    /// </summary>
    public void Refresh(ReadOnlySpan<double> censored)
    {
        if (_dirty < RefreshEvery)
        {
            return;
        }

        _dirty = 0;
        _censored ??= new int[_counts.Length];
        Array.Clear(_censored);
        foreach (var elapsed in censored)
        {
            _censored[Bucket(elapsed)]++;
        }

        double atRisk = _size + censored.Length;
        double survival = 1;
        double mean = 0;
        _cumulative[0] = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (atRisk > 0 && _counts[i] > 0)
            {
                survival *= 1 - (_counts[i] / atRisk);
            }

            mean += survival * _width;
            _cumulative[i + 1] = 1 - survival;
            atRisk -= _counts[i] + _censored[i];
        }

        CensoredMean = Math.Max(mean, Mean);
    }

    /// <summary>The mean of the last rebuild, taking things still under way into account.</summary>
    public double CensoredMean { get; private set; }

    private int Bucket(double seconds) => Math.Min((int)(seconds / _width), _counts.Length - 1);
}

/// <summary>The last N dial results: how many ended in a live (person) answer.</summary>
internal sealed class LiveAnswerWindow(int window)
{
    private readonly bool[] _ring = new bool[window];
    private int _next;
    private int _size;

    public int Dials => _size;

    public int LiveAnswers { get; private set; }

    public double Probability => _size == 0 ? 0 : (double)LiveAnswers / _size;

    public void Add(bool live)
    {
        if (_size == _ring.Length)
        {
            if (_ring[_next])
            {
                LiveAnswers--;
            }
        }
        else
        {
            _size++;
        }

        _ring[_next] = live;
        _next = (_next + 1) % _ring.Length;
        if (live)
        {
            LiveAnswers++;
        }
    }
}

/// <summary>
/// Live answers and abandons over a rolling window of time (1440 buckets), for the compliance cap.
/// A campaign-life window is a rolling window of the campaign-life length: nothing exists before the start.
/// </summary>
internal sealed class ComplianceWindow
{
    private const int Buckets = 1440;
    private readonly int[] _live = new int[Buckets];
    private readonly int[] _abandoned = new int[Buckets];
    private readonly long _bucketTicks;
    private long _headBucket = long.MinValue;

    public ComplianceWindow(TimeSpan length)
    {
        _bucketTicks = Math.Max(1, length.Ticks / Buckets);
    }

    public int LiveAnswers { get; private set; }

    public int Abandoned { get; private set; }

    public double Rate => LiveAnswers == 0 ? 0 : (double)Abandoned / LiveAnswers;

    public void Advance(long utcTicks)
    {
        var bucket = utcTicks / _bucketTicks;
        if (_headBucket == long.MinValue)
        {
            _headBucket = bucket;
            return;
        }

        if (bucket <= _headBucket)
        {
            return;
        }

        var steps = Math.Min(bucket - _headBucket, Buckets);
        for (long s = 1; s <= steps; s++)
        {
            var index = (int)((_headBucket + s) % Buckets);
            LiveAnswers -= _live[index];
            Abandoned -= _abandoned[index];
            _live[index] = 0;
            _abandoned[index] = 0;
        }

        _headBucket = bucket;
    }

    public void AddLive(long utcTicks, bool abandoned)
    {
        Advance(utcTicks);
        var index = (int)(_headBucket % Buckets);
        _live[index]++;
        LiveAnswers++;
        if (abandoned)
        {
            _abandoned[index]++;
            Abandoned++;
        }
    }
}
