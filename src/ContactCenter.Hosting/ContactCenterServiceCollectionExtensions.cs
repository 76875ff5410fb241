using ContactCenter.Hosting.Agents;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Dialer;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Hosting.Storage;
using ContactCenter.Hosting.Web;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting;

/// <summary>Registers a whole contact center in a host.</summary>
public static class ContactCenterServiceCollectionExtensions
{
    /// <summary>
    /// Adds a contact center configured from <paramref name="configuration"/>'s <c>ContactCenter</c> section (pass the
    /// root configuration): SIP and media, routing, IVR, storage, and the hosted service that binds the sockets at
    /// start. Options are validated at start-up; an error names the configuration key. Returns a builder for what
    /// code adds on top.
    /// </summary>
    public static ContactCenterBuilder AddContactCenter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ContactCenterOptions.Section);
        return services.AddContactCenter(options => section.Bind(options));
    }

    /// <summary>Adds a contact center configured in code; see the <see cref="IConfiguration"/> overload.</summary>
    public static ContactCenterBuilder AddContactCenter(this IServiceCollection services, Action<ContactCenterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ContactCenterOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContactCenterOptions>, ContactCenterOptionsValidator>());
        services.AddOptions<WebOptions>().Configure<IOptions<ContactCenterOptions>>((web, all) => Copy(all.Value.Web, web));
        services.TryAddSingleton(TimeProvider.System);

        // Storage first: its hosted service migrates the database before the runtime publishes flows into it. Its
        // options are the contact center's Storage section as finally configured (builder.Configure included).
        services.AddContactCenterStorage(_ => { });
        services.AddOptions<StorageOptions>().Configure<IOptions<ContactCenterOptions>>((storage, all) => Copy(all.Value.Storage, storage));
        services.AddContactCenterRouting(routing => routing.Name = "contactcenter");
        services.AddContactCenterIvr();
        services.Decorate<IIvrHttpRequester>((sp, inner) =>
        {
            var rewrites = sp.GetRequiredService<IOptions<ContactCenterOptions>>().Value.Flows.HttpRewrites;
            return rewrites.Count == 0 ? inner : new Ivr.RewritingHttpRequester(inner, rewrites);
        });
        services.TryAddSingleton<ITextToSpeech>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new EspeakNgTextToSpeech(new EspeakNgOptions { CacheDirectory = Path.GetFullPath(Path.Combine(storage.DataDirectory, "tts")) });
        });

        services.TryAddSingleton<ContactCenterEventHub>();
        services.TryAddSingleton<QueueDirectory>();
        services.TryAddSingleton<AgentDirectory>();
        services.TryAddSingleton<IAgentDirectory>(sp => sp.GetRequiredService<AgentDirectory>());
        services.TryAddSingleton<NumberDirectory>();
        services.TryAddSingleton<INumberDirectory>(sp => sp.GetRequiredService<NumberDirectory>());
        services.TryAddSingleton(sp => new ContactCenterRuntime(
            sp.GetRequiredService<IOptions<ContactCenterOptions>>(),
            sp.GetRequiredService<ContactCenterStorage>(),
            sp.GetRequiredService<RoutingEngine>(),
            sp.GetRequiredService<FlowLibrary>(),
            sp.GetRequiredService<IvrInterpreter>(),
            sp.GetRequiredService<ContactCenterEventHub>(),
            sp.GetRequiredService<AgentDirectory>(),
            sp.GetRequiredService<QueueDirectory>(),
            sp.GetRequiredService<NumberDirectory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            sp.GetService<IOptions<ContactCenterOptions>>()!.Value.Flows.TextToSpeech ? sp.GetService<ITextToSpeech>() : null));
        services.TryAddSingleton<ICallControl>(sp => sp.GetRequiredService<ContactCenterRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<ContactCenterRuntime>());
        services.AddOptions<HostOptions>().PostConfigure<IOptions<ContactCenterOptions>>(MakeRoomForTheDrain);

        // The dialer places campaign calls through the runtime's trunks and takes agents from the campaign queue.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ContactCenterOptions>>().Value;
            return new RoutingAgentPool(
                sp.GetRequiredService<AgentDirectory>(),
                sp.GetRequiredService<RoutingEngine>(),
                sp.GetRequiredService<ContactCenterEventHub>(),
                sp.GetRequiredService<TimeProvider>(),
                options.Dialer.AgentQueue ?? options.Queues.FirstOrDefault()?.Name ?? "outbound");
        });
        services.TryAddSingleton(AnsweringMachineDetectionExtensions.CreateDialer);
        services.AddHostedService(sp => new DialerHostedService(
            sp.GetRequiredService<OutboundDialer>(),
            sp.GetRequiredService<RoutingAgentPool>(),
            sp.GetRequiredService<ContactCenterRuntime>(),
            sp.GetRequiredService<IOptions<ContactCenterOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHealthChecks().AddCheck<ContactCenterHealthCheck>("sip", tags: [ContactCenterApi.ReadyTag]);
        return new ContactCenterBuilder(services);
    }

    /// <summary>
    /// Raises the host's shutdown timeout to the drain timeout plus what the runtime's StopAsync takes after the drain
    /// when it is shorter: otherwise the host would give up on the calls before the drain timeout it was configured with.
    /// </summary>
    private static void MakeRoomForTheDrain(HostOptions host, IOptions<ContactCenterOptions> contactCenter)
    {
        TimeSpan drain;
        try
        {
            drain = contactCenter.Value.DrainTimeout;
        }
        catch (OptionsValidationException)
        {
            return; // the host fails at start and says why
        }

        var needed = drain + ContactCenterRuntime.HangUpAllowance + ContactCenterRuntime.FinishAllowance;
        if (host.ShutdownTimeout != Timeout.InfiniteTimeSpan && host.ShutdownTimeout < needed)
        {
            host.ShutdownTimeout = needed;
        }
    }

    /// <summary>Wraps the registered <typeparamref name="T"/> (the last registration) with <paramref name="decorate"/>.</summary>
    private static void Decorate<T>(this IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered.");
        services.Remove(inner);
        services.AddSingleton(sp => decorate(sp, inner.ImplementationInstance as T
            ?? (inner.ImplementationFactory is { } factory ? (T)factory(sp) : (T)ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!))));
    }

    private static void Copy<T>(T from, T to)
        where T : class
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
        {
            property.SetValue(to, property.GetValue(from));
        }
    }
}

/// <summary>Adds to a contact center registered with <see cref="ContactCenterServiceCollectionExtensions.AddContactCenter(IServiceCollection, IConfiguration)"/>.</summary>
public sealed class ContactCenterBuilder
{
    internal ContactCenterBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for registrations of your own.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Changes options after configuration binding (for example ports chosen by a test).</summary>
    public ContactCenterBuilder Configure(Action<ContactCenterOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Uses <paramref name="time"/> for every timer of the contact center (tests, simulations).</summary>
    public ContactCenterBuilder UseTimeProvider(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Services.Replace(ServiceDescriptor.Singleton(time));
        return this;
    }

    /// <summary>Sends the HTTP requests of flow <c>http</c> nodes through <paramref name="requester"/> (a CRM client, a stub).</summary>
    public ContactCenterBuilder UseHttpRequester(IIvrHttpRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        Services.Replace(ServiceDescriptor.Singleton(requester));
        return this;
    }

    /// <summary>Speaks text prompts with <paramref name="speech"/> instead of espeak-ng.</summary>
    public ContactCenterBuilder UseTextToSpeech(ITextToSpeech speech)
    {
        ArgumentNullException.ThrowIfNull(speech);
        Services.Replace(ServiceDescriptor.Singleton(speech));
        return this;
    }
}

/// <summary>
/// Ready when the SIP stack is up, not draining, and the database schema is current (the web package checks the database
/// answers). A draining node says so, so that a load balancer sends new calls elsewhere.
/// </summary>
internal sealed class ContactCenterHealthCheck(ContactCenterRuntime runtime, ContactCenterStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!runtime.IsRunning)
        {
            return HealthCheckResult.Unhealthy("the SIP stack is not running");
        }

        if (runtime.IsDraining)
        {
            return HealthCheckResult.Unhealthy($"stopping: new calls get 503 while {runtime.ActiveCalls.Count} calls in progress drain");
        }

        var version = await storage.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
        return version == storage.LatestSchemaVersion
            ? HealthCheckResult.Healthy($"SIP on {string.Join(", ", runtime.SipEndPoints)}; {runtime.ActiveCalls.Count} calls in progress")
            : HealthCheckResult.Unhealthy($"database schema is at version {version}, expected {storage.LatestSchemaVersion}");
    }
}
