using ContactCenter.Dialer;
using ContactCenter.Hosting;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// Answering-machine detection on the real audio of campaign calls: a carrier (a <see cref="TestPhone"/>) answers
/// with a machine's long greeting or a person's short hello, over loopback RTP, and the host with
/// <c>ContactCenter:Dialer:AnsweringMachineDetection</c> set decides.
/// </summary>
public sealed class AmdTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The test host with answering-machine detection, dialing out through <paramref name="carrierPort"/>.</summary>
    private static Task<ContactCenterTestHost> StartHostAsync(int carrierPort, Action<AnsweringMachineDetectionOptions>? amd = null, IReadOnlyDictionary<string, string>? flows = null)
    {
        var detection = new AnsweringMachineDetectionOptions();
        amd?.Invoke(detection);
        return ContactCenterTestHost.StartAsync(flows ?? new Dictionary<string, string>(), options =>
        {
            AgentlessCampaignTests.Configure(carrierPort)(options);
            options.Dialer.DispositionTimeout = TimeSpan.FromMilliseconds(500);
            options.Dialer.AnsweringMachineDetection = detection;
        });
    }

    private static Campaign StartProgressive(OutboundDialer dialer, string phone)
    {
        var campaign = dialer.CreateCampaign(new CampaignSettings
        {
            Name = "Renewals",
            Mode = DialingMode.Progressive,
            CallingWindows = CallingWindows.Always,
            EnforceMinimumRing = false,
        });
        Assert.Equal(1, campaign.ImportCsv(new StringReader($"phone,name\n{phone},Ann\n")).Imported);
        campaign.Start();
        return campaign;
    }

    /// <summary>A person picking up: "hello" (half a second of voice), then silence while they wait for us.</summary>
    private static ToneSource Hello() => new(new ToneSpec([300, 900], TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60), Cycles: 1, Amplitude: 4000));

    /// <summary>A machine: a 2.5 s greeting (a long stretch of voice), then the quiet of a machine recording.</summary>
    private static ToneSource Greeting() => new(new ToneSpec([300, 900], TimeSpan.FromMilliseconds(2500), TimeSpan.FromSeconds(60), Cycles: 1, Amplitude: 4000));

    /// <summary>A WAV file of a 440 Hz tone (a message or a prompt) in the temporary folder.</summary>
    private static async Task<string> WriteToneAsync(TimeSpan length)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-amd-{Guid.NewGuid():N}.wav");
        var samples = new short[(int)(length.TotalSeconds * 8000)];
        new ToneSource(new ToneSpec([440], length, TimeSpan.Zero, Cycles: 1, Amplitude: 3000)).Read(samples);
        await using var file = File.Create(path);
        WavFile.Write(file, new AudioClip(samples, "tone"));
        return path;
    }

    private static async Task<(ContactCenterTestHost Host, TestPhone Agent)> StartWithAgentAsync(TestPhone carrier, Action<AnsweringMachineDetectionOptions>? amd = null)
    {
        var host = await StartHostAsync(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port, amd);
        var agent = await TestPhone.StartAsync();
        await agent.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await Eventually.UntilAsync(() => host.AgentState("ada") == "Available", "the agent to log in", Patience);
        return (host, agent);
    }

    [Fact]
    public async Task A_carrier_answering_with_a_long_greeting_is_a_machine_hung_up_without_reaching_the_agent()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = null;
        var (host, agent) = await StartWithAgentAsync(carrier);
        await using var _ = host;
        await using var __ = agent;
        using var verdicts = host.Services.GetRequiredService<ContactCenter.Hosting.Events.ContactCenterEventHub>().Subscribe(e => e.Type == "campaign.amd_verdict");
        var campaign = StartProgressive(host.Dialer, "+12125550111");

        var customer = await carrier.NextIncomingAsync(Patience);
        await TestPhone.AnswerWithAsync(customer, Greeting());
        await customer.Call.Ended.WaitAsync(Patience);

        var verdict = await verdicts.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("Machine", verdict.Data["verdict"]);
        Assert.Equal("LongGreeting", verdict.Data["reason"]);
        Assert.Equal("+12125550111", verdict.Data["phoneNumber"]);

        await Assert.ThrowsAsync<TimeoutException>(() => agent.NextIncomingAsync(TimeSpan.FromMilliseconds(500)));
        Assert.True(customer.LoudFrames < 5, $"the machine heard {customer.LoudFrames} loud frames; nothing should play to it");
        await Eventually.UntilAsync(() => campaign.GetStatistics().MachineAnswers == 1, "the machine answer to be counted", Patience);
        var stats = campaign.GetStatistics();
        Assert.Equal(0, stats.LiveAnswers);
        Assert.Equal(0, stats.Abandoned);
        var attempt = Assert.Single(host.Storage.Campaigns.LoadAttempts(campaign.Id, DateTimeOffset.MinValue));
        Assert.Equal(CallOutcome.AnsweredByMachine, attempt.Outcome);
        await Eventually.UntilAsync(() => host.AgentState("ada") == "Available", "the reserved agent to be released", Patience);
    }

    [Fact]
    public async Task A_carrier_answering_with_a_short_hello_then_silence_is_a_person_connected_to_the_agent()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = null;
        var (host, agent) = await StartWithAgentAsync(carrier);
        await using var _ = host;
        await using var __ = agent;
        var campaign = StartProgressive(host.Dialer, "+12125550112");

        var customer = await carrier.NextIncomingAsync(Patience);
        await TestPhone.AnswerWithAsync(customer, Hello());
        var agentCall = await agent.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(25, Patience); // the agent's tone through the bridge
        await customer.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);

        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
        var stats = campaign.GetStatistics();
        Assert.Equal(1, stats.LiveAnswers);
        Assert.Equal(0, stats.MachineAnswers);
        Assert.Equal(0, stats.Abandoned);
    }

    [Fact]
    public async Task A_campaign_with_a_machine_message_leaves_it_after_the_greeting_then_hangs_up()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = null;
        var message = await WriteToneAsync(TimeSpan.FromSeconds(1));
        try
        {
            var (host, agent) = await StartWithAgentAsync(carrier, o => o.CampaignMachineMessages["Renewals"] = message);
            await using var _ = host;
            await using var __ = agent;
            var campaign = StartProgressive(host.Dialer, "+12125550113");

            var customer = await carrier.NextIncomingAsync(Patience);
            await TestPhone.AnswerWithAsync(customer, Greeting());
            await customer.Call.Ended.WaitAsync(Patience);

            // The one-second message (50 packets of 20 ms) reached the machine after its greeting and before the hang-up,
            // counted as the packets arrive (the phone's own playout thins them when its clock falls behind on a busy
            // machine: 18 frames once). At least half of it; without a message it hears fewer than 5 (above).
            Assert.True(customer.LoudPackets >= 25, $"the machine received {customer.LoudPackets} loud packets ({customer.LoudFrames} loud frames played)");
            await Eventually.UntilAsync(() => campaign.GetStatistics().MachineAnswers == 1, "the machine answer to be counted", Patience);
            Assert.Equal(0, campaign.GetStatistics().LiveAnswers);
            await Assert.ThrowsAsync<TimeoutException>(() => agent.NextIncomingAsync(TimeSpan.FromMilliseconds(200)));
        }
        finally
        {
            File.Delete(message);
        }
    }

    [Fact]
    public async Task In_an_agentless_campaign_a_person_found_by_detection_gets_the_flow()
    {
        var prompt = await WriteToneAsync(TimeSpan.FromSeconds(1));
        try
        {
            var flow = $$"""
                {
                  "id": "greet", "name": "Greet", "start": "start",
                  "nodes": [
                    { "id": "start", "type": "start", "transitions": { "next": "menu" } },
                    { "id": "menu", "type": "menu", "parameters": { "prompt": { "audio": "{{prompt.Replace("\\", "/", StringComparison.Ordinal)}}" }, "timeoutSeconds": 8, "maxRetries": 1 },
                      "transitions": { "1": "bye", "failed": "bye" } },
                    { "id": "bye", "type": "hangup" }
                  ]
                }
                """;
            await using var carrier = await TestPhone.StartAsync();
            carrier.AnswerAfter = null;
            await using var host = await StartHostAsync(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port, flows: new Dictionary<string, string> { ["greet.json"] = flow });
            var campaign = AgentlessCampaignTests.StartAgentless(host.Dialer, "greet", "+12125550114");

            var customer = await carrier.NextIncomingAsync(Patience);
            await TestPhone.AnswerWithAsync(customer, Hello());
            await customer.WaitForAudioAsync(10, Patience); // the flow's prompt, once the hello was classified as a person
            customer.Rtp.SendDtmf("1");
            await customer.Call.Ended.WaitAsync(Patience);

            await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
            Assert.Equal(1, campaign.GetStatistics().LiveAnswers);
            Assert.Equal(0, campaign.GetStatistics().MachineAnswers);
            var record = await AgentlessCampaignTests.RecordOfAsync(host.Storage, "+12125550114");
            Assert.Contains("\"input\":\"1\"", record.IvrTrace, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(prompt);
        }
    }
}
