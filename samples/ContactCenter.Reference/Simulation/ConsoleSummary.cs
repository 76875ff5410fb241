using System.Globalization;
using System.Text;
using ContactCenter.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Reference.Simulation;

/// <summary>How <see cref="ConsoleSummary"/> writes.</summary>
internal enum ConsoleSummaryMode
{
    /// <summary><see cref="Live"/> on a terminal, <see cref="Lines"/> when the output is redirected.</summary>
    Auto,

    /// <summary>Pinned to the bottom of the terminal and redrawn in place; log lines scroll above it.</summary>
    Live,

    /// <summary>Plain lines, written only when something changed (logs, files, pipes).</summary>
    Lines,
}

/// <summary>Options of <see cref="ConsoleSummary"/> (section <c>Reference:Summary</c>).</summary>
internal sealed class ConsoleSummaryOptions
{
    /// <summary>Show the summary (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often it is refreshed (default 5 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pinned and redrawn, or plain lines (default <see cref="ConsoleSummaryMode.Auto"/>).</summary>
    public ConsoleSummaryMode Mode { get; set; } = ConsoleSummaryMode.Auto;

    /// <summary>The widest line written (default 80 columns).</summary>
    public int Width { get; set; } = 80;

    internal void Validate(string section)
    {
        if (Interval < TimeSpan.FromMilliseconds(200) || Interval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"{section}:Interval must be from 200 ms to 1 hour.");
        }

        if (Width is < 40 or > 400)
        {
            throw new ArgumentException(FormattableString.Invariant($"{section}:Width {Width} must be from 40 to 400 columns."));
        }
    }
}

/// <summary>One queue's line in the summary.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Waiting">Calls waiting now.</param>
/// <param name="LongestWait">The wait of the oldest waiting call.</param>
/// <param name="ServiceLevel">Answered within the threshold over answered plus abandoned (0-1).</param>
/// <param name="Answered">Calls answered by agents.</param>
/// <param name="Abandoned">Calls abandoned.</param>
internal sealed record QueueSummary(string Name, int Waiting, TimeSpan LongestWait, double ServiceLevel, long Answered, long Abandoned);

/// <summary>What the console summary shows at one instant.</summary>
/// <param name="Time">When it was taken.</param>
/// <param name="CallsInProgress">Calls up now.</param>
/// <param name="CallsToday">Calls started since local midnight.</param>
/// <param name="Queues">One line per queue.</param>
/// <param name="AgentsByState">Agents per state name (available, ringing, talking, wrap-up, not ready, offline).</param>
/// <param name="Notes">Extra lines (for example the simulation's own counters).</param>
internal sealed record ContactCenterSummary(
    DateTimeOffset Time,
    int CallsInProgress,
    long CallsToday,
    IReadOnlyList<QueueSummary> Queues,
    IReadOnlyList<KeyValuePair<string, int>> AgentsByState,
    IReadOnlyList<string> Notes)
{
    /// <summary>Builds a summary from a routing snapshot and the call counts.</summary>
    public static ContactCenterSummary From(RoutingSnapshot snapshot, int callsInProgress, long callsToday, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var queues = snapshot.Queues
            .Select(q => new QueueSummary(q.Queue, q.Waiting, q.LongestWait, q.ServiceLevel, q.Answered, q.Abandoned))
            .ToList();
        var count = (AgentStatus status) => snapshot.AgentsByStatus.TryGetValue(status, out var n) ? n : 0;
        IReadOnlyList<KeyValuePair<string, int>> agents =
        [
            new("available", count(AgentStatus.Available)),
            new("ringing", count(AgentStatus.Reserved)),
            new("talking", count(AgentStatus.Busy)),
            new("wrap-up", count(AgentStatus.WrapUp)),
            new("not ready", count(AgentStatus.NotReady)),
            new("offline", count(AgentStatus.Offline)),
        ];
        return new ContactCenterSummary(snapshot.Timestamp, callsInProgress, callsToday, queues, agents, notes ?? []);
    }
}

/// <summary>
/// A live summary of the contact center on the console every few seconds: calls in progress and today, per queue
/// waiting / longest wait / service level, agents by state, and any extra lines. On a terminal it is pinned to the
/// bottom rows (a scroll region keeps log lines above it) and redrawn in place; when the output is redirected it is
/// written as plain lines, and only when something other than the clock changed.
/// </summary>
internal sealed class ConsoleSummary : IAsyncDisposable
{
    private const char Escape = '\u001b';
    private readonly ConsoleSummaryOptions _options;
    private readonly Func<CancellationToken, ValueTask<ContactCenterSummary>> _source;
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _live;
    private readonly Func<int> _terminalHeight;
    private readonly CancellationTokenSource _stopping = new();
    private string? _lastContent;
    private string? _lastFailure;
    private int _pinnedRows;
    private int _pinnedHeight;
    private Task? _loop;

    /// <summary>Creates the summary; nothing is written until <see cref="Start"/> or <see cref="RefreshAsync"/>.</summary>
    /// <param name="options">Interval, mode and width.</param>
    /// <param name="source">Gives the figures to show (called once per refresh).</param>
    /// <param name="output">Where to write (the console when null).</param>
    /// <param name="time">The clock of the refresh interval.</param>
    /// <param name="loggerFactory">Where a failing source is reported.</param>
    /// <param name="isTerminal">Whether <paramref name="output"/> is a terminal (the console's own answer when null).</param>
    /// <param name="terminalHeight">The terminal's rows (the console window's when null).</param>
    public ConsoleSummary(
        ConsoleSummaryOptions options,
        Func<CancellationToken, ValueTask<ContactCenterSummary>> source,
        TextWriter? output = null,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        bool? isTerminal = null,
        Func<int>? terminalHeight = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        options.Validate(ReferenceSimulationOptions.SectionName + ":Summary");
        _options = options;
        _source = source;
        _output = output ?? Console.Out;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ContactCenter.Reference.Simulation.Summary");
        var terminal = isTerminal ?? (output is null && !Console.IsOutputRedirected
            && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal));
        _live = options.Mode == ConsoleSummaryMode.Live || (options.Mode == ConsoleSummaryMode.Auto && terminal);
        _terminalHeight = terminalHeight ?? (() => Console.WindowHeight);
    }

    /// <summary>True when the summary is pinned and redrawn in place; false for plain lines.</summary>
    public bool IsLive => _live;

    /// <summary>Starts refreshing every <see cref="ConsoleSummaryOptions.Interval"/>.</summary>
    public void Start() => _loop ??= RunAsync(_stopping.Token);

    /// <summary>Fetches the figures and writes them once (what each refresh does).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        ContactCenterSummary summary;
        try
        {
            summary = await _source(cancellationToken).ConfigureAwait(false);
            _lastFailure = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (_lastFailure != e.Message)
            {
                _lastFailure = e.Message;
                SimulationLog.SummarySourceFailed(_logger, e.Message);
            }

            return;
        }

        var lines = Render(summary, _options.Width);
        if (_live)
        {
            WriteLive(lines);
            return;
        }

        // Plain lines: skip a frame that only differs by its clock.
        var content = string.Join('\n', lines.Skip(1).Prepend(HeaderWithoutTime(summary)));
        if (content == _lastContent)
        {
            return;
        }

        _lastContent = content;
        _output.Write(string.Join(Environment.NewLine, lines) + Environment.NewLine);
        _output.Flush();
    }

    /// <summary>Renders <paramref name="summary"/> as lines no wider than <paramref name="width"/>.</summary>
    public static IReadOnlyList<string> Render(ContactCenterSummary summary, int width = 80)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"== ContactCenter {summary.Time.ToLocalTime():HH:mm:ss} == ") + HeaderWithoutTime(summary),
        };
        if (summary.Queues.Count > 0)
        {
            var nameWidth = Math.Clamp(summary.Queues.Max(q => q.Name.Length), 5, 16);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{"queue".PadRight(nameWidth)} {"waiting",7} {"longest",7} {"SL",4} {"answered",8} {"abandoned",9}"));
            foreach (var q in summary.Queues)
            {
                var name = q.Name.Length > nameWidth ? q.Name[..(nameWidth - 1)] + "~" : q.Name.PadRight(nameWidth);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name} {q.Waiting,7} {Duration(q.LongestWait),7} {Percent(q.ServiceLevel),4} {q.Answered,8} {q.Abandoned,9}"));
            }
        }

        var agents = string.Join(", ", summary.AgentsByState.Where(a => a.Value > 0 || a.Key == "available").Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Value} {a.Key}")));
        lines.Add("agents: " + (agents.Length > 0 ? agents : "none"));
        lines.AddRange(summary.Notes);
        return [.. lines.Select(l => l.Length > width ? l[..(width - 1)] + "~" : l)];
    }

    /// <summary>Stops refreshing and, when pinned, gives the terminal its full height back.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        if (_live && _pinnedRows > 0)
        {
            // Reset the scroll region and leave the cursor under the summary.
            _output.Write(string.Create(CultureInfo.InvariantCulture, $"{Escape}[r{Escape}[{_pinnedHeight};1H") + Environment.NewLine);
            _output.Flush();
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await RefreshAsync(stopping).ConfigureAwait(false);
            await Task.Delay(_options.Interval, _time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Draws the lines in the bottom rows; everything in one write so log lines never land in the middle.</summary>
    private void WriteLive(IReadOnlyList<string> lines)
    {
        int height;
        try
        {
            height = _terminalHeight();
        }
        catch (IOException)
        {
            height = 0;
        }

        var rows = lines.Count;
        if (height < rows + 3)
        {
            // Too small (or unknown) to pin: write the frame as lines.
            _output.Write(string.Join(Environment.NewLine, lines) + Environment.NewLine);
            _output.Flush();
            return;
        }

        var frame = new StringBuilder();
        if (rows != _pinnedRows || height != _pinnedHeight)
        {
            // Make room: scroll everything up by the frame's rows, then keep the cursor above the pinned area.
            frame.Append('\n', rows).Append(CultureInfo.InvariantCulture, $"{Escape}[{rows}A");
            frame.Append(CultureInfo.InvariantCulture, $"{Escape}7{Escape}[1;{height - rows}r{Escape}8");
            _pinnedRows = rows;
            _pinnedHeight = height;
        }

        frame.Append(Escape).Append('7');
        for (var i = 0; i < rows; i++)
        {
            frame.Append(CultureInfo.InvariantCulture, $"{Escape}[{height - rows + 1 + i};1H{Escape}[2K").Append(lines[i]);
        }

        frame.Append(Escape).Append('8');
        _output.Write(frame.ToString());
        _output.Flush();
    }

    private static string HeaderWithoutTime(ContactCenterSummary summary) =>
        string.Create(CultureInfo.InvariantCulture, $"calls now {summary.CallsInProgress}, today {summary.CallsToday}");

    private static string Duration(TimeSpan value) =>
        value.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{value.Minutes}:{value.Seconds:00}");

    private static string Percent(double value) =>
        double.IsNaN(value) ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(value * 100):0}%");
}
