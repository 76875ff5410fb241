using System.Text.Json;
using ContactCenter.Ivr.Nodes;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class SchemaTests
{
    [Fact]
    public void Embedded_schema_is_the_shipped_file()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ContactCenter.Ivr", "schema", "flow.schema.json"));
        Assert.Equal(file, FlowSchema.Json);
    }

    [Fact]
    public void Schema_lists_exactly_the_node_types_the_compiler_knows()
    {
        using var schema = JsonDocument.Parse(FlowSchema.Json);
        var node = schema.RootElement.GetProperty("$defs").GetProperty("node");
        var listed = node.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(NodeTypes.Builders.Keys.Order(StringComparer.Ordinal), listed);
        Assert.Equal(NodeTypes.Builders.Count, node.GetProperty("allOf").GetArrayLength());
    }

    [Fact]
    public void Readme_documents_every_node_type()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ContactCenter.Ivr", "README.md"));
        foreach (var type in NodeTypes.Builders.Keys)
        {
            Assert.Contains("### `" + type + "`", readme, StringComparison.Ordinal);
        }
    }
}

public class ReadmeProgramTests
{
    [Fact]
    public async Task The_readme_program_queues_a_caller_who_presses_1()
    {
        // The first snippet of src/ContactCenter.Ivr/README.md, verbatim apart from the output.
        var flow = CompiledFlow.Compile("""
        {
          "id": "hello",
          "start": "menu",
          "nodes": [
            { "id": "menu", "type": "menu", "parameters": { "prompt": "For sales, press 1." },
              "transitions": { "1": "sales", "failed": "bye" } },
            { "id": "sales", "type": "queue", "parameters": { "queue": "Sales" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """);
        var clock = new Simulation.SimulationClock(DateTimeOffset.UtcNow);
        using var interpreter = new IvrInterpreter(timeProvider: clock);
        var result = await interpreter.RunAsync(flow, new Simulation.ScriptedChannel("1", clock));
        Assert.Equal((IvrOutcome.TransferToQueue, "Sales"), (result.Outcome, result.Queue));
    }
}
