using System.Runtime.CompilerServices;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Storage;
using ContactCenter.Routing;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// The whole inbound path over real loopback SIP and RTP: number, IVR flow, queue, the agent's registered extension
/// rung with attached data, bridged and recorded audio, survey, call record.
/// </summary>
public sealed class InboundCallTests
{
    internal const string QueueFlow = """
        {
          "id": "queue-test", "name": "Queue test", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "hello" } },
            { "id": "hello", "type": "play", "parameters": { "text": "Hello" }, "transitions": { "next": "queue" } },
            { "id": "queue", "type": "queue",
              "parameters": { "queue": "Support", "priority": 5, "skills": ["support"], "overflowAfterSeconds": 20, "data": { "account": "12345" } },
              "transitions": { "next": "survey", "overflow": "bye" } },
            { "id": "survey", "type": "survey",
              "parameters": { "prompt": "Rate us from 1 to 5.", "variable": "csat", "minScore": 1, "maxScore": 5, "timeoutSeconds": 5 },
              "transitions": { "next": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    internal static void Configure(ContactCenterOptions options)
    {
        options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "queue-test@live" }];
        options.Queues = [new QueueOptions { Name = "Support", Skills = new() { ["support"] = 20 }, RingTimeout = TimeSpan.FromSeconds(5), WrapUp = TimeSpan.FromSeconds(1) }];
        options.Agents =
        [
            new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Skills = new() { ["support"] = 50 }, Queues = ["Support"] },
        ];
    }

    [Fact]
    public async Task A_flow_that_does_not_answer_has_the_caller_answered_when_the_agent_answers()
    {
        const string earlyMediaFlow = """
            {
              "id": "early", "name": "Early media", "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "parameters": { "answer": false }, "transitions": { "next": "hello" } },
                { "id": "hello", "type": "play", "parameters": { "text": "Hello" }, "transitions": { "next": "queue" } },
                { "id": "queue", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "next": "bye", "overflow": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["early.json"] = earlyMediaFlow },
            options =>
            {
                Configure(options);
                options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "early@live" }];
            });
        await using var agentPhone = await TestPhone.StartAsync();
        await agentPhone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await WaitUntilAsync(() => host.AgentState("ada") == "Available", "the agent to be logged in by registering");
        await using var caller = await TestPhone.StartAsync();

        var placing = caller.CallAsync("+18005550100", host.SipEndPoint); // completes when the INVITE is answered
        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        var callerCall = await placing.WaitAsync(Patience);

        Assert.Equal(SipCallState.Established, callerCall.Call.State);
        await WaitUntilAsync(() => agentCall.Call.State == SipCallState.Established, "the agent leg to be established");
        await callerCall.WaitForAudioAsync(25, Patience); // the agent's tone reaches the answered caller
        await agentCall.WaitForAudioAsync(25, Patience);
        await callerCall.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_caller_is_queued_the_agent_extension_rings_with_attached_data_they_talk_and_the_call_is_recorded_and_logged()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["queue-test.json"] = QueueFlow }, Configure);
        using var events = host.Events.Subscribe();
        await using var agentPhone = await AdasPhoneAsync(host);

        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        Assert.Equal(SipCallState.Established, callerCall.Call.State);

        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        var invite = agentCall.Call.InitialInvite;
        Assert.Equal("12345", invite.Headers["X-Account"]);
        Assert.Equal("Support", invite.Headers["X-CC-Queue"]);
        var callId = Guid.Parse(invite.Headers["X-CC-Call-Id"]!);
        await WaitUntilAsync(() => agentCall.Call.State == SipCallState.Established, "the agent leg to be established");

        // Each side hears the other's tone through the bridge.
        await callerCall.WaitForAudioAsync(25, Patience);
        await agentCall.WaitForAudioAsync(25, Patience);
        await WaitUntilAsync(() => host.AgentState("ada") == "Busy", "the agent to be busy");

        // The agent hangs up; the caller is back in the flow for the survey, answers 4, and hears goodbye.
        await agentCall.Call.HangUpAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        callerCall.Rtp.SendDtmf("4");
        await callerCall.Call.Ended.WaitAsync(Patience);
        Assert.Equal(SipCallEndReason.RemoteHangUp, callerCall.Call.EndReason);

        var record = await WaitForRecordAsync(host, callId);
        Assert.Equal(CallStatus.NormalEnd, record.Status);
        Assert.Equal(HangupParty.Agent, record.HangupParty); // the agent hung up first; the flow ended the survey
        Assert.Equal("ada", record.AgentId);
        Assert.Equal("Support", record.QueueId);
        Assert.Equal(4, record.SurveyScore);
        Assert.Equal("+18005550100", record.CalledNumber);
        Assert.NotNull(record.QueueEnteredAt);
        Assert.NotNull(record.AgentAnsweredAt);
        Assert.Contains(record.Legs, l => l.Role == "agent" && l.AnsweredAt is not null);
        Assert.Contains("\"queue\"", record.IvrTrace, StringComparison.Ordinal);

        var recording = await host.Storage.Recordings.GetAsync(record.RecordingId!.Value);
        Assert.NotNull(recording);
        Assert.Equal(2, recording!.Channels);
        var wav = await File.ReadAllBytesAsync(host.Storage.ResolveRecordingPath(recording.Path));
        Assert.Equal(2, BitConverter.ToInt16(wav, 22)); // channels in the fmt chunk
        var (left, right) = ChannelEnergy(wav);
        Assert.True(left > 0 && right > 0, $"both channels carry audio (caller {left}, agent {right})");

        var seen = new List<string>();
        while (events.Reader.TryRead(out var e))
        {
            seen.Add(e.Type);
        }

        Assert.Contains(ContactCenterEventTypes.CallQueued, seen);
        Assert.Contains(ContactCenterEventTypes.CallConnected, seen);
        Assert.Contains(ContactCenterEventTypes.RecordingReady, seen);
        Assert.Contains(ContactCenterEventTypes.CallRecordWritten, seen);

        // The same events are in the event log on disk, in order, under the call's id.
        var logged = await WaitForLoggedAsync(host, callId, ContactCenterEventTypes.CallRecordWritten);
        string[] milestones =
        [
            ContactCenterEventTypes.CallStarted, ContactCenterEventTypes.CallQueued, ContactCenterEventTypes.CallOffered,
            ContactCenterEventTypes.CallConnected, ContactCenterEventTypes.CallEnded, ContactCenterEventTypes.CallRecordWritten,
        ];
        Assert.Equal(milestones, logged.Select(e => e.Type).Where(milestones.Contains));
        Assert.Contains(logged, e => e.Type == ContactCenterEventTypes.RecordingReady);
        Assert.Contains(record.Id.ToString(), logged[^1].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_call_leaves_nothing_of_itself_in_memory_while_its_SIP_transactions_linger()
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["queue-test.json"] = QueueFlow }, Configure);
        await using var agentPhone = await AdasPhoneAsync(host);
        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        var callId = Guid.Parse(agentCall.Call.InitialInvite.Headers["X-CC-Call-Id"]!);
        await WaitUntilAsync(() => agentCall.Call.State == SipCallState.Established, "the agent leg to be established");
        await callerCall.WaitForAudioAsync(10, Patience);
        var (call, callerSession, agentSession) = WeakReferencesTo(host, callId);

        // The caller hangs up while talking, as every caller of the load test does.
        await callerCall.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);
        var record = await WaitForRecordAsync(host, callId);
        Assert.Equal(CallStatus.NormalEnd, record.Status);
        await WaitUntilAsync(() => host.Runtime.ActiveCalls.Count == 0, "the call to leave the calls in progress");

        // The INVITE transactions of both legs linger for 32 s (RFC 6026); they must not keep the call, its RTP
        // sessions and their buffers alive: at 200 calls/s that was 6,400 ended calls in memory.
        await Eventually.UntilAsync(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                return !call.IsAlive && !callerSession.IsAlive && !agentSession.IsAlive;
            },
            "the ended call and both its RTP sessions to be collected",
            TimeSpan.FromSeconds(10));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Call, WeakReference CallerSession, WeakReference AgentSession) WeakReferencesTo(ContactCenterTestHost host, Guid callId)
    {
        var call = host.Runtime.FindCall(callId) ?? throw new InvalidOperationException($"call {callId} is not in progress");
        var agentLeg = call.Connected ?? throw new InvalidOperationException("the call has no agent connected");
        return (new WeakReference(call), new WeakReference(call.CallerMedia!.Rtp), new WeakReference(agentLeg.Media.Rtp));
    }

    /// <summary>
    /// The caller hangs up while the agent's phone rings (abandoned while ringing: the ringing is cancelled and the agent
    /// stays available), or after the agent let it ring out (ring no answer sets the agent not ready; the caller, back in
    /// the queue, abandons there).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_caller_who_hangs_up_while_the_agent_phone_rings_or_after_it_rang_out_is_recorded_as_abandoned_while_ringing_or_in_queue(bool ringOut)
    {
        await using var host = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["queue-test.json"] = QueueFlow }, Configure);
        await using var agentPhone = await AdasPhoneAsync(host, answers: false);

        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var ringing = await agentPhone.NextIncomingAsync(Patience);
        var callId = Guid.Parse(ringing.Call.InitialInvite.Headers["X-CC-Call-Id"]!);
        if (ringOut)
        {
            // Ring no answer (5 s): the offer times out, the phone stops ringing, the agent goes not ready.
            await ringing.Call.Ended.WaitAsync(Patience);
            await WaitUntilAsync(() => host.AgentState("ada") == "NotReady", "the agent to be not ready after ring-no-answer");
        }

        await callerCall.Call.HangUpAsync();
        await ringing.Call.Ended.WaitAsync(Patience); // (when still ringing: cancelled)

        var record = await WaitForRecordAsync(host, callId);
        Assert.Equal(ringOut ? CallStatus.AbandonedInQueue : CallStatus.AbandonedWhileRinging, record.Status);
        Assert.Equal(HangupParty.Caller, record.HangupParty);
        Assert.Null(record.AgentId);
        Assert.Null(record.AgentAnsweredAt);
        if (!ringOut)
        {
            await WaitUntilAsync(() => host.AgentState("ada") == "Available", "the agent to be free again");
        }
    }

    [Fact]
    public async Task A_caller_who_hangs_up_in_the_menu_is_recorded_as_abandoned_in_the_IVR()
    {
        const string MenuFlow = """
            {
              "id": "menu-test", "name": "Menu", "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "menu" } },
                { "id": "menu", "type": "menu", "parameters": { "prompt": "Press 1.", "timeoutSeconds": 30, "maxRetries": 0 },
                  "transitions": { "1": "queue", "failed": "bye" } },
                { "id": "queue", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "next": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["menu-test.json"] = MenuFlow },
            options =>
            {
                Configure(options);
                options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "menu-test@live" }];
            });
        await using var caller = await TestPhone.StartAsync();

        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        await Task.Delay(TimeSpan.FromSeconds(0.5)); // the menu waits for a key
        await callerCall.Call.HangUpAsync();

        CallDetailRecord? record = null;
        await WaitUntilAsync(
            () => (record = host.Storage.CallRecords.QueryAsync(new CallDetailQuery { Number = "+18005550100" }).Result.Items.SingleOrDefault()) is not null,
            "the call record");
        Assert.Equal(CallStatus.AbandonedInIvr, record!.Status);
        Assert.Equal(HangupParty.Caller, record.HangupParty);
        Assert.Null(record.QueueEnteredAt);
        Assert.Contains("\"menu\"", record.IvrTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_call_the_agent_wraps_up_then_is_available_and_unregistering_the_phone_logs_the_agent_out()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["queue-test.json"] = QueueFlow },
            options =>
            {
                Configure(options);
                options.Queues[0].WrapUp = TimeSpan.FromSeconds(2);
            });
        await using var agentPhone = await AdasPhoneAsync(host);
        await using var caller = await TestPhone.StartAsync();
        var callerCall = await caller.CallAsync("+18005550100", host.SipEndPoint);
        var agentCall = await agentPhone.NextIncomingAsync(Patience);
        await WaitUntilAsync(() => host.AgentState("ada") == "Busy", "the agent to be busy");

        await callerCall.Call.HangUpAsync();
        await agentCall.Call.Ended.WaitAsync(Patience);

        await WaitUntilAsync(() => host.AgentState("ada") == "WrapUp", "the agent to wrap up");
        await WaitUntilAsync(() => host.AgentState("ada") == "Available", "the agent to be available after the 2 s wrap-up");
        await agentPhone.UnregisterAsync();
        await WaitUntilAsync(() => host.AgentState("ada") == "Offline", "unregistering to log the agent out");
    }

    [Fact]
    public async Task A_caller_waiting_in_the_queue_hears_position_and_expected_wait_announcements_between_the_hold_music()
    {
        var silence = Path.Combine(Path.GetTempPath(), $"cc-silent-music-{Guid.NewGuid():N}.wav");
        using (var file = File.Create(silence))
        {
            WavFile.Write(file, new AudioClip(new short[8000], "silence"));
        }

        try
        {
            await using var host = await ContactCenterTestHost.StartAsync(
                new Dictionary<string, string> { ["queue-test.json"] = QueueFlow },
                options =>
                {
                    Configure(options);
                    options.Hold.MusicFile = silence; // only the announcements are audible
                    options.Hold.AnnouncementInterval = TimeSpan.FromSeconds(1);
                });
            await using var caller = await TestPhone.StartAsync();

            var call = await caller.CallAsync("+18005550100", host.SipEndPoint);

            // The test host speaks every text as a 200 ms tone: the flow's "Hello", then one per announcement.
            await WaitUntilAsync(() => call.LoudPackets >= 8, "the flow's greeting");
            var afterGreeting = call.LoudPackets;
            await WaitUntilAsync(() => call.LoudPackets >= afterGreeting + 16, "two announcements while waiting");
            Assert.Single(host.Runtime.ActiveCalls); // still waiting: no agent is logged in
            await call.Call.HangUpAsync();
        }
        finally
        {
            File.Delete(silence);
        }
    }

    [Fact]
    public async Task Calls_to_unknown_numbers_get_404_and_blocked_callers_get_603()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["queue-test.json"] = QueueFlow },
            options =>
            {
                Configure(options);
                options.Blocklist = ["+1 555 123 0000"];
            });
        await using var caller = await TestPhone.StartAsync();

        var unknown = await caller.CallAsync("+18005559999", host.SipEndPoint);
        Assert.Equal(603, unknown.Call.FinalStatus); // the test phone's number is blocked, checked before the number

        await using var host2 = await ContactCenterTestHost.StartAsync(new Dictionary<string, string> { ["queue-test.json"] = QueueFlow }, Configure);
        var notFound = await caller.CallAsync("+18005559999", host2.SipEndPoint);
        Assert.Equal(404, notFound.Call.FinalStatus);
    }

    [Fact]
    public async Task While_the_media_clock_skips_ticks_new_calls_get_503_and_once_it_keeps_time_they_are_answered_again()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["queue-test.json"] = QueueFlow },
            options =>
            {
                Configure(options);
                options.Media.ShedAboveSkippedTicksPerSecond = 10;
            });
        await using var caller = await TestPhone.StartAsync();

        // A subscriber that holds its clock thread 300 ms every half second: that thread skips about 50 ticks a second.
        var stall = new StallingSubscriber();
        host.Runtime.Media.Clock.Subscribe(stall);
        await WaitUntilAsync(() => host.Runtime.Media.Clock.SkippedTicks > 60, "the clock to skip ticks");
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // a whole second measured while skipping

        var refused = await caller.CallAsync("+18005550100", host.SipEndPoint);
        Assert.Equal(503, refused.Call.FinalStatus);

        // On time again: after the next whole second measured, calls are answered (retried: the guard measures
        // seconds, and a busy test machine may still skip a few ticks).
        host.Runtime.Media.Clock.Unsubscribe(stall);
        var deadline = DateTime.UtcNow + Patience;
        int? status = null;
        while (DateTime.UtcNow < deadline && status != 200)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var call = await caller.CallAsync("+18005550100", host.SipEndPoint);
            status = call.Call.FinalStatus;
            if (status == 200)
            {
                await call.Call.HangUpAsync();
            }
        }

        Assert.Equal(200, status);
    }

    private sealed class StallingSubscriber : IMediaClockSubscriber
    {
        public void OnTick(long tick)
        {
            if (tick % 50 == 0)
            {
                Thread.Sleep(300);
            }
        }
    }

    private static async Task<CallDetailRecord> WaitForRecordAsync(ContactCenterTestHost host, Guid callId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await host.Storage.CallRecords.GetAsync(callId) is { } record)
            {
                return record;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no call record for {callId}");
    }

    /// <summary>The call's events in the event log, once one of type <paramref name="last"/> is there.</summary>
    private static async Task<List<EventRecord>> WaitForLoggedAsync(ContactCenterTestHost host, Guid callId, string last)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var logged = (await host.Storage.Events.ReadSinceAsync(0, 10_000)).Where(e => e.CallId == callId).ToList();
            if (logged.Any(e => e.Type == last))
            {
                return logged;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {last} of call {callId} in the event log (found {string.Join(", ", logged.Select(e => e.Type))})");
            }

            await Task.Delay(100);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Patience);

    /// <summary>Ada's phone (extension 1001), registered, which logs her in; it answers calls unless told not to.</summary>
    private static async Task<TestPhone> AdasPhoneAsync(ContactCenterTestHost host, bool answers = true)
    {
        var phone = await TestPhone.StartAsync();
        if (!answers)
        {
            phone.AnswerAfter = null;
        }

        await phone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);
        await WaitUntilAsync(() => host.AgentState("ada") == "Available", "the agent to be logged in by registering");
        return phone;
    }

    /// <summary>Sum of absolute sample values per channel of a 16-bit stereo WAV (data after the 44-byte header).</summary>
    private static (long Left, long Right) ChannelEnergy(byte[] wav)
    {
        long left = 0, right = 0;
        for (var i = 44; i + 3 < wav.Length; i += 4)
        {
            left += Math.Abs((int)BitConverter.ToInt16(wav, i));
            right += Math.Abs((int)BitConverter.ToInt16(wav, i + 2));
        }

        return (left, right);
    }
}
