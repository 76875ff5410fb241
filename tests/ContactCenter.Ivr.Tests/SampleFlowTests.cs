using System.Globalization;
using ContactCenter.Ivr.Simulation;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

/// <summary>Every flow shipped in samples/flows is validated and simulated with a scripted caller.</summary>
public class SampleFlowTests
{
    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(SamplesFolder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(SamplesFolder, file).Replace('\\', '/');
            if (!relative.StartsWith("stubs/", StringComparison.Ordinal))
            {
                data.Add(relative);
            }
        }

        return data;
    }

    /// <summary>A scripted call and its expected outcome for every sample; a new sample without one fails the test.</summary>
    private static readonly Dictionary<string, (string Script, IvrOutcome Outcome, string LastNode)[]> Scenarios = new(StringComparer.Ordinal)
    {
        ["main-menu.json"] =
        [
            ("1,#,12345#,5", IvrOutcome.TransferToQueue, "goodbye"),
            ("2,4", IvrOutcome.TransferToQueue, "goodbye"),
            ("1,0,overflow,#", IvrOutcome.Voicemail, "overflow"),
            ("", IvrOutcome.Hangup, "goodbye"),
            ("1,hangup", IvrOutcome.CallerHangup, "sales"),
        ],
        ["after-hours.json"] =
        [
            ("#", IvrOutcome.Voicemail, "goodbye"),
            ("", IvrOutcome.Voicemail, "goodbye"),
            ("hangup", IvrOutcome.Voicemail, "voicemail"),
        ],
        ["support-line.json"] =
        [
            ("2,42#,1", IvrOutcome.TransferToQueue, "bye"),
            ("1,42#,9,9,9", IvrOutcome.TransferToNumber, "operator"),
            ("1,#,3", IvrOutcome.TransferToExtension, "desk"),
            ("1,#,3,busy", IvrOutcome.TransferToNumber, "operator"),
        ],
        ["subflows/identify.json"] =
        [
            ("42#", IvrOutcome.Hangup, "done"),
        ],
    };

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_flow_is_valid_without_warnings(string file)
    {
        var result = FlowValidator.Validate(File.ReadAllText(Path.Combine(SamplesFolder, file)));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Sample_flow_sub_flows_resolve_as_ivr_run_finds_them(string file)
    {
        var path = Path.Combine(SamplesFolder, file);
        var result = await FlowValidator.ValidateAsync(File.ReadAllText(path), new FlowDirectoryResolver(Path.GetDirectoryName(path)!));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Diagnostics));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Sample_flow_runs_each_scripted_call_to_its_expected_outcome(string file)
    {
        Assert.True(Scenarios.TryGetValue(file, out var scenarios), $"add scripted calls for samples/flows/{file} to {nameof(SampleFlowTests)}");
        var flow = CompiledFlow.Compile(File.ReadAllText(Path.Combine(SamplesFolder, file)));
        var resolver = new FlowDirectoryResolver(Path.GetDirectoryName(Path.Combine(SamplesFolder, file))!);
        foreach (var (script, outcome, lastNode) in scenarios)
        {
            var run = await FlowSimulation.RunAsync(flow, new SimulationOptions
            {
                Script = script,
                StartTime = Monday10Utc,
                HttpRequester = clock => StubHttpRequester.Parse(File.ReadAllText(Path.Combine(SamplesFolder, "stubs", "crm.json")), clock),
                FlowResolver = resolver,
            });
            Assert.True(outcome == run.Result.Outcome, $"{file} with '{script}': expected {outcome}, got {run.Result.Outcome} via {string.Join(" > ", run.Result.Path)} ({run.Result.Error})");
            Assert.Equal(lastNode, run.Result.Path[^1]);
        }
    }

    [Fact]
    public async Task Main_menu_sales_call_looks_up_the_account_and_queues_a_vip_at_high_priority()
    {
        var flow = CompiledFlow.Compile(File.ReadAllText(Path.Combine(SamplesFolder, "main-menu.json")));
        var run = await FlowSimulation.RunAsync(flow, new SimulationOptions
        {
            Script = "1,#,12345#,5",
            StartTime = DateTimeOffset.Parse("2026-11-23T10:00:00+01:00", CultureInfo.InvariantCulture),
            HttpRequester = clock => StubHttpRequester.Parse(File.ReadAllText(Path.Combine(SamplesFolder, "stubs", "crm.json")), clock),
        });
        Assert.Equal(
            ["start", "hours", "greeting", "main", "sales", "account", "lookup", "vip-check", "vip-priority", "queue-sales", "survey", "goodbye"],
            run.Result.Path);
        var queued = Assert.Single(run.Channel.QueueTransfers);
        Assert.Equal(("Sales", 9, "Ada Lovelace"), (queued.Queue, queued.Priority, queued.AttachedData["customerName"]));
        Assert.Equal(5, run.Result.SurveyScores["survey"]);
        Assert.Equal("12345", run.Result.Variables["accountNumber"]);
    }

    [Fact]
    public async Task Main_menu_unknown_account_keeps_default_tier_and_normal_priority()
    {
        var flow = CompiledFlow.Compile(File.ReadAllText(Path.Combine(SamplesFolder, "main-menu.json")));
        var run = await FlowSimulation.RunAsync(flow, new SimulationOptions
        {
            Script = "1,#,99999#",
            StartTime = Monday10Utc,
            HttpRequester = clock => StubHttpRequester.Parse(File.ReadAllText(Path.Combine(SamplesFolder, "stubs", "crm.json")), clock),
        });
        Assert.Equal(5, Assert.Single(run.Channel.QueueTransfers).Priority);
        Assert.Equal("standard", run.Result.Variables["tier"]);
    }
}
