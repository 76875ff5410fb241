using System.CommandLine;
using ContactCenter.Cli.Sip;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter sip ...</c>: SIP message parsing and a standalone SIP endpoint.</summary>
internal static class SipCommands
{
    public static Command Create()
    {
        var sip = new Command("sip", "SIP tools: 'sip parse' (parse a message), 'sip serve' (a standalone SIP endpoint).");

        sip.Subcommands.Add(SipParseCommand.Create());

        var serve = new Command("serve", "Run a standalone SIP endpoint for conformance, interop and trunk debugging.");
        NotAvailable.Attach(serve, "the SIP core");
        sip.Subcommands.Add(serve);
        return sip;
    }
}
