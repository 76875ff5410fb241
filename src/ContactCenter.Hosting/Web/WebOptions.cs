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
