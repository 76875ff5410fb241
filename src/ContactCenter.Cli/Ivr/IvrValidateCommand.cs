using System.CommandLine;
using ContactCenter.Ivr;

namespace ContactCenter.Cli.Ivr;

/// <summary>
/// <c>contactcenter ivr validate FLOW.json</c>: prints every diagnostic (severity, code, node id, JSON path, message),
/// then <c>valid</c> with exit 0, or exit 1 when there is an error. Sub-flows are resolved as <c>ivr run</c> finds them
/// (<see cref="FlowDirectoryResolver"/>: beside the flow or in its <c>subflows</c> folder); a missing one is an error.
/// A missing file is a command-line error (exit 2).
/// </summary>
internal static class IvrValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FLOW") { Description = "The flow JSON file." };
        var command = new Command("validate", "Validate a flow definition (JSON): print 'valid', or each error with its node id and JSON path.");
        command.Arguments.Add(file);
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(file)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(FileInfo file, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (!IvrFiles.TryRead(file, "ivr validate", error, out var json))
        {
            return ExitCodes.Usage;
        }

        var result = await FlowValidator.ValidateAsync(json, new FlowDirectoryResolver(file.DirectoryName!), cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
        }

        if (!result.IsValid)
        {
            output.WriteLine($"invalid: {result.Errors.Count()} error(s), {result.Warnings.Count()} warning(s)");
            return ExitCodes.Invalid;
        }

        output.WriteLine("valid");
        return ExitCodes.Success;
    }
}

/// <summary>Reading flow files for the ivr commands.</summary>
internal static class IvrFiles
{
    public static bool TryRead(FileInfo file, string command, TextWriter error, out string content)
    {
        content = string.Empty;
        if (!file.Exists)
        {
            error.WriteLine($"{command}: file not found: {file.FullName}");
            return false;
        }

        try
        {
            content = File.ReadAllText(file.FullName);
            return true;
        }
        catch (IOException ex)
        {
            error.WriteLine($"{command}: cannot read {file.FullName}: {ex.Message}");
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            error.WriteLine($"{command}: cannot read {file.FullName}: {ex.Message}");
            return false;
        }
    }
}
