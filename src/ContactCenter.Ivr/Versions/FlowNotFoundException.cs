namespace ContactCenter.Ivr;

/// <summary>
/// Thrown by an <see cref="IFlowResolver"/> that can say why a sub-flow cannot be found (for example
/// <see cref="FlowDirectoryResolver"/>: a version is named but only an unversioned file exists). The interpreter turns
/// it into a node failure (the <c>subflow</c> node's <c>error</c> branch) and the validator into a diagnostic.
/// </summary>
public sealed class FlowNotFoundException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public FlowNotFoundException()
        : this("The flow was not found.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FlowNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public FlowNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="flowId"/> at <paramref name="version"/>.</summary>
    /// <param name="flowId">The flow asked for.</param>
    /// <param name="version">The version number or alias asked for.</param>
    /// <param name="isVersionMissing"><see langword="true"/> when the flow exists but not that version or alias.</param>
    /// <param name="message">Why, for a person (which files or versions exist).</param>
    public FlowNotFoundException(string flowId, string version, bool isVersionMissing, string message)
        : base(message)
    {
        FlowId = flowId;
        Version = version;
        IsVersionMissing = isVersionMissing;
    }

    /// <summary>The flow asked for, when known.</summary>
    public string? FlowId { get; }

    /// <summary>The version number or alias asked for, when known.</summary>
    public string? Version { get; }

    /// <summary><see langword="true"/> when the flow exists but not the version or alias asked for.</summary>
    public bool IsVersionMissing { get; }
}
