using ContactCenter.Ivr.Simulation;

namespace ContactCenter.Ivr.Tests;

/// <summary>Helpers: build small flows from node JSON and run them with a scripted caller.</summary>
internal static class TestSupport
{
    public static readonly DateTimeOffset Monday10Utc = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A flow document with the given nodes (JSON array items), starting at the first node.</summary>
    public static string Flow(string nodes, string start = "start", string variables = "{}") =>
        $$"""{ "id": "test", "name": "Test", "start": "{{start}}", "variables": {{variables}}, "nodes": [ {{nodes}} ] }""";

    public static async Task<SimulationRun> RunAsync(
        string json,
        string script = "",
        DateTimeOffset? at = null,
        Func<SimulationClock, IIvrHttpRequester>? http = null,
        IReadOnlyDictionary<string, string>? variables = null,
        IFlowResolver? resolver = null,
        IvrInterpreterOptions? options = null)
    {
        var flow = CompiledFlow.Compile(json);
        return await FlowSimulation.RunAsync(flow, new SimulationOptions
        {
            Script = script,
            StartTime = at ?? Monday10Utc,
            HttpRequester = http,
            Variables = variables,
            FlowResolver = resolver,
            InterpreterOptions = options,
        });
    }

    public static string RepositoryRoot() => ContactCenter.Testing.RepositoryPaths.Root;

    public static string SamplesFolder => Path.Combine(RepositoryRoot(), "samples", "flows");
}
