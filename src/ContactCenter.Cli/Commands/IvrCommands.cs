using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter ivr ...</c>: validate and run IVR flows.</summary>
internal static class IvrCommands
{
    public static Command Create()
    {
        var ivr = new Command("ivr", "IVR tools: 'ivr validate' (check a flow), 'ivr run' (run a flow with a scripted caller).");

        var validate = new Command("validate", "Validate a flow definition (JSON).");
        validate.Arguments.Add(new Argument<FileInfo>("FLOW") { Description = "The flow JSON file." });
        NotAvailable.Attach(validate, "the IVR flow validator");
        ivr.Subcommands.Add(validate);

        var run = new Command("run", "Run a flow against a scripted caller and print each step as JSON.");
        run.Arguments.Add(new Argument<FileInfo>("FLOW") { Description = "The flow JSON file." });
        NotAvailable.Attach(run, "the IVR interpreter");
        ivr.Subcommands.Add(run);
        return ivr;
    }
}
