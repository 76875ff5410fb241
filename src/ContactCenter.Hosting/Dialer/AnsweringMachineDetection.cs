using ContactCenter.Dialer;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Dialer;
using ContactCenter.Hosting.Events;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting;

/// <summary>Answering-machine detection for campaign calls (<see cref="AnsweringMachineDetectionExtensions.UseAnsweringMachineDetection"/>).</summary>
public sealed class AnsweringMachineDetectionOptions
{
    /// <summary>The detector's thresholds and timings (initial silence, greeting, words, silence after the greeting, analysis time).</summary>
    public AnsweringMachineDetectorOptions Detector { get; set; } = new();

    /// <summary>
    /// Whether a not-sure verdict (the analysis time ran out) counts as a machine (default false: it counts as a person,
    /// because a person taken for a machine is an abandoned call for the regulator).
    /// </summary>
    public bool NotSureIsMachine { get; set; }

    /// <summary>
    /// The message left on answering machines (a WAV file path, or text spoken by the text-to-speech engine), after their
    /// greeting and beep; null (default) hangs up on machines at once. <see cref="CampaignMachineMessages"/> overrides it per campaign.
    /// </summary>
    public string? MachineMessage { get; set; }

    /// <summary>
    /// Per campaign (by <c>CampaignSettings.Name</c>): the message left on its machines, or an empty string to hang up on
    /// them; campaigns not listed use <see cref="MachineMessage"/>.
    /// </summary>
    public Dictionary<string, string> CampaignMachineMessages { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Campaigns (by <c>CampaignSettings.Name</c>) whose calls are not analysed: every answer is a person at once
    /// (for example a preview campaign whose agents listen for themselves).
    /// </summary>
    public HashSet<string> CampaignsWithoutDetection { get; } = new(StringComparer.Ordinal);

    /// <summary>The quiet that marks the end of a machine's greeting and beep, when the message starts (default 1 s).</summary>
    public TimeSpan MessageAfterSilence { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for that quiet; then the message plays anyway (default 30 s).</summary>
    public TimeSpan MaximumGreetingWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a campaign's calls are analysed.</summary>
    internal bool Detects(string? campaignName) => campaignName is null || !CampaignsWithoutDetection.Contains(campaignName);

    /// <summary>The message for a campaign's machines, or null to hang up on them.</summary>
    internal string? MessageFor(string? campaignName) =>
        campaignName is not null && CampaignMachineMessages.TryGetValue(campaignName, out var own) ? (string.IsNullOrWhiteSpace(own) ? null : own)
        : string.IsNullOrWhiteSpace(MachineMessage) ? null : MachineMessage;

    /// <summary>Checks every option; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        if (Detector is null)
        {
            throw new ArgumentNullException(nameof(Detector), "AnsweringMachineDetectionOptions.Detector must be set.");
        }

        Detector.Validate();
        if (MessageAfterSilence < TimeSpan.FromMilliseconds(10) || MessageAfterSilence > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(MessageAfterSilence), MessageAfterSilence, "AnsweringMachineDetectionOptions.MessageAfterSilence must be between 10 ms and 30 s.");
        }

        if (MaximumGreetingWait < MessageAfterSilence || MaximumGreetingWait > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumGreetingWait), MaximumGreetingWait, "AnsweringMachineDetectionOptions.MaximumGreetingWait must be at least MessageAfterSilence and at most 5 minutes.");
        }
    }
}

/// <summary>Turns on answering-machine detection for the contact center's campaigns.</summary>
public static class AnsweringMachineDetectionExtensions
{
    /// <summary>
    /// Classifies every answered campaign call from its audio before the dialer connects it: a machine never reaches
    /// an agent or an agentless flow (outcome <c>AnsweredByMachine</c>, retried by the campaign's rules); it is hung up,
    /// or first hears the campaign's machine message after its beep; a person is connected, or handed to the flow,
    /// at the end of their greeting.
    /// </summary>
    /// <param name="builder">The contact center.</param>
    /// <param name="configure">Changes the detection options; the defaults suit most carriers and hang up on machines.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static ContactCenterBuilder UseAnsweringMachineDetection(this ContactCenterBuilder builder, Action<AnsweringMachineDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AnsweringMachineDetectionOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Configure(o => o.Dialer.AnsweringMachineDetection = options);
    }

    /// <summary>The dialer of the contact center, with a detector when <see cref="DialerHostOptions.AnsweringMachineDetection"/> is set.</summary>
    internal static OutboundDialer CreateDialer(IServiceProvider services)
    {
        var runtime = services.GetRequiredService<ContactCenterRuntime>();
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var detection = services.GetRequiredService<IOptions<ContactCenterOptions>>().Value.Dialer.AnsweringMachineDetection;
        return new OutboundDialer(
            runtime,
            services.GetRequiredService<RoutingAgentPool>(),
            services.GetRequiredService<ICampaignStore>(),
            services.GetRequiredService<TimeProvider>(),
            machineDetector: detection is null ? null : new SipAnsweringMachineDetector(
                runtime,
                detection,
                loggers.CreateLogger("ContactCenter.Hosting.Dialer"),
                id => CampaignName(services, id),
                services.GetRequiredService<ContactCenterEventHub>(),
                services.GetRequiredService<TimeProvider>()),
            loggerFactory: loggers);
    }

    private static string? CampaignName(IServiceProvider services, Guid campaignId)
    {
        try
        {
            return services.GetRequiredService<OutboundDialer>().GetCampaign(campaignId).Settings.Name;
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }
}
