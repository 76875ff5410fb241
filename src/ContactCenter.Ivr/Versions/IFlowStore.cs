namespace ContactCenter.Ivr;

/// <summary>The editable draft of a flow.</summary>
/// <param name="FlowId">The flow id.</param>
/// <param name="Content">The flow document (JSON).</param>
/// <param name="Author">Who saved it.</param>
/// <param name="SavedAt">When.</param>
public sealed record FlowDraft(string FlowId, string Content, string Author, DateTimeOffset SavedAt);

/// <summary>An immutable published version of a flow.</summary>
/// <param name="FlowId">The flow id.</param>
/// <param name="Number">1, 2, 3, ... per flow.</param>
/// <param name="Note">What changed, from the publisher.</param>
/// <param name="Author">Who published it.</param>
/// <param name="PublishedAt">When.</param>
/// <param name="ContentHash">SHA-256 of the canonical document (<c>sha256:...</c>).</param>
/// <param name="Content">The flow document (JSON).</param>
public sealed record FlowVersion(string FlowId, int Number, string Note, string Author, DateTimeOffset PublishedAt, string ContentHash, string Content);

/// <summary>
/// Where flow drafts, versions and aliases are kept. <see cref="InMemoryFlowStore"/> is the default for tests and
/// embedding; Hosting provides a SQLite one. Versions are append-only: <see cref="TryAddVersionAsync"/> never overwrites.
/// </summary>
public interface IFlowStore
{
    /// <summary>The draft of <paramref name="flowId"/>, or <see langword="null"/>.</summary>
    Task<FlowDraft?> GetDraftAsync(string flowId, CancellationToken cancellationToken);

    /// <summary>Saves (replaces) the draft of its flow.</summary>
    Task SaveDraftAsync(FlowDraft draft, CancellationToken cancellationToken);

    /// <summary>Adds a version; returns <see langword="false"/> (and changes nothing) when that number already exists.</summary>
    Task<bool> TryAddVersionAsync(FlowVersion version, CancellationToken cancellationToken);

    /// <summary>One version, or <see langword="null"/>.</summary>
    Task<FlowVersion?> GetVersionAsync(string flowId, int number, CancellationToken cancellationToken);

    /// <summary>All versions of a flow, oldest first.</summary>
    Task<IReadOnlyList<FlowVersion>> ListVersionsAsync(string flowId, CancellationToken cancellationToken);

    /// <summary>Points the alias <paramref name="aliasName"/> (for example <c>live</c>) at version <paramref name="number"/>.</summary>
    Task SetAliasAsync(string flowId, string aliasName, int number, CancellationToken cancellationToken);

    /// <summary>The aliases of a flow and the version each points at.</summary>
    Task<IReadOnlyDictionary<string, int>> GetAliasesAsync(string flowId, CancellationToken cancellationToken);

    /// <summary>The ids of all flows with a draft or a version.</summary>
    Task<IReadOnlyList<string>> ListFlowIdsAsync(CancellationToken cancellationToken);
}

/// <summary>An <see cref="IFlowStore"/> in memory (thread-safe; lost when the process ends).</summary>
public sealed class InMemoryFlowStore : IFlowStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, FlowDraft> _drafts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedList<int, FlowVersion>> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _aliases = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<FlowDraft?> GetDraftAsync(string flowId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_drafts.GetValueOrDefault(flowId));
        }
    }

    /// <inheritdoc />
    public Task SaveDraftAsync(FlowDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        lock (_gate)
        {
            _drafts[draft.FlowId] = draft;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> TryAddVersionAsync(FlowVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_gate)
        {
            if (!_versions.TryGetValue(version.FlowId, out var list))
            {
                _versions[version.FlowId] = list = [];
            }

            return Task.FromResult(list.TryAdd(version.Number, version));
        }
    }

    /// <inheritdoc />
    public Task<FlowVersion?> GetVersionAsync(string flowId, int number, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_versions.TryGetValue(flowId, out var list) ? list.GetValueOrDefault(number) : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FlowVersion>> ListVersionsAsync(string flowId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<FlowVersion> result = _versions.TryGetValue(flowId, out var list) ? [.. list.Values] : [];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task SetAliasAsync(string flowId, string aliasName, int number, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_aliases.TryGetValue(flowId, out var map))
            {
                _aliases[flowId] = map = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            map[aliasName] = number;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> GetAliasesAsync(string flowId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyDictionary<string, int> result = _aliases.TryGetValue(flowId, out var map)
                ? new Dictionary<string, int>(map, StringComparer.Ordinal)
                : new Dictionary<string, int>(StringComparer.Ordinal);
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFlowIdsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<string> result = _drafts.Keys.Union(_versions.Keys).Order(StringComparer.Ordinal).ToList();
            return Task.FromResult(result);
        }
    }
}
