using System.Collections.Concurrent;
using ContactCenter.Routing;

namespace ContactCenter.Hosting.Agents;

/// <summary>
/// The agents: profiles (from configuration and the API), the device each is logged in to, and whether its
/// extension is registered. Routing holds the live state; this class keeps queue membership in step with profiles.
/// </summary>
internal sealed class AgentDirectory : IAgentDirectory, IDisposable
{
    private readonly RoutingEngine _routing;
    private readonly QueueDirectory _queues;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _agents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byExtension = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writer = new(1, 1);

    private readonly IDisposable _subscription;

    public AgentDirectory(RoutingEngine routing, QueueDirectory queues, TimeProvider time)
    {
        _routing = routing;
        _queues = queues;
        _time = time;

        // A mirror of each agent's routing status, so reads never wait for the routing writer.
        _subscription = routing.Subscribe(e =>
        {
            if (e is AgentStatusChanged changed && _agents.TryGetValue(changed.AgentId, out var entry))
            {
                entry.Status = changed.To;
                entry.Reason = changed.To == AgentStatus.NotReady ? changed.Reason : null;
                entry.Since = _time.GetUtcNow();
            }
        });
    }

    /// <summary>Where API changes are written before they are acknowledged; set by the host once configuration is applied.</summary>
    internal Storage.SqlDirectoryStore? Store { get; set; }

    /// <summary>Raised after an agent logs in or out (agent id).</summary>
    public event Action<string>? DeviceChanged;

    public IReadOnlyList<AgentView> List() => [.. _agents.Values.OrderBy(e => e.Profile.Id, StringComparer.Ordinal).Select(View)];

    public AgentView? Find(string agentId) => agentId is not null && _agents.TryGetValue(agentId, out var entry) ? View(entry) : null;

    /// <summary>The agent's routing status as last reported.</summary>
    public AgentStatus StatusOf(string agentId) => _agents.TryGetValue(agentId, out var entry) ? entry.Status : AgentStatus.Offline;

    /// <summary>The agent whose extension this is, or null.</summary>
    public AgentProfile? FindByExtension(string extension) =>
        extension is not null && _byExtension.TryGetValue(extension, out var id) && _agents.TryGetValue(id, out var entry) ? entry.Profile : null;

    /// <summary>The device the agent is logged in to, or null.</summary>
    public AgentDevice? DeviceOf(string agentId) => _agents.TryGetValue(agentId, out var entry) ? entry.Device : null;

    /// <summary>The password of an extension (for the registrar's digest), or null for an unknown extension.</summary>
    public string? PasswordOfExtension(string extension) => FindByExtension(extension)?.Password;

    public async Task<AgentView> SaveAsync(AgentProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Validate(profile);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (profile.Extension is { } extension && _byExtension.TryGetValue(extension, out var owner) && owner != profile.Id)
            {
                throw new AgentDirectoryException($"extension {extension} already belongs to agent '{owner}'");
            }

            if (Store is { } store)
            {
                await store.SaveAgentAsync(profile, cancellationToken).ConfigureAwait(false);
            }

            var result = await _routing.SendAsync(
                new ConfigureAgent(new AgentDefinition { Id = profile.Id, Name = profile.Name, Skills = new Dictionary<string, int>(profile.Skills) }),
                cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new AgentDirectoryException($"agent '{profile.Id}': {result.Message}");
            }

            var previous = _agents.TryGetValue(profile.Id, out var old) ? old : null;
            if (previous?.Profile.Extension is { } oldExtension && oldExtension != profile.Extension)
            {
                _byExtension.TryRemove(oldExtension, out _);
            }

            if (profile.Extension is { } newExtension)
            {
                _byExtension[newExtension] = profile.Id;
            }

            var entry = new Entry(profile)
            {
                Device = previous?.Device,
                Registered = previous?.Registered ?? false,
                Status = previous?.Status ?? AgentStatus.Offline,
                Reason = previous?.Reason,
                Since = previous?.Since ?? _time.GetUtcNow(),
            };
            _agents[profile.Id] = entry;
            await _queues.SetMembershipAsync(profile.Id, profile.Queues, cancellationToken).ConfigureAwait(false);
            return Find(profile.Id)!;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task LogInAsync(string agentId, AgentDevice device, string? notReadyReason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var entry = Require(agentId);
        if (string.IsNullOrWhiteSpace(device.Address))
        {
            throw new AgentDirectoryException("the device needs an address (an extension or a number)");
        }

        if (device.Kind == AgentDeviceKind.Extension && !ContactCenterOptionsValidator.IsExtension(device.Address))
        {
            throw new AgentDirectoryException($"'{device.Address}' is not an extension of 4 to 6 digits");
        }

        if (device.Kind == AgentDeviceKind.ExternalNumber && PhoneNumbers.Normalize(device.Address).Length < 3)
        {
            throw new AgentDirectoryException($"'{device.Address}' is not a phone number");
        }

        if (entry.Status == AgentStatus.Offline)
        {
            var result = await _routing.SendAsync(new LogIn(agentId, notReadyReason), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new AgentDirectoryException($"agent '{agentId}' cannot log in: {result.Message}");
            }
        }

        entry.Device = device;
        DeviceChanged?.Invoke(agentId);
    }

    public async Task LogOutAsync(string agentId, CancellationToken cancellationToken = default)
    {
        var entry = Require(agentId);
        var result = await _routing.SendAsync(new LogOut(agentId), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && result.Error != RoutingError.InvalidState)
        {
            throw new AgentDirectoryException($"agent '{agentId}' cannot log out: {result.Message}");
        }

        if (!result.Succeeded)
        {
            throw new AgentDirectoryException($"agent '{agentId}' cannot log out now: {result.Message}");
        }

        entry.Device = null;
        DeviceChanged?.Invoke(agentId);
    }

    public async Task SetStateAsync(string agentId, bool ready, string? reason = null, CancellationToken cancellationToken = default)
    {
        Require(agentId);
        if (!ready && string.IsNullOrWhiteSpace(reason))
        {
            throw new AgentDirectoryException("a not-ready state needs a reason (for example 'break' or 'training')");
        }

        RoutingCommand command = ready ? new SetReady(agentId) : new SetNotReady(agentId, reason!);
        var result = await _routing.SendAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new AgentDirectoryException($"agent '{agentId}': {result.Message}");
        }
    }

    /// <summary>The registrar saw the extension's bindings change: log the agent in or out when it asked for that.</summary>
    public async Task OnRegistrationChangedAsync(string extension, bool registered, bool logInWhenRegistered)
    {
        if (!_byExtension.TryGetValue(extension, out var agentId) || !_agents.TryGetValue(agentId, out var entry) || entry.Registered == registered)
        {
            return;
        }

        entry.Registered = registered;
        if (!logInWhenRegistered)
        {
            return;
        }

        try
        {
            if (registered && entry.Device is null)
            {
                await LogInAsync(agentId, new AgentDevice(AgentDeviceKind.Extension, extension)).ConfigureAwait(false);
            }
            else if (!registered && entry.Device is { Kind: AgentDeviceKind.Extension } device && device.Address == extension)
            {
                await LogOutAsync(agentId).ConfigureAwait(false);
            }
        }
        catch (AgentDirectoryException)
        {
            // Busy agents stay logged in until their call ends; the next registration change tries again.
        }
    }

    private Entry Require(string agentId) =>
        agentId is not null && _agents.TryGetValue(agentId, out var entry)
            ? entry
            : throw new AgentDirectoryException($"no agent has id '{agentId}'") { NotFound = true };

    private void Validate(AgentProfile profile)
    {
        if (string.IsNullOrWhiteSpace(profile.Id) || profile.Id.Length > 64 || profile.Id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new AgentDirectoryException($"id '{profile.Id}' must be 1 to 64 characters without spaces");
        }

        if (profile.Extension is { } extension && !ContactCenterOptionsValidator.IsExtension(extension))
        {
            throw new AgentDirectoryException($"extension '{extension}' is not 4 to 6 digits");
        }

        foreach (var (skill, level) in profile.Skills)
        {
            if (string.IsNullOrWhiteSpace(skill) || level is < 1 or > 100)
            {
                throw new AgentDirectoryException($"skill '{skill}' level {level} must be a name with a level from 1 to 100");
            }
        }

        foreach (var queue in profile.Queues)
        {
            if (!_queues.Exists(queue))
            {
                throw new AgentDirectoryException($"no queue is named '{queue}'");
            }
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _writer.Dispose();
    }

    private static AgentView View(Entry entry) =>
        new(entry.Profile, entry.Device, entry.Status.ToString(), entry.Reason, entry.Since, entry.Registered);

    private sealed class Entry(AgentProfile profile)
    {
        public AgentProfile Profile { get; } = profile;

        public AgentDevice? Device { get; set; }

        public bool Registered { get; set; }

        public AgentStatus Status { get; set; } = AgentStatus.Offline;

        public string? Reason { get; set; }

        public DateTimeOffset Since { get; set; }
    }
}

/// <summary>The queues: definitions from configuration plus members from agent profiles, pushed to Routing.</summary>
internal sealed class QueueDirectory
{
    private readonly RoutingEngine _routing;
    private readonly ConcurrentDictionary<string, QueueDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _membership = new(StringComparer.Ordinal);

    public QueueDirectory(RoutingEngine routing) => _routing = routing;

    public IReadOnlyCollection<QueueDefinition> Definitions => [.. _definitions.Values];

    public bool Exists(string name) => name is not null && _definitions.ContainsKey(name);

    public QueueDefinition? Find(string name) => name is not null && _definitions.TryGetValue(name, out var d) ? d : null;

    public async Task ConfigureAsync(QueueOptions options, CancellationToken cancellationToken)
    {
        var definition = new QueueDefinition
        {
            Name = options.Name,
            Strategy = options.Strategy,
            Priority = options.Priority,
            SkillRequirements = [.. options.Skills.Select(s => new SkillRequirement(s.Key, s.Value))],
            ServiceLevelThreshold = options.ServiceLevelThreshold,
            OfferTimeout = options.RingTimeout,
            WrapUp = options.WrapUp,
            MaxWait = options.MaxWait,
            MaxSize = options.MaxSize,
        };
        _definitions[options.Name] = definition;
        await PushAsync(options.Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetMembershipAsync(string agentId, IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var previous = _membership.TryGetValue(agentId, out var old) ? old : [];
        _membership[agentId] = [.. queues];
        foreach (var queue in previous.Union(queues, StringComparer.Ordinal).ToList())
        {
            await PushAsync(queue, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PushAsync(string queue, CancellationToken cancellationToken)
    {
        if (!_definitions.TryGetValue(queue, out var definition))
        {
            return;
        }

        var members = _membership.Where(m => m.Value.Contains(queue, StringComparer.Ordinal))
            .Select(m => new QueueMember(m.Key)).OrderBy(m => m.AgentId, StringComparer.Ordinal).ToList();
        var result = await _routing.SendAsync(new ConfigureQueue(definition with { Members = members }), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"queue '{queue}': {result.Message}");
        }
    }
}
