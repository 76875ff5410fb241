using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Dialer;

/// <summary>The package's one Meter and one ActivitySource, named "ContactCenter.Dialer".</summary>
internal static class DialerTelemetry
{
    public const string Name = "ContactCenter.Dialer";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> CallsPlaced = Meter.CreateCounter<long>("dialer.calls.placed", "{call}", "Outbound calls placed.");

    public static readonly Counter<long> CallsAnswered = Meter.CreateCounter<long>("dialer.calls.answered", "{call}", "Answered calls, tagged answered_by=person|machine.");

    public static readonly Counter<long> CallsAbandoned = Meter.CreateCounter<long>("dialer.calls.abandoned", "{call}", "Live answers that got no agent within the connect deadline, persons classified as machines included.");

    public static readonly Counter<long> ContactsImported = Meter.CreateCounter<long>("dialer.contacts.imported", "{contact}", "Contacts added to campaigns.");

    public static readonly Histogram<double> RingTime = Meter.CreateHistogram<double>("dialer.calls.ring_time", "s", "Time from dial to a live answer.");
}

/// <summary>Log messages of the dialer (event ids 8000-8099).</summary>
internal static partial class DialerLog
{
    [LoggerMessage(8000, LogLevel.Information, "Campaign {CampaignId} '{Name}' is now {State}")]
    public static partial void StateChanged(ILogger logger, Guid campaignId, string name, CampaignState state);

    [LoggerMessage(8001, LogLevel.Warning, "Campaign {CampaignId}: contact line {Line} rejected: {Reason}")]
    public static partial void LineRejected(ILogger logger, Guid campaignId, int line, string reason);

    [LoggerMessage(8002, LogLevel.Debug, "Campaign {CampaignId}: call {CallId} abandoned (no agent within the connect deadline)")]
    public static partial void Abandoned(ILogger logger, Guid campaignId, Guid callId);

    [LoggerMessage(8003, LogLevel.Warning, "Campaign {CampaignId}: abandonment rate {Rate:P2} leaves no room under the cap; pacing progressively")]
    public static partial void CapReached(ILogger logger, Guid campaignId, double rate);

    [LoggerMessage(8004, LogLevel.Information, "Campaign {CampaignId}: resumed from the store with {Interrupted} interrupted attempts")]
    public static partial void Restored(ILogger logger, Guid campaignId, int interrupted);

    [LoggerMessage(8005, LogLevel.Warning, "Call port failed for call {CallId}")]
    public static partial void PortFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(8006, LogLevel.Information, "Campaign {CampaignId}: call {CallId} was a person classified as a machine; counted as abandoned")]
    public static partial void PersonClassifiedAsMachine(ILogger logger, Guid campaignId, Guid callId);
}
