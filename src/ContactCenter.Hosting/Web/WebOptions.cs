using System.Globalization;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>The web API, event stream, webhooks and dashboard settings, bound from <c>ContactCenter:Web</c>.</summary>
public sealed class WebOptions
{
    /// <summary>The URL Kestrel listens on (the reference deployment: <c>http://127.0.0.1:8080</c>).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The API keys: each with a name, the SHA-256 hash of the key, and its roles.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Requests per minute allowed per key (a token bucket); further requests get 429.</summary>
    public int RequestsPerMinutePerKey { get; set; } = 600;

    /// <summary>The largest request body accepted (bytes); larger requests get 413.</summary>
    public long MaxRequestBodySize { get; set; } = 10 * 1024 * 1024;

    /// <summary>Where call records and recording-ready events are POSTed.</summary>
    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>How often the event stream sends a comment line to keep proxies from closing an idle connection.</summary>
    public TimeSpan EventStreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events buffered per event-stream client; a client that falls further behind loses the oldest.</summary>
    public int EventStreamBuffer { get; set; } = 1024;

    /// <summary>The wait before the first retry of a failed webhook delivery; it doubles at each attempt.</summary>
    public TimeSpan WebhookInitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts of one delivery (also the retry interval of dead letters).</summary>
    public TimeSpan WebhookMaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Attempts after which a delivery becomes a dead letter (still kept, and retried every <see cref="WebhookMaxBackoff"/>).</summary>
    public int WebhookMaxAttempts { get; set; } = 10;

    /// <summary>How long one webhook POST may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the supervisor dashboard is served at <c>/</c>.</summary>
    public bool Dashboard { get; set; } = true;
}

/// <summary>One API key.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>A name for logs and access records (never the key itself).</summary>
    public string Name { get; set; } = "";

    /// <summary>The key's SHA-256 hash, lowercase hex (<c>contactcenter api-key hash KEY</c> prints it).</summary>
    public string Hash { get; set; } = "";

    /// <summary>Roles: admin, supervisor, agent, reporting.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>For an agent key, the agent it acts as.</summary>
    public string? AgentId { get; set; }
}

/// <summary>One webhook receiver.</summary>
public sealed class WebhookOptions
{
    /// <summary>The URL events are POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>The shared secret for the HMAC-SHA256 signature header.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Event types to send (for example <c>call.record_written</c>, <c>recording.ready</c>); empty sends those two.</summary>
    public List<string> Events { get; set; } = [];
}

/// <summary>Checks <see cref="WebOptions"/> at start-up; each failure names the configuration key.</summary>
internal sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    private const string P = "ContactCenter:Web:";

    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"{P}ApiKeys:{i}:");
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"{at}Name: a name is required (it appears in logs and the recording access log)");
            }
            else if (!names.Add(key.Name))
            {
                errors.Add($"{at}Name: '{key.Name}' is used by another key");
            }

            if (!ApiKeyHasher.IsHash(key.Hash))
            {
                errors.Add($"{at}Hash: expected the SHA-256 of the key as 64 hex digits (contactcenter api-key hash prints it), not the key itself");
            }

            if (key.Roles.Count == 0)
            {
                errors.Add($"{at}Roles: at least one of {string.Join(", ", ContactCenterRoles.All)} is required");
            }

            foreach (var role in key.Roles.Where(r => !ContactCenterRoles.All.Contains(r, StringComparer.Ordinal)))
            {
                errors.Add($"{at}Roles: '{role}' is not a role (use {string.Join(", ", ContactCenterRoles.All)})");
            }
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"{P}Webhooks:{i}:");
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{at}Url: '{hook.Url}' is not an absolute http or https URL");
            }

            if (hook.Secret.Length < 16)
            {
                errors.Add($"{at}Secret: at least 16 characters are required to sign deliveries");
            }

            foreach (var type in hook.Events.Where(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{at}Events: an event type is empty");
            }
        }

        if (options.RequestsPerMinutePerKey < 1)
        {
            errors.Add($"{P}RequestsPerMinutePerKey: must be at least 1");
        }

        if (options.MaxRequestBodySize < 1024)
        {
            errors.Add($"{P}MaxRequestBodySize: must be at least 1024 bytes");
        }

        if (options.EventStreamHeartbeat <= TimeSpan.Zero)
        {
            errors.Add($"{P}EventStreamHeartbeat: must be positive");
        }

        if (options.EventStreamBuffer < 1)
        {
            errors.Add($"{P}EventStreamBuffer: must be at least 1");
        }

        if (options.WebhookInitialBackoff <= TimeSpan.Zero || options.WebhookMaxBackoff < options.WebhookInitialBackoff)
        {
            errors.Add($"{P}WebhookInitialBackoff/WebhookMaxBackoff: the initial backoff must be positive and not above the maximum");
        }

        if (options.WebhookMaxAttempts < 1)
        {
            errors.Add($"{P}WebhookMaxAttempts: must be at least 1");
        }

        if (options.WebhookTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{P}WebhookTimeout: must be positive");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
