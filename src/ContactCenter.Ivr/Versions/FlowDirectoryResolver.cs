using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr;

/// <summary>
/// Finds sub-flows as files in a folder and its <c>subflows</c> folder, as <c>contactcenter ivr run</c> and
/// <c>ivr validate</c> do. For <c>ID@VERSION</c> it looks, in each folder in turn, for <c>ID@VERSION.json</c> (for
/// example <c>identify@3.json</c> or <c>identify@live.json</c>), then for a <see cref="FlowLibrary"/> export
/// <c>ID.export.json</c> (its versions, aliases and draft), then for the unversioned <c>ID.json</c>, which stands for
/// <c>@live</c> only: naming any other version when only <c>ID.json</c> exists is refused with a
/// <see cref="FlowNotFoundException"/> that names the file. Files are compiled once per content.
/// </summary>
public sealed class FlowDirectoryResolver : IFlowResolver
{
    /// <summary>The file name suffix of a flow export (<see cref="FlowLibrary.ExportAsync"/>).</summary>
    public const string ExportSuffix = ".export.json";

    private readonly string _directory;
    private readonly FlowLimits _limits;
    private readonly ConcurrentDictionary<string, CompiledFlow> _compiled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<FlowLibrary>>> _exports = new(StringComparer.Ordinal);

    /// <summary>Creates a resolver over <paramref name="directory"/> (and its <c>subflows</c> folder).</summary>
    public FlowDirectoryResolver(string directory, FlowLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        _limits = limits ?? FlowLimits.Default;
        SearchFolders = [_directory, Path.Combine(_directory, "subflows")];
    }

    /// <summary>The folders searched, in order.</summary>
    public IReadOnlyList<string> SearchFolders { get; }

    /// <inheritdoc />
    /// <exception cref="FlowNotFoundException">No file provides the flow or the version; the message says which files exist.</exception>
    /// <exception cref="InvalidFlowException">The file found holds an invalid flow.</exception>
    public async ValueTask<CompiledFlow?> ResolveAsync(string flowId, string versionOrAlias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(versionOrAlias);
        if (!FlowCompiler.IsValidId(flowId) || !FlowCompiler.IsValidId(versionOrAlias))
        {
            throw new FlowNotFoundException(flowId, versionOrAlias, false, $"'{flowId}@{versionOrAlias}' is not a flow reference such as identify@live or identify@3");
        }

        foreach (var folder in SearchFolders)
        {
            var versioned = Path.Combine(folder, flowId + "@" + versionOrAlias + ".json");
            if (File.Exists(versioned))
            {
                return await CompileFileAsync(versioned, flowId, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var folder in SearchFolders)
        {
            var export = Path.Combine(folder, flowId + ExportSuffix);
            if (File.Exists(export))
            {
                return await ResolveFromExportAsync(export, flowId, versionOrAlias, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var folder in SearchFolders)
        {
            var plain = Path.Combine(folder, flowId + ".json");
            if (!File.Exists(plain))
            {
                continue;
            }

            if (versionOrAlias == FlowReference.DefaultAlias)
            {
                return await CompileFileAsync(plain, flowId, cancellationToken).ConfigureAwait(false);
            }

            throw new FlowNotFoundException(
                flowId,
                versionOrAlias,
                true,
                $"sub-flow '{flowId}' version '{versionOrAlias}' is named, but only the unversioned file {Display(plain)} exists (it stands for '@{FlowReference.DefaultAlias}'): "
                + $"add {flowId}@{versionOrAlias}.json or an export {flowId}{ExportSuffix}, or remove the version");
        }

        throw new FlowNotFoundException(
            flowId,
            versionOrAlias,
            false,
            $"sub-flow '{flowId}@{versionOrAlias}' was not found: no {flowId}@{versionOrAlias}.json, {flowId}{ExportSuffix} or {flowId}.json in {string.Join(" or ", SearchFolders.Select(Display))}");
    }

    private async Task<CompiledFlow> CompileFileAsync(string path, string flowId, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var flow = _compiled.GetOrAdd(TextKey(json), _ => Compile(json, path));
        if (flow.Id != flowId)
        {
            throw new FlowNotFoundException(flowId, string.Empty, false, $"{Display(path)} holds flow '{flow.Id}', not '{flowId}'");
        }

        return flow;
    }

    private CompiledFlow Compile(string json, string path)
    {
        try
        {
            return CompiledFlow.Compile(json, _limits);
        }
        catch (InvalidFlowException ex)
        {
            throw new InvalidFlowException($"{Display(path)}: {ex.Message}", ex);
        }
    }

    private async Task<CompiledFlow> ResolveFromExportAsync(string path, string flowId, string versionOrAlias, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var key = TextKey(text);
        var library = await _exports.GetOrAdd(key, _ => new Lazy<Task<FlowLibrary>>(() => ImportAsync(text, path))).Value.ConfigureAwait(false);
        CompiledFlow? flow;
        try
        {
            flow = await library.ResolveAsync(flowId, versionOrAlias, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidFlowException ex)
        {
            throw new InvalidFlowException($"{Display(path)} version '{versionOrAlias}': {ex.Message}", ex);
        }

        if (flow is not null)
        {
            return flow;
        }

        var known = await library.DescribeVersionsAsync(flowId, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowNotFoundException(flowId, versionOrAlias, false, $"{Display(path)} does not hold flow '{flowId}'");
        throw new FlowNotFoundException(
            flowId,
            versionOrAlias,
            true,
            $"sub-flow '{flowId}' has no version or alias '{versionOrAlias}' in {Display(path)} ({known})");
    }

    private async Task<FlowLibrary> ImportAsync(string text, string path)
    {
        var library = new FlowLibrary(new InMemoryFlowStore(), limits: _limits);
        try
        {
            await library.ImportAsync(text).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new FlowNotFoundException($"{Display(path)} is not a usable flow export: {ex.Message}", ex);
        }

        return library;
    }

    private static string TextKey(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private string Display(string path)
    {
        var relative = Path.GetRelativePath(_directory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative.Replace('\\', '/');
    }
}
