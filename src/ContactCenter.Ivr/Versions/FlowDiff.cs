using System.Text.Json;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr;

/// <summary>What kind of change a <see cref="FlowChange"/> is.</summary>
public enum FlowChangeKind
{
    /// <summary>Present only in the newer document.</summary>
    Added,

    /// <summary>Present only in the older document.</summary>
    Removed,

    /// <summary>Present in both with different values.</summary>
    Changed,
}

/// <summary>One difference between two flow documents. Nodes are matched by id, so moving a node is not a change.</summary>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Path">Where, with nodes named by id: <c>$.nodes[menu].parameters.prompt</c>.</param>
/// <param name="Before">The old value as JSON, or <see langword="null"/>.</param>
/// <param name="After">The new value as JSON, or <see langword="null"/>.</param>
public sealed record FlowChange(FlowChangeKind Kind, string Path, string? Before, string? After)
{
    /// <summary>One line: <c>~ $.nodes[menu].parameters.timeoutSeconds: 5 -&gt; 8</c>.</summary>
    public override string ToString() => Kind switch
    {
        FlowChangeKind.Added => $"+ {Path}: {After}",
        FlowChangeKind.Removed => $"- {Path}: {Before}",
        _ => $"~ {Path}: {Before} -> {After}",
    };
}

/// <summary>Compares two flow documents.</summary>
public static class FlowDiff
{
    /// <summary>The changes from <paramref name="before"/> to <paramref name="after"/> (both JSON flow documents).</summary>
    /// <exception cref="JsonException">A document is not valid JSON.</exception>
    public static IReadOnlyList<FlowChange> Compare(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        using var a = JsonDocument.Parse(before);
        using var b = JsonDocument.Parse(after);
        var changes = new List<FlowChange>();
        Compare(a.RootElement, b.RootElement, "$", changes, isRoot: true);
        return changes;
    }

    private static void Compare(JsonElement a, JsonElement b, string path, List<FlowChange> changes, bool isRoot = false)
    {
        if (a.ValueKind == JsonValueKind.Object && b.ValueKind == JsonValueKind.Object)
        {
            var names = a.EnumerateObject().Select(p => p.Name).Union(b.EnumerateObject().Select(p => p.Name)).ToList();
            foreach (var name in names)
            {
                var childPath = JsonPaths.Property(path, name);
                var inA = a.TryGetProperty(name, out var va);
                var inB = b.TryGetProperty(name, out var vb);
                if (!inA)
                {
                    changes.Add(new FlowChange(FlowChangeKind.Added, childPath, null, vb.GetRawText()));
                }
                else if (!inB)
                {
                    changes.Add(new FlowChange(FlowChangeKind.Removed, childPath, va.GetRawText(), null));
                }
                else if (isRoot && name == "nodes" && va.ValueKind == JsonValueKind.Array && vb.ValueKind == JsonValueKind.Array)
                {
                    CompareNodes(va, vb, childPath, changes);
                }
                else
                {
                    Compare(va, vb, childPath, changes);
                }
            }

            return;
        }

        if (FlowContent.Canonicalize(a) != FlowContent.Canonicalize(b))
        {
            changes.Add(new FlowChange(FlowChangeKind.Changed, path, a.GetRawText(), b.GetRawText()));
        }
    }

    private static void CompareNodes(JsonElement a, JsonElement b, string path, List<FlowChange> changes)
    {
        var before = ById(a);
        var after = ById(b);
        foreach (var (id, node) in before)
        {
            var nodePath = path + "[" + id + "]";
            if (after.TryGetValue(id, out var other))
            {
                Compare(node, other, nodePath, changes);
            }
            else
            {
                changes.Add(new FlowChange(FlowChangeKind.Removed, nodePath, node.GetRawText(), null));
            }
        }

        foreach (var (id, node) in after)
        {
            if (!before.ContainsKey(id))
            {
                changes.Add(new FlowChange(FlowChangeKind.Added, path + "[" + id + "]", null, node.GetRawText()));
            }
        }
    }

    private static List<KeyValuePair<string, JsonElement>> ByIdList(JsonElement array)
    {
        var result = new List<KeyValuePair<string, JsonElement>>();
        var i = 0;
        foreach (var node in array.EnumerateArray())
        {
            var id = node.ValueKind == JsonValueKind.Object && node.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()!
                : "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            result.Add(new(id, node));
            i++;
        }

        return result;
    }

    private static Dictionary<string, JsonElement> ById(JsonElement array)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (id, node) in ByIdList(array))
        {
            result.TryAdd(id, node);
        }

        return result;
    }
}
