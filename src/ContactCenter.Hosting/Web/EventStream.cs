using System.Security.Claims;
using System.Text;
using ContactCenter.Hosting.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>
/// <c>GET /api/v1/events</c>: the live events as Server-Sent Events (<c>id</c>, <c>event</c> = the type, <c>data</c> = the
/// event as JSON), filtered by <c>?category=call,agent</c>, <c>?type=call.queued,...</c>, <c>?queue=</c> and <c>?agent=</c>,
/// with a comment line every <see cref="WebOptions.EventStreamHeartbeat"/>. A stream ends when the host begins stopping
/// (the client reconnects elsewhere): Kestrel would otherwise wait for it until the host's shutdown timeout, leaving
/// nothing of that time for the calls to drain.
/// </summary>
internal static class EventStream
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/events", StreamAsync)
            .WithTags("Events")
            .WithSummary("Live events as Server-Sent Events; filters: category, type, queue, agent (comma-separated lists)")
            .Produces<string>(200, "text/event-stream").ProducesProblem(400).Roles(Api.Read);

    internal static Func<ContactCenterEvent, bool> ParseFilter(IQueryCollection query)
    {
        var categories = new HashSet<ContactCenterEventCategory>();
        foreach (var name in List(query, "category"))
        {
            categories.Add(Api.ParseEnum<ContactCenterEventCategory>(name, "category"));
        }

        var types = List(query, "type").ToHashSet(StringComparer.Ordinal);
        var queues = List(query, "queue").ToHashSet(StringComparer.Ordinal);
        var agents = List(query, "agent").ToHashSet(StringComparer.Ordinal);
        return e =>
            (categories.Count == 0 || categories.Contains(e.Category))
            && (types.Count == 0 || types.Contains(e.Type))
            && (queues.Count == 0 || (Field(e, "queue") is { } q && queues.Contains(q)))
            && (agents.Count == 0 || (Field(e, "agentId") is { } a && agents.Contains(a)));
    }

    private static async Task StreamAsync(
        HttpContext http, ClaimsPrincipal user, [FromServices] ContactCenterEventHub hub, [FromServices] IOptions<WebOptions> options,
        [FromServices] IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, [FromServices] TimeProvider time, [FromServices] ILoggerFactory loggers,
        [FromServices] IHostApplicationLifetime lifetime)
    {
        Func<ContactCenterEvent, bool> filter;
        try
        {
            filter = ParseFilter(http.Request.Query);
        }
        catch (ApiRequestException ex)
        {
            await ApiProblems.WriteAsync(http, ex.Status, ex.Title, ex.Message).ConfigureAwait(false);
            return;
        }

        var logger = loggers.CreateLogger("ContactCenter.Hosting.Web");
        var keyName = user.KeyName();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = ended.Token;
        using var subscription = hub.Subscribe(filter, options.Value.EventStreamBuffer);
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        WebLog.StreamOpened(logger, keyName);
        long sent = 0;
        var body = http.Response.Body;
        await body.WriteAsync(": connected\nretry: 3000\n\n"u8.ToArray(), ct).ConfigureAwait(false);
        await body.FlushAsync(ct).ConfigureAwait(false);
        using var heartbeat = new PeriodicTimer(options.Value.EventStreamHeartbeat, time);
        Task<bool>? read = null;
        Task<bool>? tick = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                read ??= subscription.Reader.WaitToReadAsync(ct).AsTask();
                tick ??= heartbeat.WaitForNextTickAsync(ct).AsTask();
                var done = await Task.WhenAny(read, tick).ConfigureAwait(false);
                if (done == read)
                {
                    read = null;
                    if (!await done.ConfigureAwait(false))
                    {
                        break;
                    }

                    while (subscription.Reader.TryRead(out var @event))
                    {
                        var data = ContactCenterEventJson.Serialize(@event, json.Value.SerializerOptions);
                        await body.WriteAsync(Encoding.UTF8.GetBytes($"id: {@event.Id}\nevent: {@event.Type}\ndata: {data}\n\n"), ct).ConfigureAwait(false);
                        sent++;
                    }
                }
                else
                {
                    tick = null;
                    await done.ConfigureAwait(false);
                    await body.WriteAsync(": heartbeat\n\n"u8.ToArray(), ct).ConfigureAwait(false);
                }

                await body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The client went away.
        }
        finally
        {
            var dropped = subscription.Dropped;
            WebLog.StreamClosed(logger, keyName, sent, dropped);
        }
    }

    private static IEnumerable<string> List(IQueryCollection query, string name) =>
        query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? Field(ContactCenterEvent e, string name) =>
        e.Data.TryGetValue(name, out var value) ? value?.ToString() : null;
}
