using System.CommandLine;
using ContactCenter.Cli.Routing;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter routing ...</c>: the routing capacity simulator.</summary>
internal static class RoutingCommands
{
    public static Command Create()
    {
        var routing = new Command("routing", "Routing tools: 'routing simulate' (the real engine in virtual time).");
        routing.Subcommands.Add(SimulateCommand.Create());
        return routing;
    }
}
