using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ContactCenter.Ivr.Diagnostics;

/// <summary>The package's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>ContactCenter.Ivr</c>.</summary>
internal sealed class IvrTelemetry : IDisposable
{
    public const string Name = "ContactCenter.Ivr";

    public IvrTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);
        SessionsStarted = Meter.CreateCounter<long>("ivr.sessions.started", "{session}", "IVR sessions started");
        SessionsActive = Meter.CreateUpDownCounter<long>("ivr.sessions.active", "{session}", "IVR sessions running now");
        SessionDuration = Meter.CreateHistogram<double>("ivr.session.duration", "s", "Duration of IVR sessions");
        Steps = Meter.CreateCounter<long>("ivr.node.steps", "{step}", "Flow nodes executed");
        HttpDuration = Meter.CreateHistogram<double>("ivr.http.request.duration", "s", "Duration of http node requests");
    }

    public static ActivitySource ActivitySource { get; } = new(Name);

    public Meter Meter { get; }

    public Counter<long> SessionsStarted { get; }

    public UpDownCounter<long> SessionsActive { get; }

    public Histogram<double> SessionDuration { get; }

    public Counter<long> Steps { get; }

    public Histogram<double> HttpDuration { get; }

    public void Dispose() => Meter.Dispose();
}
