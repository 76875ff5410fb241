using System.Diagnostics.Metrics;

namespace ContactCenter.Sip.Media;

/// <summary>
/// The media instruments, on the package's Meter "ContactCenter.Sip". With an <see cref="IMeterFactory"/> the
/// Meter is the factory's shared instance of that name; without one a Meter of that name is created and owned.
/// </summary>
internal sealed class MediaMetrics : IDisposable
{
    public const string MeterName = "ContactCenter.Sip";
    private readonly bool _ownsMeter;

    public MediaMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        SessionsActive = Meter.CreateUpDownCounter<long>("rtp.sessions.active", "{session}", "RTP sessions started and not yet disposed.");
        PacketsSent = Meter.CreateCounter<long>("rtp.packets.sent", "{packet}", "RTP packets sent.");
        PacketsPassedOver = Meter.CreateCounter<long>("rtp.packets.passed_over", "{packet}", "Received packets a relay did not forward because newer ones waited behind them (the clock fell behind); recorders still got them.");
        PacketsRelayed = Meter.CreateCounter<long>("rtp.packets.relayed", "{packet}", "RTP packets sent as they arrived from the other leg of a bridge (counted in rtp.packets.sent too).");
        PacketsReceived = Meter.CreateCounter<long>("rtp.packets.received", "{packet}", "RTP packets accepted.");
        PacketsRefused = Meter.CreateCounter<long>("rtp.packets.refused", "{packet}", "RTP packets refused: malformed, from an unlatched source, or failing SRTP.");
        MediaTimeouts = Meter.CreateCounter<long>("rtp.media_timeouts", "{session}", "Sessions that received no RTP for the media timeout.");
        DtmfDigits = Meter.CreateCounter<long>("media.dtmf.digits", "{digit}", "DTMF digits received, by method.");
        SkippedTicks = Meter.CreateCounter<long>("media.clock.skipped_ticks", "{tick}", "Pacing ticks skipped because the process fell behind.");
        FramesSkipped = Meter.CreateCounter<long>("rtp.frames.skipped", "{frame}", "Audio frames of a session's own source not sent because the clock skipped their interval (media time kept on the wall clock).");
        TickLateness = Meter.CreateHistogram<double>("media.clock.lateness", "s", "How late the pacing clock woke up after a tick was due.");
    }

    public Meter Meter { get; }

    public UpDownCounter<long> SessionsActive { get; }

    public Counter<long> PacketsSent { get; }

    public Counter<long> PacketsRelayed { get; }

    public Counter<long> PacketsPassedOver { get; }

    public Counter<long> PacketsReceived { get; }

    public Counter<long> PacketsRefused { get; }

    public Counter<long> MediaTimeouts { get; }

    public Counter<long> DtmfDigits { get; }

    public Counter<long> SkippedTicks { get; }

    public Counter<long> FramesSkipped { get; }

    public Histogram<double> TickLateness { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
