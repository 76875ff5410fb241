using ContactCenter.Hosting.Ivr;
using ContactCenter.Ivr;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Tests.Ivr;

/// <summary>
/// Compiled flows run by the interpreter over <see cref="SipIvrChannel"/> on real loopback SIP and RTP, with a caller
/// built from ContactCenter.Sip: barge-in, digits (RFC 4733 and SIP INFO), digit timeouts on a manual clock,
/// voicemail written and indexed in SQLite, hang-up, queue and number transfers, 488 on an unusable offer.
/// </summary>
public sealed class SipIvrChannelTests
{
    private static readonly TimeSpan Safety = IvrCallHarness.Safety;

    private const string SalesFlow = """
        {
          "id": "sales-line",
          "start": "start",
          "variables": { "account": "" },
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "menu" } },
            { "id": "menu", "type": "menu",
              "parameters": { "prompt": { "audio": "greeting.wav" }, "timeoutSeconds": 5, "maxRetries": 0 },
              "transitions": { "1": "account", "2": "bye", "failed": "bye" } },
            { "id": "account", "type": "collect",
              "parameters": { "variable": "account", "prompt": "Please enter your account number, then press pound.",
                              "minLength": 4, "maxLength": 8, "maxRetries": 0 },
              "transitions": { "next": "queue", "failed": "bye" } },
            { "id": "queue", "type": "queue",
              "parameters": { "queue": "Sales", "skills": ["sales"], "priority": 5, "data": { "account": "${account}" } },
              "transitions": { "next": "bye" } },
            { "id": "bye", "type": "hangup" }
          ]
        }
        """;

    [Fact]
    public async Task Menu_key_interrupts_the_greeting_and_the_account_number_reaches_the_queue_as_attached_data()
    {
        await using var harness = await IvrCallHarness.StartAsync(SalesFlow, withSpeech: true);
        var speech = harness.Speech!;
        harness.WritePrompt("greeting.wav", TimeSpan.FromSeconds(20));

        var caller = await harness.CallAsync();
        harness.Router.CallerMeter = caller.Heard;
        Assert.Equal(SipCallState.Established, caller.Call.State);
        await caller.Heard.HearAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(Safety);
        caller.Media.Rtp.SendDtmf("1");
        Assert.Equal("Please enter your account number, then press pound.", await speech.FirstRequest.WaitAsync(Safety));
        caller.Media.Rtp.SendDtmf("1234#");
        var (channel, result) = await harness.Session.WaitAsync(Safety);
        await caller.Call.Ended.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.TransferToQueue, result.Outcome);
        Assert.Equal("Sales", result.Queue);
        Assert.Equal("agent-7", result.AgentId);
        Assert.Equal("1234", result.Variables["account"]);
        var (queuedChannel, request) = Assert.Single(harness.Router.Queued);
        Assert.Same(channel, queuedChannel);
        Assert.Equal(harness.CallId, queuedChannel.CallId);
        Assert.Equal(caller.Call.CallId, queuedChannel.Call.CallId);
        Assert.Equal("Sales", request.Queue);
        Assert.Equal(5, request.Priority);
        Assert.Equal(["sales"], request.Skills);
        Assert.Equal("1234", request.AttachedData["account"]);
        // Barge-in: the 20 s greeting stopped at the key; the caller heard only its start and the account prompt.
        Assert.True(harness.Router.HeardWhenQueued < TimeSpan.FromSeconds(12), $"heard {harness.Router.HeardWhenQueued} before being queued");
        Assert.Equal("1", result.Trace.Single(t => t.NodeId == "menu").Input);
        Assert.Equal(SipCallEndReason.RemoteHangUp, caller.Call.EndReason);
    }

    [Fact]
    public async Task Collection_times_out_on_the_digit_clock_and_retries_then_takes_SIP_INFO_digits_until_the_inter_digit_timeout()
    {
        const string flow = """
            {
              "id": "pin",
              "start": "start",
              "variables": { "pin": "" },
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "collect" } },
                { "id": "collect", "type": "collect",
                  "parameters": { "variable": "pin", "minLength": 1, "maxLength": 6, "firstDigitTimeoutSeconds": 5,
                                  "interDigitTimeoutSeconds": 3, "maxRetries": 1 },
                  "transitions": { "next": "done", "failed": "failed" } },
                { "id": "done", "type": "hangup" },
                { "id": "failed", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        var caller = await harness.CallAsync();

        await harness.DigitClock.TimerCreatedAsync();
        harness.DigitClock.Advance(TimeSpan.FromSeconds(5));
        await harness.DigitClock.TimerCreatedAsync();
        var refused = await caller.Call.SendRequestAsync(SipMethod.Info, "Signal=Z\r\nDuration=160\r\n"u8.ToArray(), "application/dtmf-relay").WaitAsync(Safety);
        Assert.Equal(400, refused.StatusCode);
        foreach (var key in "42")
        {
            var response = await caller.Call.SendRequestAsync(SipMethod.Info, DtmfRelayBody.Create(key, TimeSpan.FromMilliseconds(160)).Select(c => (byte)c).ToArray(), "application/dtmf-relay").WaitAsync(Safety);
            Assert.Equal(200, response.StatusCode);
        }

        Assert.False(harness.Session.IsCompleted);
        harness.DigitClock.Advance(TimeSpan.FromSeconds(3));
        var (_, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.Hangup, result.Outcome);
        Assert.Equal("42", result.Variables["pin"]);
        Assert.Contains("done", result.Path);
        Assert.DoesNotContain("failed", result.Path);
    }

    [Fact]
    public async Task Voicemail_after_the_beep_ends_on_the_end_key_and_is_written_under_the_data_folder_and_indexed()
    {
        const string flow = """
            {
              "id": "after-hours",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "pause" } },
                { "id": "pause", "type": "play", "parameters": { "audio": "pause.wav" }, "transitions": { "next": "vm" } },
                { "id": "vm", "type": "voicemail",
                  "parameters": { "mailbox": "sales/../../etc", "beep": true, "maxSeconds": 30, "endKey": "#" },
                  "transitions": { "next": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        harness.WritePrompt("pause.wav", TimeSpan.FromSeconds(0.5), frequency: 0);
        var caller = await harness.CallAsync();

        // Half a second of silence lets the caller's RTP start; the beep lasts 250 ms and recording starts when it ends.
        await caller.Heard.HearAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Safety);
        var message = new PromptPlayer([PromptItem.Tone(new ToneSpec([440], TimeSpan.FromSeconds(1), TimeSpan.Zero, Cycles: 1, Amplitude: 6000))]);
        caller.Media.Rtp.Source = message;
        await message.Completion.WaitAsync(Safety);
        caller.Media.Rtp.SendDtmf("#");
        var (_, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.Voicemail, result.Outcome);
        Assert.Equal("sales/../../etc", result.Mailbox);
        var entry = Assert.Single(await harness.Storage.Recordings.ListByCallAsync(harness.CallId));
        Assert.Equal(entry.Id.ToString(), result.Recording);
        Assert.Equal(1, entry.Channels);
        Assert.StartsWith("recordings/voicemail/sales_.._.._etc/", entry.Path, StringComparison.Ordinal);
        var file = harness.Storage.ResolveRecordingPath(entry.Path);
        Assert.StartsWith(Path.Combine(harness.Folder, "data"), file, StringComparison.Ordinal);
        Assert.Equal(new FileInfo(file).Length, entry.SizeBytes);
        var clip = WavFile.Read(file);
        Assert.Equal(entry.Duration.TotalMilliseconds, clip.Duration.TotalMilliseconds, 1);
        Assert.InRange(entry.Duration, TimeSpan.FromSeconds(0.6), TimeSpan.FromSeconds(4));
        Assert.Contains(clip.Samples.ToArray(), s => Math.Abs((int)s) > 3000);
    }

    [Fact]
    public async Task Caller_hanging_up_during_a_voicemail_keeps_the_message()
    {
        const string flow = """
            {
              "id": "vm-only",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "pause" } },
                { "id": "pause", "type": "play", "parameters": { "audio": "pause.wav" }, "transitions": { "next": "vm" } },
                { "id": "vm", "type": "voicemail", "parameters": { "mailbox": "support", "maxSeconds": 60 } }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        harness.WritePrompt("pause.wav", TimeSpan.FromSeconds(0.5), frequency: 0);
        var caller = await harness.CallAsync();

        await caller.Heard.HearAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Safety);
        var message = new PromptPlayer([PromptItem.Tone(new ToneSpec([500], TimeSpan.FromMilliseconds(600), TimeSpan.Zero, Cycles: 1, Amplitude: 6000))]);
        caller.Media.Rtp.Source = message;
        await message.Completion.WaitAsync(Safety);
        await caller.Call.HangUpAsync();
        var (channel, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.Voicemail, result.Outcome);
        var entry = Assert.Single(await harness.Storage.Recordings.ListByCallAsync(harness.CallId));
        Assert.Equal(entry.Id.ToString(), result.Recording);
        Assert.True(File.Exists(harness.Storage.ResolveRecordingPath(entry.Path)));
        Assert.Equal("voicemail", result.Trace[^1].Outcome);
        await Assert.ThrowsAsync<CallerHungUpException>(() => channel.PlayAsync(new IvrPrompt(null, "Goodbye", "en-us", "en-US", false), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Caller_hang_up_during_a_long_prompt_ends_the_session_and_later_operations_throw()
    {
        const string flow = """
            {
              "id": "long-prompt",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "text" } },
                { "id": "text", "type": "play", "parameters": { "text": "Welcome to Contoso." }, "transitions": { "next": "music" } },
                { "id": "music", "type": "play", "parameters": { "audio": "long.wav" }, "transitions": { "next": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        harness.WritePrompt("long.wav", TimeSpan.FromSeconds(30));
        var caller = await harness.CallAsync();

        await caller.Heard.HearAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Safety);
        await caller.Call.HangUpAsync();
        var (channel, result) = await harness.Session.WaitAsync(Safety);

        // The text prompt without a speech engine was skipped (logged), not a failure; the hang-up ended the audio prompt.
        Assert.Equal(IvrOutcome.CallerHangup, result.Outcome);
        Assert.Equal(["start", "text", "music"], result.Path);
        Assert.Contains(harness.Log.Entries, e => e.EventId == 9610 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.True(caller.Heard.Heard < TimeSpan.FromSeconds(10));
        Assert.Null(channel.Media.Rtp.Source);
        var request = new DigitsRequest(1, 4, "#", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<CallerHungUpException>(() => channel.CollectDigitsAsync(request, CancellationToken.None).AsTask());
        await channel.HangUpAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Number_transfer_is_delegated_to_the_router_and_ends_the_session_when_connected()
    {
        const string flow = """
            {
              "id": "operator",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "transfer" } },
                { "id": "transfer", "type": "transfer",
                  "parameters": { "number": "+15557654321", "ringTimeoutSeconds": 20 },
                  "transitions": { "failed": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        var caller = await harness.CallAsync();

        var (channel, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.TransferToNumber, result.Outcome);
        var (transferred, request) = Assert.Single(harness.Router.Transfers);
        Assert.Same(channel, transferred);
        Assert.Equal(TransferTarget.Number, request.Target);
        Assert.Equal("+15557654321", request.Destination);
        Assert.Equal(TimeSpan.FromSeconds(20), request.RingTimeout);
        // Connected: the call now belongs to the host, the channel did not hang it up.
        Assert.Equal(SipCallState.Established, caller.Call.State);
    }

    [Fact]
    public async Task In_band_tones_are_taken_as_digits_when_the_session_enables_them()
    {
        const string flow = """
            {
              "id": "support-line",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "menu" } },
                { "id": "menu", "type": "menu",
                  "parameters": { "prompt": { "audio": "greeting.wav" }, "maxRetries": 0 },
                  "transitions": { "2": "support", "failed": "bye" } },
                { "id": "support", "type": "queue", "parameters": { "queue": "Support" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        var session = new RtpSessionOptions { DtmfMethods = DtmfMethod.Rfc4733 | DtmfMethod.SipInfo | DtmfMethod.InBand };
        await using var harness = await IvrCallHarness.StartAsync(flow, session: session);
        harness.WritePrompt("greeting.wav", TimeSpan.FromSeconds(20));
        var caller = await harness.CallAsync();

        await caller.Heard.HearAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Safety);
        caller.Media.Rtp.Source = new PromptPlayer([PromptItem.Tone(ToneSpec.ForDigit('2', TimeSpan.FromMilliseconds(120)) with { Cycles = 1 })]);
        var (_, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.TransferToQueue, result.Outcome);
        Assert.Equal("Support", Assert.Single(harness.Router.Queued).Request.Queue);
        Assert.Equal("2", result.Trace.Single(t => t.NodeId == "menu").Input);
    }

    [Fact]
    public async Task Prompt_before_the_answer_plays_as_early_media_and_the_unanswered_call_is_declined_at_the_end()
    {
        const string flow = """
            {
              "id": "announcement",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "parameters": { "answer": false }, "transitions": { "next": "pause" } },
                { "id": "pause", "type": "play", "parameters": { "audio": "pause.wav" }, "transitions": { "next": "notice" } },
                { "id": "notice", "type": "play", "parameters": { "audio": "notice.wav" }, "transitions": { "next": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);
        // Silence first: the caller applies the 183's SDP while it plays. Half a second was once too little on a
        // loaded machine (the caller heard 0.5 s of the 1.5 s notice), so it is a second and a half.
        harness.WritePrompt("pause.wav", TimeSpan.FromSeconds(1.5), frequency: 0);
        harness.WritePrompt("notice.wav", TimeSpan.FromSeconds(1.5));

        var caller = await harness.CallForEarlyMediaAsync();
        var (channel, result) = await harness.Session.WaitAsync(Safety);
        await caller.Call.Ended.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.Hangup, result.Outcome);
        Assert.False(channel.IsAnswered);
        Assert.Equal(480, caller.Call.FinalStatus);
        Assert.True(caller.Heard.Heard > TimeSpan.FromMilliseconds(500), $"heard {caller.Heard.Heard} of early media");
    }

    [Fact]
    public async Task Caller_whose_RTP_stops_is_hung_up_after_the_media_timeout()
    {
        const string flow = """
            {
              "id": "wait",
              "start": "start",
              "variables": { "pin": "" },
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "collect" } },
                { "id": "collect", "type": "collect", "parameters": { "variable": "pin", "firstDigitTimeoutSeconds": 60 },
                  "transitions": { "next": "bye", "failed": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        // The media clock is real (RTP over loopback), so the timeout is a short real one.
        await using var harness = await IvrCallHarness.StartAsync(flow, session: new RtpSessionOptions { MediaTimeout = TimeSpan.FromMilliseconds(600) });
        var caller = await harness.CallAsync();

        await caller.Media.DisposeAsync();
        var (_, result) = await harness.Session.WaitAsync(Safety);
        await caller.Call.Ended.WaitAsync(Safety);

        Assert.Equal(IvrOutcome.CallerHangup, result.Outcome);
        Assert.Equal(SipCallEndReason.RemoteHangUp, caller.Call.EndReason);
    }

    [Fact]
    public async Task Offer_without_a_usable_codec_is_rejected_with_488_and_the_session_fails()
    {
        const string flow = """
            {
              "id": "menu",
              "start": "start",
              "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "bye" } },
                { "id": "bye", "type": "hangup" }
              ]
            }
            """;
        await using var harness = await IvrCallHarness.StartAsync(flow);

        var caller = await harness.CallAsync(port =>
            $"v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
        var (channel, result) = await harness.Session.WaitAsync(Safety);

        Assert.Equal(SipCallState.Terminated, caller.Call.State);
        Assert.Equal(488, caller.Call.FinalStatus);
        Assert.Equal(IvrOutcome.Error, result.Outcome);
        Assert.NotNull(result.Error);
        Assert.False(channel.IsAnswered);
        await Assert.ThrowsAsync<CallerHungUpException>(() => channel.AnswerAsync(CancellationToken.None).AsTask());
    }
}
