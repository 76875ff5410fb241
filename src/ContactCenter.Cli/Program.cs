using System.CommandLine;
using System.Reflection;
using ContactCenter.Cli;
using ContactCenter.Cli.Commands;

var root = new RootCommand("contactcenter: run and test a ContactCenter contact center.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(ApiKeyCommand.Create());
root.Subcommands.Add(SipCommands.Create());
root.Subcommands.Add(IvrCommands.Create());
root.Subcommands.Add(RoutingCommands.Create());
root.Subcommands.Add(DialerCommands.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && !RequestsHelpOrVersion(args))
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Run 'contactcenter --help' for usage.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync().ConfigureAwait(false);

static bool RequestsHelpOrVersion(string[] args) =>
    args.Any(a => a is "--help" or "-h" or "-?" or "--version");

/// <summary>Entry point of the <c>contactcenter</c> tool.</summary>
internal static partial class Program
{
    /// <summary>The informational version of the tool.</summary>
    internal static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";
}
