using ContactCenter.Dialer;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Campaigns placed through a trunk to a carrier, connected to agents on their registered extensions.</summary>
public sealed class CampaignTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    internal static Action<ContactCenterOptions> Configure(int carrierPort) => options =>
    {
        options.Queues = [new QueueOptions { Name = "Sales", RingTimeout = TimeSpan.FromSeconds(5), WrapUp = TimeSpan.Zero }];
        options.Agents = [new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Sales"] }];
        options.Dialer.AgentQueue = "Sales";
        options.Dialer.DispositionTimeout = TimeSpan.FromMilliseconds(500);
        var trunk = new SipTrunkOptions { Name = "carrier", Proxy = $"127.0.0.1:{carrierPort}", MaxCallsPerSecond = 50 };
        trunk.HealthCheck.Enabled = false;
        options.Trunks = [trunk];
    };

    /// <summary>A progressive campaign that may call at any hour.</summary>
    internal static CampaignSettings Progressive(string name) => new()
    {
        Name = name,
        Mode = DialingMode.Progressive,
        CallingWindows = CallingWindows.Always,
        EnforceMinimumRing = false,
    };

    [Fact]
    public async Task A_progressive_campaign_calls_each_contact_through_the_trunk_and_connects_the_answered_call_to_the_agent()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = TimeSpan.FromMilliseconds(300);
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        await using var agentPhone = await TestPhone.StartAsync();
        await agentPhone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await WaitUntilAsync(() => host.AgentState("ada") == "Available", "the agent to log in");

        var dialer = host.Services.GetRequiredService<OutboundDialer>();
        var campaign = dialer.CreateCampaign(Progressive("Renewals"));
        var import = campaign.ImportCsv(new StringReader("phone,name\n+12125550101,Ann\n"));
        Assert.Equal(1, import.Imported);
        campaign.Start();

        var customer = await carrier.NextIncomingAsync(Patience);
        Assert.Equal("+12125550101", ((ContactCenter.Sip.SipUri)customer.Call.InitialInvite.RequestUri).User);
        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        Assert.Equal(campaign.Id.ToString(), agentCall.Call.InitialInvite.Headers["X-CC-Campaign"]);
        await customer.WaitForAudioAsync(25, Patience); // the agent's tone reaches the customer through the bridge

        await customer.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);

        await WaitUntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished");
        var stats = campaign.GetStatistics();
        Assert.Equal(1, stats.Dials);
        Assert.Equal(1, stats.LiveAnswers);
        Assert.Equal(0, stats.Abandoned);
        CallDetailRecord? record = null;
        var deadline = DateTime.UtcNow + Patience;
        while (record is null && DateTime.UtcNow < deadline)
        {
            record = (await host.Storage.CallRecords.QueryAsync(new CallDetailQuery { Number = "+12125550101" })).Items.SingleOrDefault();
            await Task.Delay(100);
        }

        var all = await host.Storage.CallRecords.QueryAsync(new CallDetailQuery());
        Assert.True(record is not null, "records: " + string.Join("; ", all.Items.Select(r => $"{r.CallerNumber}->{r.CalledNumber} {r.Status}")));
        Assert.NotNull(record);
        Assert.Equal(CallDirection.Outbound, record!.Direction);
        Assert.Equal("ada", record.AgentId);
        Assert.NotNull(record.RecordingId);
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_campaign_loses_no_contact_and_dials_none_twice()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.RejectWith = 486; // every contact is busy: each is dialed once, then waits for its retry
        var port = carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        var root = Path.Combine(Path.GetTempPath(), "cc-host-" + Guid.NewGuid().ToString("N"));
        Guid campaignId;
        var first = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure(port), root);
        first.KeepDataOnDispose = true;
        await using (first)
        {
            await using var agentPhone = await TestPhone.StartAsync();
            await agentPhone.RegisterAsync("1001", "pw-1001", first.SipEndPoint);
            await WaitUntilAsync(() => first.AgentState("ada") == "Available", "the agent to log in");
            var dialer = first.Services.GetRequiredService<OutboundDialer>();
            var campaign = dialer.CreateCampaign(Progressive("Restart"));
            campaign.ImportCsv(new StringReader("phone\n+12125550101\n+12125550102\n+12125550103\n"));
            campaignId = campaign.Id;
            campaign.Start();
            await carrier.NextIncomingAsync(Patience);
        }

        // The second host restores the campaign from the same database.
        var second = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), Configure(port), root);
        await using (second)
        {
            var dialer = second.Services.GetRequiredService<OutboundDialer>();
            var campaign = dialer.GetCampaign(campaignId);
            var contacts = second.Storage.Campaigns.LoadContacts(campaignId);
            Assert.Equal(3, contacts.Count);
            var attempts = second.Storage.Campaigns.LoadAttempts(campaignId, DateTimeOffset.MinValue);
            Assert.All(attempts.GroupBy(a => (a.ContactId, a.Number)), g => Assert.Single(g));
            Assert.True(attempts.Count >= 1, "the first host's attempt was stored");
            Assert.NotEqual(CampaignState.Draft, campaign.State);
        }
    }

    [Fact]
    public async Task A_predictive_campaign_against_a_sipp_carrier_reaches_every_contact_once_with_agents_answering()
    {
        var carrierPort = ContactCenter.IntegrationTests.Media.SippMediaTests.FreeUdpPort();
        var directory = Directory.CreateTempSubdirectory("cc-campaign-sipp-");
        using var carrier = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo("sipp")
            {
                ArgumentList = { "-sn", "uas", "-i", "127.0.0.1", "-p", carrierPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-nostdin" },
                WorkingDirectory = directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        Assert.True(carrier.Start(), "sipp did not start (run ./build.sh test, which installs sip-tester)");
        carrier.BeginOutputReadLine();
        carrier.BeginErrorReadLine();
        try
        {
            await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string>(), options =>
            {
                Configure(carrierPort)(options);
                options.Agents =
                [
                    new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Sales"] },
                    new AgentOptions { Id = "bob", Extension = "1002", Password = "pw-1002", Queues = ["Sales"] },
                ];
            });
            await using var ada = await TestPhone.StartAsync();
            await using var bob = await TestPhone.StartAsync();
            await ada.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
            await bob.RegisterAsync("1002", "pw-1002", host.SipEndPoint);
            await WaitUntilAsync(() => host.AgentState("ada") == "Available" && host.AgentState("bob") == "Available", "both agents to log in");
            using var stop = new CancellationTokenSource();
            var talking = Task.WhenAll(TalkBriefly(ada, stop.Token), TalkBriefly(bob, stop.Token));

            var dialer = host.Services.GetRequiredService<OutboundDialer>();
            var campaign = dialer.CreateCampaign(new CampaignSettings
            {
                Name = "Predictive",
                Mode = DialingMode.Predictive,
                CallingWindows = CallingWindows.Always,
                EnforceMinimumRing = false,
                MinimumLiveAnswersForPredictive = 1,
                MinimumAgentsForPredictive = 1,
            });
            campaign.ImportCsv(new StringReader("phone\n+12125550101\n+12125550102\n+12125550103\n+12125550104\n+12125550105\n+12125550106\n"));
            campaign.Start();

            try
            {
                await WaitUntilAsync(() => campaign.GetStatistics().FinishedContacts == 6, "every contact to be finished", TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                var records = await host.Storage.CallRecords.QueryAsync(new CallDetailQuery());
                var attemptsSoFar = host.Storage.Campaigns.LoadAttempts(campaign.Id, DateTimeOffset.MinValue);
                Assert.Fail($"{campaign.GetStatistics()}; ada {host.AgentState("ada")}, bob {host.AgentState("bob")}; records: "
                    + string.Join("; ", records.Items.Select(r => $"{r.CalledNumber} {r.Status} {r.AgentId}"))
                    + "; attempts: " + string.Join("; ", attemptsSoFar.Select(a => $"{a.PhoneNumber} {a.Outcome} {a.AgentId}")));
            }
            await stop.CancelAsync();
            await talking;

            var stats = campaign.GetStatistics();
            Assert.Equal(6, stats.LiveAnswers + stats.Abandoned);
            var attempts = host.Storage.Campaigns.LoadAttempts(campaign.Id, DateTimeOffset.MinValue);
            Assert.Equal(6, attempts.Select(a => a.ContactId).Distinct().Count());
            Assert.All(attempts.GroupBy(a => a.ContactId), g => Assert.Single(g)); // answered contacts are never dialed twice
            Assert.True(attempts.Any(a => a.AgentId is not null), "agents took the answered calls");
        }
        finally
        {
            carrier.Kill(entireProcessTree: true);
            await carrier.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>An agent who answers every campaign call and hangs up after a moment of talk.</summary>
    private static async Task TalkBriefly(TestPhone phone, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            PhoneCall call;
            try
            {
                call = await phone.NextIncomingAsync(TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                continue;
            }

            for (var i = 0; i < 50 && call.Call.State != SipCallState.Established && call.Call.State != SipCallState.Terminated; i++)
            {
                await Task.Delay(50, CancellationToken.None);
            }

            await Task.Delay(300, CancellationToken.None);
            await call.Call.HangUpAsync();
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? patience = null) =>
        Eventually.UntilAsync(condition, what, patience ?? Patience);
}
