namespace ContactCenter.Ivr;

/// <summary>Limits applied when a flow document is read. The defaults suit hand-written and designer-made flows.</summary>
public sealed class FlowLimits
{
    /// <summary>The default limits.</summary>
    public static FlowLimits Default { get; } = new();

    /// <summary>The largest document accepted, in characters (default 1,048,576).</summary>
    public int MaxDocumentLength { get; init; } = 1024 * 1024;

    /// <summary>The most nodes in one flow (default 5,000).</summary>
    public int MaxNodes { get; init; } = 5000;
}
