using FsCheck;
using FsCheck.Fluent;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class ValidationTests
{
    private const string End = """{ "id": "end", "type": "hangup" }""";

    private static FlowDiagnostic Single(string json, string code)
    {
        var result = FlowValidator.Validate(json);
        var matches = result.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(matches.Count == 1, $"expected one '{code}', got: {string.Join(" | ", result.Diagnostics)}");
        return matches[0];
    }

    [Fact]
    public void A_minimal_flow_is_valid_without_diagnostics()
    {
        var result = FlowValidator.Validate(Flow("""{ "id": "start", "type": "start", "transitions": { "next": "end" } }, """ + End));
        Assert.True(result.IsValid);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Unknown_node_type_names_node_and_type_path()
    {
        var error = Single(Flow("""{ "id": "start", "type": "start", "transitions": { "next": "x" } }, { "id": "x", "type": "teleport" }, """ + End), "unknown-node-type");
        Assert.Equal("x", error.NodeId);
        Assert.Equal("$.nodes[1].type", error.JsonPath);
        Assert.Contains("teleport", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_parameter_names_parameter_path()
    {
        var json = Flow("""
            { "id": "start", "type": "collect", "parameters": { "prompt": "Number?" }, "transitions": { "next": "end", "failed": "end" } },
            """ + End);
        var error = Single(json, "missing-parameter");
        Assert.Equal("start", error.NodeId);
        Assert.Equal("$.nodes[0].parameters.variable", error.JsonPath);
        Assert.Equal(FlowDiagnosticSeverity.Error, error.Severity);
    }

    [Fact]
    public void Transition_to_missing_node_names_transition_path()
    {
        var json = Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "Press 1" }, "transitions": { "1": "sales", "failed": "end" } },
            """ + End);
        var error = Single(json, "missing-node");
        Assert.Equal("start", error.NodeId);
        Assert.Equal("$.nodes[0].transitions['1']", error.JsonPath);
        Assert.Contains("'sales'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_node_is_an_error()
    {
        var json = Flow("""{ "id": "start", "type": "start", "transitions": { "next": "end" } }, { "id": "orphan", "type": "hangup" }, """ + End);
        var error = Single(json, "unreachable-node");
        Assert.Equal("orphan", error.NodeId);
        Assert.Equal("$.nodes[1]", error.JsonPath);
    }

    [Fact]
    public void A_loop_with_no_way_out_has_no_path_to_an_end()
    {
        var json = Flow("""
            { "id": "start", "type": "start", "transitions": { "next": "a" } },
            { "id": "a", "type": "set", "parameters": { "values": { "x": "1" } }, "transitions": { "next": "b" } },
            { "id": "b", "type": "play", "parameters": { "text": "hi" }, "transitions": { "next": "a" } }
            """);
        var result = FlowValidator.Validate(json);
        Assert.Contains(result.Errors, d => d.Code == "no-end");
    }

    [Fact]
    public void A_node_that_cannot_reach_an_end_is_named()
    {
        var json = Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "1 or 2" }, "transitions": { "1": "end", "2": "spin", "failed": "end" } },
            { "id": "spin", "type": "play", "parameters": { "text": "again" }, "transitions": { "next": "spin" } },
            """ + End);
        var error = Single(json, "no-path-to-end");
        Assert.Equal("spin", error.NodeId);
        Assert.Equal("$.nodes[1]", error.JsonPath);
    }

    [Fact]
    public void Invalid_regular_expression_in_a_condition_is_reported_at_its_path()
    {
        var json = Flow("""
            { "id": "start", "type": "condition", "parameters": { "branches": [ { "name": "ok", "when": { "left": "${sys.caller}", "op": "matches", "right": "([0-9" } } ] },
              "transitions": { "ok": "end", "default": "end" } },
            """ + End);
        var error = Single(json, "invalid-regex");
        Assert.Equal("$.nodes[0].parameters.branches[0].when.right", error.JsonPath);
    }

    [Fact]
    public void Invalid_regular_expression_in_a_collect_pattern_is_reported()
    {
        var json = Flow("""
            { "id": "start", "type": "collect", "parameters": { "variable": "pin", "pattern": "*4" }, "transitions": { "next": "end", "failed": "end" } },
            """ + End);
        Assert.Equal("$.nodes[0].parameters.pattern", Single(json, "invalid-regex").JsonPath);
    }

    [Fact]
    public void Unknown_time_zone_is_reported()
    {
        var json = Flow("""
            { "id": "start", "type": "hours", "parameters": { "timeZone": "Mars/Olympus_Mons", "schedule": {} }, "transitions": { "open": "end", "closed": "end" } },
            """ + End);
        var error = Single(json, "invalid-time-zone");
        Assert.Equal("$.nodes[0].parameters.timeZone", error.JsonPath);
        Assert.Contains("Mars/Olympus_Mons", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variable_read_before_set_is_a_warning_only()
    {
        var json = Flow("""
            { "id": "start", "type": "play", "parameters": { "text": "Hello ${name}" }, "transitions": { "next": "end" } },
            """ + End);
        var result = FlowValidator.Validate(json);
        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("variable-before-set", warning.Code);
        Assert.Equal("$.nodes[0].parameters.text", warning.JsonPath);
    }

    [Fact]
    public void Variable_set_on_only_one_path_is_still_a_warning()
    {
        var json = Flow("""
            { "id": "start", "type": "menu", "parameters": { "prompt": "1 or 2" }, "transitions": { "1": "set", "2": "say", "failed": "end" } },
            { "id": "set", "type": "set", "parameters": { "values": { "name": "Ada" } }, "transitions": { "next": "say" } },
            { "id": "say", "type": "play", "parameters": { "text": "Hello ${name}" }, "transitions": { "next": "end" } },
            """ + End);
        Assert.Contains(FlowValidator.Validate(json).Warnings, w => w.Code == "variable-before-set" && w.NodeId == "say");
    }

    [Fact]
    public void Declared_or_set_variables_and_system_variables_give_no_warning()
    {
        var json = Flow(
            """
            { "id": "start", "type": "set", "parameters": { "values": { "b": "x" } }, "transitions": { "next": "say" } },
            { "id": "say", "type": "play", "parameters": { "text": "${a} ${b} ${sys.caller}" }, "transitions": { "next": "end" } },
            """ + End,
            variables: """{ "a": "1" }""");
        Assert.Empty(FlowValidator.Validate(json).Diagnostics);
    }

    [Fact]
    public void Malformed_json_reports_line_and_position()
    {
        var error = Single("{ \"id\": \"x\",\n  \"nodes\": [ }", "invalid-json");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_node_ids_are_reported()
    {
        var json = Flow("""{ "id": "start", "type": "start", "transitions": { "next": "end" } }, """ + End + ", " + End);
        Assert.Equal("$.nodes[2].id", Single(json, "duplicate-node").JsonPath);
    }

    [Fact]
    public void Transition_the_node_type_does_not_have_is_reported()
    {
        var json = Flow("""{ "id": "start", "type": "start", "transitions": { "next": "end", "sideways": "end" } }, """ + End);
        Assert.Equal("$.nodes[0].transitions.sideways", Single(json, "unknown-transition").JsonPath);
    }

    [Fact]
    public void Distribution_weights_must_add_up_to_100()
    {
        var json = Flow("""
            { "id": "start", "type": "distribute", "parameters": { "weights": { "a": 60, "b": 30 } }, "transitions": { "a": "end", "b": "end" } },
            """ + End);
        Assert.Contains("90", Single(json, "invalid-parameter").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Business_hours_range_must_end_after_it_starts()
    {
        var json = Flow("""
            { "id": "start", "type": "hours", "parameters": { "timeZone": "Europe/Paris", "schedule": { "monday": ["09:00-12:00", "18:00-08:00"] } },
              "transitions": { "open": "end", "closed": "end" } },
            """ + End);
        Assert.Equal("$.nodes[0].parameters.schedule.monday[1]", Single(json, "invalid-parameter").JsonPath);
    }

    [Fact]
    public void Start_must_name_an_existing_node()
    {
        var error = Single(Flow(End, start: "nowhere"), "missing-node");
        Assert.Equal("$.start", error.JsonPath);
    }

    [Fact]
    public void Wrong_parameter_type_is_reported()
    {
        var json = Flow("""{ "id": "start", "type": "play", "parameters": { "text": "hi", "loop": "twice" }, "transitions": { "next": "end" } }, """ + End);
        var error = Single(json, "invalid-parameter");
        Assert.Equal("$.nodes[0].parameters.loop", error.JsonPath);
        Assert.Contains("a number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_throws_with_every_error()
    {
        var json = Flow("""{ "id": "start", "type": "bogus" }, { "id": "x", "type": "start", "transitions": { "next": "missing" } }""");
        var ex = Assert.Throws<InvalidFlowException>(() => CompiledFlow.Compile(json));
        Assert.Contains(ex.Diagnostics, d => d.Code == "unknown-node-type");
        Assert.Contains(ex.Diagnostics, d => d.Code == "missing-node");
    }

    [Fact]
    public void Oversized_documents_are_refused_before_parsing()
    {
        var result = FlowValidator.Validate(new string(' ', 200) + "{}", new FlowLimits { MaxDocumentLength = 100 });
        Assert.Contains(result.Errors, d => d.Code == "too-large");
    }

    [Fact]
    public void Validator_never_throws_on_arbitrary_text()
    {
        Prop.ForAll<string>(text => FlowValidator.Validate(text ?? string.Empty) is { IsValid: false })
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Removing_any_node_of_a_sample_yields_diagnostics_not_exceptions()
    {
        var json = File.ReadAllText(Path.Combine(SamplesFolder, "main-menu.json"));
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var count = node["nodes"]!.AsArray().Count;
        Prop.ForAll(Gen.Choose(0, count - 1).ToArbitrary(), index =>
        {
            var copy = System.Text.Json.Nodes.JsonNode.Parse(json)!;
            copy["nodes"]!.AsArray().RemoveAt(index);
            var result = FlowValidator.Validate(copy.ToJsonString());
            return !result.IsValid && result.Errors.All(e => e.JsonPath.StartsWith('$'));
        }).QuickCheckThrowOnFailure();
    }
}
