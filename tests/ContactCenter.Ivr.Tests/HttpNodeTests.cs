using ContactCenter.Ivr.Simulation;
using ContactCenter.Testing;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class HttpNodeTests
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    private static string LookupFlow(string extra = "") => Flow(
        """
        { "id": "start", "type": "http", "parameters": {
            "url": "https://crm.example.com/accounts/${account}?q=${query}",
            "timeoutSeconds": 3, "retries": 2, "retryDelaySeconds": 1,
            "outputs": { "name": "customer.name", "firstOrder": "orders[0].id", "score": "score" },
            "defaults": { "name": "caller" } EXTRA },
          "transitions": { "next": "ok", "error": "failed" } },
        { "id": "ok", "type": "hangup" },
        { "id": "failed", "type": "hangup" }
        """.Replace("EXTRA", extra, StringComparison.Ordinal),
        variables: """{ "account": "12345", "query": "a b&c" }""");

    [Fact]
    public async Task Get_maps_json_outputs_into_variables_and_escapes_url_values()
    {
        StubHttpRequester? stub = null;
        var run = await RunAsync(LookupFlow(), http: clock => stub = new StubHttpRequester(clock)
            .Respond("GET", "https://crm.example.com/accounts/*", 200, """{ "customer": { "name": "Ada" }, "orders": [ { "id": 77 } ], "score": 4.5 }"""));
        Assert.Equal("ok", run.Result.Path[^1]);
        Assert.Equal("Ada", run.Result.Variables["name"]);
        Assert.Equal("77", run.Result.Variables["firstOrder"]);
        Assert.Equal("4.5", run.Result.Variables["score"]);
        Assert.Equal("https://crm.example.com/accounts/12345?q=a%20b%26c", Assert.Single(stub!.Received).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_defaults_are_set_and_the_error_branch_taken()
    {
        StubHttpRequester? stub = null;
        var run = await RunAsync(LookupFlow(), http: clock => stub = new StubHttpRequester(clock).Respond("GET", "https://crm.example.com/accounts/*", 503, "{}"));
        Assert.Equal(3, stub!.Received.Count);
        Assert.Equal("failed", run.Result.Path[^1]);
        Assert.Equal("caller", run.Result.Variables["name"]);
        Assert.Equal("status 503", run.Result.Variables["sys.lastError"]);
        Assert.True(run.Result.EndedAt - run.Result.StartedAt >= TimeSpan.FromSeconds(2), "two 1 s retry delays on the virtual clock");
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        StubHttpRequester? stub = null;
        await RunAsync(LookupFlow(), http: clock => stub = new StubHttpRequester(clock));
        Assert.Single(stub!.Received);
    }

    [Fact]
    public async Task A_slow_server_times_out_in_virtual_time()
    {
        var run = await RunAsync(LookupFlow(), http: clock => new StubHttpRequester(clock)
            .Respond("GET", "https://crm.example.com/accounts/*", 200, """{ "customer": { "name": "Late" } }""", latency: TimeSpan.FromSeconds(10)));
        Assert.Equal("failed", run.Result.Path[^1]);
        Assert.StartsWith("timed out after 3", run.Result.Variables["sys.lastError"], StringComparison.Ordinal);
        Assert.Equal("caller", run.Result.Variables["name"]);
    }

    [Fact]
    public async Task Transport_failure_without_an_error_branch_continues_at_next_with_defaults()
    {
        var json = Flow("""
            { "id": "start", "type": "http", "parameters": { "url": "https://crm.example.com/x", "outputs": { "name": "name" }, "defaults": { "name": "friend" } }, "transitions": { "next": "say" } },
            { "id": "say", "type": "play", "parameters": { "text": "Hello ${name}" }, "transitions": { "next": "end" } },
            """ + End);
        var run = await RunAsync(json, http: clock => new StubHttpRequester(clock).Respond("GET", "https://crm.example.com/x", 200, "{}", transportError: "connection refused"));
        Assert.Contains("play text: Hello friend", run.Channel.Log);
        Assert.Contains("connection refused", run.Result.Trace[0].Input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_sends_a_json_body_built_from_variables()
    {
        StubHttpRequester? stub = null;
        var json = Flow(
            """
            { "id": "start", "type": "http", "parameters": { "method": "POST", "url": "https://crm.example.com/calls", "body": { "caller": "${sys.caller}", "note": "say \"hi\"" },
              "headers": { "X-Source": "ivr" } }, "transitions": { "next": "end" } },
            """ + End);
        await RunAsync(json, http: clock => stub = new StubHttpRequester(clock).Respond("POST", "https://crm.example.com/calls", 201, "{}"));
        var request = Assert.Single(stub!.Received);
        Assert.Equal("""{"caller":"\u002B15550100","note":"say \u0022hi\u0022"}""", request.JsonBody);
        Assert.Equal("ivr", request.Headers["X-Source"]);
    }

    [Fact]
    public async Task Http_timeout_fires_from_the_time_provider_while_the_request_is_pending()
    {
        var time = new ManualTimeProvider(Monday10Utc);
        var never = new NeverAnsweringRequester();
        using var interpreter = new IvrInterpreter(timeProvider: time, httpRequester: never);
        var flow = CompiledFlow.Compile(LookupFlow().Replace("\"retries\": 2", "\"retries\": 0", StringComparison.Ordinal));
        var session = interpreter.RunAsync(flow, new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)));

        Assert.True(SpinWait.SpinUntil(() => never.Pending == 1, TimeSpan.FromSeconds(10)), "the request should be in flight");
        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(session.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));
        var result = await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("failed", result.Path[^1]);
        Assert.True(never.SawCancellation);
    }

    [Fact]
    public async Task Cancelling_the_session_cancels_a_pending_request()
    {
        var never = new NeverAnsweringRequester();
        using var interpreter = new IvrInterpreter(timeProvider: new ManualTimeProvider(Monday10Utc), httpRequester: never);
        using var cts = new CancellationTokenSource();
        var session = interpreter.RunAsync(CompiledFlow.Compile(LookupFlow()), new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)), cancellationToken: cts.Token);
        Assert.True(SpinWait.SpinUntil(() => never.Pending == 1, TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();
        var result = await session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IvrOutcome.Cancelled, result.Outcome);
        Assert.True(never.SawCancellation);
    }

    [Fact]
    public async Task A_pending_request_does_not_hold_up_other_sessions()
    {
        var never = new NeverAnsweringRequester();
        var time = new ManualTimeProvider(Monday10Utc);
        using var interpreter = new IvrInterpreter(timeProvider: time, httpRequester: never);
        var slow = interpreter.RunAsync(
            CompiledFlow.Compile(LookupFlow().Replace("\"retries\": 2", "\"retries\": 0", StringComparison.Ordinal)),
            new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)));
        Assert.True(SpinWait.SpinUntil(() => never.Pending == 1, TimeSpan.FromSeconds(10)));
        var quick = await interpreter.RunAsync(
            CompiledFlow.Compile(Flow("""{ "id": "start", "type": "play", "parameters": { "text": "hi" }, "transitions": { "next": "end" } }, """ + End)),
            new ScriptedChannel(string.Empty, new SimulationClock(Monday10Utc)));
        Assert.Equal(IvrOutcome.Hangup, quick.Outcome);
        Assert.False(slow.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("failed", (await slow.WaitAsync(TimeSpan.FromSeconds(10))).Path[^1]);
    }

    [Fact]
    public void Url_that_is_not_http_is_rejected_by_validation()
    {
        var result = FlowValidator.Validate(Flow("""{ "id": "start", "type": "http", "parameters": { "url": "ftp://x/y" }, "transitions": { "next": "end" } }, """ + End));
        Assert.Contains(result.Errors, e => e.JsonPath == "$.nodes[0].parameters.url");
    }

    private sealed class NeverAnsweringRequester : IIvrHttpRequester
    {
        private int _pending;

        public int Pending => Volatile.Read(ref _pending);

        public bool SawCancellation { get; private set; }

        public async Task<IvrHttpResponse> SendAsync(IvrHttpRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _pending);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }

            return new IvrHttpResponse(200, "{}");
        }
    }
}

public class StubHttpRequesterTests
{
    [Fact]
    public void Stub_file_entries_are_checked_and_named()
    {
        var ex = Assert.Throws<FormatException>(() => StubHttpRequester.Parse("""[ { "url": "https://ok.example/x" }, { "url": "not a url" } ]"""));
        Assert.Contains("$[1]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => StubHttpRequester.Parse("""{ "nope": 1 }"""));
        Assert.Throws<FormatException>(() => StubHttpRequester.Parse("[ {"));
    }

    [Fact]
    public async Task Unmatched_requests_get_404_and_prefix_patterns_match()
    {
        var stub = new StubHttpRequester().Respond("GET", "https://crm.example/accounts/*", 200, "{}");
        var hit = await stub.SendAsync(new IvrHttpRequest("GET", new Uri("https://crm.example/accounts/7"), new Dictionary<string, string>(), null), default);
        var miss = await stub.SendAsync(new IvrHttpRequest("POST", new Uri("https://crm.example/accounts/7"), new Dictionary<string, string>(), "{}"), default);
        Assert.Equal((200, 404), (hit.StatusCode, miss.StatusCode));
    }
}
