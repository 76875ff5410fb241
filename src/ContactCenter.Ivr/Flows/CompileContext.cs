namespace ContactCenter.Ivr.Flows;

/// <summary>State shared by the node readers of one compilation.</summary>
internal sealed class CompileContext
{
    public List<FlowDiagnostic> Diagnostics { get; } = [];

    public VariableTable Variables { get; } = new();

    public Dictionary<string, int> NodeIndex { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>subflow</c> nodes' references, in document order (checked against a resolver by <see cref="FlowValidator.ValidateAsync"/>).</summary>
    public List<SubflowReference> Subflows { get; } = [];

    public void Add(FlowDiagnostic diagnostic) => Diagnostics.Add(diagnostic);

    public void Error(string code, string? nodeId, string path, string message) =>
        Add(new FlowDiagnostic(FlowDiagnosticSeverity.Error, code, nodeId, path, message));

    public void Warning(string code, string? nodeId, string path, string message) =>
        Add(new FlowDiagnostic(FlowDiagnosticSeverity.Warning, code, nodeId, path, message));
}

/// <summary>A <c>subflow</c> node's target: the flow id and version or alias, where it is written and whether the version was named.</summary>
internal sealed record SubflowReference(string NodeId, string NodePath, string FlowId, string Version, bool VersionNamed)
{
    public string FlowPath => NodePath + ".parameters.flow";

    public string VersionPath => NodePath + ".parameters.version";

    public override string ToString() => FlowId + "@" + Version;
}
