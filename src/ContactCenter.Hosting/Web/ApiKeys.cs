using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>The roles an API key can hold.</summary>
public static class ContactCenterRoles
{
    /// <summary>Everything, including configuration (agents, numbers, flows, campaigns, webhooks).</summary>
    public const string Admin = "admin";

    /// <summary>Live operations: agents' states, calls (listen, whisper, barge), queues, campaigns' lifecycle, recordings.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>An agent acting on itself: its state, its calls, click-to-call from its device.</summary>
    public const string Agent = "agent";

    /// <summary>Read-only reporting: call records, recordings, metrics, queue and campaign figures.</summary>
    public const string Reporting = "reporting";

    /// <summary>Every role.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Supervisor, Agent, Reporting];
}

/// <summary>Hashes API keys the way <see cref="ApiKeyOptions.Hash"/> stores them: SHA-256 of the UTF-8 key, lowercase hex.</summary>
public static class ApiKeyHasher
{
    /// <summary>The hash to put in configuration for <paramref name="key"/>.</summary>
    public static string Hash(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Makes a new random key (32 bytes, base64url, 43 characters).</summary>
    public static string NewKey() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="value"/> looks like a hash (64 hex digits).</summary>
    public static bool IsHash(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigit);

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The authentication scheme and policies of the web API.</summary>
internal static class ApiKeyDefaults
{
    public const string Scheme = "ContactCenterApiKey";
    public const string Header = "X-Api-Key";
    public const string AgentIdClaim = "contactcenter:agent_id";

    /// <summary>The policy of each role group: a key passes when it has one of the roles.</summary>
    public const string AdminPolicy = "contactcenter.admin";
    public const string SupervisorPolicy = "contactcenter.supervisor";
    public const string AgentPolicy = "contactcenter.agent";
    public const string ReportingPolicy = "contactcenter.reporting";
    public const string AnyKeyPolicy = "contactcenter.any";
}

/// <summary>
/// Authenticates a request by its API key: <c>X-Api-Key: KEY</c> or <c>Authorization: Bearer KEY</c>, never a query
/// parameter (URLs end up in access logs). The key's SHA-256 is compared in constant time with every configured hash.
/// Failures answer 401/403 as problem details.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<WebOptions> web)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ReadKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiKeyOptions? match = null;
        Span<byte> configured = stackalloc byte[32];
        foreach (var key in web.CurrentValue.ApiKeys)
        {
            // Compare with every key, without stopping at a match, so timing says nothing about which key matched.
            if (ApiKeyHasher.IsHash(key.Hash)
                && Convert.FromHexString(key.Hash, configured, out _, out _) == System.Buffers.OperationStatus.Done
                && CryptographicOperations.FixedTimeEquals(hash, configured))
            {
                match = key;
            }
        }

        if (match is null)
        {
            WebLog.BadApiKey(Logger, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("the API key is not valid"));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, match.Name) };
        claims.AddRange(match.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (match.AgentId is { Length: > 0 } agentId)
        {
            claims.Add(new Claim(ApiKeyDefaults.AgentIdClaim, agentId));
        }

        var identity = new ClaimsIdentity(claims, ApiKeyDefaults.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyDefaults.Scheme)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"contactcenter\"";
        var failed = ReadKey(Request) is not null;
        return ApiProblems.WriteAsync(
            Context,
            StatusCodes.Status401Unauthorized,
            failed ? "Invalid API key" : "API key required",
            failed
                ? "The API key is not valid. Send a configured key in the X-Api-Key header or as Authorization: Bearer KEY."
                : "This endpoint needs an API key: send it in the X-Api-Key header or as Authorization: Bearer KEY.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(
            Context,
            StatusCodes.Status403Forbidden,
            "Role required",
            $"The API key '{Context.User.Identity?.Name}' does not have a role allowed here ({RequiredRoles(Context)}).");

    internal static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyDefaults.Header, out var header) && header.Count > 0 && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
        {
            return authorization[7..].Trim();
        }

        return null;
    }

    private static string RequiredRoles(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ApiRolesMetadata>() is { } roles ? string.Join(", ", roles.Roles) : "a role this endpoint allows";
}

/// <summary>The roles an endpoint allows, for 403 messages and the OpenAPI document.</summary>
internal sealed record ApiRolesMetadata(IReadOnlyList<string> Roles);
