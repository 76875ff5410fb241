using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr;

/// <summary>
/// Drafts, immutable published versions and aliases of flows over an <see cref="IFlowStore"/>. A phone number is
/// bound to <c>flow@3</c> or <c>flow@live</c>; rollout and rollback move the alias. Also diffs versions, exports and
/// imports a flow's history, and resolves sub-flows for the interpreter (compiled once per content hash).
/// </summary>
public sealed class FlowLibrary : IFlowResolver
{
    /// <summary>The version reference that names the draft.</summary>
    public const string Draft = "draft";

    private const string ExportFormat = "contactcenter.ivr.export/1";

    private readonly IFlowStore _store;
    private readonly TimeProvider _time;
    private readonly FlowLimits _limits;
    private readonly ConcurrentDictionary<string, CompiledFlow> _compiled = new(StringComparer.Ordinal);
    // Published versions never change: each is read from the store and compiled once.
    private readonly ConcurrentDictionary<(string FlowId, int Number), CompiledFlow> _published = new();
    private readonly ConcurrentDictionary<string, (IReadOnlyDictionary<string, int> Aliases, long ReadAt)> _aliases = new(StringComparer.Ordinal);

    /// <summary>Creates a library over <paramref name="store"/>.</summary>
    public FlowLibrary(IFlowStore store, TimeProvider? timeProvider = null, FlowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _limits = limits ?? FlowLimits.Default;
    }

    /// <summary>
    /// How long <see cref="ResolveAsync(string, string, CancellationToken)"/> (every call that enters a flow) reuses the
    /// aliases it read for a flow before reading them from the store again (default 1 s; zero reads them every time).
    /// Changes made through this library apply at once; this bounds how late a change made elsewhere (another host on
    /// the same database) is seen. Without it, each call cost a store read for the aliases and one for the version.
    /// </summary>
    public TimeSpan AliasRefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Saves <paramref name="json"/> as the draft of the flow it names; returns its validation (a draft may be invalid).</summary>
    /// <exception cref="InvalidFlowException">The document has no readable flow id.</exception>
    public async Task<FlowValidationResult> SaveDraftAsync(string json, string author, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(author);
        var flowId = ReadFlowId(json);
        var validation = FlowValidator.Validate(json, _limits);
        await _store.SaveDraftAsync(new FlowDraft(flowId, json, author, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return validation;
    }

    /// <summary>Publishes the draft as the next immutable version.</summary>
    /// <exception cref="InvalidOperationException">There is no draft, or it is identical to the latest version.</exception>
    /// <exception cref="InvalidFlowException">The draft has errors.</exception>
    public async Task<FlowVersion> PublishAsync(string flowId, string note, string author, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(author);
        var draft = await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"flow '{flowId}' has no draft to publish");
        var flow = CompiledFlow.Compile(draft.Content, _limits);
        while (true)
        {
            var versions = await _store.ListVersionsAsync(flowId, cancellationToken).ConfigureAwait(false);
            if (versions.Count > 0 && versions[^1].ContentHash == flow.ContentHash)
            {
                throw new InvalidOperationException($"the draft of flow '{flowId}' is identical to version {versions[^1].Number}; nothing to publish");
            }

            var number = versions.Count == 0 ? 1 : versions[^1].Number + 1;
            var version = new FlowVersion(flowId, number, note, author, _time.GetUtcNow(), flow.ContentHash, draft.Content);
            if (await _store.TryAddVersionAsync(version, cancellationToken).ConfigureAwait(false))
            {
                _compiled.TryAdd(flow.ContentHash, flow);
                return version;
            }

            // Someone else published the same number first: take the next one.
        }
    }

    /// <summary>Points <paramref name="alias"/> at version <paramref name="number"/> (rollout or rollback).</summary>
    /// <exception cref="ArgumentException">The alias name is invalid (a number or <c>draft</c>).</exception>
    /// <exception cref="KeyNotFoundException">The version does not exist.</exception>
    public async Task SetAliasAsync(string flowId, string alias, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(alias);
        if (!FlowCompiler.IsValidId(alias) || alias == Draft || int.TryParse(alias, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"'{alias}' is not a valid alias (letters, digits, '_', '-', '.', not a number, not 'draft')", nameof(alias));
        }

        _ = await _store.GetVersionAsync(flowId, number, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"flow '{flowId}' has no version {number}");
        await _store.SetAliasAsync(flowId, alias, number, cancellationToken).ConfigureAwait(false);
        _aliases.TryRemove(flowId, out _);
    }

    /// <summary>Moves <paramref name="alias"/> back to the version published before the one it points at; returns that version.</summary>
    /// <exception cref="InvalidOperationException">The alias is unset or already at the first version.</exception>
    public async Task<FlowVersion> RollbackAsync(string flowId, string alias, CancellationToken cancellationToken = default)
    {
        var aliases = await _store.GetAliasesAsync(flowId, cancellationToken).ConfigureAwait(false);
        if (!aliases.TryGetValue(alias, out var current))
        {
            throw new InvalidOperationException($"alias '{alias}' of flow '{flowId}' is not set");
        }

        var versions = await _store.ListVersionsAsync(flowId, cancellationToken).ConfigureAwait(false);
        var previous = versions.LastOrDefault(v => v.Number < current)
            ?? throw new InvalidOperationException($"alias '{alias}' of flow '{flowId}' is at its first version ({current}); there is nothing to roll back to");
        await _store.SetAliasAsync(flowId, alias, previous.Number, cancellationToken).ConfigureAwait(false);
        _aliases.TryRemove(flowId, out _);
        return previous;
    }

    /// <summary>The aliases of a flow.</summary>
    public Task<IReadOnlyDictionary<string, int>> GetAliasesAsync(string flowId, CancellationToken cancellationToken = default) =>
        _store.GetAliasesAsync(flowId, cancellationToken);

    /// <summary>All versions of a flow, oldest first.</summary>
    public Task<IReadOnlyList<FlowVersion>> ListVersionsAsync(string flowId, CancellationToken cancellationToken = default) =>
        _store.ListVersionsAsync(flowId, cancellationToken);

    /// <summary>The document for a reference: a version number, an alias, or <c>draft</c>; <see langword="null"/> if there is none.</summary>
    public async Task<string?> GetContentAsync(string flowId, string versionOrAlias, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versionOrAlias);
        if (versionOrAlias == Draft)
        {
            return (await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false))?.Content;
        }

        return (await GetVersionAsync(flowId, versionOrAlias, cancellationToken).ConfigureAwait(false))?.Content;
    }

    /// <summary>A published version by number or alias, or <see langword="null"/>.</summary>
    public async Task<FlowVersion?> GetVersionAsync(string flowId, string versionOrAlias, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versionOrAlias);
        if (!int.TryParse(versionOrAlias, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            var aliases = await _store.GetAliasesAsync(flowId, cancellationToken).ConfigureAwait(false);
            if (!aliases.TryGetValue(versionOrAlias, out number))
            {
                return null;
            }
        }

        return await _store.GetVersionAsync(flowId, number, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The changes between two references (numbers, aliases or <c>draft</c>).</summary>
    /// <exception cref="KeyNotFoundException">A reference does not exist.</exception>
    public async Task<IReadOnlyList<FlowChange>> DiffAsync(string flowId, string from, string to, CancellationToken cancellationToken = default)
    {
        var before = await GetContentAsync(flowId, from, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"flow '{flowId}' has no version '{from}'");
        var after = await GetContentAsync(flowId, to, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"flow '{flowId}' has no version '{to}'");
        return FlowDiff.Compare(before, after);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A published version is read and compiled once; an alias is looked up in aliases at most
    /// <see cref="AliasRefreshInterval"/> old. The draft is read every time.
    /// </remarks>
    public async ValueTask<CompiledFlow?> ResolveAsync(string flowId, string versionOrAlias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(versionOrAlias);
        if (versionOrAlias == Draft)
        {
            var draft = (await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false))?.Content;
            return draft is null ? null : Compiled(draft);
        }

        if (!int.TryParse(versionOrAlias, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            var aliases = await AliasesForCallsAsync(flowId, cancellationToken).ConfigureAwait(false);
            if (!aliases.TryGetValue(versionOrAlias, out number))
            {
                return null;
            }
        }

        if (_published.TryGetValue((flowId, number), out var compiled))
        {
            return compiled;
        }

        var version = await _store.GetVersionAsync(flowId, number, cancellationToken).ConfigureAwait(false);
        return version is null ? null : _published.GetOrAdd((flowId, number), Compiled(version.Content));
    }

    private CompiledFlow Compiled(string content) => _compiled.GetOrAdd(FlowContent.Hash(content), _ => CompiledFlow.Compile(content, _limits));

    private async ValueTask<IReadOnlyDictionary<string, int>> AliasesForCallsAsync(string flowId, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (AliasRefreshInterval > TimeSpan.Zero && _aliases.TryGetValue(flowId, out var cached)
            && _time.GetElapsedTime(cached.ReadAt, now) < AliasRefreshInterval)
        {
            return cached.Aliases;
        }

        var aliases = await _store.GetAliasesAsync(flowId, cancellationToken).ConfigureAwait(false);
        _aliases[flowId] = (aliases, now);
        return aliases;
    }

    /// <summary>Resolves what a phone number is bound to (<c>flow@live</c>, <c>flow@3</c>); <see langword="null"/> if it does not exist.</summary>
    public ValueTask<CompiledFlow?> ResolveAsync(FlowReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return ResolveAsync(reference.FlowId, reference.Version, cancellationToken);
    }

    /// <summary>What a flow has, for error messages (<c>versions: 1, 2; aliases: live=1</c>); <see langword="null"/> when the flow has no version and no draft.</summary>
    internal async Task<string?> DescribeVersionsAsync(string flowId, CancellationToken cancellationToken)
    {
        var versions = await _store.ListVersionsAsync(flowId, cancellationToken).ConfigureAwait(false);
        var draft = await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0 && draft is null)
        {
            return null;
        }

        var aliases = await _store.GetAliasesAsync(flowId, cancellationToken).ConfigureAwait(false);
        var numbers = versions.Count == 0 ? "none" : string.Join(", ", versions.Select(v => v.Number.ToString(CultureInfo.InvariantCulture)));
        var names = aliases.Count == 0 ? "none" : string.Join(", ", aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value.ToString(CultureInfo.InvariantCulture)));
        return $"versions: {numbers}; aliases: {names}" + (draft is null ? string.Empty : "; a draft");
    }

    /// <summary>Exports a flow's draft, versions and aliases as one JSON document.</summary>
    public async Task<string> ExportAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var draft = await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false);
        var versions = await _store.ListVersionsAsync(flowId, cancellationToken).ConfigureAwait(false);
        var aliases = await _store.GetAliasesAsync(flowId, cancellationToken).ConfigureAwait(false);
        if (draft is null && versions.Count == 0)
        {
            throw new KeyNotFoundException($"flow '{flowId}' does not exist");
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", ExportFormat);
            writer.WriteString("flowId", flowId);
            if (draft is not null)
            {
                writer.WriteStartObject("draft");
                writer.WriteString("author", draft.Author);
                writer.WriteString("savedAt", draft.SavedAt);
                writer.WriteString("content", draft.Content);
                writer.WriteEndObject();
            }

            writer.WriteStartArray("versions");
            foreach (var version in versions)
            {
                writer.WriteStartObject();
                writer.WriteNumber("number", version.Number);
                writer.WriteString("note", version.Note);
                writer.WriteString("author", version.Author);
                writer.WriteString("publishedAt", version.PublishedAt);
                writer.WriteString("contentHash", version.ContentHash);
                writer.WriteString("content", version.Content);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("aliases");
            foreach (var (alias, number) in aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(alias, number);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Imports an export: versions missing here are added (their content hashes are checked), identical ones are
    /// skipped, aliases are set, and the draft is taken when there is none here. Returns the number of versions added.
    /// </summary>
    /// <exception cref="FormatException">The document is not an export, a hash does not match, or a version number here has other content.</exception>
    public async Task<int> ImportAsync(string export, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(export);
        using var document = ParseExport(export);
        var root = document.RootElement;
        var flowId = root.GetProperty("flowId").GetString()!;
        var added = 0;
        var i = 0;
        foreach (var item in root.GetProperty("versions").EnumerateArray())
        {
            var where = $"$.versions[{i++}]";
            var version = new FlowVersion(
                flowId,
                item.GetProperty("number").GetInt32(),
                item.GetProperty("note").GetString() ?? string.Empty,
                item.GetProperty("author").GetString() ?? string.Empty,
                item.GetProperty("publishedAt").GetDateTimeOffset(),
                item.GetProperty("contentHash").GetString() ?? string.Empty,
                item.GetProperty("content").GetString() ?? string.Empty);
            if (FlowContent.Hash(version.Content) != version.ContentHash)
            {
                throw new FormatException($"{where}: the content of version {version.Number} does not match its hash {version.ContentHash}");
            }

            var existing = await _store.GetVersionAsync(flowId, version.Number, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (existing.ContentHash != version.ContentHash)
                {
                    throw new FormatException($"{where}: version {version.Number} of flow '{flowId}' already exists here with other content");
                }

                continue;
            }

            if (await _store.TryAddVersionAsync(version, cancellationToken).ConfigureAwait(false))
            {
                added++;
            }
        }

        if (root.TryGetProperty("aliases", out var aliases))
        {
            foreach (var alias in aliases.EnumerateObject())
            {
                await SetAliasAsync(flowId, alias.Name, alias.Value.GetInt32(), cancellationToken).ConfigureAwait(false);
            }
        }

        if (root.TryGetProperty("draft", out var draft)
            && await _store.GetDraftAsync(flowId, cancellationToken).ConfigureAwait(false) is null)
        {
            await _store.SaveDraftAsync(
                new FlowDraft(flowId, draft.GetProperty("content").GetString()!, draft.GetProperty("author").GetString()!, draft.GetProperty("savedAt").GetDateTimeOffset()),
                cancellationToken).ConfigureAwait(false);
        }

        return added;
    }

    private static JsonDocument ParseExport(string export)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(export);
        }
        catch (JsonException ex)
        {
            throw new FormatException("the export is not valid JSON: " + ex.Message, ex);
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format) || format.GetString() != ExportFormat
            || !root.TryGetProperty("flowId", out var id) || id.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("versions", out var versions) || versions.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new FormatException($"the document is not a flow export (expected format '{ExportFormat}', 'flowId' and 'versions')");
        }

        return document;
    }

    private static string ReadFlowId(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var id)
                && id.ValueKind == JsonValueKind.String
                && FlowCompiler.IsValidId(id.GetString()!))
            {
                return id.GetString()!;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidFlowException([new FlowDiagnostic(FlowDiagnosticSeverity.Error, "invalid-json", null, "$", ex.Message)]);
        }

        throw new InvalidFlowException([new FlowDiagnostic(FlowDiagnosticSeverity.Error, "missing-property", null, "$.id", "a flow needs a valid 'id' to be saved")]);
    }
}
