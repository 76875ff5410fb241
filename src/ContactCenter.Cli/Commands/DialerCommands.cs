using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter dialer ...</c>: the dialer campaign simulator.</summary>
internal static class DialerCommands
{
    public static Command Create()
    {
        var dialer = new Command("dialer", "Dialer tools: 'dialer simulate' (a campaign against a virtual carrier and agents).");
        var simulate = new Command("simulate", "Simulate a campaign; print one JSON object of results.");
        NotAvailable.Attach(simulate, "the dialer simulator");
        dialer.Subcommands.Add(simulate);
        return dialer;
    }
}
