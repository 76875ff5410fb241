using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr;
using ContactCenter.Ivr.Simulation;

namespace ContactCenter.Cli.Ivr;

/// <summary>
/// <c>contactcenter ivr run FLOW.json --input "1,#,12345#" [--var name=value]... [--at TIME] [--http-stub FILE]</c>:
/// runs the flow against a scripted caller in virtual time and prints one JSON line per step, then one line with the
/// outcome. Exit 0 when the call ran (whatever its outcome except a flow error), 1 for an invalid flow or stub file or a
/// session that ended in error, 2 for a bad command line.
/// </summary>
internal static class IvrRunCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FLOW") { Description = "The flow JSON file." };
        var input = new Option<string>("--input")
        {
            Description = "The caller's script: comma-separated key groups ('1', '12345#'), 'timeout', 'hangup', 'overflow', 'busy' (see the ContactCenter.Ivr README).",
            DefaultValueFactory = _ => string.Empty,
        };
        var variables = new Option<string[]>("--var")
        {
            Description = "An initial flow variable, name=value (repeatable).",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var at = new Option<string?>("--at") { Description = "When the call happens (ISO 8601, e.g. 2026-11-23T10:00:00+01:00). Default: now." };
        var stub = new Option<FileInfo?>("--http-stub") { Description = "Canned HTTP responses for http nodes (JSON array of {method, url, status, body, latencySeconds, error})." };
        var caller = new Option<string>("--caller") { Description = "The caller's number.", DefaultValueFactory = _ => "+15550100" };
        var called = new Option<string>("--called") { Description = "The number dialled.", DefaultValueFactory = _ => "+15550199" };

        var command = new Command("run", "Run a flow against a scripted caller in virtual time and print each step as a JSON line, then the outcome.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { input, variables, at, stub, caller, called })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(
            new RunArguments(
                parse.GetValue(file)!,
                parse.GetValue(input) ?? string.Empty,
                parse.GetValue(variables) ?? [],
                parse.GetValue(at),
                parse.GetValue(stub),
                parse.GetValue(caller)!,
                parse.GetValue(called)!),
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    internal sealed record RunArguments(FileInfo Flow, string Input, string[] Variables, string? At, FileInfo? HttpStub, string Caller, string Called);

    internal static async Task<int> RunAsync(RunArguments arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        const string Name = "ivr run";
        if (!IvrFiles.TryRead(arguments.Flow, Name, error, out var json))
        {
            return ExitCodes.Usage;
        }

        if (!TryParseVariables(arguments.Variables, error, out var variables) || !TryParseTime(arguments.At, error, out var start))
        {
            return ExitCodes.Usage;
        }

        string? stubJson = null;
        if (arguments.HttpStub is not null && !IvrFiles.TryRead(arguments.HttpStub, Name, error, out stubJson))
        {
            return ExitCodes.Usage;
        }

        // The same checks as 'ivr validate', sub-flows included: a missing sub-flow or version is refused before the call.
        var resolver = new FlowDirectoryResolver(arguments.Flow.DirectoryName!);
        var validation = await FlowValidator.ValidateAsync(json, resolver, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            foreach (var diagnostic in validation.Errors)
            {
                error.WriteLine(diagnostic.ToString());
            }

            error.WriteLine($"{Name}: the flow is invalid; run 'contactcenter ivr validate {arguments.Flow.Name}' for details");
            return ExitCodes.Invalid;
        }

        var flow = CompiledFlow.Compile(json);

        if (stubJson is not null)
        {
            try
            {
                // Parse once up front so a malformed stub file is reported before the call starts.
                _ = StubHttpRequester.Parse(stubJson);
            }
            catch (FormatException ex)
            {
                error.WriteLine($"{Name}: {arguments.HttpStub!.Name}: {ex.Message}");
                return ExitCodes.Invalid;
            }
        }

        SimulationRun run;
        try
        {
            run = await FlowSimulation.RunAsync(
                flow,
                new SimulationOptions
                {
                    Script = arguments.Input,
                    StartTime = start,
                    CallerNumber = arguments.Caller,
                    CalledNumber = arguments.Called,
                    Variables = variables,
                    HttpRequester = stubJson is null ? null : clock => StubHttpRequester.Parse(stubJson, clock),
                    FlowResolver = resolver,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            error.WriteLine($"{Name}: --input: {ex.Message}");
            return ExitCodes.Usage;
        }

        var offset = start?.Offset ?? TimeSpan.Zero;
        foreach (var step in run.Result.Trace)
        {
            output.WriteLine(StepJson(step, offset));
        }

        output.WriteLine(OutcomeJson(run.Result));
        return run.Result.Outcome == IvrOutcome.Error ? ExitCodes.Invalid : ExitCodes.Success;
    }

    internal static string StepJson(IvrTraceEntry step, TimeSpan offset) => Json(writer =>
    {
        writer.WriteString("time", step.Time.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        writer.WriteString("node", step.NodeId);
        writer.WriteString("type", step.NodeType);
        writer.WriteString("action", step.Action);
        WriteOptional(writer, "input", step.Input);
        writer.WriteString("transition", step.Outcome);
        WriteOptional(writer, "next", step.Next);
    });

    internal static string OutcomeJson(IvrSessionResult result) => Json(writer =>
    {
        switch (result.Outcome)
        {
            case IvrOutcome.TransferToQueue:
                writer.WriteString("outcome", "transfer");
                writer.WriteString("queue", result.Queue);
                WriteOptional(writer, "agent", result.AgentId);
                break;
            case IvrOutcome.TransferToNumber:
                writer.WriteString("outcome", "transfer");
                writer.WriteString("number", result.TransferDestination);
                break;
            case IvrOutcome.TransferToExtension:
                writer.WriteString("outcome", "transfer");
                writer.WriteString("extension", result.TransferDestination);
                break;
            case IvrOutcome.Voicemail:
                writer.WriteString("outcome", "voicemail");
                writer.WriteString("mailbox", result.Mailbox);
                WriteOptional(writer, "recording", result.Recording);
                break;
            case IvrOutcome.CallerHangup:
                writer.WriteString("outcome", "caller-hangup");
                WriteOptional(writer, "queue", result.Queue);
                break;
            case IvrOutcome.Error:
                writer.WriteString("outcome", "error");
                writer.WriteString("error", result.Error);
                break;
            case IvrOutcome.Cancelled:
                writer.WriteString("outcome", "cancelled");
                break;
            default:
                writer.WriteString("outcome", "hangup");
                break;
        }

        if (result.SurveyScores.Count > 0)
        {
            writer.WriteStartObject("survey");
            foreach (var (node, score) in result.SurveyScores)
            {
                writer.WriteNumber(node, score);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("steps", result.Steps);
        writer.WriteNumber("seconds", Math.Round((result.EndedAt - result.StartedAt).TotalSeconds, 1));
        writer.WriteStartObject("variables");
        foreach (var (name, value) in result.Variables.Where(v => !v.Key.StartsWith("sys.", StringComparison.Ordinal)).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    });

    private static bool TryParseVariables(string[] pairs, TextWriter error, out Dictionary<string, string> variables)
    {
        variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error.WriteLine($"ivr run: --var '{pair}' must be name=value");
                return false;
            }

            variables[pair[..equals]] = pair[(equals + 1)..];
        }

        return true;
    }

    private static bool TryParseTime(string? text, TextWriter error, out DateTimeOffset? time)
    {
        time = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            time = parsed;
            return true;
        }

        error.WriteLine($"ivr run: --at '{text}' is not an ISO 8601 date and time (e.g. 2026-11-23T10:00:00+01:00)");
        return false;
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping keeps '+' in phone numbers and '>' readable; the output is a terminal or a JSON reader, never HTML.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
