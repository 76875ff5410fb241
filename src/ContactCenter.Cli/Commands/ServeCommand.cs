using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter serve --config FILE</c>: runs the contact center host.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the contact center host from a configuration file.");
        command.Options.Add(new Option<FileInfo>("--config") { Description = "appsettings-style JSON file with a ContactCenter section." });
        NotAvailable.Attach(command, "the Hosting composition");
        return command;
    }
}
