using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Hosting.Storage;
using ContactCenter.Hosting.Web;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Tests.Web;

/// <summary>
/// The web API on a real Kestrel at 127.0.0.1 (port 0) over real storage (SQLite in a temp folder), a real routing
/// engine, flow library and dialer, and test doubles for call control, the agent directory and the number directory.
/// </summary>
internal sealed class WebTestHost : IAsyncDisposable
{
    public const string AdminKey = "admin-key-0123456789";
    public const string SupervisorKey = "supervisor-key-0123456789";
    public const string AgentKey = "agent-key-0123456789";
    public const string ReportingKey = "reporting-key-0123456789";

    private readonly bool _ownsDirectory;

    private WebTestHost(WebApplication app, string directory, bool ownsDirectory, ManualTimeProvider time, ContactCenterStorage storage)
    {
        App = app;
        Storage = storage;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public WebApplication App { get; }

    public string Directory { get; }

    public ManualTimeProvider Time { get; }

    public Uri BaseAddress { get; }

    public ContactCenterEventHub Hub => App.Services.GetRequiredService<ContactCenterEventHub>();

    public RoutingEngine Routing => App.Services.GetRequiredService<RoutingEngine>();

    public FakeCallControl Calls => (FakeCallControl)App.Services.GetRequiredService<ICallControl>();

    public ContactCenterStorage Storage { get; }

    public LogCollector Logs => App.Services.GetRequiredService<LogCollector>();

    public static async Task<WebTestHost> StartAsync(Action<WebOptions>? configure = null, string? directory = null, ManualTimeProvider? time = null, bool withDialer = true)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "cc-web-" + Guid.NewGuid().ToString("N"));
        time ??= new ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var storage = await ContactCenterStorage.OpenAsync(new StorageOptions { DataDirectory = directory }, time);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var logs = new LogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        var services = builder.Services;
        services.AddSingleton(logs);
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(storage);
        services.AddSingleton(storage.CallRecords);
        services.AddSingleton(storage.Recordings);
        services.AddSingleton<IFlowStore>(new InMemoryFlowStore());
        services.AddSingleton(sp => new FlowLibrary(sp.GetRequiredService<IFlowStore>(), time));
        services.AddSingleton<ContactCenterEventHub>();
        services.AddSingleton(_ => new RoutingEngine(null, time));
        if (withDialer)
        {
            services.AddSingleton(_ => new OutboundDialer(new NoCalls(), new NoAgents(), new InMemoryCampaignStore(), time));
        }

        services.AddSingleton<ICallControl, FakeCallControl>();
        services.AddSingleton<IAgentDirectory, RoutingAgentDirectory>();
        services.AddSingleton<INumberDirectory, FakeNumberDirectory>();
        services.AddContactCenterApi(options =>
        {
            options.ApiKeys =
            [
                new() { Name = "ops-admin", Hash = ApiKeyHasher.Hash(AdminKey), Roles = [ContactCenterRoles.Admin] },
                new() { Name = "floor-supervisor", Hash = ApiKeyHasher.Hash(SupervisorKey), Roles = [ContactCenterRoles.Supervisor] },
                new() { Name = "alice-phone", Hash = ApiKeyHasher.Hash(AgentKey), Roles = [ContactCenterRoles.Agent], AgentId = "alice" },
                new() { Name = "bi-reports", Hash = ApiKeyHasher.Hash(ReportingKey), Roles = [ContactCenterRoles.Reporting] },
            ];
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.MapContactCenterApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await storage.DisposeAsync();
            if (ownsDirectory)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                System.IO.Directory.Delete(directory, recursive: true);
            }

            throw;
        }
        return new WebTestHost(app, directory, ownsDirectory, time, storage);
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Storage.DisposeAsync();
        if (_ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow machine: the temp folder is cleaned by the OS.
            }
        }
    }

    private sealed class NoCalls : IOutboundCallPort
    {
        public void Dial(OutboundCall outboundCall)
        {
        }

        public void Connect(OutboundCall outboundCall, string agentId)
        {
        }

        public void PlayComplianceMessage(OutboundCall outboundCall, string prompt)
        {
        }

        public void StartFlow(OutboundCall outboundCall, string flowId)
        {
        }

        public void HangUp(OutboundCall outboundCall)
        {
        }
    }

    private sealed class NoAgents : IAgentPool
    {
        public int LoggedInAgents => 0;

        public int FreeAgents => 0;

        public bool TryReserve(string? agentId, [NotNullWhen(true)] out string? reservedAgentId)
        {
            reservedAgentId = null;
            return false;
        }

        public void Release(string agentId)
        {
        }

        public void OfferPreview(string agentId, PreviewOffer offer)
        {
        }
    }
}

/// <summary>Call control over a dictionary of calls; records what was asked.</summary>
internal sealed class FakeCallControl : ICallControl
{
    private readonly ConcurrentDictionary<Guid, ActiveCallInfo> _calls = new();

    public ConcurrentQueue<string> Actions { get; } = new();

    public IReadOnlyList<ActiveCallInfo> ActiveCalls => [.. _calls.Values];

    public void Add(ActiveCallInfo call) => _calls[call.CallId] = call;

    public ActiveCallInfo? Find(Guid callId) => _calls.GetValueOrDefault(callId);

    public Task<Guid> ClickToCallAsync(string agentId, string number, CancellationToken cancellationToken = default)
    {
        if (!number.StartsWith('+'))
        {
            throw new CallControlException(CallControlError.BadRequest, $"'{number}' is not an E.164 number");
        }

        Actions.Enqueue($"call {agentId} {number}");
        return Task.FromResult(Guid.CreateVersion7());
    }

    public Task HangUpAsync(Guid callId, CancellationToken cancellationToken = default) => Act(callId, "hangup");

    public Task SetHoldAsync(Guid callId, bool hold, CancellationToken cancellationToken = default)
    {
        var call = Get(callId);
        if (call.Phase is not (ActiveCallPhase.Talking or ActiveCallPhase.Held))
        {
            throw new CallControlException(CallControlError.InvalidState, $"call {callId} is {call.Phase}; only a call with an agent can be held");
        }

        return Act(callId, hold ? "hold" : "unhold");
    }

    public Task TransferAsync(Guid callId, CallTransferTarget target, CancellationToken cancellationToken = default) => Act(callId, $"transfer {target.Kind} {target.Destination}");

    public Task SetRecordingPausedAsync(Guid callId, bool paused, CancellationToken cancellationToken = default) => Act(callId, paused ? "pause" : "resume");

    public Task MonitorAsync(Guid callId, string supervisorAgentId, MonitorMode mode, CancellationToken cancellationToken = default) =>
        Act(callId, $"monitor {supervisorAgentId} {mode}");

    private ActiveCallInfo Get(Guid callId) =>
        Find(callId) ?? throw new CallControlException(CallControlError.NotFound, $"no call {callId} is in progress");

    private Task Act(Guid callId, string action)
    {
        Get(callId);
        Actions.Enqueue($"{action} {callId}");
        return Task.CompletedTask;
    }
}

/// <summary>Agents over the real routing engine, publishing agent.state_changed like the host does.</summary>
internal sealed class RoutingAgentDirectory : IAgentDirectory, IDisposable
{
    private readonly ConcurrentDictionary<string, AgentProfile> _profiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentDevice> _devices = new(StringComparer.Ordinal);
    private readonly RoutingEngine _routing;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;

    public RoutingAgentDirectory(RoutingEngine routing, TimeProvider time, ContactCenterEventHub hub)
    {
        _routing = routing;
        _time = time;
        _subscription = routing.Subscribe(e =>
        {
            if (e is AgentStatusChanged changed)
            {
                hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.AgentStateChanged, ContactCenterEventCategory.Agent, time.GetUtcNow(), new Dictionary<string, object?>
                {
                    ["agentId"] = changed.AgentId,
                    ["from"] = changed.From.ToString(),
                    ["to"] = changed.To.ToString(),
                    ["reason"] = changed.Reason,
                }));
            }
        });
    }

    public IReadOnlyList<AgentView> List()
    {
        var snapshot = _routing.GetSnapshotAsync().GetAwaiter().GetResult();
        return [.. _profiles.Values.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => View(p, snapshot))];
    }

    public AgentView? Find(string agentId) => _profiles.TryGetValue(agentId, out var p) ? View(p, _routing.GetSnapshotAsync().GetAwaiter().GetResult()) : null;

    public async Task<AgentView> SaveAsync(AgentProfile profile, CancellationToken cancellationToken = default)
    {
        if (profile.Extension is { } ext && (ext.Length is < 4 or > 6 || !ext.All(char.IsAsciiDigit)))
        {
            throw new AgentDirectoryException($"agent '{profile.Id}': extension '{ext}' must be 4 to 6 digits");
        }

        _profiles[profile.Id] = profile;
        await _routing.SendAsync(new ConfigureAgent(new AgentDefinition { Id = profile.Id, Name = profile.Name, Skills = profile.Skills }), cancellationToken);
        return Find(profile.Id)!;
    }

    public async Task LogInAsync(string agentId, AgentDevice device, string? notReadyReason = null, CancellationToken cancellationToken = default)
    {
        Require(agentId);
        _devices[agentId] = device;
        await _routing.SendAsync(new LogIn(agentId, notReadyReason), cancellationToken);
    }

    public async Task LogOutAsync(string agentId, CancellationToken cancellationToken = default)
    {
        Require(agentId);
        _devices.TryRemove(agentId, out _);
        await _routing.SendAsync(new LogOut(agentId), cancellationToken);
    }

    public async Task SetStateAsync(string agentId, bool ready, string? reason = null, CancellationToken cancellationToken = default)
    {
        Require(agentId);
        await _routing.SendAsync(ready ? new SetReady(agentId) : new SetNotReady(agentId, reason ?? "not ready"), cancellationToken);
    }

    public void Dispose() => _subscription.Dispose();

    private void Require(string agentId)
    {
        if (!_profiles.ContainsKey(agentId))
        {
            throw new AgentDirectoryException($"agent '{agentId}' does not exist") { NotFound = true };
        }
    }

    private AgentView View(AgentProfile profile, RoutingSnapshot snapshot)
    {
        var metrics = snapshot.Agents.FirstOrDefault(a => a.AgentId == profile.Id);
        var state = metrics?.Status.ToString() ?? "Offline";
        return new AgentView(profile, _devices.GetValueOrDefault(profile.Id), state, metrics?.NotReadyReason, _time.GetUtcNow() - (metrics?.TimeInStatus ?? TimeSpan.Zero), Registered: true);
    }
}

/// <summary>Numbers in a dictionary.</summary>
internal sealed class FakeNumberDirectory : INumberDirectory
{
    private readonly ConcurrentDictionary<string, NumberBinding> _numbers = new(StringComparer.Ordinal);

    public IReadOnlyList<NumberBinding> List() => [.. _numbers.Values];

    public NumberBinding? Find(string number) => _numbers.GetValueOrDefault(number);

    public Task BindAsync(NumberBinding binding, CancellationToken cancellationToken = default)
    {
        if (!binding.Flow.Contains('@', StringComparison.Ordinal))
        {
            throw new NumberDirectoryException($"number '{binding.Number}': flow '{binding.Flow}' must be a reference such as main@live");
        }

        _numbers[binding.Number] = binding;
        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(string number, CancellationToken cancellationToken = default) => Task.FromResult(_numbers.TryRemove(number, out _));

    public int ActiveCalls(string number) => 0;
}

/// <summary>Keeps every log entry, to assert what was logged.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly object _gate = new();
    private readonly List<(Func<(string Category, int EventId, string Message), bool> Match, TaskCompletionSource Done)> _waiters = [];

    public ConcurrentQueue<(string Category, int EventId, string Message)> Entries { get; } = new();

    /// <summary>Completes when an entry matching <paramref name="match"/> is (or was) logged; fails after <paramref name="timeout"/>.</summary>
    public Task WaitForAsync(Func<(string Category, int EventId, string Message), bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Entries.Any(match))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    private void Add((string Category, int EventId, string Message) entry)
    {
        lock (_gate)
        {
            Entries.Enqueue(entry);
            foreach (var waiter in _waiters.Where(w => w.Match(entry)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add((category, eventId.Id, formatter(state, exception)));
    }
}
