using System.CommandLine;
using ContactCenter.Cli.Ivr;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter ivr ...</c>: validate and run IVR flows.</summary>
internal static class IvrCommands
{
    public static Command Create()
    {
        var ivr = new Command("ivr", "IVR tools: 'ivr validate' (check a flow), 'ivr run' (run a flow with a scripted caller).");
        ivr.Subcommands.Add(IvrValidateCommand.Create());
        ivr.Subcommands.Add(IvrRunCommand.Create());
        return ivr;
    }
}
