using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Nodes;

namespace ContactCenter.Ivr.Flows;

/// <summary>
/// Reads a flow document, reports every problem with node id and JSON path, and builds the shared
/// <see cref="CompiledFlow"/> (node array with resolved transition indices, compiled templates, variable slots).
/// </summary>
internal static class FlowCompiler
{
    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal) { "id", "name", "start", "variables", "nodes", "description", "$schema" };

    public static CompiledFlow? Compile(string json, FlowLimits limits, out List<FlowDiagnostic> diagnostics)
    {
        var context = new CompileContext();
        diagnostics = context.Diagnostics;
        return Compile(json, limits, context);
    }

    /// <summary>Compiles into <paramref name="context"/>, which keeps the diagnostics and the sub-flow references.</summary>
    public static CompiledFlow? Compile(string json, FlowLimits limits, CompileContext context)
    {
        if (json.Length > limits.MaxDocumentLength)
        {
            context.Error("too-large", null, "$", $"the document has {json.Length} characters; the limit is {limits.MaxDocumentLength}");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {ex.BytePositionInLine + 1})")
                : string.Empty;
            context.Error("invalid-json", null, ex.Path ?? "$", "the document is not valid JSON" + where + ": " + FirstSentence(ex.Message));
            return null;
        }

        using (document)
        {
            return Compile(document.RootElement, limits, context);
        }
    }

    private static CompiledFlow? Compile(JsonElement root, FlowLimits limits, CompileContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            context.Error("invalid-flow", null, "$", "a flow must be a JSON object");
            return null;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!TopLevel.Contains(property.Name))
            {
                context.Warning("unknown-property", null, JsonPaths.Property("$", property.Name), $"unknown property '{property.Name}' is ignored");
            }
        }

        var id = RequiredString(root, "id", context);
        if (id is not null && !IsValidId(id))
        {
            context.Error("invalid-id", null, "$.id", $"flow id '{id}' must be 1 to 64 letters, digits, '_', '-' or '.'");
        }

        var name = OptionalString(root, "name", context) ?? id ?? string.Empty;
        var start = RequiredString(root, "start", context);
        var defaults = ReadVariables(root, context);

        if (!root.TryGetProperty("nodes", out var nodesElement) || nodesElement.ValueKind != JsonValueKind.Array)
        {
            context.Error("missing-property", null, "$.nodes", "a flow needs a 'nodes' array");
            return null;
        }

        var count = nodesElement.GetArrayLength();
        if (count == 0)
        {
            context.Error("missing-property", null, "$.nodes", "a flow needs at least one node");
            return null;
        }

        if (count > limits.MaxNodes)
        {
            context.Error("too-large", null, "$.nodes", $"the flow has {count} nodes; the limit is {limits.MaxNodes}");
            return null;
        }

        // Pass 1: ids and types.
        var nodes = nodesElement.EnumerateArray().ToArray();
        var ids = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var path = JsonPaths.Index("$.nodes", i);
            var node = nodes[i];
            if (node.ValueKind != JsonValueKind.Object)
            {
                context.Error("invalid-node", null, path, "a node must be a JSON object");
                continue;
            }

            if (!node.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || idElement.GetString()!.Length == 0)
            {
                context.Error("missing-property", null, path + ".id", "a node needs an 'id' string");
                continue;
            }

            var nodeId = idElement.GetString()!;
            if (!IsValidId(nodeId))
            {
                context.Error("invalid-id", nodeId, path + ".id", $"node id '{nodeId}' must be 1 to 64 letters, digits, '_', '-' or '.'");
            }

            if (!context.NodeIndex.TryAdd(nodeId, i))
            {
                context.Error("duplicate-node", nodeId, path + ".id", $"node id '{nodeId}' is used by more than one node (first at $.nodes[{context.NodeIndex[nodeId]}])");
                continue;
            }

            ids[i] = nodeId;
        }

        // Pass 2: build every node.
        var built = new NodeBase?[count];
        var readers = new NodeReader?[count];
        for (var i = 0; i < count; i++)
        {
            if (ids[i] is not { } nodeId)
            {
                continue;
            }

            var path = JsonPaths.Index("$.nodes", i);
            var node = nodes[i];
            if (!node.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                context.Error("missing-property", nodeId, path + ".type", "a node needs a 'type' string");
                continue;
            }

            var type = typeElement.GetString()!;
            if (!NodeTypes.Builders.TryGetValue(type, out var builder))
            {
                context.Error("unknown-node-type", nodeId, path + ".type", $"unknown node type '{type}' (known: {string.Join(", ", NodeTypes.Builders.Keys)})");
                continue;
            }

            var parameters = Section(node, "parameters", nodeId, path, context);
            var transitions = Section(node, "transitions", nodeId, path, context);
            foreach (var property in node.EnumerateObject())
            {
                if (property.Name is not ("id" or "type" or "parameters" or "transitions" or "description" or "label"))
                {
                    context.Warning("unknown-property", nodeId, JsonPaths.Property(path, property.Name), $"unknown node property '{property.Name}' (parameters go under 'parameters', transitions under 'transitions')");
                }
            }

            var reader = new NodeReader(context, i, nodeId, type, path, parameters, transitions);
            var compiled = builder(reader);
            reader.Finish();
            compiled.ReadsNow = reader.Reads.Exists(r => r.Name == SystemVariables.Now);
            built[i] = compiled;
            readers[i] = reader;
        }

        var startIndex = -1;
        if (start is not null && !context.NodeIndex.TryGetValue(start, out startIndex))
        {
            context.Error("missing-node", null, "$.start", $"start node '{start}' does not exist");
            startIndex = -1;
        }

        if (startIndex >= 0 && readers.All(r => r is not null))
        {
            CheckGraph(readers!, startIndex, context);
            CheckVariables(readers!, startIndex, defaults.Select(d => d.Name), context);
        }

        if (context.Diagnostics.Exists(d => d.Severity == FlowDiagnosticSeverity.Error))
        {
            return null;
        }

        var values = defaults.Select(d => (context.Variables.Slot(d.Name), d.Value)).ToArray();
        return new CompiledFlow(id!, name, startIndex, built!, context.Variables, values, FlowContent.Hash(root), [.. context.Diagnostics], [.. context.Subflows]);
    }

    private static void CheckGraph(NodeReader[] readers, int start, CompileContext context)
    {
        var count = readers.Length;
        var reachable = new bool[count];
        var stack = new Stack<int>();
        stack.Push(start);
        reachable[start] = true;
        while (stack.Count > 0)
        {
            foreach (var next in readers[stack.Pop()].Edges)
            {
                if (!reachable[next])
                {
                    reachable[next] = true;
                    stack.Push(next);
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (!reachable[i])
            {
                context.Error("unreachable-node", readers[i].Id, readers[i].Path, $"node '{readers[i].Id}' cannot be reached from the start node");
            }
        }

        // Reverse search from every end.
        var predecessors = new List<int>[count];
        for (var i = 0; i < count; i++)
        {
            predecessors[i] = [];
        }

        for (var i = 0; i < count; i++)
        {
            foreach (var next in readers[i].Edges)
            {
                predecessors[next].Add(i);
            }
        }

        var reachesEnd = new bool[count];
        for (var i = 0; i < count; i++)
        {
            if (readers[i].IsEnd)
            {
                reachesEnd[i] = true;
                stack.Push(i);
            }
        }

        if (stack.Count == 0)
        {
            context.Error("no-end", null, "$.nodes", "the flow has no end: add a 'hangup' node (or a transfer, queue or voicemail node)");
            return;
        }

        while (stack.Count > 0)
        {
            foreach (var previous in predecessors[stack.Pop()])
            {
                if (!reachesEnd[previous])
                {
                    reachesEnd[previous] = true;
                    stack.Push(previous);
                }
            }
        }

        if (!reachesEnd[start])
        {
            context.Error("no-path-to-end", readers[start].Id, "$.start", "there is no path from the start node to an end");
        }

        for (var i = 0; i < count; i++)
        {
            if (reachable[i] && !reachesEnd[i] && i != start)
            {
                context.Error("no-path-to-end", readers[i].Id, readers[i].Path, $"no path leads from node '{readers[i].Id}' to an end (the call would loop forever)");
            }
        }
    }

    /// <summary>Must-be-set analysis: a variable read at a node where some path from the start has not set it is a warning.</summary>
    private static void CheckVariables(NodeReader[] readers, int start, IEnumerable<string> defaults, CompileContext context)
    {
        var count = readers.Length;
        var initial = new HashSet<string>(defaults, StringComparer.Ordinal);
        var setIn = new HashSet<string>?[count];
        setIn[start] = initial;
        var work = new Queue<int>();
        work.Enqueue(start);
        var iterations = 0;
        while (work.Count > 0 && iterations++ < 100_000)
        {
            var node = work.Dequeue();
            var setOut = new HashSet<string>(setIn[node]!, StringComparer.Ordinal);
            setOut.UnionWith(readers[node].Writes);
            foreach (var next in readers[node].Edges)
            {
                if (setIn[next] is null)
                {
                    setIn[next] = new HashSet<string>(setOut, StringComparer.Ordinal);
                    if (next == start)
                    {
                        setIn[next]!.IntersectWith(initial);
                    }

                    work.Enqueue(next);
                }
                else
                {
                    var before = setIn[next]!.Count;
                    setIn[next]!.IntersectWith(setOut);
                    if (setIn[next]!.Count != before)
                    {
                        work.Enqueue(next);
                    }
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (setIn[i] is not { } set)
            {
                continue;
            }

            foreach (var (name, path) in readers[i].Reads)
            {
                if (!SystemVariables.IsSystem(name) && !set.Contains(name))
                {
                    context.Warning("variable-before-set", readers[i].Id, path, $"variable '{name}' may be read before anything sets it (declare it under 'variables' to give it a default)");
                }
            }
        }
    }

    private static JsonElement Section(JsonElement node, string name, string nodeId, string path, CompileContext context)
    {
        if (!node.TryGetProperty(name, out var section) || section.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        if (section.ValueKind != JsonValueKind.Object)
        {
            context.Error("invalid-node", nodeId, path + "." + name, $"'{name}' must be a JSON object");
            return default;
        }

        return section;
    }

    private static List<(string Name, string Value)> ReadVariables(JsonElement root, CompileContext context)
    {
        var result = new List<(string, string)>();
        if (!root.TryGetProperty("variables", out var variables) || variables.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (variables.ValueKind != JsonValueKind.Object)
        {
            context.Error("invalid-property", null, "$.variables", "'variables' must be an object of name to default value");
            return result;
        }

        foreach (var property in variables.EnumerateObject())
        {
            var path = JsonPaths.Property("$.variables", property.Name);
            if (!Template.IsValidName(property.Name) || SystemVariables.IsSystem(property.Name))
            {
                context.Error("invalid-variable", null, path, $"'{property.Name}' is not a valid flow variable name");
                continue;
            }

            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (value is null)
            {
                context.Error("invalid-variable", null, path, $"the default of variable '{property.Name}' must be a string, number or boolean");
                continue;
            }

            result.Add((property.Name, value));
        }

        return result;
    }

    private static string? RequiredString(JsonElement root, string name, CompileContext context)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
        {
            context.Error("missing-property", null, "$." + name, $"a flow needs a non-empty '{name}' string");
            return null;
        }

        return value.GetString();
    }

    private static string? OptionalString(JsonElement root, string name, CompileContext context)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            context.Error("invalid-property", null, "$." + name, $"'{name}' must be a string");
            return null;
        }

        return value.GetString();
    }

    internal static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
