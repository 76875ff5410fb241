using ContactCenter.Hosting;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Calls;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>The reference deployment's after-hours number takes voicemail; a queue that overflows sends the caller to voicemail.</summary>
public sealed class AfterHoursAndOverflowTests
{
    private const string OverflowFlow = """
        {
          "id": "overflow-test", "name": "Overflow test", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "queue" } },
            { "id": "queue", "type": "queue", "parameters": { "queue": "Support", "overflowAfterSeconds": 2 },
              "transitions": { "next": "bye", "overflow": "voicemail" } },
            { "id": "voicemail", "type": "voicemail",
              "parameters": { "prompt": "Leave a message.", "beep": true, "maxSeconds": 30, "endKey": "#", "mailbox": "support" },
              "transitions": { "next": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    private const string OverflowQueueFlow = """
        {
          "id": "overflow-queue-test", "name": "Overflow between queues", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "sales" } },
            { "id": "sales", "type": "queue",
              "parameters": { "queue": "Sales", "skills": ["sales"], "overflowQueue": "Support", "overflowAfterSeconds": 2 },
              "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    /// <summary>The same move made by the flow: the Sales node's overflow branch leads to a Support queue node.</summary>
    private const string OverflowNodeFlow = """
        {
          "id": "overflow-queue-test", "name": "Overflow to another queue node", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "sales" } },
            { "id": "sales", "type": "queue", "parameters": { "queue": "Sales", "skills": ["sales"], "overflowAfterSeconds": 2 },
              "transitions": { "next": "bye", "overflow": "support" } },
            { "id": "support", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_after_hours_number_of_the_sample_flows_is_always_closed_and_records_a_voicemail_ended_by_pound()
    {
        await using var host = await StartAfterHoursAsync();
        await using var caller = await TestPhone.StartAsync();

        var call = await caller.CallAsync("+18005550199", host.SipEndPoint);
        Assert.Equal(SipCallState.Established, call.Call.State);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // closed message, voicemail prompt, beep, then the caller's tone is recorded
        call.Rtp.SendDtmf("#");
        await call.Call.Ended.WaitAsync(Patience); // "Your message has been recorded. Goodbye." then BYE from the flow

        var record = await SingleRecordAsync(host, "+18005550199");
        Assert.Equal(CallStatus.OutsideHours, record.Status);
        Assert.Equal(HangupParty.System, record.HangupParty);
        var voicemail = Assert.Single(await host.Storage.Recordings.ListByCallAsync(record.Id));
        Assert.Equal(1, voicemail.Channels);
        Assert.True(voicemail.Duration > TimeSpan.FromSeconds(0.5), $"the message lasts {voicemail.Duration}");
        Assert.Contains("after-hours", voicemail.Path, StringComparison.Ordinal);
        Assert.Equal(voicemail.Id, record.RecordingId);
        Assert.True(record.AnsweredAt > record.StartedAt && record.AnsweredAt < record.EndedAt, $"answered at {record.AnsweredAt:O}, started {record.StartedAt:O}");
    }

    [Fact]
    public async Task A_caller_who_hangs_up_to_end_the_voicemail_is_the_hang_up_party_and_the_message_is_the_calls_recording()
    {
        await using var host = await StartAfterHoursAsync();
        await using var caller = await TestPhone.StartAsync();

        var call = await caller.CallAsync("+18005550199", host.SipEndPoint);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // closed message, voicemail prompt, beep, then the caller's tone is recorded
        await call.Call.HangUpAsync();

        var record = await SingleRecordAsync(host, "+18005550199");
        Assert.Equal(CallStatus.OutsideHours, record.Status);
        Assert.Equal(HangupParty.Caller, record.HangupParty);
        var voicemail = Assert.Single(await host.Storage.Recordings.ListByCallAsync(record.Id));
        Assert.Equal(voicemail.Id, record.RecordingId);
    }

    [Fact]
    public async Task A_caller_no_agent_takes_in_time_overflows_to_voicemail_and_the_record_says_no_agent_was_available()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["overflow-test.json"] = OverflowFlow },
            options =>
            {
                options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "overflow-test@live" }];
                options.Queues = [new QueueOptions { Name = "Support" }];
            });
        await using var caller = await TestPhone.StartAsync();

        var call = await caller.CallAsync("+18005550100", host.SipEndPoint);
        await Task.Delay(TimeSpan.FromSeconds(4)); // 2 s in the queue, then the voicemail prompt and beep
        call.Rtp.SendDtmf("#");
        await call.Call.Ended.WaitAsync(Patience);

        var record = await SingleRecordAsync(host, "+18005550100");
        Assert.Equal(CallStatus.NoAgentAvailable, record.Status);
        Assert.Equal("Support", record.QueueId);
        Assert.NotNull(record.QueueEnteredAt);
        Assert.NotNull(record.QueueExitedAt);
        Assert.Null(record.AgentId);
        Assert.Single(await host.Storage.Recordings.ListByCallAsync(record.Id));
        var queue = (await host.Routing.GetSnapshotAsync()).Queues.Single();
        Assert.Equal(1, queue.Exited);
        Assert.Equal(0, queue.Abandoned);
    }

    [Theory]
    [InlineData(OverflowQueueFlow)]
    [InlineData(OverflowNodeFlow)]
    public async Task A_caller_no_sales_agent_takes_in_time_moves_to_the_support_queue_and_talks_to_a_support_agent(string flow)
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["overflow-queue-test.json"] = flow },
            options =>
            {
                options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "overflow-queue-test@live" }];
                options.Queues =
                [
                    new QueueOptions { Name = "Sales", Skills = new() { ["sales"] = 20 } },
                    new QueueOptions { Name = "Support", RingTimeout = TimeSpan.FromSeconds(5) },
                ];
                options.Agents = [new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Support"] }];
            });
        await using var agentPhone = await TestPhone.StartAsync();
        await agentPhone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await Eventually.UntilAsync(() => host.AgentState("ada") == "Available", "the agent to be logged in", Patience);
        await using var caller = await TestPhone.StartAsync();

        var call = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var queuedAt = DateTime.UtcNow;
        var agentCall = await agentPhone.NextIncomingAsync(Patience);

        // The Support agent is offered the call only once the caller has waited the 2 s in Sales.
        Assert.True(DateTime.UtcNow - queuedAt >= TimeSpan.FromSeconds(1.8), $"the agent rang after {DateTime.UtcNow - queuedAt}");
        Assert.Equal("Support", agentCall.Call.InitialInvite.Headers["X-CC-Queue"]);
        await Eventually.UntilAsync(() => agentCall.Call.State == SipCallState.Established, "the agent leg to be established", Patience);
        await call.WaitForAudioAsync(10, Patience);
        await call.Call.HangUpAsync();

        var record = await SingleRecordAsync(host, "+18005550100");
        Assert.Equal(CallStatus.NormalEnd, record.Status);
        Assert.Equal("Support", record.QueueId);
        Assert.Equal("ada", record.AgentId);
        Assert.NotNull(record.AgentAnsweredAt);
        Assert.True(record.AgentAnsweredAt - record.QueueEnteredAt >= TimeSpan.FromSeconds(1.8), "the wait counts from entering Sales");
        var queues = (await host.Routing.GetSnapshotAsync()).Queues.ToDictionary(q => q.Queue);
        Assert.Equal(1, queues["Sales"].Exited);
        Assert.Equal(0, queues["Sales"].Abandoned);
    }

    /// <summary>A host whose +18005550199 runs the reference deployment's after-hours flow.</summary>
    private static async Task<ContactCenterTestHost> StartAfterHoursAsync()
    {
        var sample = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "flows", "after-hours.json");
        return await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["after-hours.json"] = await File.ReadAllTextAsync(sample) },
            options => options.Numbers = [new NumberOptions { Number = "+18005550199", Flow = "after-hours@live" }]);
    }

    private static async Task<CallDetailRecord> SingleRecordAsync(ContactCenterTestHost host, string number)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var page = await host.Storage.CallRecords.QueryAsync(new CallDetailQuery { Number = number });
            if (page.Items.Count > 0)
            {
                return Assert.Single(page.Items);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no call record for {number}");
    }
}
