using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary>
/// The action of a subcommand whose issue has not landed yet: it says so plainly and exits 2,
/// so a script never mistakes it for success.
/// </summary>
internal static class NotAvailable
{
    public static void Attach(Command command, string capability)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ =>
        {
            Console.Error.WriteLine(
                $"'contactcenter {FullName(command)}' is not available in this version: {capability} has not been built yet.");
            return ExitCodes.Usage;
        });
    }

    private static string FullName(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null && c is not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(c.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
