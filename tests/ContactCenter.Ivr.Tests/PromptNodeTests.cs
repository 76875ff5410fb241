using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class PromptNodeTests
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    [Fact]
    public async Task Start_answers_and_play_repeats_its_loop_count()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "start", "transitions": { "next": "p" } },
            { "id": "p", "type": "play", "parameters": { "text": "Hello", "loop": 3 }, "transitions": { "next": "end" } },
            """ + End));
        Assert.Equal("answer", run.Channel.Log[0]);
        Assert.Equal(3, run.Channel.Log.Count(l => l == "play text: Hello"));
        Assert.Equal(IvrOutcome.Hangup, run.Result.Outcome);
        Assert.Equal(["start", "p", "end"], run.Result.Path);
    }

    [Fact]
    public async Task Play_of_an_audio_file_passes_the_file_to_the_channel()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "play", "parameters": { "audio": "prompts/${sys.language}/hello.wav" }, "transitions": { "next": "end" } },
            """ + End));
        Assert.Contains("play audio: prompts/en-US/hello.wav", run.Channel.Log);
    }

    [Fact]
    public async Task Non_interruptible_play_ignores_keys_and_leaves_them_for_the_menu()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Welcome", "loop": 2 }, "transitions": { "next": "m" } },
            { "id": "m", "type": "menu", "parameters": { "prompt": "Press 1", "interruptible": false }, "transitions": { "1": "end", "failed": "end" } },
            """ + End), "1");
        Assert.Equal(2, run.Channel.Log.Count(l => l == "play text: Welcome"));
        Assert.Equal("1", run.Result.Trace[1].Outcome);
    }

    [Fact]
    public async Task A_key_pressed_during_an_interruptible_greeting_selects_in_the_next_menu()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Welcome", "interruptible": true }, "transitions": { "next": "m" } },
            { "id": "m", "type": "menu", "parameters": { "prompt": "For sales press 1" }, "transitions": { "1": "sales", "failed": "end" } },
            { "id": "sales", "type": "hangup" },
            """ + End), "1");
        Assert.Equal(["start", "m", "sales"], run.Result.Path);
        Assert.DoesNotContain("play text: For sales press 1", run.Channel.Log);
        Assert.Equal("1", run.Result.Trace[0].Input);
    }

    [Fact]
    public async Task Menu_accepts_a_key_while_its_prompt_plays()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "1 or 2", "variable": "choice" }, "transitions": { "1": "end", "2": "two", "failed": "end" } },
            { "id": "two", "type": "hangup" },
            """ + End), "2");
        Assert.Equal("two", run.Result.Path[^1]);
        Assert.Contains("barge-in 2", run.Channel.Log);
        Assert.Equal("2", run.Result.Variables["choice"]);
    }

    [Fact]
    public async Task Menu_times_out_in_virtual_time_plays_timeout_prompt_and_retries()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "Press 1", "timeoutPrompt": "I did not hear you", "maxRetries": 2, "timeoutSeconds": 7 },
              "transitions": { "1": "end", "timeout": "quiet", "failed": "end" } },
            { "id": "quiet", "type": "hangup" },
            """ + End));
        Assert.Equal(3, run.Channel.Log.Count(l => l == "play text: Press 1"));
        Assert.Equal(2, run.Channel.Log.Count(l => l == "play text: I did not hear you"));
        Assert.Equal("timeout", run.Result.Trace[0].Outcome);
        Assert.Equal("quiet", run.Result.Path[^1]);
        Assert.True(run.Result.EndedAt - run.Result.StartedAt >= TimeSpan.FromSeconds(21), "three 7 s timeouts on the virtual clock");
    }

    [Fact]
    public async Task Menu_invalid_key_plays_invalid_prompt_then_accepts_a_valid_one()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "Press 1", "invalidPrompt": "Not valid" }, "transitions": { "1": "end", "failed": "end" } },
            """ + End), "9,1");
        Assert.Single(run.Channel.Log, l => l == "play text: Not valid");
        Assert.Equal("1", run.Result.Trace[0].Outcome);
    }

    [Fact]
    public async Task Menu_gives_up_after_max_retries_with_invalid_or_failed()
    {
        var json = Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "Press 1", "maxRetries": 1 }, "transitions": { "1": "end", "invalid": "bad", "failed": "end" } },
            { "id": "bad", "type": "hangup" },
            """ + End);
        Assert.Equal("bad", (await RunAsync(json, "7,8")).Result.Path[^1]);
        var failed = await RunAsync(json.Replace("\"invalid\": \"bad\", ", string.Empty, StringComparison.Ordinal).Replace("""{ "id": "bad", "type": "hangup" },""", string.Empty, StringComparison.Ordinal), "7,8");
        Assert.Equal("failed", failed.Result.Trace[0].Outcome);
    }

    [Fact]
    public async Task Menu_branch_list_from_a_variable_takes_selected_and_stores_the_key()
    {
        var json = Flow(
            """
            { "id": "start", "type": "menu", "parameters": { "prompt": "Choose", "choicesVariable": "open", "variable": "picked" },
              "transitions": { "selected": "chosen", "failed": "end" } },
            { "id": "chosen", "type": "hangup" },
            """ + End,
            variables: """{ "open": "3,4" }""");
        var run = await RunAsync(json, "5,4");
        Assert.Equal("chosen", run.Result.Path[^1]);
        Assert.Equal("4", run.Result.Variables["picked"]);
    }

    [Fact]
    public async Task Collect_stops_at_the_terminator_and_stores_the_digits()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "prompt": "Account?", "variable": "account", "minLength": 4, "maxLength": 10 },
              "transitions": { "next": "end", "failed": "end" } },
            """ + End), "12345#");
        Assert.Equal("12345", run.Result.Variables["account"]);
        Assert.Equal("12345#", run.Result.Trace[0].Input);
    }

    [Fact]
    public async Task Collect_stops_at_max_length_without_a_terminator()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "pin", "minLength": 4, "maxLength": 4 }, "transitions": { "next": "end", "failed": "end" } },
            """ + End), "123456");
        Assert.Equal("1234", run.Result.Variables["pin"]);
    }

    [Fact]
    public async Task Collect_too_short_entry_is_retried_with_the_invalid_prompt()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "prompt": "Number", "invalidPrompt": "Too short", "variable": "n", "minLength": 4 },
              "transitions": { "next": "end", "failed": "end" } },
            """ + End), "12#,5678#");
        Assert.Single(run.Channel.Log, l => l == "play text: Too short");
        Assert.Equal("5678", run.Result.Variables["n"]);
    }

    [Fact]
    public async Task Collect_star_clears_the_entry_and_starts_again()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "n", "minLength": 2, "interruptible": false }, "transitions": { "next": "end", "failed": "end" } },
            """ + End), "99*,42#");
        Assert.Equal("42", run.Result.Variables["n"]);
    }

    [Fact]
    public async Task Collect_star_as_digit_is_kept()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "n", "star": "digit" }, "transitions": { "next": "end", "failed": "end" } },
            """ + End), "1*2#");
        Assert.Equal("1*2", run.Result.Variables["n"]);
    }

    [Fact]
    public async Task Collect_pattern_rejects_entries_that_do_not_match()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "n", "pattern": "^4[0-9]{3}$", "maxRetries": 0 }, "transitions": { "next": "end", "failed": "bad" } },
            { "id": "bad", "type": "hangup" },
            """ + End), "5123#");
        Assert.Equal("bad", run.Result.Path[^1]);
        Assert.False(run.Result.Variables.ContainsKey("n"));
    }

    [Fact]
    public async Task Collect_first_digit_and_inter_digit_timeouts_use_virtual_time()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "n", "minLength": 1, "maxLength": 8, "interruptible": false,
              "firstDigitTimeoutSeconds": 10, "interDigitTimeoutSeconds": 4, "maxRetries": 1 }, "transitions": { "next": "end", "failed": "end" } },
            """ + End), "timeout,123");
        Assert.Equal("123", run.Result.Variables["n"]);
        var elapsed = run.Result.Trace[0].Time - run.Result.StartedAt;
        Assert.True(elapsed >= TimeSpan.FromSeconds(14), $"10 s first-digit timeout + 4 s inter-digit timeout, was {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(16), $"no real waiting beyond the timeouts, was {elapsed}");
    }

    [Fact]
    public async Task Collect_fails_after_retries_without_input()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "n", "timeoutPrompt": "Still there?", "maxRetries": 2 }, "transitions": { "next": "end", "failed": "gone" } },
            { "id": "gone", "type": "hangup" },
            """ + End));
        Assert.Equal("gone", run.Result.Path[^1]);
        Assert.Equal(2, run.Channel.Log.Count(l => l == "play text: Still there?"));
    }

    [Fact]
    public async Task Survey_stores_the_score_in_the_variable_and_the_result()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "survey", "parameters": { "prompt": "Rate 1 to 5", "invalidPrompt": "1 to 5 please", "variable": "csat" }, "transitions": { "next": "end" } },
            """ + End), "8,4");
        Assert.Equal("4", run.Result.Variables["csat"]);
        Assert.Equal(4, run.Result.SurveyScores["start"]);
        Assert.Single(run.Channel.Log, l => l == "play text: 1 to 5 please");
    }

    [Fact]
    public async Task Survey_without_an_answer_goes_on_without_a_score()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "survey", "parameters": { "prompt": "Rate", "variable": "csat" }, "transitions": { "next": "end" } },
            """ + End));
        Assert.Empty(run.Result.SurveyScores);
        Assert.Equal("end", run.Result.Path[^1]);
    }

    [Fact]
    public async Task Voicemail_records_to_the_mailbox_and_ends_the_session()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "voicemail", "parameters": { "prompt": "Leave a message", "mailbox": "box-${sys.called}", "maxSeconds": 5 } }
            """), "#");
        Assert.Equal(IvrOutcome.Voicemail, run.Result.Outcome);
        Assert.Equal("box-+15550199", run.Result.Mailbox);
        Assert.NotNull(run.Result.Recording);
        Assert.Contains("record box-+15550199 (beep)", run.Channel.Log);
        Assert.Equal("5s", run.Result.Trace[0].Input);
        Assert.True(run.Channel.IsHungUp);
    }

    [Fact]
    public async Task Voicemail_ended_by_caller_hang_up_keeps_the_message()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "voicemail", "parameters": { "mailbox": "sales" }, "transitions": { "next": "end" } },
            """ + End), "hangup");
        Assert.Equal(IvrOutcome.Voicemail, run.Result.Outcome);
        Assert.Equal(["start"], run.Result.Path);
    }

    [Fact]
    public async Task Language_node_sets_language_and_voice_for_later_prompts()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "language", "parameters": { "language": "fr-FR", "voice": "fr" }, "transitions": { "next": "p" } },
            { "id": "p", "type": "play", "parameters": { "text": "Bonjour (${sys.language}, ${sys.voice})" }, "transitions": { "next": "end" } },
            """ + End));
        Assert.Contains("play text: Bonjour (fr-FR, fr)", run.Channel.Log);
        Assert.Equal("fr-FR", run.Result.Variables["sys.language"]);
    }

    [Fact]
    public async Task Text_prompts_go_through_the_text_to_speech_port_when_configured()
    {
        var tts = new RecordingTextToSpeech();
        var clock = new Simulation.SimulationClock(Monday10Utc);
        var channel = new Simulation.ScriptedChannel(string.Empty, clock);
        using var interpreter = new IvrInterpreter(timeProvider: clock, textToSpeech: tts);
        var flow = CompiledFlow.Compile(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Hello" }, "transitions": { "next": "end" } },
            """ + End));
        await interpreter.RunAsync(flow, channel);
        Assert.Equal(("Hello", "en-us"), Assert.Single(tts.Requests));
        Assert.Contains("play text: Hello", channel.Log);
    }

    private sealed class RecordingTextToSpeech : ITextToSpeech
    {
        public List<(string Text, string Voice)> Requests { get; } = [];

        public ValueTask<string> SynthesizeAsync(string text, string voice, CancellationToken cancellationToken)
        {
            Requests.Add((text, voice));
            return ValueTask.FromResult("/tmp/tts/" + Requests.Count + ".wav");
        }
    }
}
