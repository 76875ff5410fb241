using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ContactCenter.Hosting.Web;

/// <summary>
/// The supervisor dashboard: one page, plain HTML, CSS and JavaScript compiled into the assembly (no build step, no
/// CDN). It loads agents, queues, calls and campaigns with the API, then follows the event stream.
/// </summary>
internal static class DashboardAssets
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Asset(DashboardPage.Html, "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/dashboard.css", () => Asset(DashboardPage.Css, "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/dashboard.js", () => Asset(DashboardScript.Js, "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
    }

    private static AssetResult Asset(string content, string contentType) => new AssetResult(content, contentType);

    private sealed class AssetResult(string content, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = contentType;
            httpContext.Response.Headers.CacheControl = "no-cache";
            httpContext.Response.Headers.XContentTypeOptions = "nosniff";
            httpContext.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
            return httpContext.Response.WriteAsync(content);
        }
    }
}
