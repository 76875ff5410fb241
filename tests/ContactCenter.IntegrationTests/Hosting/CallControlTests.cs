using ContactCenter.Hosting;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Trunks;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Call control on a live call (what the web API's call resources do): hold, supervisor monitoring, transfer.</summary>
public sealed class CallControlTests
{
    private const string Flow = """
        {
          "id": "control", "name": "Call control", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "queue" } },
            { "id": "queue", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "bye", "type": "hangup" }
          ]
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static void Configure(ContactCenterOptions options)
    {
        options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "control@live" }];
        options.Queues = [new QueueOptions { Name = "Support" }, new QueueOptions { Name = "Sales" }];
        options.Agents =
        [
            new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Queues = ["Support"] },
            new AgentOptions { Id = "sam", Extension = "1002", Password = "pw-1002", Queues = [] },
            new AgentOptions { Id = "bob", Extension = "1003", Password = "pw-1003", Queues = ["Sales"] },
        ];
    }

    [Fact]
    public async Task Hold_silences_the_agent_side_and_a_supervisor_listens_then_barges_on_the_live_call()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["control.json"] = Flow }, Configure);
        var control = host.Services.GetRequiredService<ICallControl>();
        await using var ada = await Register(host, "1001", "ada");
        await using var sam = await Register(host, "1002", "sam");
        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var agentCall = await ada.NextIncomingAsync(Patience);
        var callId = Guid.Parse(agentCall.Call.InitialInvite.Headers["X-CC-Call-Id"]!);
        await agentCall.WaitForAudioAsync(25, Patience); // the caller's tone reaches the agent

        await control.SetHoldAsync(callId, hold: true);
        Assert.Equal(ActiveCallPhase.Held, control.Find(callId)!.Phase);
        await Task.Delay(TimeSpan.FromMilliseconds(400)); // frames already in flight
        var heardBefore = agentCall.LoudFrames;
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(agentCall.LoudFrames - heardBefore <= 3, $"the agent heard {agentCall.LoudFrames - heardBefore} loud frames while the caller was held");
        await callerCall.WaitForAudioAsync(10, Patience); // hold music reaches the caller

        await control.SetHoldAsync(callId, hold: false);
        Assert.Equal(ActiveCallPhase.Talking, control.Find(callId)!.Phase);
        await agentCall.WaitForAudioAsync(25, Patience); // connected again

        await control.MonitorAsync(callId, "sam", MonitorMode.Listen);
        var supervisor = await sam.NextIncomingAsync(Patience);
        await supervisor.WaitForAudioAsync(25, Patience); // the supervisor hears the call
        Assert.Equal(MonitorMode.Listen, control.Find(callId)!.Monitors["sam"]);
        await agentCall.WaitForAudioAsync(25, Patience); // caller and agent still hear each other through the mixer

        await control.MonitorAsync(callId, "sam", MonitorMode.Barge);
        Assert.Equal(MonitorMode.Barge, control.Find(callId)!.Monitors["sam"]);

        await callerCall.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);
        await supervisor.Call.Ended.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_blind_transfer_to_another_queue_ends_the_first_agent_leg_and_rings_an_agent_of_that_queue()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["control.json"] = Flow }, Configure);
        var control = host.Services.GetRequiredService<ICallControl>();
        await using var ada = await Register(host, "1001", "ada");
        await using var bob = await Register(host, "1003", "bob");
        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var first = await ada.NextIncomingAsync(Patience);
        var callId = Guid.Parse(first.Call.InitialInvite.Headers["X-CC-Call-Id"]!);
        await first.WaitForAudioAsync(10, Patience);

        await control.TransferAsync(callId, new CallTransferTarget(CallTransferKind.Queue, "Sales"));

        await first.Call.Ended.WaitAsync(Patience);
        var second = await bob.NextIncomingAsync(Patience);
        Assert.Equal("Sales", second.Call.InitialInvite.Headers["X-CC-Queue"]);
        await second.WaitForAudioAsync(10, Patience);
        Assert.Equal("bob", control.Find(callId)!.AgentId);

        await callerCall.Call.HangUpAsync();
        CallDetailRecord? record = null;
        for (var i = 0; i < 100 && record is null; i++)
        {
            record = await host.Storage.CallRecords.GetAsync(callId);
            await Task.Delay(100);
        }

        Assert.Equal("bob", record!.AgentId);
        Assert.Equal("Sales", record.QueueId);
        Assert.Equal(2, record.Legs.Count(l => l.Role == "agent"));
    }

    [Fact]
    public async Task A_transfer_to_a_busy_number_fails_with_NotAnswered_and_leaves_the_caller_with_the_agent()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.RejectWith = 486;
        await using var host = await StartWithCarrierAsync(carrier, _ => { });
        var control = host.Services.GetRequiredService<ICallControl>();
        await using var talk = await ConnectToAdaAsync(host);
        var (ada, callerCall, agentCall, callId) = (talk.Ada, talk.CallerCall, talk.AgentCall, talk.CallId);

        var busy = await Assert.ThrowsAsync<CallControlException>(() => control.TransferAsync(callId, new CallTransferTarget(CallTransferKind.Number, "+12125550199")));

        Assert.Equal(CallControlError.NotAnswered, busy.Error);
        await carrier.NextIncomingAsync(Patience); // the number was dialled
        Assert.Equal(SipCallState.Established, agentCall.Call.State);
        Assert.Equal(SipCallState.Established, callerCall.Call.State);
        Assert.Equal(ActiveCallPhase.Talking, control.Find(callId)!.Phase);
        await agentCall.WaitForAudioAsync(25, Patience); // caller and agent hear each other again

        carrier.RejectWith = null;
        await control.TransferAsync(callId, new CallTransferTarget(CallTransferKind.Number, "+12125550199"));
        var target = await carrier.NextIncomingAsync(Patience);
        await agentCall.Call.Ended.WaitAsync(Patience); // handed over once the number answered
        await target.WaitForAudioAsync(10, Patience);
        await callerCall.Call.HangUpAsync();
        await target.Call.Ended.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_transfer_to_a_number_that_does_not_answer_puts_the_caller_back_in_the_queue_when_the_agent_has_left()
    {
        await using var carrier = await TestPhone.StartAsync();
        carrier.AnswerAfter = null; // rings until cancelled
        await using var host = await StartWithCarrierAsync(carrier, options =>
        {
            options.TransferRingTimeout = TimeSpan.FromSeconds(2);
            options.Queues[0].WrapUp = TimeSpan.Zero;
        });
        var control = host.Services.GetRequiredService<ICallControl>();
        await using var talk = await ConnectToAdaAsync(host);
        var (ada, callerCall, agentCall, callId) = (talk.Ada, talk.CallerCall, talk.AgentCall, talk.CallId);

        var transfer = control.TransferAsync(callId, new CallTransferTarget(CallTransferKind.Number, "+12125550199"));
        var ringing = await carrier.NextIncomingAsync(Patience);
        await agentCall.Call.HangUpAsync(); // the agent moves on while the number rings

        var unanswered = await Assert.ThrowsAsync<CallControlException>(() => transfer);
        Assert.Equal(CallControlError.NotAnswered, unanswered.Error);
        await ringing.Call.Ended.WaitAsync(Patience); // the ring timeout cancelled it
        var again = await ada.NextIncomingAsync(Patience); // back in Support, offered again
        await again.WaitForAudioAsync(10, Patience);
        Assert.Equal(SipCallState.Established, callerCall.Call.State);
        await callerCall.Call.HangUpAsync();
        await again.Call.Ended.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_transfer_to_an_agent_rings_that_agents_device_even_outside_the_queue_and_refuses_an_agent_who_is_not_logged_in()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["control.json"] = Flow }, Configure);
        var control = host.Services.GetRequiredService<ICallControl>();
        await using var sam = await Register(host, "1002", "sam"); // a member of no queue
        await using var talk = await ConnectToAdaAsync(host);

        var absent = await Assert.ThrowsAsync<CallControlException>(() => control.TransferAsync(talk.CallId, new CallTransferTarget(CallTransferKind.Agent, "bob")));
        Assert.Equal(CallControlError.Unavailable, absent.Error);
        Assert.Equal(SipCallState.Established, talk.AgentCall.Call.State);
        Assert.Equal(ActiveCallPhase.Talking, control.Find(talk.CallId)!.Phase);

        await control.TransferAsync(talk.CallId, new CallTransferTarget(CallTransferKind.Agent, "sam"));

        var second = await sam.NextIncomingAsync(Patience);
        await talk.AgentCall.Call.Ended.WaitAsync(Patience);
        await second.WaitForAudioAsync(10, Patience); // the caller's tone reaches sam
        Assert.Equal("sam", control.Find(talk.CallId)!.AgentId);
        Assert.Equal(ActiveCallPhase.Talking, control.Find(talk.CallId)!.Phase);
        await talk.CallerCall.Call.HangUpAsync();
        await second.Call.Ended.WaitAsync(Patience);
        var agents = host.Services.GetRequiredService<IAgentDirectory>();
        await Eventually.UntilAsync(() => agents.Find("sam") is { State: "NotReady", Reason: "wrap-up" }, "sam to wrap up as after a routed call", Patience);
        await Eventually.UntilAsync(() => host.AgentState("sam") == "Available", "sam to be available after the queue's 5 s wrap-up", Patience);
    }

    [Fact]
    public async Task Call_control_refuses_what_the_call_cannot_do_now_with_a_specific_error()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["control.json"] = Flow }, Configure);
        var control = host.Services.GetRequiredService<ICallControl>();
        var missing = await Assert.ThrowsAsync<CallControlException>(() => control.SetHoldAsync(Guid.NewGuid(), true));
        Assert.Equal(CallControlError.NotFound, missing.Error);

        await using var caller = await TestPhone.StartAsync();
        await caller.CallAsync("+18005550100", host.SipEndPoint); // waits in Support: nobody is logged in
        var queued = await WaitForCallAsync(control);
        var hold = await Assert.ThrowsAsync<CallControlException>(() => control.SetHoldAsync(queued.CallId, true));
        Assert.Equal(CallControlError.InvalidState, hold.Error);
        var unknownQueue = await Assert.ThrowsAsync<CallControlException>(() => control.TransferAsync(queued.CallId, new CallTransferTarget(CallTransferKind.Queue, "Nowhere")));
        Assert.Equal(CallControlError.NotFound, unknownQueue.Error);
    }

    [Fact]
    public async Task An_emergency_number_skips_blocklist_numbers_and_queues_and_is_connected_to_the_emergency_destination()
    {
        await using var emergency = await TestPhone.StartAsync();
        var emergencyPort = emergency.Agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["control.json"] = Flow },
            options =>
            {
                Configure(options);
                options.Blocklist = ["+15551230000"]; // the test phone's own number
                options.EmergencyDestination = $"sip:911@127.0.0.1:{emergencyPort}";
            });
        await using var caller = await TestPhone.StartAsync();

        var callerCall = await caller.CallAsync("911", host.SipEndPoint);

        Assert.Equal(SipCallState.Established, callerCall.Call.State);
        var answered = await emergency.NextIncomingAsync(Patience);
        Assert.Equal("emergency", answered.Call.InitialInvite.Headers["Priority"]);
        await answered.WaitForAudioAsync(10, Patience); // the caller's audio reaches the emergency line
        await callerCall.Call.HangUpAsync();
        await answered.Call.Ended.WaitAsync(Patience);
    }

    [Fact]
    public async Task At_the_concurrent_call_limit_a_call_gets_503_but_an_emergency_call_is_still_connected()
    {
        await using var emergency = await TestPhone.StartAsync();
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["control.json"] = Flow },
            options =>
            {
                Configure(options);
                options.EmergencyDestination = $"sip:911@127.0.0.1:{emergency.Agent.Endpoint.LocalAddresses[0].EndPoint.Port}";
                options.MaxConcurrentCalls = 1;
            });
        await using var caller = await TestPhone.StartAsync();
        var waiting = await caller.CallAsync("+18005550100", host.SipEndPoint); // queued: the one call allowed
        await WaitForCallAsync(host.Services.GetRequiredService<ICallControl>());

        var refused = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var urgent = await caller.CallAsync("911", host.SipEndPoint);

        Assert.Equal(503, refused.Call.FinalStatus);
        Assert.Equal(SipCallState.Established, urgent.Call.State);
        var answered = await emergency.NextIncomingAsync(Patience);
        Assert.Equal("emergency", answered.Call.InitialInvite.Headers["Priority"]);
        await urgent.Call.HangUpAsync();
        await waiting.Call.HangUpAsync();
    }

    [Fact]
    public async Task A_number_at_its_cap_answers_486_while_another_number_still_takes_calls()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["control.json"] = Flow },
            options =>
            {
                Configure(options);
                options.Numbers =
                [
                    new NumberOptions { Number = "+18005550100", Flow = "control@live", MaxConcurrentCalls = 1 },
                    new NumberOptions { Number = "+18005550101", Flow = "control@live" },
                ];
            });
        await using var caller = await TestPhone.StartAsync();
        var waiting = await caller.CallAsync("+18005550100", host.SipEndPoint);
        await WaitForCallAsync(host.Services.GetRequiredService<ICallControl>());

        var busy = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var other = await caller.CallAsync("+18005550101", host.SipEndPoint);

        Assert.Equal(486, busy.Call.FinalStatus);
        Assert.Equal(SipCallState.Established, other.Call.State);
        await waiting.Call.HangUpAsync();
        await Eventually.UntilAsync(() => host.Runtime.ActiveCalls.Count == 1, "the first call to end", Patience);
        var again = await caller.CallAsync("+18005550100", host.SipEndPoint); // the number has room again
        Assert.Equal(SipCallState.Established, again.Call.State);
        await again.Call.HangUpAsync();
        await other.Call.HangUpAsync();
    }

    /// <summary>The usual set-up plus an outbound trunk to <paramref name="carrier"/>, for transfers to numbers.</summary>
    private static Task<ContactCenterTestHost> StartWithCarrierAsync(TestPhone carrier, Action<ContactCenterOptions> configure) =>
        ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["control.json"] = Flow }, options =>
        {
            Configure(options);
            var trunk = new SipTrunkOptions { Name = "carrier", Proxy = $"127.0.0.1:{carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port}", MaxCallsPerSecond = 50 };
            trunk.HealthCheck.Enabled = false;
            options.Trunks = [trunk];
            configure(options);
        });

    /// <summary>A caller queued in Support and talking to ada, each hearing the other.</summary>
    private static async Task<Conversation> ConnectToAdaAsync(ContactCenterTestHost host)
    {
        var ada = await Register(host, "1001", "ada");
        var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var agentCall = await ada.NextIncomingAsync(Patience);
        await agentCall.WaitForAudioAsync(10, Patience);
        return new Conversation(ada, caller, callerCall, agentCall, Guid.Parse(agentCall.Call.InitialInvite.Headers["X-CC-Call-Id"]!));
    }

    private static async Task<ActiveCallInfo> WaitForCallAsync(ICallControl control)
    {
        for (var i = 0; i < 100; i++)
        {
            if (control.ActiveCalls.FirstOrDefault(c => c.Phase == ActiveCallPhase.Queued) is { } call)
            {
                return call;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no queued call");
    }

    private static async Task<TestPhone> Register(ContactCenterTestHost host, string extension, string agentId)
    {
        var phone = await TestPhone.StartAsync();
        await phone.RegisterAsync(extension, "pw-" + extension, host.SipEndPoint);
        for (var i = 0; i < 100 && host.AgentState(agentId) != "Available"; i++)
        {
            await Task.Delay(50);
        }

        return phone;
    }

    private sealed record Conversation(TestPhone Ada, TestPhone Caller, PhoneCall CallerCall, PhoneCall AgentCall, Guid CallId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Caller.DisposeAsync();
            await Ada.DisposeAsync();
        }
    }
}
