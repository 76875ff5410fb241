using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ContactCenter.Hosting.Web;

/// <summary>One instrument in a <see cref="MetricsSnapshot"/>.</summary>
/// <param name="Meter">The meter (package), for example <c>ContactCenter.Sip</c>.</param>
/// <param name="Name">The instrument, for example <c>sip.transactions.active</c>.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Kind"><c>counter</c> (total since start), <c>gauge</c> (last value) or <c>histogram</c>.</param>
/// <param name="Value">The total (counter) or the last value (gauge); for a histogram, the sum.</param>
/// <param name="Count">For a histogram, how many values were recorded.</param>
/// <param name="Min">For a histogram, the smallest value.</param>
/// <param name="Max">For a histogram, the largest value.</param>
internal sealed record InstrumentValue(string Meter, string Name, string? Unit, string Kind, double Value, long? Count, double? Min, double? Max);

/// <summary>Every ContactCenter instrument at one moment.</summary>
internal sealed record MetricsSnapshot(DateTimeOffset Time, IReadOnlyList<InstrumentValue> Instruments);

/// <summary>
/// Listens to every meter named <c>ContactCenter.*</c> (one per package) and to the runtime's <c>System.Runtime</c>
/// meter (garbage collector pauses and collections, CPU time, thread pool), and keeps counter totals, gauge values and
/// histogram aggregates (all tags summed), for <c>GET /api/v1/metrics</c>. Exporters (OpenTelemetry, dotnet-counters)
/// see the same instruments with their tags.
/// </summary>
internal sealed class MetricsSnapshotCollector : IDisposable
{
    /// <summary>The .NET runtime's own meter: set beside the media clock's lateness, its GC pause time tells a stalled process from a starved one.</summary>
    private const string RuntimeMeter = "System.Runtime";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Aggregate> _values = new();
    private readonly TimeProvider _time;

    public MetricsSnapshotCollector(TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("ContactCenter.", StringComparison.Ordinal) || instrument.Meter.Name is "ContactCenter" or RuntimeMeter)
            {
                _values.TryAdd(instrument, new Aggregate(Kind(instrument)));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _values.TryRemove(instrument, out Aggregate? _);
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<float>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<short>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<byte>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<decimal>((i, v, _, _) => Record(i, (double)v));
        _listener.Start();
    }

    public MetricsSnapshot Snapshot()
    {
        // Observable instruments report when asked; gauges are reset first so tags are summed afresh.
        foreach (var (instrument, aggregate) in _values)
        {
            if (instrument.IsObservable)
            {
                aggregate.BeginObservation();
            }
        }

        _listener.RecordObservableInstruments();
        var list = _values
            .Select(p => p.Value.ToValue(p.Key))
            .OrderBy(v => v.Meter, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
        return new MetricsSnapshot(_time.GetUtcNow(), list);
    }

    public void Dispose() => _listener.Dispose();

    private static string Kind(Instrument instrument)
    {
        var type = instrument.GetType();
        var name = type.IsGenericType ? type.GetGenericTypeDefinition().Name : type.Name;
        return name switch
        {
            _ when name.StartsWith("Histogram", StringComparison.Ordinal) => "histogram",
            _ when name.StartsWith("ObservableGauge", StringComparison.Ordinal) || name.StartsWith("Gauge", StringComparison.Ordinal) => "gauge",
            _ when name.StartsWith("ObservableUpDownCounter", StringComparison.Ordinal) || name.StartsWith("ObservableCounter", StringComparison.Ordinal) => "gauge",
            _ => "counter",
        };
    }

    private void Record(Instrument instrument, double value)
    {
        if (_values.TryGetValue(instrument, out var aggregate))
        {
            aggregate.Add(value, instrument.IsObservable);
        }
    }

    private sealed class Aggregate(string kind)
    {
        private readonly object _gate = new();
        private double _value;
        private long _count;
        private double _min = double.MaxValue;
        private double _max = double.MinValue;

        public void BeginObservation()
        {
            lock (_gate)
            {
                _value = 0;
            }
        }

        public void Add(double value, bool observed)
        {
            lock (_gate)
            {
                // A gauge's tag series add up to the instrument's value; counters and histograms accumulate.
                _value = kind == "gauge" && !observed ? value : _value + value;
                _count++;
                _min = Math.Min(_min, value);
                _max = Math.Max(_max, value);
            }
        }

        public InstrumentValue ToValue(Instrument instrument)
        {
            lock (_gate)
            {
                var histogram = kind == "histogram";
                return new InstrumentValue(
                    instrument.Meter.Name, instrument.Name, instrument.Unit, kind, _value,
                    histogram ? _count : null, histogram && _count > 0 ? _min : null, histogram && _count > 0 ? _max : null);
            }
        }
    }
}
