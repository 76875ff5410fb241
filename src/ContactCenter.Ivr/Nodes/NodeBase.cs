using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary>A compiled node: parameters parsed, templates compiled, transitions resolved to node indices.</summary>
internal abstract class NodeBase
{
    protected NodeBase(NodeReader reader)
    {
        Id = reader.Id;
        Type = reader.Type;
        Index = reader.Index;
        ErrorIndex = reader.Transition(TransitionNames.Error, required: false);
    }

    public string Id { get; }

    public string Type { get; }

    public int Index { get; }

    /// <summary>The node taken when this one fails, or -1.</summary>
    public int ErrorIndex { get; }

    /// <summary>Whether a template of this node reads <c>sys.now</c> (refreshed only for such nodes).</summary>
    public bool ReadsNow { get; set; }

    public abstract ValueTask<Step> ExecuteAsync(IvrSession session);
}

/// <summary>Transition names shared by several node types.</summary>
internal static class TransitionNames
{
    public const string Next = "next";
    public const string Error = "error";
    public const string Failed = "failed";
    public const string Timeout = "timeout";
    public const string Invalid = "invalid";
    public const string Selected = "selected";
    public const string Default = "default";
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Overflow = "overflow";
    public const string Exhausted = "exhausted";
}
