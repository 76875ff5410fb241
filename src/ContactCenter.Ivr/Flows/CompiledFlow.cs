using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Nodes;

namespace ContactCenter.Ivr;

/// <summary>
/// A validated flow ready to run: an immutable node array with transitions resolved to indices, compiled
/// <c>${name}</c> templates and variable slots. One instance is shared by every session running the flow.
/// </summary>
public sealed class CompiledFlow
{
    private readonly (int Slot, string Value)[] _defaults;

    internal CompiledFlow(
        string id,
        string name,
        int startIndex,
        NodeBase[] nodes,
        VariableTable variables,
        (int Slot, string Value)[] defaults,
        string contentHash,
        IReadOnlyList<FlowDiagnostic> warnings,
        IReadOnlyList<SubflowReference> subflows)
    {
        Subflows = subflows;
        Id = id;
        Name = name;
        StartIndex = startIndex;
        Nodes = nodes;
        Variables = variables;
        _defaults = defaults;
        ContentHash = contentHash;
        Warnings = warnings;
    }

    /// <summary>The flow id.</summary>
    public string Id { get; }

    /// <summary>The flow's display name.</summary>
    public string Name { get; }

    /// <summary>The SHA-256 of the canonical document (<c>sha256:...</c>).</summary>
    public string ContentHash { get; }

    /// <summary>The warnings found while compiling.</summary>
    public IReadOnlyList<FlowDiagnostic> Warnings { get; }

    /// <summary>The number of nodes.</summary>
    public int NodeCount => Nodes.Length;

    internal int StartIndex { get; }

    internal NodeBase[] Nodes { get; }

    internal VariableTable Variables { get; }

    /// <summary>The sub-flows the flow's <c>subflow</c> nodes call.</summary>
    internal IReadOnlyList<SubflowReference> Subflows { get; }

    /// <summary>Compiles a flow document; throws <see cref="InvalidFlowException"/> listing every error.</summary>
    public static CompiledFlow Compile(string json, FlowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var flow = FlowCompiler.Compile(json, limits ?? FlowLimits.Default, out var diagnostics);
        return flow ?? throw new InvalidFlowException(diagnostics);
    }

    internal string?[] NewValues()
    {
        var values = new string?[Variables.Count];
        foreach (var (slot, value) in _defaults)
        {
            values[slot] = value;
        }

        return values;
    }
}

/// <summary>Checks flow documents: every error and warning with the node id and the JSON path.</summary>
public static class FlowValidator
{
    /// <summary>Validates <paramref name="json"/> and returns all diagnostics.</summary>
    public static FlowValidationResult Validate(string json, FlowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        FlowCompiler.Compile(json, limits ?? FlowLimits.Default, out var diagnostics);
        return new FlowValidationResult(diagnostics);
    }

    /// <summary>
    /// Validates <paramref name="json"/> and checks every <c>subflow</c> node against <paramref name="resolver"/>: a
    /// flow, version or alias it cannot find is a <c>missing-subflow</c> error, a sub-flow that does not compile an
    /// <c>invalid-subflow</c> error, each with the node id and the JSON path of its <c>flow</c> (or <c>version</c>)
    /// parameter. Sub-flows called by sub-flows are checked too (reported on the calling node of this flow).
    /// </summary>
    public static async Task<FlowValidationResult> ValidateAsync(string json, IFlowResolver resolver, FlowLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(resolver);
        var context = new CompileContext();
        FlowCompiler.Compile(json, limits ?? FlowLimits.Default, context);
        var references = context.Subflows.Where(r => FlowCompiler.IsValidId(r.FlowId) && FlowCompiler.IsValidId(r.Version)).ToList();
        foreach (var reference in references)
        {
            var (flow, code, problem, versionMissing) = await TryResolveAsync(resolver, reference, cancellationToken).ConfigureAwait(false);
            if (flow is null)
            {
                var path = versionMissing && reference.VersionNamed ? reference.VersionPath : reference.FlowPath;
                context.Error(code, reference.NodeId, path, problem);
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal) { reference.ToString() };
            var pending = new Queue<(CompiledFlow Flow, string Via)>();
            pending.Enqueue((flow, reference.ToString()));
            while (pending.TryDequeue(out var item))
            {
                foreach (var nested in item.Flow.Subflows)
                {
                    if (!seen.Add(nested.ToString()))
                    {
                        continue;
                    }

                    var (callee, nestedCode, nestedProblem, _) = await TryResolveAsync(resolver, nested, cancellationToken).ConfigureAwait(false);
                    if (callee is null)
                    {
                        context.Error(nestedCode, reference.NodeId, reference.FlowPath, $"sub-flow '{item.Via}' calls '{nested}' (node '{nested.NodeId}'): {nestedProblem}");
                    }
                    else
                    {
                        pending.Enqueue((callee, item.Via + " > " + nested));
                    }
                }
            }
        }

        return new FlowValidationResult(context.Diagnostics);
    }

    private static async Task<(CompiledFlow? Flow, string Code, string Problem, bool VersionMissing)> TryResolveAsync(IFlowResolver resolver, SubflowReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var flow = await resolver.ResolveAsync(reference.FlowId, reference.Version, cancellationToken).ConfigureAwait(false);
            if (flow is not null)
            {
                return (flow, string.Empty, string.Empty, false);
            }

            if (resolver is FlowLibrary library && await library.DescribeVersionsAsync(reference.FlowId, cancellationToken).ConfigureAwait(false) is { } known)
            {
                return (null, "missing-subflow", $"sub-flow '{reference.FlowId}' has no version or alias '{reference.Version}' ({known})", true);
            }

            return (null, "missing-subflow", $"sub-flow '{reference}' was not found (no such flow, version or alias)", false);
        }
        catch (FlowNotFoundException ex)
        {
            return (null, "missing-subflow", ex.Message, ex.IsVersionMissing);
        }
        catch (InvalidFlowException ex)
        {
            return (null, "invalid-subflow", $"sub-flow '{reference}' is invalid: {ex.Message}", false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, "missing-subflow", $"sub-flow '{reference}' could not be read: {ex.Message}", false);
        }
    }
}
