using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Ivr;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>A request the API refuses before doing anything: the status and a message naming the field.</summary>
internal sealed class ApiRequestException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}

/// <summary>Problem-details responses (RFC 9457) written the same way by every part of the API.</summary>
internal static class ApiProblems
{
    public static IResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var writer = context.RequestServices.GetService<IProblemDetailsService>();
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path };
        if (writer is null || !await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false))
        {
            await context.Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, "application/problem+json").ConfigureAwait(false);
        }
    }
}

/// <summary>The request-size limit of the API's endpoints (applied by routing before the body is read).</summary>
internal sealed class ApiRequestSizeLimit(long maxRequestBodySize) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxRequestBodySize;
}

/// <summary>Turns the exceptions of the contact center's services into problem details with the right status.</summary>
internal sealed class ApiExceptionFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (ApiRequestException ex)
        {
            return ApiProblems.Result(ex.Status, ex.Title, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            context.HttpContext.Response.Headers.Connection = "close";
            return ApiProblems.Result(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", ex.Message);
        }
        catch (CallControlException ex)
        {
            var status = ex.Error switch
            {
                CallControlError.NotFound => StatusCodes.Status404NotFound,
                CallControlError.InvalidState => StatusCodes.Status409Conflict,
                CallControlError.Unavailable or CallControlError.NotAnswered => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status400BadRequest,
            };
            return ApiProblems.Result(status, "Call control refused", ex.Message);
        }
        catch (AgentDirectoryException ex)
        {
            return ApiProblems.Result(ex.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, ex.NotFound ? "Agent not found" : "Invalid agent", ex.Message);
        }
        catch (NumberDirectoryException ex)
        {
            return ApiProblems.Result(StatusCodes.Status400BadRequest, "Invalid number binding", ex.Message);
        }
        catch (InvalidFlowException ex)
        {
            return ApiProblems.Result(StatusCodes.Status422UnprocessableEntity, "Invalid flow", ex.Message, new Dictionary<string, object?>
            {
                ["errors"] = ex.Diagnostics.Select(FlowDiagnosticDto.From).ToList(),
            });
        }
        catch (FlowNotFoundException ex)
        {
            return ApiProblems.Result(StatusCodes.Status404NotFound, "Flow not found", ex.Message);
        }
        catch (CampaignStateException ex)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "Campaign state", ex.Message);
        }
        catch (KeyNotFoundException ex)
        {
            return ApiProblems.Result(StatusCodes.Status404NotFound, "Not found", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return ApiProblems.Result(StatusCodes.Status400BadRequest, "Invalid request", ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "Conflict", ex.Message);
        }
    }
}

/// <summary>Request helpers shared by the resource groups.</summary>
internal static class Api
{
    public static readonly string[] Read = [ContactCenterRoles.Admin, ContactCenterRoles.Supervisor, ContactCenterRoles.Reporting, ContactCenterRoles.Agent];
    public static readonly string[] Operate = [ContactCenterRoles.Admin, ContactCenterRoles.Supervisor, ContactCenterRoles.Agent];
    public static readonly string[] Supervise = [ContactCenterRoles.Admin, ContactCenterRoles.Supervisor];
    public static readonly string[] Configure = [ContactCenterRoles.Admin];
    public static readonly string[] Report = [ContactCenterRoles.Admin, ContactCenterRoles.Supervisor, ContactCenterRoles.Reporting];

    /// <summary>Allows the endpoint to keys holding one of <paramref name="roles"/> (403 otherwise).</summary>
    public static TBuilder Roles<TBuilder>(this TBuilder builder, string[] roles)
        where TBuilder : IEndpointConventionBuilder
    {
        var policy = new AuthorizationPolicyBuilder(ApiKeyDefaults.Scheme).RequireAuthenticatedUser().RequireRole(roles).Build();
        builder.RequireAuthorization(policy);
        builder.WithMetadata(new ApiRolesMetadata(roles));
        return builder;
    }

    /// <summary>Reads the JSON body as <typeparamref name="T"/>; a missing, oversized or malformed body is a 400/413/415 naming the problem.</summary>
    public static async Task<T> ReadJsonAsync<T>(this HttpContext http)
        where T : class
    {
        var request = http.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            throw new ApiRequestException(StatusCodes.Status400BadRequest, "Body required", "The request needs a JSON body.");
        }

        if (!request.HasJsonContentType())
        {
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "JSON required", $"The body must be application/json, not '{request.ContentType}'.");
        }

        CheckSize(http);
        var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, options, http.RequestAborted).ConfigureAwait(false)
                ?? throw new ApiRequestException(StatusCodes.Status400BadRequest, "Body required", "The JSON body is null.");
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } path ? $" at {path}" : "";
            var line = ex.LineNumber is { } l ? string.Create(CultureInfo.InvariantCulture, $" (line {l + 1}, byte {ex.BytePositionInLine + 1})") : "";
            throw new ApiRequestException(StatusCodes.Status400BadRequest, "Malformed JSON", $"The JSON body is not valid{where}{line}: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>Reads the body as text (CSV, flow exports), within the size limit.</summary>
    public static async Task<string> ReadTextAsync(this HttpContext http)
    {
        CheckSize(http);
        using var reader = new StreamReader(http.Request.Body);
        return await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
    }

    public static string KeyName(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";

    /// <summary>Refuses (403) an agent-only key acting for another agent.</summary>
    public static void EnsureActsFor(this ClaimsPrincipal user, string agentId)
    {
        if (user.IsInRole(ContactCenterRoles.Admin) || user.IsInRole(ContactCenterRoles.Supervisor))
        {
            return;
        }

        var own = user.FindFirst(ApiKeyDefaults.AgentIdClaim)?.Value;
        if (!string.Equals(own, agentId, StringComparison.Ordinal))
        {
            throw new ApiRequestException(
                StatusCodes.Status403Forbidden,
                "Not your agent",
                own is null
                    ? $"The API key '{user.KeyName()}' has the agent role but no AgentId, so it cannot act for agent '{agentId}'."
                    : $"The API key '{user.KeyName()}' acts for agent '{own}', not '{agentId}'.");
        }
    }

    public static Guid ParseId(string value, string name) =>
        Guid.TryParse(value, out var id)
            ? id
            : throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid id", $"'{value}' is not a valid {name} (a GUID).");

    /// <summary>Parses an enum field by name, case-insensitively; anything else is a 400 listing the names allowed.</summary>
    public static T ParseEnum<T>(string? value, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && value!.Any(char.IsAsciiLetter)
            ? parsed
            : throw new ApiRequestException(
                StatusCodes.Status400BadRequest,
                "Invalid value",
                $"'{field}' must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}, not '{value}'.");

    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ApiRequestException(StatusCodes.Status400BadRequest, "Missing field", $"'{field}' is required.")
            : value;

    private static void CheckSize(HttpContext http)
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.MaxRequestBodySize;
        if (http.Request.ContentLength > limit)
        {
            // The unread body cannot be drained: tell the client not to send its next request on this connection.
            http.Response.Headers.Connection = "close";
            throw new ApiRequestException(
                StatusCodes.Status413PayloadTooLarge,
                "Request too large",
                string.Create(CultureInfo.InvariantCulture, $"The body is {http.Request.ContentLength} bytes; the limit is {limit} (ContactCenter:Web:MaxRequestBodySize)."));
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>One flow diagnostic as the API returns it.</summary>
internal sealed record FlowDiagnosticDto(string Severity, string Code, string? NodeId, string Path, string Message)
{
    public static FlowDiagnosticDto From(FlowDiagnostic d) =>
        new(d.Severity == FlowDiagnosticSeverity.Error ? "error" : "warning", d.Code, d.NodeId, d.JsonPath, d.Message);
}
