using System.Diagnostics.Metrics;

namespace ContactCenter.Sip.Trunks;

/// <summary>
/// The trunk instruments on the package's Meter <c>ContactCenter.Sip</c> (the factory's shared instance when one is given).
/// Every measurement is tagged <c>sip.trunk</c> with the trunk's name.
/// </summary>
internal sealed class TrunkMetrics : IDisposable
{
    public const string MeterName = "ContactCenter.Sip";
    private readonly bool _ownsMeter;

    public TrunkMetrics(IMeterFactory? meterFactory, Func<IEnumerable<SipTrunk>> trunks)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Calls = Meter.CreateCounter<long>("sip.trunk.calls", "{call}", "Call attempts sent through a trunk, by direction (inbound calls: those accepted by screening).");
        Refused = Meter.CreateCounter<long>("sip.trunk.calls.refused", "{call}", "Calls a trunk refused without sending an INVITE, by reason (sip.trunk.refusal).");
        Failovers = Meter.CreateCounter<long>("sip.trunk.failovers", "{call}", "Call attempts that failed with 408, 503 or a transport error and moved to the next proxy or trunk.");
        Probes = Meter.CreateCounter<long>("sip.trunk.probes", "{probe}", "OPTIONS health probes, by result (sip.trunk.probe.result: ok, failed).");
        Meter.CreateObservableGauge("sip.trunk.calls.active", () => trunks().Select(t => new Measurement<long>(t.ActiveCalls, Tag(t))),
            "{call}", "Calls up or being set up on a trunk, both directions.");
        Meter.CreateObservableGauge("sip.trunk.up", () => trunks().Select(t => new Measurement<int>(t.IsAvailable ? 1 : 0, Tag(t))),
            "1", "1 while a trunk can take calls (healthy and, when needed, registered), else 0.");
        Meter.CreateObservableGauge("sip.trunk.calls.rate", () => trunks().Select(t => new Measurement<int>(t.CallsInLastSecond, Tag(t))),
            "{call}/s", "Outbound calls started on a trunk during the last second.");
    }

    public Meter Meter { get; }

    public Counter<long> Calls { get; }

    public Counter<long> Refused { get; }

    public Counter<long> Failovers { get; }

    public Counter<long> Probes { get; }

    public static KeyValuePair<string, object?> Tag(SipTrunk trunk) => new("sip.trunk", trunk.Name);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
