using System.Diagnostics;
using System.Globalization;
using ContactCenter.Sip.Media;

namespace ContactCenter.Load.Media;

/// <summary>Counts gaps in 0.1 ms bins up to 1 s (larger gaps in the last bin); thread-safe.</summary>
internal sealed class GapHistogram
{
    private readonly long[] _bins = new long[10_001];

    public void AddMilliseconds(double ms) => Add((long)(Math.Max(0, ms) * Stopwatch.Frequency / 1000));

    public void Add(long stopwatchTicks)
    {
        var bin = (int)Math.Min(_bins.Length - 1, stopwatchTicks * 10_000 / Stopwatch.Frequency);
        Interlocked.Increment(ref _bins[bin]);
    }

    public long Count => _bins.Sum();

    public double PercentileMs(double p)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var target = (long)Math.Ceiling(total * p);
        long seen = 0;
        for (var i = 0; i < _bins.Length; i++)
        {
            seen += _bins[i];
            if (seen >= target)
            {
                return (i + 1) / 10.0;
            }
        }

        return _bins.Length / 10.0;
    }

    public double MaxMs()
    {
        for (var i = _bins.Length - 1; i >= 0; i--)
        {
            if (_bins[i] > 0)
            {
                return (i + 1) / 10.0;
            }
        }

        return double.NaN;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"n={Count} p50={PercentileMs(0.5):F1}ms p99={PercentileMs(0.99):F1}ms p99.9={PercentileMs(0.999):F1}ms max={MaxMs():F1}ms");
}

/// <summary>The measured interval: gaps count only inside it; CPU and wall time are taken at its ends.</summary>
internal sealed class MeasureWindow
{
    private volatile bool _open;
    private long _startWall;
    private TimeSpan _startCpu;
    private TimeSpan _elapsed;
    private TimeSpan _cpu;
    private long _workingSet;
    private int _startGen0;
    private int _gen0;
    private long _startAllocated;
    private long _allocated;

    public bool IsOpen => _open;

    public void Start()
    {
        if (_open)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        _startCpu = process.TotalProcessorTime;
        _startGen0 = GC.CollectionCount(0);
        _startAllocated = GC.GetTotalAllocatedBytes();
        _startWall = Stopwatch.GetTimestamp();
        _open = true;
    }

    public void Stop()
    {
        if (!_open)
        {
            return;
        }

        _open = false;
        using var process = Process.GetCurrentProcess();
        _elapsed = Stopwatch.GetElapsedTime(_startWall);
        _cpu = process.TotalProcessorTime - _startCpu;
        _workingSet = process.WorkingSet64;
        _gen0 = GC.CollectionCount(0) - _startGen0;
        _allocated = GC.GetTotalAllocatedBytes() - _startAllocated;
    }

    public string Report(string role, GapHistogram send, GapHistogram arrival, GapHistogram lateness, MediaClock clock, int established, int ended)
    {
        Stop();
        using var process = Process.GetCurrentProcess();
        var cpuPercent = _elapsed > TimeSpan.Zero ? 100 * _cpu / _elapsed : double.NaN;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{role}: calls={established} ended={ended} window={_elapsed.TotalSeconds:F1}s send-gap[{send.Describe()}] arrival-gap[{arrival.Describe()}] clock-lateness[{lateness.Describe()}] cpu={cpuPercent:F0}% (of one core; {Environment.ProcessorCount} cores) rss={_workingSet / 1048576.0:F0}MiB peak-rss={process.PeakWorkingSet64 / 1048576.0:F0}MiB gc-heap={GC.GetTotalMemory(false) / 1048576.0:F0}MiB gen2={GC.CollectionCount(2)} window-gc0={_gen0} window-allocated={_allocated / 1048576.0:F1}MiB clock.skipped={clock.SkippedTicks} clock.ticks={clock.TicksRun}");
    }
}

/// <summary>
/// Wraps a call's prompt and measures the gap between the packets the session sends. The session reads a frame right
/// before it builds and sends each packet, but it also reads (and drops) the frames of intervals its clock skipped, so a
/// read counts as a send only once the session's sent-packet count shows it went out: at each read, the previous read
/// is taken as sent if the count grew since then. Optionally copies each frame to a recorder channel.
/// </summary>
internal sealed class MeteredSource(IAudioSource inner, GapHistogram gaps, MeasureWindow window, IAudioSink? copy, Func<long> packetsSent) : IAudioSource
{
    private long _lastSent;
    private long _sentCount = -1;
    private long _pendingRead;

    public int Read(Span<short> frame)
    {
        var now = Stopwatch.GetTimestamp();
        var sent = packetsSent();
        if (_pendingRead != 0 && sent > _sentCount)
        {
            // The previous read went out as a packet.
            if (_lastSent != 0 && window.IsOpen)
            {
                gaps.Add(_pendingRead - _lastSent);
            }

            _lastSent = _pendingRead;
        }

        _sentCount = sent;
        _pendingRead = now;
        var produced = inner.Read(frame);
        copy?.Write(frame[..produced]);
        return produced;
    }
}

/// <summary>Measures the gap between packets arriving on one session.</summary>
internal sealed class ArrivalMeter(GapHistogram gaps, MeasureWindow window) : IRtpPayloadObserver
{
    private long _last;

    public void OnPayload(RtpSession session, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        var now = Stopwatch.GetTimestamp();
        if (_last != 0 && window.IsOpen)
        {
            gaps.Add(now - _last);
        }

        _last = now;
    }
}

/// <summary>Collects the clock's "media.clock.lateness" instrument (how late each wake-up was) while the window is open.</summary>
internal sealed class ClockLatenessListener : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();

    public ClockLatenessListener(GapHistogram lateness, MeasureWindow window)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ContactCenter.Sip" && instrument.Name == "media.clock.lateness")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            if (window.IsOpen)
            {
                lateness.AddMilliseconds(seconds * 1000);
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
