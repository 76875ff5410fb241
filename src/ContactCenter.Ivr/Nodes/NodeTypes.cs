using System.Collections.Frozen;

namespace ContactCenter.Ivr.Nodes;

/// <summary>Every node type the flow format knows, with the constructor that compiles it.</summary>
internal static class NodeTypes
{
    public static FrozenDictionary<string, Func<NodeReader, NodeBase>> Builders { get; } =
        new Dictionary<string, Func<NodeReader, NodeBase>>(StringComparer.Ordinal)
        {
            ["start"] = r => new StartNode(r),
            ["play"] = r => new PlayNode(r),
            ["menu"] = r => new MenuNode(r),
            ["collect"] = r => new CollectNode(r),
            ["condition"] = r => new ConditionNode(r),
            ["set"] = r => new SetNode(r),
            ["http"] = r => new HttpNode(r),
            ["hours"] = r => new HoursNode(r),
            ["queue"] = r => new QueueNode(r),
            ["transfer"] = r => new TransferNode(r, TransferTarget.Number),
            ["extension"] = r => new TransferNode(r, TransferTarget.Extension),
            ["voicemail"] = r => new VoicemailNode(r),
            ["survey"] = r => new SurveyNode(r),
            ["language"] = r => new LanguageNode(r),
            ["distribute"] = r => new DistributeNode(r),
            ["counter"] = r => new CounterNode(r),
            ["subflow"] = r => new SubflowNode(r),
            ["return"] = r => new ReturnNode(r),
            ["hangup"] = r => new HangupNode(r),
        }.ToFrozenDictionary(StringComparer.Ordinal);
}
