using ContactCenter.Ivr.Simulation;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class CallControlTests
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    private const string QueueNodes = """
        { "id": "start", "type": "queue", "parameters": { "queue": "Sales", "priority": "${priority}", "skills": ["sales", "fr"], "overflowQueue": "Backup",
          "overflowAfterSeconds": 120, "prompt": "Please hold", "data": { "account": "${account}" } },
          "transitions": { "next": "after", "overflow": "vm" } },
        { "id": "after", "type": "play", "parameters": { "text": "Agent ${sys.agentId} talked ${sys.talkSeconds} s" }, "transitions": { "next": "end" } },
        { "id": "vm", "type": "voicemail", "parameters": { "mailbox": "sales" } },
        """ + End;

    [Fact]
    public async Task Queue_transfer_passes_priority_skills_overflow_prompt_and_data()
    {
        var run = await RunAsync(Flow(QueueNodes, variables: """{ "priority": "7", "account": "42" }"""));
        var request = Assert.Single(run.Channel.QueueTransfers);
        Assert.Equal("Sales", request.Queue);
        Assert.Equal(7, request.Priority);
        Assert.Equal(["sales", "fr"], request.Skills);
        Assert.Equal("Backup", request.OverflowQueue);
        Assert.Equal(TimeSpan.FromSeconds(120), request.OverflowAfter);
        Assert.Equal("Please hold", request.Prompt!.Text);
        Assert.Equal("42", request.AttachedData["account"]);
    }

    [Fact]
    public async Task After_the_agent_hangs_up_the_flow_continues_with_agent_system_variables()
    {
        var run = await RunAsync(Flow(QueueNodes, variables: """{ "priority": "1", "account": "" }"""));
        Assert.Contains("play text: Agent agent-1 talked 60 s", run.Channel.Log);
        Assert.Equal(IvrOutcome.TransferToQueue, run.Result.Outcome);
        Assert.Equal("Sales", run.Result.Queue);
        Assert.Equal("agent-1", run.Result.AgentId);
    }

    [Fact]
    public async Task Queue_overflow_takes_the_overflow_branch()
    {
        var run = await RunAsync(Flow(QueueNodes, variables: """{ "priority": "1", "account": "" }"""), "overflow");
        Assert.Equal("vm", run.Result.Path[^1]);
        Assert.Equal(IvrOutcome.Voicemail, run.Result.Outcome);
    }

    [Fact]
    public async Task Queue_without_next_ends_the_session_as_a_transfer()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "queue", "parameters": { "queue": "Support" } }"""));
        Assert.Equal(IvrOutcome.TransferToQueue, run.Result.Outcome);
        Assert.Equal("transfer", run.Result.Trace[^1].Outcome);
        Assert.Null(run.Result.Trace[^1].Next);
    }

    [Fact]
    public async Task Queue_overflow_without_an_overflow_branch_is_a_node_failure()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "error": "end" } }, """ + End), "overflow");
        Assert.Equal("error", run.Result.Trace[0].Outcome);
        Assert.Contains("overflowed", run.Result.Variables["sys.lastError"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_to_a_number_ends_the_session_with_the_number()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "transfer", "parameters": { "number": "+3314${suffix}", "callerId": "+15550000" } }""", variables: """{ "suffix": "5551234" }"""));
        Assert.Equal(IvrOutcome.TransferToNumber, run.Result.Outcome);
        Assert.Equal("+33145551234", run.Result.TransferDestination);
        var request = Assert.Single(run.Channel.Transfers);
        Assert.Equal(TransferTarget.Number, request.Target);
        Assert.Equal("+15550000", request.CallerId);
    }

    [Fact]
    public async Task Busy_transfer_takes_the_failed_branch()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "extension", "parameters": { "extension": "2001", "ringTimeoutSeconds": 20 }, "transitions": { "failed": "end" } },
            """ + End), "busy");
        Assert.Equal("failed", run.Result.Trace[0].Outcome);
        Assert.Equal("busy", run.Result.Trace[0].Input);
        Assert.Equal(IvrOutcome.Hangup, run.Result.Outcome);
    }

    [Fact]
    public async Task Transfer_to_an_extension_ends_the_session_with_the_extension()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "extension", "parameters": { "extension": "2001" } }"""));
        Assert.Equal(IvrOutcome.TransferToExtension, run.Result.Outcome);
        Assert.Equal(TransferTarget.Extension, Assert.Single(run.Channel.Transfers).Target);
    }

    [Theory]
    [InlineData("hangup", "menu")]
    [InlineData("1,hangup", "confirm")]
    [InlineData("1,#,hangup", "collect")]
    [InlineData("1,#,123#,hangup", "queue")]
    public async Task Caller_hang_up_ends_the_session_cleanly_at_any_node(string script, string lastNode)
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Hi" }, "transitions": { "next": "menu" } },
            { "id": "menu", "type": "menu", "parameters": { "prompt": "1" }, "transitions": { "1": "confirm", "failed": "end" } },
            { "id": "confirm", "type": "menu", "parameters": { "prompt": "#" }, "transitions": { "#": "collect", "failed": "end" } },
            { "id": "collect", "type": "collect", "parameters": { "variable": "n", "interruptible": false }, "transitions": { "next": "queue", "failed": "end" } },
            { "id": "queue", "type": "queue", "parameters": { "queue": "Q" } },
            """ + End), script);
        Assert.Equal(IvrOutcome.CallerHangup, run.Result.Outcome);
        Assert.Equal(lastNode, run.Result.Trace[^1].NodeId);
        Assert.Equal("callerHangup", run.Result.Trace[^1].Outcome);
    }

    [Fact]
    public async Task Scripted_hang_up_during_a_voicemail_after_its_prompt_keeps_the_message()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "voicemail", "parameters": { "mailbox": "sales", "prompt": "Leave a message." }, "transitions": { "next": "end" } },
            """ + End), "hangup");
        Assert.Equal(IvrOutcome.Voicemail, run.Result.Outcome);
        Assert.NotNull(run.Result.Recording);
        Assert.Equal(["play text: Leave a message.", "record sales (beep)"], run.Channel.Log.Where(l => l.StartsWith("play", StringComparison.Ordinal) || l.StartsWith("record", StringComparison.Ordinal)));
        Assert.Equal("caller hung up", run.Channel.Log[^2]);
    }

    [Fact]
    public async Task Scripted_hang_up_is_taken_where_the_caller_is_listened_to_not_during_a_prompt_that_cannot_be_interrupted()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Please hold the line" }, "transitions": { "next": "menu" } },
            { "id": "menu", "type": "menu", "parameters": { "prompt": "Press 1" }, "transitions": { "1": "end", "failed": "end" } },
            """ + End), "hangup");
        Assert.Equal(IvrOutcome.CallerHangup, run.Result.Outcome);
        Assert.Equal(["start", "menu"], run.Result.Path);
        var log = run.Channel.Log.ToList();
        Assert.True(log.IndexOf("play text: Please hold the line") < log.IndexOf("play text: Press 1"));
        Assert.Equal("caller hung up", log[^1]);
    }

    [Fact]
    public async Task Scripted_hang_up_while_waiting_in_a_queue_abandons_the_queue()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "queue", "parameters": { "queue": "Sales" }, "transitions": { "next": "end" } },
            """ + End), "hangup");
        Assert.Equal(IvrOutcome.CallerHangup, run.Result.Outcome);
        Assert.Equal(["start"], run.Result.Path);
        Assert.Equal("Sales", Assert.Single(run.Channel.QueueTransfers).Queue);
        Assert.Equal(Monday10Utc.AddSeconds(30), run.Result.EndedAt);
    }

    [Fact]
    public async Task A_failing_channel_takes_the_error_branch()
    {
        var flow = CompiledFlow.Compile(Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Hi" }, "transitions": { "next": "end", "error": "sorry" } },
            { "id": "sorry", "type": "transfer", "parameters": { "number": "+15551111" } },
            """ + End));
        using var interpreter = new IvrInterpreter();
        var channel = new FailingPlayChannel(new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)));
        var result = await interpreter.RunAsync(flow, channel);
        Assert.Equal(["start", "sorry"], result.Path);
        Assert.Equal("error", result.Trace[0].Outcome);
        Assert.Equal("prompt store offline", result.Trace[0].Input);
        Assert.Equal(IvrOutcome.TransferToNumber, result.Outcome);
    }

    [Fact]
    public async Task A_failing_node_without_error_branch_ends_the_session_with_an_error_and_hangs_up()
    {
        var flow = CompiledFlow.Compile(Flow("""{ "id": "start", "type": "play", "parameters": { "text": "Hi" }, "transitions": { "next": "end" } }, """ + End));
        using var interpreter = new IvrInterpreter();
        var scripted = new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc));
        var result = await interpreter.RunAsync(flow, new FailingPlayChannel(scripted));
        Assert.Equal(IvrOutcome.Error, result.Outcome);
        Assert.Contains("prompt store offline", result.Error, StringComparison.Ordinal);
        Assert.True(scripted.IsHungUp);
    }

    [Fact]
    public async Task Every_step_is_traced_with_time_input_and_outcome()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "start", "transitions": { "next": "menu" } },
            { "id": "menu", "type": "menu", "parameters": { "prompt": "Press 2" }, "transitions": { "2": "end", "failed": "end" } },
            """ + End), "2");
        var trace = run.Result.Trace;
        Assert.Equal(3, trace.Count);
        Assert.Equal(new IvrTraceEntry(trace[1].Time, "menu", "menu", "menu", "2", "2", "end"), trace[1]);
        Assert.True(trace[0].Time <= trace[1].Time && trace[1].Time <= trace[2].Time);
        Assert.Equal("hangup", trace[2].Action);
        Assert.Null(trace[2].Next);
    }

    [Fact]
    public async Task Many_sessions_run_concurrently_on_one_compiled_flow()
    {
        var flow = CompiledFlow.Compile(File.ReadAllText(Path.Combine(SamplesFolder, "main-menu.json")));
        using var interpreter = new IvrInterpreter(timeProvider: new SimulationClock(Monday10Utc));
        var sessions = Enumerable.Range(0, 400).Select(i => Task.Run(() => interpreter.RunAsync(
            flow,
            new ScriptedChannel(i % 2 == 0 ? "1,0" : "2,5", new SimulationClock(Monday10Utc)),
            new IvrCallInfo { CallerNumber = "+1555" + i })));
        var results = await Task.WhenAll(sessions);
        Assert.All(results, r => Assert.Equal(IvrOutcome.TransferToQueue, r.Outcome));
        Assert.Equal(200, results.Count(r => r.Queue == "Sales"));
        Assert.Equal(200, results.Count(r => r.Queue == "Support" && r.SurveyScores["survey"] == 5));
        Assert.Equal(400, results.Select(r => r.SessionId).Distinct().Count());
    }

    private sealed class FailingPlayChannel(ScriptedChannel inner) : IIvrChannel
    {
        public ValueTask AnswerAsync(CancellationToken cancellationToken) => inner.AnswerAsync(cancellationToken);

        public ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken) =>
            throw new IOException("prompt store offline");

        public ValueTask<DigitsResult> CollectDigitsAsync(DigitsRequest request, CancellationToken cancellationToken) => inner.CollectDigitsAsync(request, cancellationToken);

        public ValueTask<RecordingResult> RecordAsync(RecordingRequest request, CancellationToken cancellationToken) => inner.RecordAsync(request, cancellationToken);

        public ValueTask<QueueTransferResult> TransferToQueueAsync(QueueTransferRequest request, CancellationToken cancellationToken) => inner.TransferToQueueAsync(request, cancellationToken);

        public ValueTask<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken) => inner.TransferAsync(request, cancellationToken);

        public ValueTask HangUpAsync(CancellationToken cancellationToken) => inner.HangUpAsync(cancellationToken);
    }
}
