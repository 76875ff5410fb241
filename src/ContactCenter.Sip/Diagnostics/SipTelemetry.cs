using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ContactCenter.Sip.Diagnostics;

/// <summary>The package's Meter and ActivitySource, both named <c>ContactCenter.Sip</c>.</summary>
internal sealed class SipTelemetry : IDisposable
{
    public const string Name = "ContactCenter.Sip";

    public SipTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);
        TransactionsActive = Meter.CreateUpDownCounter<long>("sip.transactions.active", "{transaction}", "SIP transactions not yet terminated.");
        TransactionsStarted = Meter.CreateCounter<long>("sip.transactions.started", "{transaction}", "SIP transactions created, by kind.");
        TransactionTimeouts = Meter.CreateCounter<long>("sip.transactions.timeouts", "{transaction}", "SIP transactions ended by timer B, F or H.");
        Retransmissions = Meter.CreateCounter<long>("sip.retransmissions", "{message}", "SIP messages retransmitted over UDP.");
    }

    public static ActivitySource ActivitySource { get; } = new(Name);

    public Meter Meter { get; }

    public UpDownCounter<long> TransactionsActive { get; }

    public Counter<long> TransactionsStarted { get; }

    public Counter<long> TransactionTimeouts { get; }

    public Counter<long> Retransmissions { get; }

    public void Dispose() => Meter.Dispose();
}
