using System.Globalization;
using System.Security.Claims;
using System.Text;
using ContactCenter.Hosting.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Web;

/// <summary>Call records (query, CSV export), recordings (download with an access log), metrics, webhook deliveries.</summary>
internal static class ApiReports
{
    private static readonly string[] CsvColumns =
    [
        "id", "direction", "caller_number", "called_number", "started_at", "answered_at", "queue_entered_at", "queue_exited_at",
        "agent_answered_at", "ended_at", "status", "hangup_party", "agent_id", "queue_id", "survey_score", "recording_id",
    ];

    public static void Map(RouteGroupBuilder api)
    {
        var records = api.MapGroup("/call-records").WithTags("Call records");
        records.MapGet("", async (HttpRequest request, [FromServices] ICallDetailStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.QueryAsync(ParseQuery(request), ct).ConfigureAwait(false)))
            .WithSummary("Call records by time (?from, ?to ISO 8601), number, agent, queue, status; paged with offset and limit")
            .Produces<CallDetailPage>().ProducesProblem(400).Roles(Api.Report);
        records.MapGet("/export.csv", async (HttpContext http, [FromServices] ICallDetailStore store) =>
        {
            var query = ParseQuery(http.Request) with { Offset = 0, Limit = CallDetailQuery.MaxLimit };
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"call-records.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
            await writer.WriteLineAsync(string.Join(',', CsvColumns)).ConfigureAwait(false);
            while (true)
            {
                var page = await store.QueryAsync(query, http.RequestAborted).ConfigureAwait(false);
                foreach (var record in page.Items)
                {
                    await writer.WriteLineAsync(CsvLine(record)).ConfigureAwait(false);
                }

                if (!page.HasMore)
                {
                    break;
                }

                query = query with { Offset = query.Offset + page.Items.Count };
            }

            await writer.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }).WithSummary("The matching call records as CSV (RFC 4180, one line per call, times ISO 8601 UTC)").Produces<string>(200, "text/csv").ProducesProblem(400).Roles(Api.Report);
        records.MapGet("/{recordId}", async (string recordId, [FromServices] ICallDetailStore store, CancellationToken ct) =>
            await store.GetAsync(Api.ParseId(recordId, "call record id"), ct).ConfigureAwait(false) is { } record
                ? Results.Ok(record)
                : ApiOperations.NotFound("call record", recordId))
            .WithSummary("One call record with its legs").Produces<CallDetailRecord>().ProducesProblem(404).Roles(Api.Report);

        var recordings = api.MapGroup("/recordings").WithTags("Recordings");
        recordings.MapGet("", async (string? callId, [FromServices] IRecordingIndex index, CancellationToken ct) =>
            TypedResults.Ok(await index.ListByCallAsync(Api.ParseId(Api.Required(callId, "callId"), "call id"), ct).ConfigureAwait(false)))
            .WithSummary("The recordings of a call (?callId=)").Produces<List<RecordingEntry>>().ProducesProblem(400).Roles(Api.Report);
        recordings.MapGet("/{recordingId}", async (string recordingId, [FromServices] IRecordingIndex index, CancellationToken ct) =>
            await index.GetAsync(Api.ParseId(recordingId, "recording id"), ct).ConfigureAwait(false) is { } entry
                ? Results.Ok(entry)
                : ApiOperations.NotFound("recording", recordingId))
            .WithSummary("One recording's index entry").Produces<RecordingEntry>().ProducesProblem(404).Roles(Api.Report);
        recordings.MapGet("/{recordingId}/audio", async (
            string recordingId, ClaimsPrincipal user, [FromServices] IRecordingIndex index, [FromServices] ContactCenterStorage storage,
            [FromServices] ILoggerFactory loggers, CancellationToken ct) =>
        {
            var id = Api.ParseId(recordingId, "recording id");
            if (await index.GetAsync(id, ct).ConfigureAwait(false) is not { } entry)
            {
                return ApiOperations.NotFound("recording", recordingId);
            }

            var path = storage.ResolveRecordingPath(entry.Path);
            if (!File.Exists(path))
            {
                return ApiProblems.Result(StatusCodes.Status410Gone, "Recording file missing", $"Recording {id} is indexed but its file is gone (removed by retention or by hand).");
            }

            // The access is written before a byte is sent: a download that is not in the log never happens.
            var keyName = user.KeyName();
            var logger = loggers.CreateLogger("ContactCenter.Hosting.Web");
            await index.LogAccessAsync(id, keyName, "download", ct).ConfigureAwait(false);
            WebLog.RecordingDownloaded(logger, id, keyName);
            return Results.File(path, "audio/wav", $"recording-{id}.wav", enableRangeProcessing: true);
        }).WithSummary("Downloads the WAV; every access is logged with the key's name and the time").Produces<byte[]>(200, "audio/wav").ProducesProblem(404).ProducesProblem(410).Roles(Api.Report);
        recordings.MapGet("/{recordingId}/access-log", async (string recordingId, [FromServices] IRecordingIndex index, CancellationToken ct) =>
            TypedResults.Ok(await index.GetAccessLogAsync(Api.ParseId(recordingId, "recording id"), ct).ConfigureAwait(false)))
            .WithSummary("Who accessed the recording, and when").Produces<List<RecordingAccess>>().Roles(Api.Supervise);

        api.MapGet("/metrics", ([FromServices] MetricsSnapshotCollector metrics) => TypedResults.Ok(metrics.Snapshot()))
            .WithTags("Metrics").WithSummary("Every ContactCenter.* instrument now: counters, gauges, histograms (count, sum, min, max)")
            .Produces<MetricsSnapshot>().Roles(Api.Report);

        var deliveries = api.MapGroup("/webhooks/deliveries").WithTags("Webhooks");
        deliveries.MapGet("", async (bool? dead, [FromServices] WebhookDeliveryStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(dead, 500, ct).ConfigureAwait(false)).Select(WebhookDeliveryDto.From).ToList()))
            .WithSummary("Deliveries not yet accepted by their receiver (?dead=true: dead letters only)").Produces<List<WebhookDeliveryDto>>().Roles(Api.Configure);
        deliveries.MapPost("/{deliveryId}/retry", async (string deliveryId, [FromServices] WebhookDeliveryStore store, [FromServices] WebhookDispatcher dispatcher, CancellationToken ct) =>
        {
            if (!await store.RetryNowAsync(Api.ParseId(deliveryId, "delivery id"), ct).ConfigureAwait(false))
            {
                return ApiOperations.NotFound("webhook delivery", deliveryId);
            }

            dispatcher.Wake();
            return Results.Accepted();
        }).WithSummary("Retries a delivery (a dead letter included) now").Produces(202).ProducesProblem(404).Roles(Api.Configure);
    }

    private static CallDetailQuery ParseQuery(HttpRequest request)
    {
        var q = request.Query;
        CallStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            status = Api.ParseEnum<CallStatus>(s, "status");
        }

        var limit = Int(q["limit"].ToString(), "limit") ?? 100;
        if (limit is < 1 or > CallDetailQuery.MaxLimit)
        {
            throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid query", string.Create(CultureInfo.InvariantCulture, $"'limit' must be 1 to {CallDetailQuery.MaxLimit}, not {limit}."));
        }

        var offset = Int(q["offset"].ToString(), "offset") ?? 0;
        if (offset < 0)
        {
            throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid query", "'offset' must not be negative.");
        }

        return new CallDetailQuery
        {
            From = Time(q["from"].ToString(), "from"),
            To = Time(q["to"].ToString(), "to"),
            Number = Empty(q["number"].ToString()),
            AgentId = Empty(q["agent"].ToString()),
            QueueId = Empty(q["queue"].ToString()),
            Status = status,
            Offset = offset,
            Limit = limit,
        };
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    private static int? Int(string value, string name) =>
        value.Length == 0 ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid query", $"'{name}' must be a whole number, not '{value}'.");

    private static DateTimeOffset? Time(string value, string name) =>
        value.Length == 0 ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid query", $"'{name}' must be an ISO 8601 time such as 2026-01-31T08:00:00Z, not '{value}'.");

    internal static string CsvLine(CallDetailRecord r) => string.Join(',', new string?[]
    {
        r.Id.ToString(), r.Direction.ToString(), r.CallerNumber, r.CalledNumber, Iso(r.StartedAt), Iso(r.AnsweredAt), Iso(r.QueueEnteredAt),
        Iso(r.QueueExitedAt), Iso(r.AgentAnsweredAt), Iso(r.EndedAt), r.Status.ToString(), r.HangupParty.ToString(), r.AgentId, r.QueueId,
        r.SurveyScore?.ToString(CultureInfo.InvariantCulture), r.RecordingId?.ToString(),
    }.Select(CsvField));

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula.</summary>
    internal static string CsvField(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '@' || (value[0] == '-' && value.Length > 1 && !char.IsAsciiDigit(value[1])))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string? Iso(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
}
