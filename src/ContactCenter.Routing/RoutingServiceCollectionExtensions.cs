using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Routing;

/// <summary>Registers the routing engine in a service collection.</summary>
public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="RoutingEngine"/> singleton (background dispatch unless configured otherwise), using the
    /// container's <see cref="TimeProvider"/> (the system clock when none is registered) and logger.
    /// </summary>
    public static IServiceCollection AddContactCenterRouting(this IServiceCollection services, Action<RoutingEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RoutingEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new RoutingEngine(
            provider.GetRequiredService<IOptions<RoutingEngineOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILogger<RoutingEngine>>()));
        return services;
    }
}
