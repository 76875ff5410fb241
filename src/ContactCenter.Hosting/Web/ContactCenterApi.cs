using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using ContactCenter.Hosting.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>Registers and maps the web API, the event stream, webhooks, health endpoints and the dashboard.</summary>
public static class ContactCenterApi
{
    /// <summary>The health-check tag of checks that say the process is alive (<c>/health/live</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>The health-check tag of checks that say the node can take traffic (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Registers what <see cref="MapContactCenterApi"/> needs: API-key authentication, role policies, per-key rate
    /// limits, problem details, JSON options, health checks (storage readiness), the metrics collector, and the webhook
    /// dispatcher. <see cref="WebOptions"/> are bound from <paramref name="section"/> (usually <c>ContactCenter:Web</c>) and
    /// validated at start-up. The contact center's services (storage, routing, flows, dialer, call control, agents,
    /// numbers, event hub) come from <c>AddContactCenter</c>.
    /// </summary>
    public static IServiceCollection AddContactCenterApi(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddContactCenterApi(options => section.Bind(options));
    }

    /// <summary>Registers the web API with <see cref="WebOptions"/> set by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddContactCenterApi(this IServiceCollection services, Action<WebOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WebOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebOptions>, WebOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorization();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddHttpClient(WebhookDispatcher.HttpClientName);
        services.TryAddSingleton<ApiRateLimiter>();
        services.TryAddSingleton<DialerAccess>();
        services.TryAddSingleton<MetricsSnapshotCollector>();
        services.TryAddSingleton<WebhookDeliveryStore>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the process answers"), [LiveTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// Maps the JSON API under <c>/api/v1</c> (every endpoint needs an API key with a suitable role; the document is at
    /// <c>/api/v1/openapi.json</c>), <c>/health/live</c> and <c>/health/ready</c> (no key), and the dashboard at
    /// <c>/</c> when <see cref="WebOptions.Dashboard"/> is on. Needs <see cref="AddContactCenterApi(IServiceCollection, Action{WebOptions})"/>.
    /// </summary>
    /// <returns>The <c>/api/v1</c> group, to add conventions.</returns>
    public static RouteGroupBuilder MapContactCenterApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<WebOptions>>().Value;

        // Listen to the meters from now on, not from the first snapshot request.
        _ = endpoints.ServiceProvider.GetRequiredService<MetricsSnapshotCollector>();
        var api = endpoints.MapGroup("/api/v1");
        api.Roles(ContactCenterRoles.All.ToArray());
        api.AddEndpointFilter(async (context, next) =>
        {
            var limiter = context.HttpContext.RequestServices.GetRequiredService<ApiRateLimiter>();
            return await limiter.InvokeAsync(context, next).ConfigureAwait(false);
        });
        api.AddEndpointFilter<ApiExceptionFilter>();
        api.WithMetadata(new ApiRequestSizeLimit(options.MaxRequestBodySize));

        ApiOperations.Map(api);
        ApiConfiguration.Map(api);
        ApiReports.Map(api);
        EventStream.Map(api);
        api.MapGet("/openapi.json", (HttpContext http, EndpointDataSource data) =>
            Results.Json(
                OpenApiDocumentBuilder.Build(data, http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions),
                contentType: "application/json"))
            .AllowAnonymous().ExcludeFromDescription();

        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag), ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        if (options.Dashboard)
        {
            DashboardAssets.Map(endpoints);
        }

        return api;
    }

    private static Task WriteHealthAsync(HttpContext http, HealthReport report) =>
        http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, error = e.Value.Exception?.Message }),
        });
}

/// <summary>Per-key token buckets: <see cref="WebOptions.RequestsPerMinutePerKey"/> requests a minute per key (per address without a key); 429 beyond.</summary>
internal sealed class ApiRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly ILogger _logger;
    private readonly int _perMinute;

    public ApiRateLimiter(IOptions<WebOptions> options, ILogger<ApiRateLimiter> logger)
    {
        var perMinute = options.Value.RequestsPerMinutePerKey;
        _perMinute = perMinute;
        _logger = logger;
        _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1.0 / perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.User.Identity?.IsAuthenticated == true ? "key:" + http.User.KeyName() : "ip:" + http.Connection.RemoteIpAddress;
        using var lease = _limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            WebLog.RateLimited(_logger, http.User.KeyName(), http.Request.Path);
            if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                http.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            return ApiProblems.Result(StatusCodes.Status429TooManyRequests, "Rate limit exceeded", $"The API key '{http.User.KeyName()}' made more than its {_perMinute.ToString(CultureInfo.InvariantCulture)} requests a minute; retry later.");
        }

        return await next(context).ConfigureAwait(false);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Ready when the database answers at the schema version this build expects.</summary>
internal sealed class StorageHealthCheck(ContactCenterStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await storage.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            return version == storage.LatestSchemaVersion
                ? HealthCheckResult.Healthy($"{storage.Location} at schema version {version}")
                : HealthCheckResult.Unhealthy($"{storage.Location} is at schema version {version}, expected {storage.LatestSchemaVersion} (not migrated yet)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{storage.Location} cannot be reached", ex);
        }
    }
}
