using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter sip ...</c>: SIP message parsing and a standalone SIP endpoint.</summary>
internal static class SipCommands
{
    public static Command Create()
    {
        var sip = new Command("sip", "SIP tools: 'sip parse' (parse a message), 'sip serve' (a standalone SIP endpoint).");

        var parse = new Command("parse", "Parse one SIP message from FILE (or standard input) and print it as JSON.");
        parse.Arguments.Add(new Argument<FileInfo?>("FILE") { Arity = ArgumentArity.ZeroOrOne, Description = "The message; standard input when omitted." });
        NotAvailable.Attach(parse, "the SIP message layer");
        sip.Subcommands.Add(parse);

        var serve = new Command("serve", "Run a standalone SIP endpoint for conformance, interop and trunk debugging.");
        NotAvailable.Attach(serve, "the SIP core");
        sip.Subcommands.Add(serve);
        return sip;
    }
}
