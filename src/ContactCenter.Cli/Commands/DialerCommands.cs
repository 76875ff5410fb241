using System.CommandLine;
using ContactCenter.Cli.Dialer;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter dialer ...</c>: the dialer campaign simulator.</summary>
internal static class DialerCommands
{
    public static Command Create()
    {
        var dialer = new Command("dialer", "Dialer tools: 'dialer simulate' (a campaign against a virtual carrier and agents).");
        dialer.Subcommands.Add(DialerSimulateCommand.Create());
        return dialer;
    }
}
