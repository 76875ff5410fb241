using System.Globalization;
using System.Text;
using ContactCenter.Dialer;
using ContactCenter.Reference.Simulation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Reference;

/// <summary>
/// With <c>Reference:Campaign:Enabled</c>, starts a predictive campaign of 500 generated contacts through the
/// <c>carrier</c> trunk (the simulated carrier on 127.0.0.1:5070) with Sales agents answering. A restart finds the
/// campaign in storage and carries on rather than creating a second one.
/// </summary>
internal sealed partial class ReferenceCampaign(
    OutboundDialer dialer,
    IOptions<ReferenceSimulationOptions> options,
    ILogger<ReferenceCampaign> logger) : IHostedService
{
    internal const string Name = "Reference outbound";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Campaign.Enabled)
        {
            return Task.CompletedTask;
        }

        var existing = dialer.Campaigns.FirstOrDefault(c => c.Settings.Name == Name);
        if (existing is not null)
        {
            Restored(logger, Name, existing.State.ToString());
            return Task.CompletedTask;
        }

        var campaign = dialer.CreateCampaign(new CampaignSettings
        {
            Name = Name,
            Mode = DialingMode.Predictive,
            CallingWindows = CallingWindows.Always,
            EnforceMinimumRing = false,
            MinimumLiveAnswersForPredictive = 20,
            MaxConcurrentCalls = 20,
        });
        var csv = new StringBuilder("phone,name\n");
        for (var i = 0; i < 500; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"+1212555{i:D4},Contact {i + 1}\n");
        }

        var import = campaign.ImportCsv(new StringReader(csv.ToString()));
        campaign.Start();
        Started(logger, Name, import.Imported);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Campaign '{Name}' started with {Contacts} contacts against the simulated carrier")]
    private static partial void Started(ILogger logger, string name, int contacts);

    [LoggerMessage(LogLevel.Information, "Campaign '{Name}' restored from storage ({State})")]
    private static partial void Restored(ILogger logger, string name, string state);
}
