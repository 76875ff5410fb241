namespace ContactCenter.Ivr;

/// <summary>How serious a <see cref="FlowDiagnostic"/> is.</summary>
public enum FlowDiagnosticSeverity
{
    /// <summary>The flow can run, but something looks wrong (for example a variable read before it is set).</summary>
    Warning,

    /// <summary>The flow cannot be compiled or published.</summary>
    Error,
}

/// <summary>One problem found in a flow definition.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable machine-readable code, for example <c>unknown-node-type</c>.</param>
/// <param name="NodeId">The id of the node concerned, or <see langword="null"/> for the flow itself.</param>
/// <param name="JsonPath">Where in the document, for example <c>$.nodes[3].parameters.timeZone</c>.</param>
/// <param name="Message">What is wrong, for a person.</param>
public sealed record FlowDiagnostic(FlowDiagnosticSeverity Severity, string Code, string? NodeId, string JsonPath, string Message)
{
    /// <summary>One line: <c>error: node 'menu' at $.nodes[2].transitions.1: transition to missing node 'sales'</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == FlowDiagnosticSeverity.Error ? "error" : "warning";
        return NodeId is null
            ? $"{severity} [{Code}] at {JsonPath}: {Message}"
            : $"{severity} [{Code}] node '{NodeId}' at {JsonPath}: {Message}";
    }
}

/// <summary>The outcome of validating a flow: every error and warning, in document order.</summary>
public sealed class FlowValidationResult
{
    internal FlowValidationResult(IReadOnlyList<FlowDiagnostic> diagnostics)
    {
        Diagnostics = diagnostics;
    }

    /// <summary>All diagnostics, errors and warnings.</summary>
    public IReadOnlyList<FlowDiagnostic> Diagnostics { get; }

    /// <summary>The errors only.</summary>
    public IEnumerable<FlowDiagnostic> Errors => Diagnostics.Where(d => d.Severity == FlowDiagnosticSeverity.Error);

    /// <summary>The warnings only.</summary>
    public IEnumerable<FlowDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == FlowDiagnosticSeverity.Warning);

    /// <summary><see langword="true"/> when there is no error (warnings allowed).</summary>
    public bool IsValid => !Diagnostics.Any(d => d.Severity == FlowDiagnosticSeverity.Error);
}

/// <summary>Thrown when a flow with errors is compiled or published; <see cref="Diagnostics"/> lists them.</summary>
public sealed class InvalidFlowException : Exception
{
    /// <summary>Creates the exception with no diagnostics.</summary>
    public InvalidFlowException()
        : this("The flow is invalid.")
    {
    }

    /// <summary>Creates the exception with a message and no diagnostics.</summary>
    public InvalidFlowException(string message)
        : base(message)
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception with a message, no diagnostics and an inner exception.</summary>
    public InvalidFlowException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception from the diagnostics of a failed validation.</summary>
    public InvalidFlowException(IReadOnlyList<FlowDiagnostic> diagnostics)
        : base(Describe(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Every diagnostic (errors and warnings) of the rejected flow.</summary>
    public IReadOnlyList<FlowDiagnostic> Diagnostics { get; }

    private static string Describe(IReadOnlyList<FlowDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var errors = diagnostics.Where(d => d.Severity == FlowDiagnosticSeverity.Error).ToList();
        return $"The flow has {errors.Count} error(s): " + string.Join("; ", errors.Take(5).Select(e => e.ToString()));
    }
}
