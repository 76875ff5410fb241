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
        IReadOnlyList<FlowDiagnostic> warnings)
    {
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
}
