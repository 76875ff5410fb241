using System.Text;
using ContactCenter.Dialer;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Agentless campaigns: the answered customer runs an IVR flow over a real trunk call (loopback sockets).</summary>
public sealed class AgentlessCampaignTests
{
    internal const string ReminderFlow = """
        {
          "id": "reminder", "name": "Appointment reminder", "start": "start",
          "variables": { "contact_appointment": "" },
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "known" } },
            { "id": "known", "type": "condition",
              "parameters": { "branches": [ { "name": "tuesday", "when": { "left": "${contact_appointment}", "op": "==", "right": "tuesday" } } ] },
              "transitions": { "tuesday": "menu", "default": "bye" } },
            { "id": "menu", "type": "menu",
              "parameters": { "prompt": "Press 1 to confirm your appointment, 2 to speak to someone, 3 to leave us a message.", "timeoutSeconds": 8, "maxRetries": 1 },
              "transitions": { "1": "thanks", "2": "agents", "3": "message", "4": "office", "failed": "bye" } },
            { "id": "office", "type": "transfer", "parameters": { "number": "+12125550199", "ringTimeoutSeconds": 10 }, "transitions": { "failed": "bye" } },
            { "id": "message", "type": "voicemail",
              "parameters": { "prompt": "Leave a message.", "beep": true, "maxSeconds": 30, "endKey": "#", "mailbox": "reminders" },
              "transitions": { "next": "bye" } },
            { "id": "thanks", "type": "play", "parameters": { "text": "Thank you, see you then." }, "transitions": { "next": "bye" } },
            { "id": "agents", "type": "queue", "parameters": { "queue": "Sales" }, "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    internal static Action<ContactCenterOptions> Configure(int carrierPort) => options =>
    {
        options.Queues = [new QueueOptions { Name = "Sales", RingTimeout = TimeSpan.FromSeconds(5), WrapUp = TimeSpan.Zero }];
        options.Agents = [new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Sales"] }];
        options.Dialer.AgentQueue = "Sales";
        var trunk = new SipTrunkOptions { Name = "carrier", Proxy = $"127.0.0.1:{carrierPort}", MaxCallsPerSecond = 50 };
        trunk.HealthCheck.Enabled = false;
        options.Trunks = [trunk];
    };

    internal static Campaign StartAgentless(OutboundDialer dialer, string flowId, string phone)
    {
        var campaign = dialer.CreateCampaign(new CampaignSettings
        {
            Name = "Reminders",
            Mode = DialingMode.Agentless,
            AgentlessFlowId = flowId,
            CallingWindows = CallingWindows.Always,
            EnforceMinimumRing = false,
        });
        Assert.Equal(1, campaign.ImportCsv(new StringReader($"phone,name,appointment\n{phone},Ann,tuesday\n")).Imported);
        campaign.Start();
        return campaign;
    }

    internal static async Task<CallDetailRecord> RecordOfAsync(ContactCenterStorage storage, string number)
    {
        CallDetailRecord? record = null;
        await Eventually.UntilAsync(
            () => (record = storage.CallRecords.QueryAsync(new CallDetailQuery { Number = number }).GetAwaiter().GetResult().Items.SingleOrDefault()) is not null,
            "the call record",
            Patience);
        return record!;
    }

    [Fact]
    public async Task An_agentless_campaign_call_hears_the_flow_presses_a_digit_and_gets_a_call_record_with_the_ivr_trace()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = TimeSpan.FromMilliseconds(200);
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        var campaign = StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "reminder", "+12125550101");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(5, Patience); // the menu prompt
        customer.Rtp.SendDtmf("1");                   // RFC 4733
        await customer.Call.Ended.WaitAsync(Patience); // "thank you", "goodbye", then the flow hangs up

        var record = await RecordOfAsync(host.Storage, "+12125550101");
        Assert.Equal(CallDirection.Outbound, record.Direction);
        Assert.Equal(CallStatus.NormalEnd, record.Status);
        Assert.Equal(HangupParty.System, record.HangupParty);
        Assert.NotNull(record.AnsweredAt);
        Assert.Contains("\"input\":\"1\"", record.IvrTrace, StringComparison.Ordinal);
        Assert.Contains("\"thanks\"", record.IvrTrace, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"tuesday\"", record.IvrTrace, StringComparison.Ordinal); // the contact's CSV field reached the flow

        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
        var stats = campaign.GetStatistics();
        Assert.Equal(1, stats.Dials);
        Assert.Equal(1, stats.LiveAnswers);
        Assert.Equal(0, stats.Abandoned);
        var attempt = Assert.Single(host.Storage.Campaigns.LoadAttempts(campaign.Id, DateTimeOffset.MinValue));
        Assert.Equal(CallOutcome.AnsweredByPerson, attempt.Outcome);
    }

    [Fact]
    public async Task An_agentless_flow_that_queues_the_customer_connects_them_to_an_agent_like_an_inbound_caller()
    {
        await using var carrier = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        await using var agentPhone = await TestPhone.StartAsync();
        await agentPhone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await Eventually.UntilAsync(() => host.AgentState("ada") == "Available", "the agent to log in", Patience);
        var campaign = StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "reminder", "+12125550102");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(5, Patience);
        customer.Rtp.SendDtmf("2");
        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(25, Patience); // the agent's tone through the bridge
        await customer.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);

        var record = await RecordOfAsync(host.Storage, "+12125550102");
        Assert.Equal("ada", record.AgentId);
        Assert.Equal("Sales", record.QueueId);
        Assert.Equal(CallStatus.NormalEnd, record.Status);
        Assert.Equal(HangupParty.Caller, record.HangupParty);
        Assert.NotNull(record.AgentAnsweredAt);
        Assert.NotNull(record.RecordingId);
        Assert.Contains("\"agents\"", record.IvrTrace, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
        Assert.Equal(CallOutcome.AnsweredByPerson, Assert.Single(host.Storage.Campaigns.LoadAttempts(campaign.Id, DateTimeOffset.MinValue)).Outcome);
    }

    [Fact]
    public async Task An_agentless_customer_answering_by_sip_info_leaves_a_message_recorded_under_the_call()
    {
        await using var carrier = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        var campaign = StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "reminder", "+12125550104");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(5, Patience);
        await SendInfoDigitAsync(customer, '3');
        await customer.WaitForAudioAsync(15, Patience); // "leave a message" and the beep
        await Task.Delay(TimeSpan.FromSeconds(1));       // the customer's tone is recorded meanwhile
        await SendInfoDigitAsync(customer, '#');
        await customer.Call.Ended.WaitAsync(Patience);

        var record = await RecordOfAsync(host.Storage, "+12125550104");
        Assert.Contains("\"message\"", record.IvrTrace, StringComparison.Ordinal);
        var voicemail = Assert.Single(await host.Storage.Recordings.ListByCallAsync(record.Id));
        Assert.True(voicemail.Duration > TimeSpan.FromSeconds(0.5), $"the message lasts {voicemail.Duration}");
        Assert.Contains("reminders", voicemail.Path, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
    }

    [Fact]
    public async Task An_agentless_flow_can_transfer_the_customer_to_a_number_through_the_trunk()
    {
        await using var carrier = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "reminder", "+12125550106");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(5, Patience);
        customer.Rtp.SendDtmf("4");
        var office = await carrier.NextIncomingAsync(Patience);
        Assert.Equal("+12125550199", ((SipUri)office.Call.InitialInvite.RequestUri).User);
        await office.WaitForAudioAsync(25, Patience); // the customer's tone through the bridge
        await office.Call.HangUpAsync();
        await customer.Call.Ended.WaitAsync(Patience);

        var record = await RecordOfAsync(host.Storage, "+12125550106");
        Assert.Equal(CallStatus.Transferred, record.Status);
        Assert.Contains("\"office\"", record.IvrTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_supervisor_can_hang_up_an_agentless_call_while_its_flow_runs()
    {
        await using var carrier = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        var campaign = StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "reminder", "+12125550105");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.WaitForAudioAsync(5, Patience);
        var active = Assert.Single(host.Runtime.ActiveCalls);
        Assert.Equal("outbound", active.Direction);
        await host.Services.GetRequiredService<ContactCenter.Hosting.Calls.ICallControl>().HangUpAsync(active.CallId);
        await customer.Call.Ended.WaitAsync(TimeSpan.FromSeconds(5)); // at once, not when the menu gives up 16 s later

        var record = await RecordOfAsync(host.Storage, "+12125550105");
        Assert.Equal(HangupParty.System, record.HangupParty);
        Assert.Contains("\"menu\"", record.IvrTrace, StringComparison.Ordinal);
        Assert.DoesNotContain("\"bye\"", record.IvrTrace, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
    }

    private static async Task SendInfoDigitAsync(PhoneCall call, char digit)
    {
        var response = await call.Call.SendRequestAsync(SipMethod.Info, Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n"), "application/dtmf-relay");
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task An_agentless_campaign_whose_flow_is_not_published_hangs_up_the_answered_call_and_finishes_the_attempt()
    {
        await using var carrier = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["reminder.json"] = ReminderFlow }, Configure(carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port));
        var campaign = StartAgentless(host.Services.GetRequiredService<OutboundDialer>(), "no-such-flow", "+12125550103");

        var customer = await carrier.NextIncomingAsync(Patience);
        await customer.Call.Ended.WaitAsync(Patience);

        var record = await RecordOfAsync(host.Storage, "+12125550103");
        Assert.Equal(CallStatus.SystemError, record.Status);
        Assert.Equal(HangupParty.System, record.HangupParty);
        await Eventually.UntilAsync(() => campaign.GetStatistics().FinishedContacts == 1, "the contact to be finished", Patience);
        Assert.Empty(host.Runtime.ActiveCalls);
    }
}
