using ContactCenter.Ivr.Simulation;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class LogicNodeTests
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    private static string ConditionFlow(string when) => Flow(
        "{ \"id\": \"start\", \"type\": \"condition\", \"parameters\": { \"branches\": [ { \"name\": \"yes\", \"when\": " + when + " } ] }, "
        + "\"transitions\": { \"yes\": \"yes\", \"default\": \"end\" } }, { \"id\": \"yes\", \"type\": \"hangup\" }, " + End,
        variables: """{ "n": "10", "tier": "gold member", "zip": "75001" }""");

    [Theory]
    [InlineData("""{ "left": "${n}", "op": "==", "right": "10.0" }""", true)]
    [InlineData("""{ "left": "${n}", "op": "!=", "right": 10 }""", false)]
    [InlineData("""{ "left": "${n}", "op": ">", "right": "9" }""", true)]
    [InlineData("""{ "left": "${n}", "op": "<", "right": "9" }""", false)]
    [InlineData("""{ "left": "${n}", "op": "<=", "right": "10" }""", true)]
    [InlineData("""{ "left": "${n}", "op": ">=", "right": "11" }""", false)]
    [InlineData("""{ "left": "${tier}", "op": "contains", "right": "gold" }""", true)]
    [InlineData("""{ "left": "${tier}", "op": "==", "right": "gold" }""", false)]
    [InlineData("""{ "left": "${zip}", "op": "matches", "right": "^75[0-9]{3}$" }""", true)]
    [InlineData("""{ "all": [ { "left": "${n}", "op": ">", "right": "5" }, { "left": "${zip}", "op": "matches", "right": "^13" } ] }""", false)]
    [InlineData("""{ "any": [ { "left": "${n}", "op": ">", "right": "50" }, { "left": "${tier}", "op": "contains", "right": "member" } ] }""", true)]
    [InlineData("""{ "left": "${missing}", "op": "==", "right": "" }""", true)]
    public async Task Condition_operators_choose_the_branch(string when, bool expected)
    {
        var run = await RunAsync(ConditionFlow(when));
        Assert.Equal(expected ? "yes" : "end", run.Result.Path[^1]);
        Assert.Equal(expected ? "yes" : "default", run.Result.Trace[0].Outcome);
    }

    [Fact]
    public async Task Text_comparison_is_ordinal_when_a_side_is_not_a_number()
    {
        var run = await RunAsync(ConditionFlow("""{ "left": "abc", "op": "<", "right": "abd" }"""));
        Assert.Equal("yes", run.Result.Path[^1]);
    }

    [Fact]
    public async Task Set_interpolates_variables_and_system_variables()
    {
        var run = await RunAsync(Flow(
            """
            { "id": "start", "type": "set", "parameters": { "values": { "greeting": "Hi ${name} from ${sys.caller}", "literal": "$${not}" } }, "transitions": { "next": "end" } },
            """ + End,
            variables: """{ "name": "Ada" }"""));
        Assert.Equal("Hi Ada from +15550100", run.Result.Variables["greeting"]);
        Assert.Equal("${not}", run.Result.Variables["literal"]);
    }

    [Fact]
    public async Task Initial_variables_override_flow_defaults()
    {
        var run = await RunAsync(
            Flow("""{ "id": "start", "type": "play", "parameters": { "text": "Hi ${name}" }, "transitions": { "next": "end" } }, """ + End, variables: """{ "name": "Ada" }"""),
            variables: new Dictionary<string, string> { ["name"] = "Grace" });
        Assert.Contains("play text: Hi Grace", run.Channel.Log);
    }

    [Fact]
    public async Task Counter_loops_max_times_then_takes_exhausted()
    {
        var run = await RunAsync(Flow("""
            { "id": "start", "type": "counter", "parameters": { "variable": "tries", "max": 3 }, "transitions": { "next": "p", "exhausted": "end" } },
            { "id": "p", "type": "play", "parameters": { "text": "again ${tries}" }, "transitions": { "next": "start" } },
            """ + End));
        Assert.Equal(["play text: again 1", "play text: again 2", "play text: again 3"], run.Channel.Log.Where(l => l.StartsWith("play", StringComparison.Ordinal)));
        Assert.Equal("exhausted", run.Result.Trace[^2].Outcome);
    }

    [Fact]
    public async Task Distribute_is_deterministic_per_session_and_follows_the_weights()
    {
        var flow = CompiledFlow.Compile(Flow("""
            { "id": "start", "type": "distribute", "parameters": { "weights": { "a": 70, "b": 30 } }, "transitions": { "a": "end", "b": "end" } },
            """ + End));
        using var interpreter = new IvrInterpreter(timeProvider: new SimulationClock(Monday10Utc));
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < 2000; i++)
        {
            var id = new Guid(i, 7, 7, [1, 2, 3, 4, 5, 6, 7, (byte)(i % 256)]);
            var result = await interpreter.RunAsync(flow, new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)), new IvrCallInfo { SessionId = id });
            var again = await interpreter.RunAsync(flow, new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)), new IvrCallInfo { SessionId = id });
            Assert.Equal(result.Trace[0].Outcome, again.Trace[0].Outcome);
            counts[result.Trace[0].Outcome]++;
        }

        Assert.InRange(counts["a"], 1300, 1500);
    }

    [Fact]
    public async Task Hours_are_open_inside_a_range_in_the_flow_time_zone()
    {
        var json = Flow("""
            { "id": "start", "type": "hours", "parameters": { "timeZone": "Europe/Paris",
              "schedule": { "monday": ["08:00-12:00", "14:00-18:00"], "saturday": ["10:00-12:00"] }, "holidays": ["2026-12-25"] },
              "transitions": { "open": "open", "closed": "end" } },
            { "id": "open", "type": "hangup" },
            """ + End);
        async Task<string> At(string time) => (await RunAsync(json, at: DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture))).Result.Path[^1];

        Assert.Equal("open", await At("2026-11-23T10:00:00+01:00"));   // Monday morning, Paris
        Assert.Equal("end", await At("2026-11-23T13:00:00+01:00"));    // lunch gap
        Assert.Equal("open", await At("2026-11-23T16:59:00+01:00"));   // afternoon range
        Assert.Equal("end", await At("2026-11-23T18:00:00+01:00"));    // end is exclusive
        Assert.Equal("open", await At("2026-11-23T07:30:00Z"));        // 08:30 in Paris
        Assert.Equal("end", await At("2026-11-24T10:00:00+01:00"));    // Tuesday: no ranges
        Assert.Equal("open", await At("2026-11-28T11:00:00+01:00"));   // Saturday
        Assert.Equal("end", await At("2026-12-25T10:00:00+01:00"));    // a holiday (a Friday)
    }

    [Fact]
    public async Task Hours_with_daily_schedule_apply_to_every_day_not_listed()
    {
        var json = Flow("""
            { "id": "start", "type": "hours", "parameters": { "timeZone": "America/New_York", "schedule": { "daily": ["00:00-24:00"], "sunday": [] } },
              "transitions": { "open": "open", "closed": "end" } },
            { "id": "open", "type": "hangup" },
            """ + End);
        Assert.Equal("open", (await RunAsync(json, at: new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero))).Result.Path[^1]);
        Assert.Equal("end", (await RunAsync(json, at: new DateTimeOffset(2026, 11, 29, 15, 0, 0, TimeSpan.Zero))).Result.Path[^1]);
    }

    [Fact]
    public async Task Subflow_runs_and_returns_sharing_variables_by_name()
    {
        var library = new FlowLibrary(new InMemoryFlowStore());
        await library.SaveDraftAsync("""
            { "id": "identify", "start": "ask", "nodes": [
              { "id": "ask", "type": "collect", "parameters": { "prompt": "PIN for ${name}", "variable": "pin" }, "transitions": { "next": "done", "failed": "done" } },
              { "id": "done", "type": "return" } ] }
            """, "ana");
        await library.PublishAsync("identify", "first", "ana");
        await library.SetAliasAsync("identify", "live", 1);
        var run = await RunAsync(
            Flow(
                """
                { "id": "start", "type": "subflow", "parameters": { "flow": "identify" }, "transitions": { "next": "say" } },
                { "id": "say", "type": "play", "parameters": { "text": "PIN ${pin}" }, "transitions": { "next": "end" } },
                """ + End,
                variables: """{ "name": "Ada", "pin": "" }"""),
            "1234#",
            resolver: library);
        Assert.Contains("play text: PIN for Ada", run.Channel.Log);
        Assert.Contains("play text: PIN 1234", run.Channel.Log);
        Assert.Equal(["start", "ask", "done", "say", "end"], run.Result.Path);
        Assert.Equal("identify:ask", run.Result.Trace[0].Next);
        Assert.Equal("test:say", run.Result.Trace[2].Next);
    }

    [Fact]
    public async Task Missing_subflow_takes_the_error_branch()
    {
        var run = await RunAsync(
            Flow("""
                { "id": "start", "type": "subflow", "parameters": { "flow": "nope", "version": "3" }, "transitions": { "next": "end", "error": "oops" } },
                { "id": "oops", "type": "hangup" },
                """ + End),
            resolver: new FlowLibrary(new InMemoryFlowStore()));
        Assert.Equal("oops", run.Result.Path[^1]);
        Assert.Contains("not found", run.Result.Variables["sys.lastError"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Return_in_the_top_flow_hangs_up()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "return" }"""));
        Assert.Equal(IvrOutcome.Hangup, run.Result.Outcome);
        Assert.True(run.Channel.IsHungUp);
    }

    [Fact]
    public async Task A_loop_without_input_stops_at_the_step_limit_with_an_error()
    {
        var run = await RunAsync(
            Flow("""
                { "id": "start", "type": "counter", "parameters": { "variable": "i", "max": 1000000 }, "transitions": { "next": "start", "exhausted": "end" } },
                """ + End),
            options: new IvrInterpreterOptions { MaxStepsPerSession = 50 });
        Assert.Equal(IvrOutcome.Error, run.Result.Outcome);
        Assert.Contains("50 steps", run.Result.Error, StringComparison.Ordinal);
        Assert.Equal(50, run.Result.Steps);
    }

    [Fact]
    public async Task Now_is_available_as_a_system_variable()
    {
        var run = await RunAsync(Flow("""{ "id": "start", "type": "play", "parameters": { "text": "It is ${sys.now}" }, "transitions": { "next": "end" } }, """ + End));
        Assert.Contains("play text: It is 2026-11-23T10:00:00Z", run.Channel.Log);
    }
}
