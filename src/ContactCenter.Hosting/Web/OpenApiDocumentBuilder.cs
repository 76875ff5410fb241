using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace ContactCenter.Hosting.Web;

/// <summary>
/// Builds the OpenAPI 3.1 document of <c>/api/v1</c> from the endpoints themselves (routes, methods, summaries, tags,
/// request and response types, roles), so it cannot drift from the code. Served at <c>/api/v1/openapi.json</c>.
/// </summary>
internal static partial class OpenApiDocumentBuilder
{
    public static JsonObject Build(EndpointDataSource endpoints, JsonSerializerOptions json)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal))
        {
            var path = RouteConstraint().Replace(endpoint.RoutePattern.RawText!, "{$1}").TrimEnd('/');
            if (paths[path] is not JsonObject item)
            {
                item = [];
                paths[path] = item;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                item[method.ToLowerInvariant()] = Operation(endpoint, json, schemas);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "ContactCenter API",
                ["version"] = "v1",
                ["description"] = "Agents, queues, calls, numbers, flows, campaigns, call records, recordings, live events. Authenticate with X-Api-Key (or Authorization: Bearer).",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = ApiKeyDefaults.Header },
                },
            },
        };
    }

    private static JsonObject Operation(RouteEndpoint endpoint, JsonSerializerOptions json, JsonObject schemas)
    {
        var operation = new JsonObject();
        if (endpoint.Metadata.GetMetadata<ITagsMetadata>() is { } tags)
        {
            operation["tags"] = new JsonArray([.. tags.Tags.Select(t => (JsonNode)t)]);
        }

        var summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary;
        if (summary is not null)
        {
            operation["summary"] = summary;
        }

        var roles = endpoint.Metadata.GetMetadata<ApiRolesMetadata>();
        if (roles is not null)
        {
            operation["description"] = "Roles: " + string.Join(", ", roles.Roles) + ".";
            operation["security"] = new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() });
        }

        var parameters = new JsonArray();
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            parameters.Add(new JsonObject { ["name"] = parameter.Name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts)
        {
            var content = new JsonObject();
            foreach (var type in accepts.ContentTypes)
            {
                content[type] = new JsonObject { ["schema"] = Schema(accepts.RequestType, json, schemas) };
            }

            operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = content };
        }

        var responses = new JsonObject();
        foreach (var produces in endpoint.Metadata.OfType<IProducesResponseTypeMetadata>())
        {
            var code = produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var response = new JsonObject { ["description"] = Description(produces.StatusCode) };
            if (produces.Type is { } type && type != typeof(void))
            {
                var content = new JsonObject();
                foreach (var contentType in produces.ContentTypes.DefaultIfEmpty("application/json"))
                {
                    content[contentType] = new JsonObject { ["schema"] = Schema(type, json, schemas) };
                }

                response["content"] = content;
            }

            responses[code] = response;
        }

        if (roles is not null)
        {
            responses["401"] ??= new JsonObject { ["description"] = Description(401) };
            responses["403"] ??= new JsonObject { ["description"] = Description(403) };
            responses["429"] ??= new JsonObject { ["description"] = Description(429) };
        }

        operation["responses"] = responses;
        return operation;
    }

    private static string Description(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "Done",
        400 => "Bad request (problem details naming the field)",
        401 => "No API key, or an invalid one",
        403 => "The key lacks a role allowed here",
        404 => "Not found",
        409 => "Conflict with the current state",
        410 => "Gone",
        413 => "Body too large",
        422 => "Invalid content",
        429 => "Rate limit of the key exceeded",
        503 => "Unavailable",
        _ => "Response",
    };

    private static JsonObject Schema(Type? type, JsonSerializerOptions json, JsonObject schemas)
    {
        if (type is null || type == typeof(object) || type == typeof(JsonElement))
        {
            return new JsonObject();
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Primitive(type) is { } primitive)
        {
            return primitive;
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Enum.GetNames(type).Select(n => (JsonNode)n)]) };
        }

        if (Dictionary(type) is { } valueType)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(valueType, json, schemas) };
        }

        if (type != typeof(string) && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } enumerable)
        {
            return new JsonObject { ["type"] = "array", ["items"] = Schema(enumerable.GetGenericArguments()[0], json, schemas) };
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new JsonObject { ["type"] = "array" };
        }

        var name = type.Name.Replace("Dto", "", StringComparison.Ordinal);
        if (!schemas.ContainsKey(name))
        {
            var properties = new JsonObject();
            schemas[name] = new JsonObject { ["type"] = "object", ["properties"] = properties };
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                properties[json.PropertyNamingPolicy?.ConvertName(property.Name) ?? property.Name] = Schema(property.PropertyType, json, schemas);
            }
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    private static JsonObject? Primitive(Type type) =>
        type == typeof(string) ? new JsonObject { ["type"] = "string" }
        : type == typeof(bool) ? new JsonObject { ["type"] = "boolean" }
        : type == typeof(int) || type == typeof(long) || type == typeof(short) ? new JsonObject { ["type"] = "integer" }
        : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? new JsonObject { ["type"] = "number" }
        : type == typeof(Guid) ? new JsonObject { ["type"] = "string", ["format"] = "uuid" }
        : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? new JsonObject { ["type"] = "string", ["format"] = "date-time" }
        : type == typeof(TimeSpan) ? new JsonObject { ["type"] = "string", ["format"] = "duration" }
        : type == typeof(byte[]) ? new JsonObject { ["type"] = "string", ["format"] = "binary" }
        : null;

    private static Type? Dictionary(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
            ?.GetGenericArguments()[1];

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(:[^}]*)?\}")]
    private static partial Regex RouteConstraint();
}
