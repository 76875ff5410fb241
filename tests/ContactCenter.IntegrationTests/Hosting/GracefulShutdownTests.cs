using ContactCenter.Dialer;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
    public async Task While_the_host_stops_new_calls_get_503_and_calls_in_progress_go_on_until_they_end_or_the_drain_timeout_ends_them_for_the_system()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["queue-test.json"] = InboundCallTests.QueueFlow }, options =>
        {
            InboundCallTests.Configure(options);
            options.Agents = [.. options.Agents, new AgentOptions { Id = "bob", Extension = "1002", Password = "pw-1002", Skills = new() { ["support"] = 50 }, Queues = ["Support"] }];
            options.Queues[0].WrapUp = TimeSpan.FromMinutes(1); // the third caller stays queued through the drain
            options.DrainTimeout = Drain;
        });
        await using var callers = await TestPhone.StartAsync();

        // Two callers talk to ada and bob; a third waits in the queue.
        await using var ada = await LogInAsync(host, "ada", "1001");
        var (first, firstId) = await ConnectAsync(host, callers, ada);
        await using var bob = await LogInAsync(host, "bob", "1002");
        var (second, secondId) = await ConnectAsync(host, callers, bob);
        var queued = await callers.CallAsync("+18005550100", host.SipEndPoint);
        await Eventually.UntilAsync(() => host.Runtime.ActiveCalls.Any(c => c.Phase == ActiveCallPhase.Queued), "the third caller to be queued", Patience);

        var stopping = host.StopAsync();
        var stopBegan = DateTime.UtcNow;
        await Eventually.UntilAsync(() => host.Runtime.IsDraining, "the drain to begin", Patience);
        var refused = await callers.CallAsync("+18005550100", host.SipEndPoint);
        Assert.Equal(503, refused.Call.FinalStatus);
        var readiness = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, readiness.Status); // a load balancer stops sending calls here

        // Both conversations go on; the first caller hangs up, which ends that call as it would any day.
        await Task.WhenAll(first.WaitForAudioAsync(25, Patience), second.WaitForAudioAsync(25, Patience));
        await first.Call.HangUpAsync();

        // At the drain timeout the system hangs up the others.
        await Task.WhenAll(second.Call.Ended, queued.Call.Ended).WaitAsync(Patience);
        Assert.True(DateTime.UtcNow - stopBegan >= Drain - TimeSpan.FromMilliseconds(200), "the calls were given the whole drain");
        Assert.Equal((SipCallEndReason.RemoteHangUp, SipCallEndReason.RemoteHangUp), (second.Call.EndReason, queued.Call.EndReason));
        await stopping.WaitAsync(Patience);

        // Every call record is written before the host has stopped.
        var records = (await host.Storage.CallRecords.QueryAsync(new CallDetailQuery())).Items;
        Assert.Equal(3, records.Count);
        var talked = records.Single(r => r.Id == firstId);
        Assert.Equal((CallStatus.NormalEnd, HangupParty.Caller, "ada"), (talked.Status, talked.HangupParty, talked.AgentId));
        var cut = records.Single(r => r.Id == secondId);
        Assert.Equal((CallStatus.SystemError, HangupParty.System, "bob"), (cut.Status, cut.HangupParty, cut.AgentId));
        var waiting = records.Single(r => r.AgentId is null);
        Assert.Equal((CallStatus.SystemError, HangupParty.System, "Support"), (waiting.Status, waiting.HangupParty, waiting.QueueId));
    }

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

    /// <summary>Calls the queue test number and waits until <paramref name="agent"/> has answered: the caller's call and the contact-center call id.</summary>
    private static async Task<(PhoneCall Caller, Guid CallId)> ConnectAsync(ContactCenterTestHost host, TestPhone callers, TestPhone agent)
    {
        var caller = await callers.CallAsync("+18005550100", host.SipEndPoint);
        var agentCall = await agent.NextIncomingAsync(Patience);
        await Eventually.UntilAsync(() => agentCall.Call.State == SipCallState.Established, "the agent to answer", Patience);
        return (caller, Guid.Parse(agentCall.Call.InitialInvite.Headers["X-CC-Call-Id"]!));
    }

    private static string? Dialed(PhoneCall call) => ((SipUri)call.Call.InitialInvite.RequestUri).User;
}
