using ContactCenter.Hosting.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ContactCenter.Dialer;
using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Storage;

/// <summary>Registers the storage layer.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ContactCenterStorage"/> and its stores (<see cref="IFlowStore"/>, <see cref="ICallDetailStore"/>,
    /// <see cref="IRecordingIndex"/>, <see cref="IEventLog"/>, the dialer's <see cref="ICampaignStore"/>), options bound from <paramref name="section"/>
    /// (usually <c>ContactCenter:Storage</c>) and validated at start-up, a hosted service that creates and migrates
    /// the database when the host starts, the <see cref="RetentionJob"/>, and (unless
    /// <see cref="EventLogOptions.Enabled"/> is off) a hosted service that appends every event published on
    /// <see cref="ContactCenterEventHub"/> (registered here too, unless one is already) to the <see cref="IEventLog"/>.
    /// </summary>
    public static IServiceCollection AddContactCenterStorage(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddContactCenterStorage(options => section.Bind(options));
    }

    /// <summary>Registers the storage layer with options set in code; see the <see cref="IConfiguration"/> overload.</summary>
    public static IServiceCollection AddContactCenterStorage(this IServiceCollection services, Action<StorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<StorageOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => ContactCenterStorage.Create(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("ContactCenter.Hosting.Storage")));
        services.TryAddSingleton(sp => sp.GetRequiredService<ContactCenterStorage>().Flows);
        services.TryAddSingleton(sp => sp.GetRequiredService<ContactCenterStorage>().CallRecords);
        services.TryAddSingleton(sp => sp.GetRequiredService<ContactCenterStorage>().Recordings);
        services.TryAddSingleton(sp => sp.GetRequiredService<ContactCenterStorage>().Events);
        services.TryAddSingleton(sp => sp.GetRequiredService<ContactCenterStorage>().Campaigns);
        services.TryAddSingleton(sp => new RetentionJob(
            sp.GetRequiredService<ContactCenterStorage>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<RetentionJob>>()));

        services.TryAddSingleton<ContactCenterEventHub>();

        // Migration first, then retention: hosted services start in registration order. The event log writer starts
        // before the runtime (registered after storage) publishes anything and stops after it (reverse order), so the
        // events of calls drained at shutdown are written too.
        services.AddHostedService<StorageMigrationService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        services.AddHostedService(sp => new EventLogWriter(
            sp.GetRequiredService<ContactCenterEventHub>(),
            sp.GetRequiredService<IEventLog>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.EventLog,
            sp.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<EventLogWriter>>()));
        return services;
    }
}

/// <summary>Creates and migrates the database when the host starts, so a bad database fails start-up at once.</summary>
internal sealed class StorageMigrationService(ContactCenterStorage storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storage.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
