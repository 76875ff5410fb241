namespace ContactCenter.Ivr.Flows;

/// <summary>State shared by the node readers of one compilation.</summary>
internal sealed class CompileContext
{
    public List<FlowDiagnostic> Diagnostics { get; } = [];

    public VariableTable Variables { get; } = new();

    public Dictionary<string, int> NodeIndex { get; } = new(StringComparer.Ordinal);

    public void Add(FlowDiagnostic diagnostic) => Diagnostics.Add(diagnostic);

    public void Error(string code, string? nodeId, string path, string message) =>
        Add(new FlowDiagnostic(FlowDiagnosticSeverity.Error, code, nodeId, path, message));

    public void Warning(string code, string? nodeId, string path, string message) =>
        Add(new FlowDiagnostic(FlowDiagnosticSeverity.Warning, code, nodeId, path, message));
}
