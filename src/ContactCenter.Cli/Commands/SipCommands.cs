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

        sip.Subcommands.Add(SipServeCommand.Create());
        return sip;
    }
}
