namespace ContactCenter.Hosting.Agents;

/// <summary>An agent as configured: identity, phone extension, skills and queues.</summary>
public sealed record AgentProfile
{
    /// <summary>The agent id (also the routing id).</summary>
    public required string Id { get; init; }

    /// <summary>The display name.</summary>
    public string? Name { get; init; }

    /// <summary>The SIP extension (4 to 6 digits) the agent's phone registers as, if any.</summary>
    public string? Extension { get; init; }

    /// <summary>The extension's SIP password (digest); never returned by the API.</summary>
    public string? Password { get; init; }

    /// <summary>Skills and levels (1-100).</summary>
    public IReadOnlyDictionary<string, int> Skills { get; init; } = new Dictionary<string, int>();

    /// <summary>Queues the agent is a member of.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>The agent's roles for the web API (agent, supervisor, admin, reporting).</summary>
    public IReadOnlyList<string> Roles { get; init; } = ["agent"];
}

/// <summary>Where an agent takes calls while logged in.</summary>
/// <param name="Kind"><see cref="AgentDeviceKind.Extension"/> or <see cref="AgentDeviceKind.ExternalNumber"/>.</param>
/// <param name="Address">The extension, or the external number dialed through a trunk.</param>
public sealed record AgentDevice(AgentDeviceKind Kind, string Address);

/// <summary>The kind of device an agent logs in to.</summary>
public enum AgentDeviceKind
{
    /// <summary>A SIP phone registered to our registrar under an extension.</summary>
    Extension,

    /// <summary>A number reached through a trunk (a mobile or home phone).</summary>
    ExternalNumber,
}

/// <summary>A live view of one agent.</summary>
/// <param name="Profile">The configuration.</param>
/// <param name="Device">The device the agent is logged in to, or null when logged out.</param>
/// <param name="State">The routing state (LoggedOut, Ready, NotReady, Reserved, Busy, WrapUp, ...).</param>
/// <param name="Reason">The not-ready reason, if any.</param>
/// <param name="Since">When the agent entered the state.</param>
/// <param name="Registered">Whether the agent's extension is registered right now.</param>
public sealed record AgentView(AgentProfile Profile, AgentDevice? Device, string State, string? Reason, DateTimeOffset Since, bool Registered);

/// <summary>Thrown by <see cref="IAgentDirectory"/> for an unknown agent or a bad profile; the message says which field.</summary>
public sealed class AgentDirectoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentDirectoryException()
        : base("The agent request failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AgentDirectoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public AgentDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the agent does not exist (otherwise the request was invalid).</summary>
    public bool NotFound { get; init; }
}

/// <summary>The agents of the contact center: configuration, devices and states. Changes apply to routing at once.</summary>
public interface IAgentDirectory
{
    /// <summary>Every agent with its live state.</summary>
    IReadOnlyList<AgentView> List();

    /// <summary>One agent, or null.</summary>
    AgentView? Find(string agentId);

    /// <summary>Creates or updates an agent (validated: id, 4-6 digit extension unique, skill levels 1-100, known queues).</summary>
    Task<AgentView> SaveAsync(AgentProfile profile, CancellationToken cancellationToken = default);

    /// <summary>Logs the agent in to a device; the agent starts Ready unless <paramref name="notReadyReason"/> is given.</summary>
    Task LogInAsync(string agentId, AgentDevice device, string? notReadyReason = null, CancellationToken cancellationToken = default);

    /// <summary>Logs the agent out.</summary>
    Task LogOutAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Sets the agent Ready, or NotReady with a reason.</summary>
    Task SetStateAsync(string agentId, bool ready, string? reason = null, CancellationToken cancellationToken = default);
}
