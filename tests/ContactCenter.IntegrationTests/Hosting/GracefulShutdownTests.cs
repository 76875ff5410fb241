using ContactCenter.Dialer;
using ContactCenter.Hosting;
using ContactCenter.Sip;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// Stopping a host over real loopback SIP and RTP: new calls are refused while the calls in progress drain, then the
/// system ends what is left and records it; campaigns carry on after a restart.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_campaign_call_connected_at_shutdown_keeps_its_outcome_and_after_a_restart_only_the_contacts_not_called_are_dialed()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = TimeSpan.FromMilliseconds(300);
        var carrierPort = carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        var root = Path.Combine(Path.GetTempPath(), "cc-host-" + Guid.NewGuid().ToString("N"));
        void Configure(ContactCenterOptions options)
        {
            CampaignTests.Configure(carrierPort)(options);
            options.DrainTimeout = Drain;
            options.Dialer.DispositionTimeout = TimeSpan.FromMinutes(5); // the shutdown, not this timeout, closes the attempt
        }

        Guid campaignId;
        var first = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure, root);
        first.KeepDataOnDispose = true;
        await using (first)
        {
            await using var agentPhone = await LogInAsync(first, "ada", "1001");
            var campaign = first.Dialer.CreateCampaign(CampaignTests.Progressive("Drain"));
            campaign.ImportCsv(new StringReader("phone\n+12125550101\n+12125550102\n"));
            campaignId = campaign.Id;
            campaign.Start();
            var customer = await carrier.NextIncomingAsync(Patience);
            Assert.Equal("+12125550101", Dialed(customer));
            await agentPhone.NextIncomingAsync(Patience);
            await customer.WaitForAudioAsync(25, Patience);

            var stopping = first.StopAsync();
            await Eventually.UntilAsync(() => first.Runtime.IsDraining, "the drain to begin", Patience);
            await customer.WaitForAudioAsync(25, Patience); // the agent is still heard while the host drains
            await customer.Call.Ended.WaitAsync(Patience); // until the drain timeout: then the system hangs up
            await stopping.WaitAsync(Patience);
            Assert.Equal(CampaignState.Running, campaign.State);
        }

        var second = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure, root);
        await using (second)
        {
            var attempt = Assert.Single(second.Storage.Campaigns.LoadAttempts(campaignId, DateTimeOffset.MinValue));
            Assert.Equal(("+12125550101", CallOutcome.AnsweredByPerson, "completed"), (attempt.PhoneNumber, attempt.Outcome, attempt.DispositionCode));
            Assert.Equal(CampaignState.Running, second.Dialer.GetCampaign(campaignId).State);

            // The campaign carries on with the contact it had not called yet, as soon as the agent is back.
            await using var agentPhone = await TestPhone.StartAsync();
            await agentPhone.RegisterAsync("1001", "pw-1001", second.SipEndPoint);
            Assert.Equal("+12125550102", Dialed(await carrier.NextIncomingAsync(Patience)));
            var attempts = second.Storage.Campaigns.LoadAttempts(campaignId, DateTimeOffset.MinValue);
            Assert.Equal(["+12125550101", "+12125550102"], attempts.Select(a => a.PhoneNumber).Order());
        }
    }

    private static async Task<TestPhone> LogInAsync(ContactCenterTestHost host, string agentId, string extension)
    {
        var phone = await TestPhone.StartAsync();
        await phone.RegisterAsync(extension, "pw-" + extension, host.SipEndPoint);
        await Eventually.UntilAsync(() => host.AgentState(agentId) == "Available", $"agent {agentId} to log in", Patience);
        return phone;
    }

    private static string? Dialed(PhoneCall call) => ((SipUri)call.Call.InitialInvite.RequestUri).User;
}
