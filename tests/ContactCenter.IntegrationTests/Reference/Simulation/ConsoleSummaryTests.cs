using ContactCenter.Reference.Simulation;
using ContactCenter.Routing;
using ContactCenter.Testing;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// The console summary renders the routing snapshot compactly for an 80-column terminal, writes plain lines only when
/// something changed when the output is redirected, pins itself to the bottom rows of a terminal, and survives a
/// failing source.
/// </summary>
public sealed class ConsoleSummaryTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 5, TimeSpan.Zero);

    [Fact]
    public void Summary_of_a_routing_snapshot_fits_80_columns_and_shows_queues_and_agents()
    {
        var summary = ContactCenterSummary.From(Snapshot(waitingSales: 1), callsInProgress: 7, callsToday: 128, notes: ["simulation: 10/10 agents registered"]);

        var lines = ConsoleSummary.Render(summary);

        Assert.All(lines, line => Assert.True(line.Length <= 80, $"'{line}' is {line.Length} columns"));
        Assert.Contains("calls now 7, today 128", lines[0], StringComparison.Ordinal);
        var sales = Assert.Single(lines, l => l.StartsWith("Sales", StringComparison.Ordinal));
        Assert.Equal(["Sales", "1", "0:42", "92%", "40", "2"], sales.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var agents = Assert.Single(lines, l => l.StartsWith("agents:", StringComparison.Ordinal));
        Assert.Equal("agents: 4 available, 1 ringing, 5 talking, 1 wrap-up", agents);
        Assert.Equal("simulation: 10/10 agents registered", lines[^1]);
        Assert.All(ConsoleSummary.Render(summary, 40), line => Assert.True(line.Length <= 40));
    }

    [Fact]
    public async Task Redirected_output_gets_plain_lines_only_when_the_figures_change()
    {
        var waiting = 1;
        var output = new StringWriter();
        var time = new ManualTimeProvider(Noon);
        await using var summary = new ConsoleSummary(new ConsoleSummaryOptions(),
            _ => ValueTask.FromResult(ContactCenterSummary.From(Snapshot(waiting) with { Timestamp = time.GetUtcNow() }, 1, 1)),
            output, time, isTerminal: false);

        await summary.RefreshAsync();
        var first = output.ToString();
        time.Advance(TimeSpan.FromSeconds(5));
        await summary.RefreshAsync(); // only the clock moved
        Assert.Equal(first, output.ToString());
        waiting = 3;
        await summary.RefreshAsync();

        var text = output.ToString();
        Assert.False(summary.IsLive);
        Assert.DoesNotContain('\u001b', text);
        Assert.Equal(2, text.Split('\n').Count(l => l.StartsWith("== ContactCenter", StringComparison.Ordinal)));
        Assert.Contains("Sales   ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_the_summary_is_pinned_to_the_bottom_rows_and_released_on_dispose()
    {
        var output = new StringWriter();
        var summary = new ConsoleSummary(new ConsoleSummaryOptions(),
            _ => ValueTask.FromResult(ContactCenterSummary.From(Snapshot(0), 0, 0)),
            output, new ManualTimeProvider(Noon), isTerminal: true, terminalHeight: () => 30);

        await summary.RefreshAsync();
        await summary.RefreshAsync();
        await summary.DisposeAsync();

        var text = output.ToString();
        var rows = ConsoleSummary.Render(ContactCenterSummary.From(Snapshot(0), 0, 0)).Count;
        Assert.True(summary.IsLive);
        Assert.Equal(1, Count(text, $"\u001b[1;{30 - rows}r")); // the scroll region is set once
        Assert.Equal(2, Count(text, $"\u001b[{30 - rows + 1};1H")); // each refresh redraws the first pinned row
        Assert.EndsWith("\u001b[r\u001b[30;1H" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_source_writes_nothing_and_the_next_refresh_recovers()
    {
        var fail = true;
        var output = new StringWriter();
        await using var summary = new ConsoleSummary(new ConsoleSummaryOptions(),
            _ => fail ? throw new InvalidOperationException("routing engine stopped") : ValueTask.FromResult(ContactCenterSummary.From(Snapshot(0), 0, 0)),
            output, new ManualTimeProvider(Noon), isTerminal: false);

        await summary.RefreshAsync();
        Assert.Equal("", output.ToString());
        fail = false;
        await summary.RefreshAsync();
        Assert.Contains("== ContactCenter", output.ToString(), StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static RoutingSnapshot Snapshot(int waitingSales) => new(
        Noon,
        [
            new QueueMetrics
            {
                Queue = "Sales", Waiting = waitingSales, LongestWait = TimeSpan.FromSeconds(42), ServiceLevel = 0.92, Answered = 40, Abandoned = 2,
                MembersByStatus = new Dictionary<AgentStatus, int>(),
            },
            new QueueMetrics
            {
                Queue = "Support", Waiting = 0, ServiceLevel = 1, Answered = 88, Abandoned = 1,
                MembersByStatus = new Dictionary<AgentStatus, int>(),
            },
        ],
        [],
        new Dictionary<AgentStatus, int> { [AgentStatus.Available] = 4, [AgentStatus.Reserved] = 1, [AgentStatus.Busy] = 5, [AgentStatus.WrapUp] = 1 },
        0);
}
