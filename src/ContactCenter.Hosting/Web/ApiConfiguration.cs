using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using ContactCenter.Dialer;
using ContactCenter.Ivr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ContactCenter.Hosting.Web;

/// <summary>Flows (drafts, validation, versions, aliases, diff, export, import) and campaigns.</summary>
internal static class ApiConfiguration
{
    public static void Map(RouteGroupBuilder api)
    {
        var flows = api.MapGroup("/flows").WithTags("Flows");
        flows.MapGet("", async ([FromServices] IFlowStore store, [FromServices] FlowLibrary library, CancellationToken ct) =>
        {
            var list = new List<FlowSummaryDto>();
            foreach (var id in await store.ListFlowIdsAsync(ct).ConfigureAwait(false))
            {
                var versions = await library.ListVersionsAsync(id, ct).ConfigureAwait(false);
                var draft = await store.GetDraftAsync(id, ct).ConfigureAwait(false);
                list.Add(new FlowSummaryDto(id, versions.Count == 0 ? null : versions[^1].Number, draft is not null, await library.GetAliasesAsync(id, ct).ConfigureAwait(false)));
            }

            return TypedResults.Ok(list);
        }).WithSummary("Every flow with its latest version and aliases").Produces<List<FlowSummaryDto>>().Roles(Api.Read);
        flows.MapPost("/validate", async (HttpContext http) =>
        {
            var json = await http.ReadTextAsync().ConfigureAwait(false);
            return TypedResults.Ok(ValidationDto.From(FlowValidator.Validate(json)));
        }).WithSummary("Validates a flow document without saving it").Accepts<JsonElement>("application/json").Produces<ValidationDto>().Roles(Api.Configure);
        flows.MapGet("/{flowId}/draft", async (string flowId, [FromServices] FlowLibrary library, CancellationToken ct) =>
            await library.GetContentAsync(flowId, FlowLibrary.Draft, ct).ConfigureAwait(false) is { } content
                ? Results.Text(content, "application/json")
                : ApiOperations.NotFound("flow draft", flowId))
            .WithSummary("The flow's draft document").Produces<JsonElement>().ProducesProblem(404).Roles(Api.Configure);
        flows.MapPut("/{flowId}/draft", async (string flowId, HttpContext http, ClaimsPrincipal user, [FromServices] FlowLibrary library) =>
        {
            var json = await http.ReadTextAsync().ConfigureAwait(false);
            var documentId = ReadFlowId(json);
            if (documentId != flowId)
            {
                throw new ApiRequestException(StatusCodes.Status400BadRequest, "Id mismatch", $"The document's id '{documentId}' differs from the path's '{flowId}'.");
            }

            var validation = await library.SaveDraftAsync(json, user.KeyName(), http.RequestAborted).ConfigureAwait(false);
            return Results.Ok(ValidationDto.From(validation));
        }).WithSummary("Saves the draft (it may be invalid; the answer lists its errors)").Accepts<JsonElement>("application/json").Produces<ValidationDto>().ProducesProblem(400).Roles(Api.Configure);
        flows.MapPost("/{flowId}/publish", async (string flowId, HttpContext http, ClaimsPrincipal user, [FromServices] FlowLibrary library) =>
        {
            var body = await http.ReadJsonAsync<PublishRequest>().ConfigureAwait(false);
            var version = await library.PublishAsync(flowId, body.Note ?? "", user.KeyName(), http.RequestAborted).ConfigureAwait(false);
            return Results.Created($"/api/v1/flows/{Uri.EscapeDataString(flowId)}/versions/{version.Number}", FlowVersionDto.From(version));
        }).WithSummary("Publishes the draft as the next immutable version").Accepts<PublishRequest>("application/json").Produces<FlowVersionDto>(201).ProducesProblem(409).ProducesProblem(422).Roles(Api.Configure);
        flows.MapGet("/{flowId}/versions", async (string flowId, [FromServices] FlowLibrary library, CancellationToken ct) =>
            TypedResults.Ok((await library.ListVersionsAsync(flowId, ct).ConfigureAwait(false)).Select(FlowVersionDto.From).ToList()))
            .WithSummary("The published versions, oldest first").Produces<List<FlowVersionDto>>().Roles(Api.Read);
        flows.MapGet("/{flowId}/versions/{version}", async (string flowId, string version, [FromServices] FlowLibrary library, CancellationToken ct) =>
            await library.GetContentAsync(flowId, version, ct).ConfigureAwait(false) is { } content
                ? Results.Text(content, "application/json")
                : ApiOperations.NotFound("flow version", $"{flowId}@{version}"))
            .WithSummary("The document of a version, an alias or the draft").Produces<JsonElement>().ProducesProblem(404).Roles(Api.Read);
        flows.MapGet("/{flowId}/aliases", async (string flowId, [FromServices] FlowLibrary library, CancellationToken ct) =>
            TypedResults.Ok(await library.GetAliasesAsync(flowId, ct).ConfigureAwait(false)))
            .WithSummary("The flow's aliases and the versions they point at").Produces<Dictionary<string, int>>().Roles(Api.Read);
        flows.MapPut("/{flowId}/aliases/{alias}", async (string flowId, string alias, HttpContext http, [FromServices] FlowLibrary library) =>
        {
            var body = await http.ReadJsonAsync<AliasRequest>().ConfigureAwait(false);
            var version = body.Version ?? throw new ApiRequestException(StatusCodes.Status400BadRequest, "Missing field", "'version' is required.");
            await library.SetAliasAsync(flowId, alias, version, http.RequestAborted).ConfigureAwait(false);
            return Results.Ok(await library.GetAliasesAsync(flowId, http.RequestAborted).ConfigureAwait(false));
        }).WithSummary("Moves an alias to a version (rollout or rollback)").Accepts<AliasRequest>("application/json").Produces<Dictionary<string, int>>().ProducesProblem(400).ProducesProblem(404).Roles(Api.Configure);
        flows.MapGet("/{flowId}/diff", async (string flowId, string? from, string? to, [FromServices] FlowLibrary library, CancellationToken ct) =>
        {
            var changes = await library.DiffAsync(flowId, Api.Required(from, "from"), Api.Required(to, "to"), ct).ConfigureAwait(false);
            return Results.Ok(changes.Select(c => new FlowChangeDto(c.Kind.ToString(), c.Path, c.Before, c.After)).ToList());
        }).WithSummary("The changes between two references (?from=1&to=draft)").Produces<List<FlowChangeDto>>().ProducesProblem(404).Roles(Api.Read);
        flows.MapGet("/{flowId}/export", async (string flowId, [FromServices] FlowLibrary library, CancellationToken ct) =>
            Results.Text(await library.ExportAsync(flowId, ct).ConfigureAwait(false), "application/json"))
            .WithSummary("The flow's versions and aliases as one document (for import elsewhere)").Produces<JsonElement>().ProducesProblem(404).Roles(Api.Configure);
        flows.MapPost("/import", async (HttpContext http, [FromServices] FlowLibrary library) =>
        {
            var export = await http.ReadTextAsync().ConfigureAwait(false);
            var imported = await library.ImportAsync(export, http.RequestAborted).ConfigureAwait(false);
            return Results.Ok(new ImportResultDto(imported));
        }).WithSummary("Imports an export (versions that exist already must be identical)").Accepts<JsonElement>("application/json").Produces<ImportResultDto>().ProducesProblem(400).ProducesProblem(409).Roles(Api.Configure);

        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("", ([FromServices] DialerAccess access) => TypedResults.Ok(access.Dialer.Campaigns.Select(CampaignDto.From).ToList()))
            .WithSummary("Every campaign with its progress and abandonment rate against its cap").Produces<List<CampaignDto>>().Roles(Api.Read);
        campaigns.MapPost("", async (HttpContext http, [FromServices] DialerAccess access) =>
        {
            var body = await http.ReadJsonAsync<CampaignRequest>().ConfigureAwait(false);
            var campaign = access.Dialer.CreateCampaign(body.ToSettings());
            return Results.Created($"/api/v1/campaigns/{campaign.Id}", CampaignDto.From(campaign));
        }).WithSummary("Creates a campaign (Draft)").Accepts<CampaignRequest>("application/json").Produces<CampaignDto>(201).ProducesProblem(400).Roles(Api.Configure);
        campaigns.MapGet("/{campaignId}", (string campaignId, [FromServices] DialerAccess access) =>
            Results.Ok(CampaignDto.From(access.Dialer.GetCampaign(Api.ParseId(campaignId, "campaign id")))))
            .WithSummary("One campaign with its statistics").Produces<CampaignDto>().ProducesProblem(404).Roles(Api.Read);
        campaigns.MapPut("/{campaignId}", async (string campaignId, HttpContext http, [FromServices] DialerAccess access) =>
        {
            var campaign = access.Dialer.GetCampaign(Api.ParseId(campaignId, "campaign id"));
            var body = await http.ReadJsonAsync<CampaignRequest>().ConfigureAwait(false);
            campaign.UpdateSettings(body.ApplyTo(campaign.Settings));
            return Results.Ok(CampaignDto.From(campaign));
        }).WithSummary("Changes a campaign's settings; fields left out keep their values; mode, time zone, country and order cannot change")
            .Accepts<CampaignRequest>("application/json").Produces<CampaignDto>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).Roles(Api.Configure);
        MapLifecycle(campaigns, "start", "Starts the campaign (dials inside each contact's calling window)", c => c.Start());
        MapLifecycle(campaigns, "schedule", "Schedules the campaign to start at its startAt", c => c.Schedule());
        MapLifecycle(campaigns, "pause", "Pauses dialing", c => c.Pause());
        MapLifecycle(campaigns, "resume", "Resumes dialing", c => c.Resume());
        MapLifecycle(campaigns, "stop", "Stops the campaign for good", c => c.Stop());
        campaigns.MapPost("/{campaignId}/contacts", async (string campaignId, HttpContext http, [FromServices] DialerAccess access) =>
        {
            var campaign = access.Dialer.GetCampaign(Api.ParseId(campaignId, "campaign id"));
            var csv = await http.ReadTextAsync().ConfigureAwait(false);
            if (csv.Length == 0)
            {
                throw new ApiRequestException(StatusCodes.Status400BadRequest, "Body required", "Upload the contacts as CSV: a header line with 'phone' (and optional name, timezone, priority, custom columns), then one contact per line.");
            }

            using var reader = new StringReader(csv);
            var result = campaign.ImportCsv(reader);
            return Results.Ok(new ContactUploadReport(result.Imported, result.Duplicates, result.Errors.Count, result.Errors.Select(e => new ContactLineError(e.LineNumber, e.Message)).ToList()));
        }).WithSummary("Uploads contacts as CSV; every good line is imported and each bad line is reported with its number").Accepts<string>("text/csv").Produces<ContactUploadReport>().ProducesProblem(404).ProducesProblem(409).Roles(Api.Configure);
        campaigns.MapGet("/{campaignId}/stats", (string campaignId, [FromServices] DialerAccess access) =>
            Results.Ok(access.Dialer.GetCampaign(Api.ParseId(campaignId, "campaign id")).GetStatistics()))
            .WithSummary("The campaign's counters and rates now").Produces<CampaignStatistics>().ProducesProblem(404).Roles(Api.Read);
    }

    private static void MapLifecycle(RouteGroupBuilder campaigns, string action, string summary, Action<Campaign> apply) =>
        campaigns.MapPost("/{campaignId}/" + action, (string campaignId, [FromServices] DialerAccess access) =>
        {
            var campaign = access.Dialer.GetCampaign(Api.ParseId(campaignId, "campaign id"));
            apply(campaign);
            return Results.Ok(CampaignDto.From(campaign));
        }).WithSummary(summary).Produces<CampaignDto>().ProducesProblem(404).ProducesProblem(409).Roles(Api.Supervise);

    private static string ReadFlowId(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()!
                : throw new ApiRequestException(StatusCodes.Status400BadRequest, "Missing field", "The flow document needs a string 'id' at its root.");
        }
        catch (JsonException ex)
        {
            throw new ApiRequestException(
                StatusCodes.Status400BadRequest,
                "Malformed JSON",
                string.Create(CultureInfo.InvariantCulture, $"The flow document is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})."));
        }
    }
}

/// <summary>The dialer, when the host has one; campaign requests get 503 otherwise.</summary>
internal sealed class DialerAccess(IServiceProvider services)
{
    public OutboundDialer Dialer => services.GetService(typeof(OutboundDialer)) as OutboundDialer
        ?? throw new ApiRequestException(
            StatusCodes.Status503ServiceUnavailable,
            "Dialer not configured",
            "This host has no outbound dialer (no OutboundDialer is registered), so campaigns are unavailable.");
}

/// <summary>A flow in the list.</summary>
internal sealed record FlowSummaryDto(string Id, int? LatestVersion, bool HasDraft, IReadOnlyDictionary<string, int> Aliases);

/// <summary>A validation: valid when there is no error; every diagnostic names its node and JSON path.</summary>
internal sealed record ValidationDto(bool Valid, IReadOnlyList<FlowDiagnosticDto> Diagnostics)
{
    public static ValidationDto From(FlowValidationResult result) => new(result.IsValid, result.Diagnostics.Select(FlowDiagnosticDto.From).ToList());
}

/// <summary>A published version (without its document).</summary>
internal sealed record FlowVersionDto(string FlowId, int Number, string Note, string Author, DateTimeOffset PublishedAt, string ContentHash)
{
    public static FlowVersionDto From(FlowVersion v) => new(v.FlowId, v.Number, v.Note, v.Author, v.PublishedAt, v.ContentHash);
}

/// <summary>The body of a publish: a note for the version history.</summary>
internal sealed record PublishRequest(string? Note);

/// <summary>The body of an alias move.</summary>
internal sealed record AliasRequest(int? Version);

/// <summary>One change between two flow documents.</summary>
internal sealed record FlowChangeDto(string Kind, string Path, string? Before, string? After);

/// <summary>How many versions an import added.</summary>
internal sealed record ImportResultDto(int Imported);

/// <summary>The report of a contact upload: counts, and one entry per bad line.</summary>
internal sealed record ContactUploadReport(int Imported, int Duplicates, int Rejected, IReadOnlyList<ContactLineError> Errors);

/// <summary>A bad CSV line: its number (1 is the header) and what is wrong.</summary>
internal sealed record ContactLineError(int Line, string Message);

/// <summary>A campaign with its progress; <c>abandonRate</c> is over the compliance window and <c>abandonCap</c> its legal cap.</summary>
internal sealed record CampaignDto(
    Guid Id, string Name, string Mode, string State, int Priority, string DefaultCountry, double AbandonCap, double AbandonRate,
    long Dials, long LiveAnswers, long Abandoned, int OpenContacts, long FinishedContacts, int CallsInProgress, bool Predictive)
{
    public static CampaignDto From(Campaign campaign)
    {
        var s = campaign.GetStatistics();
        var settings = campaign.Settings;
        return new(
            campaign.Id, settings.Name, settings.Mode.ToString(), s.State.ToString(), settings.Priority, settings.DefaultCountry, settings.AbandonCap,
            s.WindowAbandonRate, s.Dials, s.LiveAnswers, s.Abandoned, s.OpenContacts, s.FinishedContacts, s.CallsInProgress, s.Predictive);
    }
}

/// <summary>The body of a campaign creation; the settings not given keep the dialer's defaults.</summary>
internal sealed record CampaignRequest(
    string? Name, DialingMode? Mode, int? Priority, DateTimeOffset? StartAt, DateTimeOffset? EndAt, string? DefaultTimeZoneId, string? DefaultCountry,
    ContactOrder? Order, double? AbandonCap, int? RingTimeoutSeconds, string? AgentlessFlowId, int? MaxConcurrentCalls)
{
    public CampaignSettings ToSettings()
    {
        var defaults = new CampaignSettings { Name = Api.Required(Name, "name") };
        return defaults with
        {
            Mode = Mode ?? defaults.Mode,
            Priority = Priority ?? defaults.Priority,
            StartAt = StartAt,
            EndAt = EndAt,
            DefaultTimeZoneId = DefaultTimeZoneId ?? defaults.DefaultTimeZoneId,
            DefaultCountry = DefaultCountry ?? defaults.DefaultCountry,
            Order = Order ?? defaults.Order,
            AbandonCap = AbandonCap ?? defaults.AbandonCap,
            RingTimeout = RingTimeoutSeconds is { } ring ? TimeSpan.FromSeconds(ring) : defaults.RingTimeout,
            AgentlessFlowId = AgentlessFlowId,
            MaxConcurrentCalls = MaxConcurrentCalls ?? defaults.MaxConcurrentCalls,
        };
    }

    /// <summary>The campaign's current settings with the fields this request gives.</summary>
    public CampaignSettings ApplyTo(CampaignSettings current) => current with
    {
        Name = Name ?? current.Name,
        Mode = Mode ?? current.Mode,
        Priority = Priority ?? current.Priority,
        StartAt = StartAt ?? current.StartAt,
        EndAt = EndAt ?? current.EndAt,
        DefaultTimeZoneId = DefaultTimeZoneId ?? current.DefaultTimeZoneId,
        DefaultCountry = DefaultCountry ?? current.DefaultCountry,
        Order = Order ?? current.Order,
        AbandonCap = AbandonCap ?? current.AbandonCap,
        RingTimeout = RingTimeoutSeconds is { } ring ? TimeSpan.FromSeconds(ring) : current.RingTimeout,
        AgentlessFlowId = AgentlessFlowId ?? current.AgentlessFlowId,
        MaxConcurrentCalls = MaxConcurrentCalls ?? current.MaxConcurrentCalls,
    };
}
