using System.CommandLine;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter routing ...</c>: the routing capacity simulator.</summary>
internal static class RoutingCommands
{
    public static Command Create()
    {
        var routing = new Command("routing", "Routing tools: 'routing simulate' (the real engine in virtual time).");
        var simulate = new Command("simulate", "Simulate arrivals, agents and a strategy; print one JSON object of results.");
        NotAvailable.Attach(simulate, "the routing simulator");
        routing.Subcommands.Add(simulate);
        return routing;
    }
}
