using System.Security.Claims;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ContactCenter.Hosting.Web;

/// <summary>Agents, queues, calls and numbers: the live operations of the contact center.</summary>
internal static class ApiOperations
{
    public static void Map(RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapGet("", (
            [FromServices] IAgentDirectory directory, [FromServices] TimeProvider time) =>
            TypedResults.Ok(directory.List().Select(a => AgentDto.From(a, time.GetUtcNow())).ToList()))
            .WithSummary("Every agent with its live state and time in state").Produces<List<AgentDto>>().Roles(Api.Read);
        agents.MapGet("/{agentId}", (string agentId, [FromServices] IAgentDirectory directory, [FromServices] TimeProvider time) =>
            directory.Find(agentId) is { } agent ? Results.Ok(AgentDto.From(agent, time.GetUtcNow())) : NotFound("agent", agentId))
            .WithSummary("One agent").Produces<AgentDto>().ProducesProblem(404).Roles(Api.Read);
        agents.MapPost("", async (HttpContext http, [FromServices] IAgentDirectory directory, [FromServices] TimeProvider time) =>
        {
            var body = await http.ReadJsonAsync<AgentRequest>().ConfigureAwait(false);
            var id = Api.Required(body.Id, "id");
            if (directory.Find(id) is not null)
            {
                return ApiProblems.Result(StatusCodes.Status409Conflict, "Agent exists", $"Agent '{id}' exists already; update it with PUT /api/v1/agents/{id}.");
            }

            var saved = await directory.SaveAsync(body.ToProfile(id), http.RequestAborted).ConfigureAwait(false);
            return Results.Created($"/api/v1/agents/{Uri.EscapeDataString(id)}", AgentDto.From(saved, time.GetUtcNow()));
        }).WithSummary("Creates an agent").Accepts<AgentRequest>("application/json").Produces<AgentDto>(201).ProducesProblem(400).ProducesProblem(409).Roles(Api.Configure);
        agents.MapPut("/{agentId}", async (string agentId, HttpContext http, [FromServices] IAgentDirectory directory, [FromServices] TimeProvider time) =>
        {
            var body = await http.ReadJsonAsync<AgentRequest>().ConfigureAwait(false);
            if (body.Id is { } id && id != agentId)
            {
                throw new ApiRequestException(StatusCodes.Status400BadRequest, "Id mismatch", $"The body's id '{id}' differs from the path's '{agentId}'.");
            }

            var existing = directory.Find(agentId) ?? throw new AgentDirectoryException($"agent '{agentId}' does not exist") { NotFound = true };
            var profile = body.ToProfile(agentId) with { Password = body.Password ?? existing.Profile.Password };
            var saved = await directory.SaveAsync(profile, http.RequestAborted).ConfigureAwait(false);
            return Results.Ok(AgentDto.From(saved, time.GetUtcNow()));
        }).WithSummary("Updates an agent").Accepts<AgentRequest>("application/json").Produces<AgentDto>().ProducesProblem(400).ProducesProblem(404).Roles(Api.Configure);
        agents.MapPost("/{agentId}/login", async (string agentId, HttpContext http, ClaimsPrincipal user, [FromServices] IAgentDirectory directory) =>
        {
            user.EnsureActsFor(agentId);
            var body = await http.ReadJsonAsync<AgentLoginRequest>().ConfigureAwait(false);
            var kind = body.Kind?.ToUpperInvariant() switch
            {
                null or "EXTENSION" => AgentDeviceKind.Extension,
                "EXTERNAL" or "EXTERNALNUMBER" or "EXTERNAL_NUMBER" => AgentDeviceKind.ExternalNumber,
                _ => throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid device", $"'kind' must be 'extension' or 'externalNumber', not '{body.Kind}'."),
            };
            await directory.LogInAsync(agentId, new AgentDevice(kind, Api.Required(body.Address, "address")), body.NotReadyReason, http.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Logs the agent in to a device (an extension or an external number)").Accepts<AgentLoginRequest>("application/json").Produces(204).ProducesProblem(400).ProducesProblem(404).Roles(Api.Operate);
        agents.MapPost("/{agentId}/logout", async (string agentId, ClaimsPrincipal user, [FromServices] IAgentDirectory directory, CancellationToken ct) =>
        {
            user.EnsureActsFor(agentId);
            await directory.LogOutAsync(agentId, ct).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Logs the agent out").Produces(204).ProducesProblem(404).Roles(Api.Operate);
        agents.MapPost("/{agentId}/state", async (string agentId, HttpContext http, ClaimsPrincipal user, [FromServices] IAgentDirectory directory) =>
        {
            user.EnsureActsFor(agentId);
            var body = await http.ReadJsonAsync<AgentStateRequest>().ConfigureAwait(false);
            var ready = body.State?.ToUpperInvariant() switch
            {
                "READY" => true,
                "NOTREADY" or "NOT_READY" => false,
                _ => throw new ApiRequestException(StatusCodes.Status400BadRequest, "Invalid state", $"'state' must be 'ready' or 'notReady', not '{body.State}'."),
            };
            if (!ready && string.IsNullOrWhiteSpace(body.Reason))
            {
                throw new ApiRequestException(StatusCodes.Status400BadRequest, "Reason required", "'reason' is required to go notReady (for example 'break', 'training').");
            }

            await directory.SetStateAsync(agentId, ready, body.Reason, http.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Sets the agent ready, or not ready with a reason").Accepts<AgentStateRequest>("application/json").Produces(204).ProducesProblem(400).ProducesProblem(404).Roles(Api.Operate);

        var queues = api.MapGroup("/queues").WithTags("Queues");
        queues.MapGet("", async ([FromServices] RoutingEngine routing, CancellationToken ct) =>
            TypedResults.Ok((await routing.GetSnapshotAsync(ct).ConfigureAwait(false)).Queues.Select(QueueDto.From).ToList()))
            .WithSummary("Every queue with its live figures (waiting, longest wait, service level, ASA)").Produces<List<QueueDto>>().Roles(Api.Read);
        queues.MapGet("/{queue}", async (string queue, [FromServices] RoutingEngine routing, CancellationToken ct) =>
            (await routing.GetSnapshotAsync(ct).ConfigureAwait(false)).Queues.FirstOrDefault(q => q.Queue == queue) is { } found
                ? Results.Ok(QueueDto.From(found))
                : NotFound("queue", queue))
            .WithSummary("One queue's live figures").Produces<QueueDto>().ProducesProblem(404).Roles(Api.Read);

        var calls = api.MapGroup("/calls").WithTags("Calls");
        calls.MapGet("", ([FromServices] ICallControl control) => TypedResults.Ok(control.ActiveCalls.ToList()))
            .WithSummary("The calls in progress").Produces<List<ActiveCallInfo>>().Roles(Api.Read);
        calls.MapGet("/{callId}", (string callId, [FromServices] ICallControl control) =>
            control.Find(Api.ParseId(callId, "call id")) is { } call ? Results.Ok(call) : NotFound("call", callId))
            .WithSummary("One call in progress").Produces<ActiveCallInfo>().ProducesProblem(404).Roles(Api.Read);
        calls.MapPost("", async (HttpContext http, ClaimsPrincipal user, [FromServices] ICallControl control) =>
        {
            var body = await http.ReadJsonAsync<ClickToCallRequest>().ConfigureAwait(false);
            var agentId = Api.Required(body.AgentId, "agentId");
            user.EnsureActsFor(agentId);
            var id = await control.ClickToCallAsync(agentId, Api.Required(body.Number, "number"), http.RequestAborted).ConfigureAwait(false);
            return Results.Accepted($"/api/v1/calls/{id}", new CallCreated(id));
        }).WithSummary("Click-to-call: rings the agent's device, then calls the number").Accepts<ClickToCallRequest>("application/json").Produces<CallCreated>(202).ProducesProblem(400).ProducesProblem(503).Roles(Api.Operate);
        MapCallAction(calls, "hangup", "Hangs up every leg of the call", (c, id, ct) => c.HangUpAsync(id, ct));
        MapCallAction(calls, "hold", "Puts the caller on hold", (c, id, ct) => c.SetHoldAsync(id, true, ct));
        MapCallAction(calls, "unhold", "Takes the caller off hold", (c, id, ct) => c.SetHoldAsync(id, false, ct));
        calls.MapPost("/{callId}/transfer", async (string callId, HttpContext http, ClaimsPrincipal user, [FromServices] ICallControl control) =>
        {
            var body = await http.ReadJsonAsync<TransferRequest>().ConfigureAwait(false);
            var kind = Api.ParseEnum<CallTransferKind>(body.Kind, "kind");
            var target = new CallTransferTarget(kind, Api.Required(body.Destination, "destination"));
            return await OnCall(callId, user, control, id => control.TransferAsync(id, target, http.RequestAborted)).ConfigureAwait(false);
        }).WithSummary("Blind transfer to a queue, an agent or a number").Accepts<TransferRequest>("application/json").Produces(204).ProducesProblem(400).ProducesProblem(404).Roles(Api.Operate);
        MapCallAction(calls, "recording/pause", "Pauses the call's recording", (c, id, ct) => c.SetRecordingPausedAsync(id, true, ct));
        MapCallAction(calls, "recording/resume", "Resumes the call's recording", (c, id, ct) => c.SetRecordingPausedAsync(id, false, ct));
        calls.MapPost("/{callId}/monitor", async (string callId, HttpContext http, ClaimsPrincipal user, [FromServices] ICallControl control) =>
        {
            var body = await http.ReadJsonAsync<MonitorRequest>().ConfigureAwait(false);
            var mode = Api.ParseEnum<MonitorMode>(body.Mode, "mode");
            var supervisor = Api.Required(body.SupervisorAgentId, "supervisorAgentId");
            await control.MonitorAsync(Api.ParseId(callId, "call id"), supervisor, mode, http.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Supervisor listen, whisper or barge (rings the supervisor's device)").Accepts<MonitorRequest>("application/json").Produces(204).ProducesProblem(400).ProducesProblem(404).Roles(Api.Supervise);

        var numbers = api.MapGroup("/numbers").WithTags("Numbers");
        numbers.MapGet("", ([FromServices] INumberDirectory directory) =>
            TypedResults.Ok(directory.List().Select(n => NumberDto.From(n, directory.ActiveCalls(n.Number))).ToList()))
            .WithSummary("Every number with its flow, cap and calls in progress").Produces<List<NumberDto>>().Roles(Api.Read);
        numbers.MapGet("/{number}", (string number, [FromServices] INumberDirectory directory) =>
            directory.Find(number) is { } n ? Results.Ok(NumberDto.From(n, directory.ActiveCalls(n.Number))) : NotFound("number", number))
            .WithSummary("One number").Produces<NumberDto>().ProducesProblem(404).Roles(Api.Read);
        numbers.MapPut("/{number}", async (string number, HttpContext http, [FromServices] INumberDirectory directory) =>
        {
            var body = await http.ReadJsonAsync<NumberRequest>().ConfigureAwait(false);
            var binding = new NumberBinding { Number = number, Flow = Api.Required(body.Flow, "flow"), MaxConcurrentCalls = body.MaxConcurrentCalls };
            await directory.BindAsync(binding, http.RequestAborted).ConfigureAwait(false);
            return Results.Ok(NumberDto.From(binding, directory.ActiveCalls(number)));
        }).WithSummary("Binds the number to a flow reference (flow@alias or flow@version) with an optional cap").Accepts<NumberRequest>("application/json").Produces<NumberDto>().ProducesProblem(400).Roles(Api.Configure);
        numbers.MapDelete("/{number}", async (string number, [FromServices] INumberDirectory directory, CancellationToken ct) =>
            await directory.RemoveAsync(number, ct).ConfigureAwait(false) ? Results.NoContent() : NotFound("number", number))
            .WithSummary("Removes a number's binding").Produces(204).ProducesProblem(404).Roles(Api.Configure);
    }

    public static IResult NotFound(string what, string id) =>
        ApiProblems.Result(StatusCodes.Status404NotFound, $"No such {what}", $"There is no {what} '{id}'.");

    private static void MapCallAction(RouteGroupBuilder calls, string action, string summary, Func<ICallControl, Guid, CancellationToken, Task> act) =>
        calls.MapPost("/{callId}/" + action, (string callId, ClaimsPrincipal user, [FromServices] ICallControl control, CancellationToken ct) =>
            OnCall(callId, user, control, id => act(control, id, ct)))
            .WithSummary(summary).Produces(204).ProducesProblem(404).ProducesProblem(409).Roles(Api.Operate);

    private static async Task<IResult> OnCall(string callId, ClaimsPrincipal user, ICallControl control, Func<Guid, Task> action)
    {
        var id = Api.ParseId(callId, "call id");
        if (!user.IsInRole(ContactCenterRoles.Admin) && !user.IsInRole(ContactCenterRoles.Supervisor))
        {
            var call = control.Find(id) ?? throw new CallControlException(CallControlError.NotFound, $"no call {id} is in progress");
            user.EnsureActsFor(call.AgentId ?? "");
        }

        await action(id).ConfigureAwait(false);
        return Results.NoContent();
    }
}

/// <summary>An agent as the API shows it (never the SIP password).</summary>
internal sealed record AgentDto(
    string Id, string? Name, string? Extension, IReadOnlyDictionary<string, int> Skills, IReadOnlyList<string> Queues, IReadOnlyList<string> Roles,
    string State, string? Reason, DateTimeOffset Since, double SecondsInState, string? DeviceKind, string? DeviceAddress, bool Registered)
{
    public static AgentDto From(AgentView view, DateTimeOffset now) => new(
        view.Profile.Id, view.Profile.Name, view.Profile.Extension, view.Profile.Skills, view.Profile.Queues, view.Profile.Roles,
        view.State, view.Reason, view.Since, Math.Max(0, (now - view.Since).TotalSeconds),
        view.Device is null ? null : view.Device.Kind == AgentDeviceKind.Extension ? "extension" : "externalNumber", view.Device?.Address, view.Registered);
}

/// <summary>The body of an agent create or update.</summary>
internal sealed record AgentRequest(
    string? Id, string? Name, string? Extension, string? Password, Dictionary<string, int>? Skills, List<string>? Queues, List<string>? Roles)
{
    public AgentProfile ToProfile(string id) => new()
    {
        Id = id,
        Name = Name,
        Extension = Extension,
        Password = Password,
        Skills = Skills ?? [],
        Queues = Queues ?? [],
        Roles = Roles ?? [ContactCenterRoles.Agent],
    };
}

/// <summary>The body of an agent log-in: <c>kind</c> extension or externalNumber, <c>address</c>, optional <c>notReadyReason</c>.</summary>
internal sealed record AgentLoginRequest(string? Kind, string? Address, string? NotReadyReason);

/// <summary>The body of an agent state change: <c>state</c> ready or notReady, and <c>reason</c> for notReady.</summary>
internal sealed record AgentStateRequest(string? State, string? Reason);

/// <summary>A queue's live figures; times in seconds, service level as a fraction.</summary>
internal sealed record QueueDto(
    string Queue, int Waiting, int Ringing, double LongestWaitSeconds, double ServiceLevel, double AsaSeconds, double AhtSeconds,
    double ExpectedWaitSeconds, long Offered, long Answered, long Abandoned, long Completed, double Occupancy, IReadOnlyDictionary<string, int> MembersByStatus)
{
    public static QueueDto From(QueueMetrics q) => new(
        q.Queue, q.Waiting, q.Ringing, q.LongestWait.TotalSeconds, q.ServiceLevel, q.AverageSpeedOfAnswer.TotalSeconds, q.AverageHandleTime.TotalSeconds,
        q.ExpectedWait.TotalSeconds, q.Offered, q.Answered, q.Abandoned, q.Completed, q.Occupancy,
        q.MembersByStatus.ToDictionary(p => p.Key.ToString(), p => p.Value));
}

/// <summary>The body of a click-to-call.</summary>
internal sealed record ClickToCallRequest(string? AgentId, string? Number);

/// <summary>The answer to a click-to-call.</summary>
internal sealed record CallCreated(Guid CallId);

/// <summary>The body of a transfer: <c>kind</c> queue, agent or number; <c>destination</c>.</summary>
internal sealed record TransferRequest(string? Kind, string? Destination);

/// <summary>The body of a monitor request: <c>mode</c> listen, whisper or barge; the supervisor's agent id.</summary>
internal sealed record MonitorRequest(string? Mode, string? SupervisorAgentId);

/// <summary>A number binding with its calls in progress.</summary>
internal sealed record NumberDto(string Number, string Flow, int? MaxConcurrentCalls, int ActiveCalls)
{
    public static NumberDto From(NumberBinding binding, int active) => new(binding.Number, binding.Flow, binding.MaxConcurrentCalls, active);
}

/// <summary>The body of a number binding: the flow reference and an optional cap.</summary>
internal sealed record NumberRequest(string? Flow, int? MaxConcurrentCalls);
