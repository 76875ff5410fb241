using System.Net;
using System.Text;
using System.Text.Json;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Storage;
using ContactCenter.Hosting.Web;
using ContactCenter.Routing;
using Xunit;

namespace ContactCenter.Hosting.Tests.Web;

public sealed class WebApiTests
{
    private const string Flow = """
        { "id": "main", "name": "Main", "start": "bye", "nodes": [ { "id": "bye", "type": "hangup" } ] }
        """;

    [Fact]
    public async Task A_request_without_a_key_gets_401_problem_details()
    {
        await using var host = await WebTestHost.StartAsync();
        using var response = await host.Client(null).GetAsync("/api/v1/agents");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_a_bad_key_gets_401_and_is_logged_without_the_key()
    {
        await using var host = await WebTestHost.StartAsync();
        using var client = host.Client("not-a-configured-key");
        using var response = await client.GetAsync("/api/v1/agents");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/queues");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "another-bad-key");
        using var bearerResponse = await host.Client(null).SendAsync(bearer);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearerResponse.StatusCode);
        Assert.Equal("Invalid API key", (await ProblemAsync(response)).GetProperty("title").GetString());
        Assert.Contains(host.Logs.Entries, e => e.EventId == 9300);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains("not-a-configured-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_without_the_role_gets_403_naming_the_roles_allowed()
    {
        await using var host = await WebTestHost.StartAsync();
        using var reporting = await host.Client(WebTestHost.ReportingKey).PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "bob" }"""));
        using var agentOnRecords = await host.Client(WebTestHost.AgentKey).GetAsync("/api/v1/call-records");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-records");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", WebTestHost.ReportingKey);
        using var allowed = await host.Client(null).SendAsync(bearer);

        Assert.Equal(HttpStatusCode.Forbidden, reporting.StatusCode);
        Assert.Contains("admin", (await ProblemAsync(reporting)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, agentOnRecords.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task An_agent_key_acts_only_for_its_own_agent()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        (await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "alice", "extension": "1001" }"""))).EnsureSuccessStatusCode();
        (await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "bob", "extension": "1002" }"""))).EnsureSuccessStatusCode();
        using var agent = host.Client(WebTestHost.AgentKey);

        using var own = await agent.PostAsync("/api/v1/agents/alice/login", WebTestHost.Json("""{ "kind": "extension", "address": "1001" }"""));
        using var other = await agent.PostAsync("/api/v1/agents/bob/login", WebTestHost.Json("""{ "kind": "extension", "address": "1002" }"""));

        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("acts for agent 'alice'", (await ProblemAsync(other)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_configured_in_clear_or_with_an_unknown_role_fails_start_up_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => WebTestHost.StartAsync(o =>
        {
            o.ApiKeys.Add(new ApiKeyOptions { Name = "wallboard", Hash = "my-plain-key", Roles = ["viewer"] });
            o.Webhooks.Add(new WebhookOptions { Url = "crm.example.com/hook", Secret = "short" });
        }));

        Assert.Contains("ContactCenter:Web:ApiKeys:4:Hash", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ContactCenter:Web:ApiKeys:4:Roles: 'viewer'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ContactCenter:Web:Webhooks:0:Url", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ContactCenter:Web:Webhooks:0:Secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_key_and_ready_checks_storage()
    {
        await using var host = await WebTestHost.StartAsync();
        using var client = host.Client(null);
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_while_another_key_is_served()
    {
        await using var host = await WebTestHost.StartAsync(o => o.RequestsPerMinutePerKey = 3);
        using var supervisor = host.Client(WebTestHost.SupervisorKey);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await supervisor.GetAsync("/api/v1/queues");
            statuses.Add(response.StatusCode);
        }

        using var limited = await supervisor.GetAsync("/api/v1/queues");
        using var other = await host.Client(WebTestHost.AdminKey).GetAsync("/api/v1/queues");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429], statuses);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null || limited.Headers.Contains("Retry-After"));
        Assert.Contains("floor-supervisor", (await ProblemAsync(limited)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_that_name_the_problem()
    {
        await using var host = await WebTestHost.StartAsync(o => o.MaxRequestBodySize = 2048);
        using var admin = host.Client(WebTestHost.AdminKey);

        using var malformed = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "bob", "skills": { "sales": "high" } }"""));
        using var missing = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "name": "Bob" }"""));
        using var notJson = await admin.PostAsync("/api/v1/agents", new StringContent("id=bob", Encoding.UTF8, "application/x-www-form-urlencoded"));
        using var tooLarge = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "bob", "name": "" """ + new string('x', 4000) + "\" }"));
        using var badExtension = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "bob", "extension": "12" }"""));
        using var badId = await admin.GetAsync("/api/v1/calls/not-a-guid");
        using var badStatus = await admin.GetAsync("/api/v1/call-records?status=Lost");

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("$.skills.sales", (await ProblemAsync(malformed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("'id' is required", (await ProblemAsync(missing)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("MaxRequestBodySize", (await ProblemAsync(tooLarge)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badExtension.StatusCode);
        Assert.Contains("4 to 6 digits", (await ProblemAsync(badExtension)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("normalEnd", (await ProblemAsync(badStatus)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agents_are_created_logged_in_and_set_not_ready_with_their_time_in_state()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        using var created = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "alice", "name": "Alice", "extension": "1001", "password": "s3cret", "skills": { "sales": 80 } }"""));
        using var duplicate = await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "alice" }"""));
        (await admin.PostAsync("/api/v1/agents/alice/login", WebTestHost.Json("""{ "kind": "extension", "address": "1001" }"""))).EnsureSuccessStatusCode();
        using var noReason = await admin.PostAsync("/api/v1/agents/alice/state", WebTestHost.Json("""{ "state": "notReady" }"""));
        (await admin.PostAsync("/api/v1/agents/alice/state", WebTestHost.Json("""{ "state": "notReady", "reason": "break" }"""))).EnsureSuccessStatusCode();
        host.Time.Advance(TimeSpan.FromSeconds(42));
        using var unknown = await admin.PostAsync("/api/v1/agents/zed/logout", null);

        var agent = await JsonAsync(await admin.GetAsync("/api/v1/agents/alice"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain("s3cret", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("NotReady", agent.GetProperty("state").GetString());
        Assert.Equal("break", agent.GetProperty("reason").GetString());
        Assert.Equal(42, agent.GetProperty("secondsInState").GetDouble(), 3);
        Assert.Equal("1001", agent.GetProperty("deviceAddress").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Queues_show_the_routing_engines_live_figures()
    {
        await using var host = await WebTestHost.StartAsync();
        await host.Routing.SendAsync(new ConfigureQueue(new QueueDefinition { Name = "sales" }));
        await host.Routing.SendAsync(new Enqueue(new WorkItem { Id = "c1", Queue = "sales" }));
        host.Time.Advance(TimeSpan.FromSeconds(30));

        var queues = await JsonAsync(await host.Client(WebTestHost.ReportingKey).GetAsync("/api/v1/queues"));
        using var missing = await host.Client(WebTestHost.ReportingKey).GetAsync("/api/v1/queues/nope");

        var sales = Assert.Single(queues.EnumerateArray());
        Assert.Equal("sales", sales.GetProperty("queue").GetString());
        Assert.Equal(1, sales.GetProperty("waiting").GetInt32());
        Assert.Equal(30, sales.GetProperty("longestWaitSeconds").GetDouble(), 3);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Call_actions_reach_call_control_and_its_refusals_map_to_statuses()
    {
        await using var host = await WebTestHost.StartAsync();
        var callId = Guid.CreateVersion7();
        host.Calls.Add(new ActiveCallInfo(callId, "inbound", "+15550001", "+18005550100", ActiveCallPhase.Queued, "sales", null, host.Time.GetUtcNow(), null, false, false, new Dictionary<string, MonitorMode>()));
        using var supervisor = host.Client(WebTestHost.SupervisorKey);

        using var list = await supervisor.GetAsync("/api/v1/calls");
        using var hold = await supervisor.PostAsync($"/api/v1/calls/{callId}/hold", null);
        using var transfer = await supervisor.PostAsync($"/api/v1/calls/{callId}/transfer", WebTestHost.Json("""{ "kind": "queue", "destination": "support" }"""));
        using var monitor = await supervisor.PostAsync($"/api/v1/calls/{callId}/monitor", WebTestHost.Json("""{ "mode": "whisper", "supervisorAgentId": "sue" }"""));
        using var badMode = await supervisor.PostAsync($"/api/v1/calls/{callId}/monitor", WebTestHost.Json("""{ "mode": "shout", "supervisorAgentId": "sue" }"""));
        using var gone = await supervisor.PostAsync($"/api/v1/calls/{Guid.CreateVersion7()}/hangup", null);
        using var click = await host.Client(WebTestHost.AgentKey).PostAsync("/api/v1/calls", WebTestHost.Json("""{ "agentId": "alice", "number": "+15550002" }"""));
        using var agentOnOtherCall = await host.Client(WebTestHost.AgentKey).PostAsync($"/api/v1/calls/{callId}/hangup", null);

        Assert.Equal(callId, (await JsonAsync(list))[0].GetProperty("callId").GetGuid());
        Assert.Equal(HttpStatusCode.Conflict, hold.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, transfer.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, monitor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, click.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, agentOnOtherCall.StatusCode);
        Assert.Equal([$"transfer Queue support {callId}", $"monitor sue Whisper {callId}", "call alice +15550002"], host.Calls.Actions);
    }

    [Fact]
    public async Task Numbers_are_bound_to_flow_references_and_removed()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        using var bound = await admin.PutAsync("/api/v1/numbers/+18005550100", WebTestHost.Json("""{ "flow": "main@live", "maxConcurrentCalls": 20 }"""));
        using var bad = await admin.PutAsync("/api/v1/numbers/+18005550101", WebTestHost.Json("""{ "flow": "main" }"""));
        var list = await JsonAsync(await admin.GetAsync("/api/v1/numbers"));
        using var removed = await admin.DeleteAsync("/api/v1/numbers/+18005550100");
        using var again = await admin.DeleteAsync("/api/v1/numbers/+18005550100");

        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(20, Assert.Single(list.EnumerateArray()).GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Flows_go_from_draft_to_published_alias_diff_export_and_import()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);

        using var invalid = await admin.PostAsync("/api/v1/flows/validate", WebTestHost.Json("""{ "id": "main", "start": "nowhere", "nodes": [] }"""));
        using var saved = await admin.PutAsync("/api/v1/flows/main/draft", WebTestHost.Json(Flow));
        using var mismatch = await admin.PutAsync("/api/v1/flows/other/draft", WebTestHost.Json(Flow));
        using var published = await admin.PostAsync("/api/v1/flows/main/publish", WebTestHost.Json("""{ "note": "first" }"""));
        using var republish = await admin.PostAsync("/api/v1/flows/main/publish", WebTestHost.Json("""{ "note": "same" }"""));
        using var alias = await admin.PutAsync("/api/v1/flows/main/aliases/live", WebTestHost.Json("""{ "version": 1 }"""));
        using var badAlias = await admin.PutAsync("/api/v1/flows/main/aliases/live", WebTestHost.Json("""{ "version": 9 }"""));
        (await admin.PutAsync("/api/v1/flows/main/draft", WebTestHost.Json(Flow.Replace("\"Main\"", "\"Main line\"", StringComparison.Ordinal)))).EnsureSuccessStatusCode();
        var diff = await JsonAsync(await admin.GetAsync("/api/v1/flows/main/diff?from=live&to=draft"));
        var export = await (await admin.GetAsync("/api/v1/flows/main/export")).Content.ReadAsStringAsync();
        var list = await JsonAsync(await admin.GetAsync("/api/v1/flows"));

        await using var other = await WebTestHost.StartAsync();
        using var otherAdmin = other.Client(WebTestHost.AdminKey);
        var imported = await JsonAsync(await otherAdmin.PostAsync("/api/v1/flows/import", WebTestHost.Json(export)));
        using var live = await otherAdmin.GetAsync("/api/v1/flows/main/versions/live");

        Assert.False((await JsonAsync(invalid)).GetProperty("valid").GetBoolean());
        Assert.True((await JsonAsync(saved)).GetProperty("valid").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal("ops-admin", (await JsonAsync(published)).GetProperty("author").GetString());
        Assert.Equal(HttpStatusCode.Conflict, republish.StatusCode);
        Assert.Equal(1, (await JsonAsync(alias)).GetProperty("live").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, badAlias.StatusCode);
        Assert.Contains(diff.EnumerateArray(), c => c.GetProperty("path").GetString()!.Contains("name", StringComparison.Ordinal));
        Assert.Equal(1, Assert.Single(list.EnumerateArray()).GetProperty("latestVersion").GetInt32());
        Assert.Equal(1, imported.GetProperty("imported").GetInt32());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Contacts_uploaded_as_csv_are_imported_and_each_bad_line_is_reported()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        var campaign = await JsonAsync(await admin.PostAsync("/api/v1/campaigns", WebTestHost.Json("""{ "name": "Renewals", "mode": "progressive", "defaultCountry": "US" }""")));
        var id = campaign.GetProperty("id").GetGuid();
        const string csv = "phone,name,timezone\n(212) 555-0101,Ann,America/New_York\nnot a number,Bob,\n(212) 555-0101,Ann again,\n(646) 555-0199,Cy,Mars/Olympus\n(718) 555-0142,Dee,\n";

        using var upload = await admin.PostAsync($"/api/v1/campaigns/{id}/contacts", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var report = await JsonAsync(upload);
        using var started = await host.Client(WebTestHost.SupervisorKey).PostAsync($"/api/v1/campaigns/{id}/start", null);
        using var startedAgain = await host.Client(WebTestHost.SupervisorKey).PostAsync($"/api/v1/campaigns/{id}/start", null);
        using var unknown = await admin.PostAsync($"/api/v1/campaigns/{Guid.CreateVersion7()}/contacts", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var listed = await JsonAsync(await admin.GetAsync("/api/v1/campaigns"));

        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        Assert.Equal(1, report.GetProperty("duplicates").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([3, 5], errors.Select(e => e.GetProperty("line").GetInt32()));
        Assert.Contains("phone", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("timezone", errors[1].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Running", (await JsonAsync(started)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, startedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0.03, Assert.Single(listed.EnumerateArray()).GetProperty("abandonCap").GetDouble(), 6);
    }

    [Fact]
    public async Task A_campaign_update_changes_the_given_settings_and_a_structural_change_is_a_problem_naming_the_field()
    {
        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        var created = await JsonAsync(await admin.PostAsync("/api/v1/campaigns", WebTestHost.Json("""{ "name": "Renewals", "mode": "progressive" }""")));
        var id = created.GetProperty("id").GetGuid();

        using var update = await admin.PutAsync($"/api/v1/campaigns/{id}", WebTestHost.Json("""{ "name": "Renewals Q4", "abandonCap": 0.02 }"""));
        using var structural = await admin.PutAsync($"/api/v1/campaigns/{id}", WebTestHost.Json("""{ "mode": "predictive" }"""));
        using var byAgent = await host.Client(WebTestHost.AgentKey).PutAsync($"/api/v1/campaigns/{id}", WebTestHost.Json("""{ "name": "x" }"""));

        var updated = await JsonAsync(update);
        Assert.Equal("Renewals Q4", updated.GetProperty("name").GetString());
        Assert.Equal(0.02, updated.GetProperty("abandonCap").GetDouble(), 6);
        Assert.Equal("Progressive", updated.GetProperty("mode").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, structural.StatusCode);
        Assert.Contains("Mode cannot change", (await ProblemAsync(structural)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, byAgent.StatusCode);
    }

    [Fact]
    public async Task Campaigns_answer_503_on_a_host_without_a_dialer()
    {
        await using var host = await WebTestHost.StartAsync(withDialer: false);
        using var response = await host.Client(WebTestHost.AdminKey).GetAsync("/api/v1/campaigns");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no outbound dialer", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_records_are_queried_by_filters_and_exported_as_csv()
    {
        await using var host = await WebTestHost.StartAsync();
        var start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 3; i++)
        {
            await host.Storage.CallRecords.AddAsync(new CallDetailRecord
            {
                Id = Guid.CreateVersion7(start.AddMinutes(i)),
                CallerNumber = i == 2 ? "+15550003" : "+15550001",
                CalledNumber = "+18005550100",
                StartedAt = start.AddMinutes(i),
                EndedAt = start.AddMinutes(i + 1),
                Status = CallStatus.NormalEnd,
                AgentId = i == 0 ? "alice" : "bob",
                QueueId = "sales, east",
            });
        }

        using var reports = host.Client(WebTestHost.ReportingKey);
        var byAgent = await JsonAsync(await reports.GetAsync("/api/v1/call-records?agent=bob&from=2026-03-02T08:00:30Z"));
        using var csv = await reports.GetAsync("/api/v1/call-records/export.csv?number=%2B15550001");
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, byAgent.GetProperty("items").GetArrayLength());
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,direction,caller_number", lines[0], StringComparison.Ordinal);
        Assert.Contains("2026-03-02T08:00:00.000000Z", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"sales, east\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recording_download_returns_the_wav_and_logs_who_and_when()
    {
        await using var host = await WebTestHost.StartAsync();
        var id = Guid.CreateVersion7();
        var wav = "RIFF\0\0\0\0WAVEfmt "u8.ToArray().Concat(new byte[64]).ToArray();
        Directory.CreateDirectory(Path.Combine(host.Directory, "recordings"));
        await File.WriteAllBytesAsync(Path.Combine(host.Directory, "recordings", "r1.wav"), wav);
        await host.Storage.Recordings.AddAsync(new RecordingEntry(id, Guid.CreateVersion7(), "recordings/r1.wav", 2, TimeSpan.FromSeconds(3), wav.Length, host.Time.GetUtcNow()));
        host.Time.Advance(TimeSpan.FromMinutes(5));

        using var response = await host.Client(WebTestHost.ReportingKey).GetAsync($"/api/v1/recordings/{id}/audio");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var missing = await host.Client(WebTestHost.ReportingKey).GetAsync($"/api/v1/recordings/{Guid.CreateVersion7()}/audio");
        var log = await JsonAsync(await host.Client(WebTestHost.SupervisorKey).GetAsync($"/api/v1/recordings/{id}/access-log"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(wav, bytes);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var access = Assert.Single(log.EnumerateArray());
        Assert.Equal("bi-reports", access.GetProperty("accessedBy").GetString());
        Assert.Equal("download", access.GetProperty("action").GetString());
        Assert.Equal(host.Time.GetUtcNow(), access.GetProperty("accessedAt").GetDateTimeOffset());
        Assert.Contains(host.Logs.Entries, e => e.EventId == 9301 && e.Message.Contains("bi-reports", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_metrics_snapshot_lists_contact_center_instruments()
    {
        await using var host = await WebTestHost.StartAsync();
        using var meter = new System.Diagnostics.Metrics.Meter("ContactCenter.WebTests." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("webtests.calls", "{call}");
        var histogram = meter.CreateHistogram<double>("webtests.wait", "s");
        meter.CreateObservableGauge("webtests.waiting", () => 4, "{call}");
        counter.Add(2);
        counter.Add(3);
        histogram.Record(1.5);
        histogram.Record(4.5);

        var snapshot = await JsonAsync(await host.Client(WebTestHost.ReportingKey).GetAsync("/api/v1/metrics"));
        var instruments = snapshot.GetProperty("instruments").EnumerateArray().Where(i => i.GetProperty("meter").GetString() == meter.Name).ToDictionary(i => i.GetProperty("name").GetString()!);

        Assert.Equal(5, instruments["webtests.calls"].GetProperty("value").GetDouble());
        Assert.Equal(4, instruments["webtests.waiting"].GetProperty("value").GetDouble());
        Assert.Equal("gauge", instruments["webtests.waiting"].GetProperty("kind").GetString());
        Assert.Equal(2, instruments["webtests.wait"].GetProperty("count").GetInt64());
        Assert.Equal(4.5, instruments["webtests.wait"].GetProperty("max").GetDouble());

        // The runtime's meter is there too, for the garbage collector's pauses beside the media clock's lateness.
        var runtime = snapshot.GetProperty("instruments").EnumerateArray().Where(i => i.GetProperty("meter").GetString() == "System.Runtime").ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.True(runtime.ContainsKey("dotnet.gc.pause.time"), "no dotnet.gc.pause.time in " + string.Join(" ", runtime.Keys));
        Assert.True(runtime["dotnet.gc.collections"].GetProperty("value").GetDouble() >= 0);
        Assert.True(runtime["dotnet.process.cpu.time"].GetProperty("value").GetDouble() > 0);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_resource_with_its_roles()
    {
        await using var host = await WebTestHost.StartAsync();
        var document = await JsonAsync(await host.Client(null).GetAsync("/api/v1/openapi.json"));

        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/agents", "/api/v1/queues", "/api/v1/calls/{callId}/monitor", "/api/v1/numbers/{number}", "/api/v1/flows/{flowId}/publish", "/api/v1/campaigns/{campaignId}/contacts", "/api/v1/call-records/export.csv", "/api/v1/recordings/{recordingId}/audio", "/api/v1/events", "/api/v1/metrics" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " not in " + string.Join(" ", paths.EnumerateObject().Select(p => p.Name)));
        }

        var create = paths.GetProperty("/api/v1/agents").GetProperty("post");
        Assert.Contains("admin", create.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(create.GetProperty("responses").TryGetProperty("403", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("AgentRequest", out _));
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
