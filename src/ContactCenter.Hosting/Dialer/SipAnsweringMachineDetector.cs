using ContactCenter.Dialer;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Events;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Dialer;

/// <summary>
/// The dialer's answering-machine detection over the real audio of a campaign call: when the dialer starts it on an
/// answered call (of a campaign not in <see cref="AnsweringMachineDetectionOptions.CampaignsWithoutDetection"/>), an <see cref="AnsweringMachineDetector"/> listens to the customer leg's received audio; its verdict
/// goes back through <see cref="OutboundCall.ReportAmdVerdict"/> (not sure counts as a person unless
/// <see cref="AnsweringMachineDetectionOptions.NotSureIsMachine"/>) and the detector is detached. A machine whose
/// campaign has a machine message hears it after its beep, before the dialer's hang-up is carried out. If the customer
/// hangs up first, nothing is reported: the call port reports the hang-up and the dialer counts it.
/// </summary>
internal sealed class SipAnsweringMachineDetector : IAnsweringMachineDetector
{
    /// <summary>The event type published with each verdict.</summary>
    internal const string VerdictEvent = "campaign.amd_verdict";

    private readonly ContactCenterRuntime _runtime;
    private readonly AnsweringMachineDetectionOptions _options;
    private readonly ILogger _logger;
    private readonly Func<Guid, string?> _campaignName;
    private readonly ContactCenterEventHub _events;
    private readonly TimeProvider _time;

    /// <param name="runtime">The call port whose campaign calls are analysed.</param>
    /// <param name="options">Detection options (validated here).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="campaignName">A campaign's name by id, for per-campaign settings (null when unknown).</param>
    /// <param name="events">Where each verdict is published (<c>campaign.amd_verdict</c>).</param>
    /// <param name="time">The clock of the events.</param>
    public SipAnsweringMachineDetector(
        ContactCenterRuntime runtime, AnsweringMachineDetectionOptions options, ILogger logger, Func<Guid, string?> campaignName, ContactCenterEventHub events, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(campaignName);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _runtime = runtime;
        _options = options;
        _logger = logger;
        _campaignName = campaignName;
        _events = events;
        _time = time;
    }

    public void Start(OutboundCall outboundCall)
    {
        ArgumentNullException.ThrowIfNull(outboundCall);
        if (!_options.Detects(_campaignName(outboundCall.CampaignId)))
        {
            outboundCall.ReportAmdVerdict(AmdVerdict.Person);
            return;
        }

        if (!_runtime.TryGetAnsweredCustomer(outboundCall.Id, out var media, out var customer))
        {
            // Already over: the call port reports the hang-up, which the dialer counts for an answered call.
            HostingLog.MachineDetectionUnavailable(_logger, outboundCall.Id, "the call is over");
            return;
        }

        var detector = new AnsweringMachineDetector(_options.Detector);
        media.Rtp.AddSink(detector);
        _ = ListenAsync(outboundCall, detector, media.Rtp, customer.Ended);
    }

    private async Task ListenAsync(OutboundCall outboundCall, AnsweringMachineDetector detector, RtpSession rtp, Task ended)
    {
        try
        {
            var first = await Task.WhenAny(detector.Completion, ended).ConfigureAwait(false);
            rtp.RemoveSink(detector);
            if (first != detector.Completion)
            {
                detector.Stop();
                return;
            }

            var result = await detector.Completion.ConfigureAwait(false);
            var verdict = result.Verdict switch
            {
                AnsweringMachineVerdict.Machine => AmdVerdict.Machine,
                AnsweringMachineVerdict.NotSure when _options.NotSureIsMachine => AmdVerdict.Machine,
                _ => AmdVerdict.Person,
            };
            HostingLog.MachineDetected(
                _logger, outboundCall.Id, result.Verdict.ToString(), result.Reason.ToString(), result.Words,
                (long)result.Speech.TotalMilliseconds, (long)result.AnalysedFor.TotalMilliseconds, verdict.ToString());
            if (verdict == AmdVerdict.Machine && _options.MessageFor(_campaignName(outboundCall.CampaignId)) is { } message)
            {
                // Queued on the call before the verdict: the dialer's hang-up waits until the message is left.
                _runtime.LeaveMachineMessage(outboundCall.Id, message, _options.MessageAfterSilence, _options.MaximumGreetingWait, _options.Detector.SilenceThreshold);
            }

            _events.Publish(ContactCenterEvent.Create(VerdictEvent, ContactCenterEventCategory.Campaign, _time.GetUtcNow(), new Dictionary<string, object?>
            {
                ["callId"] = outboundCall.Id,
                ["campaignId"] = outboundCall.CampaignId,
                ["phoneNumber"] = outboundCall.PhoneNumber,
                ["verdict"] = result.Verdict.ToString(),
                ["reason"] = result.Reason.ToString(),
                ["words"] = result.Words,
                ["speechSeconds"] = result.Speech.TotalSeconds,
                ["analysedSeconds"] = result.AnalysedFor.TotalSeconds,
                ["reportedAs"] = verdict.ToString(),
            }));
            outboundCall.ReportAmdVerdict(verdict);
        }
#pragma warning disable CA1031 // A failure here must not go unobserved; the call goes on as a person would.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HostingLog.MachineDetectionUnavailable(_logger, outboundCall.Id, "failed, reported as a person: " + e.Message);
            outboundCall.ReportAmdVerdict(AmdVerdict.Person);
        }
    }
}
