using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr.Nodes;

/// <summary>
/// Reads one node's parameters and transitions while compiling: every problem becomes a diagnostic naming the node
/// id and the JSON path, and every transition, variable read and variable write is recorded for the flow-level checks
/// (reachability, path to an end, variables read before set).
/// </summary>
internal sealed class NodeReader
{
    private readonly CompileContext _context;
    private readonly JsonElement _parameters;
    private readonly JsonElement _transitions;
    private readonly HashSet<string> _usedParameters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedTransitions = new(StringComparer.Ordinal);

    public NodeReader(CompileContext context, int index, string id, string type, string path, JsonElement parameters, JsonElement transitions)
    {
        _context = context;
        Index = index;
        Id = id;
        Type = type;
        Path = path;
        _parameters = parameters;
        _transitions = transitions;
    }

    public int Index { get; }

    public string Id { get; }

    public string Type { get; }

    public string Path { get; }

    public VariableTable Variables => _context.Variables;

    public List<int> Edges { get; } = [];

    public List<(string Name, string Path)> Reads { get; } = [];

    public List<string> Writes { get; } = [];

    /// <summary>Whether the session can end at this node (for the "path to an end" check).</summary>
    public bool IsEnd { get; set; }

    public bool HasErrors { get; private set; }

    public string ParameterPath(string name) => JsonPaths.Property(Path + ".parameters", name);

    public string TransitionPath(string name) => JsonPaths.Property(Path + ".transitions", name);

    public void Error(string code, string path, string message)
    {
        HasErrors = true;
        _context.Add(new FlowDiagnostic(FlowDiagnosticSeverity.Error, code, Id, path, message));
    }

    public void Warning(string code, string path, string message) =>
        _context.Add(new FlowDiagnostic(FlowDiagnosticSeverity.Warning, code, Id, path, message));

    public JsonValueKind PeekKind(string name) =>
        _parameters.ValueKind == JsonValueKind.Object && _parameters.TryGetProperty(name, out var value) ? value.ValueKind : JsonValueKind.Undefined;

    public void AddSubflow(SubflowReference reference) => _context.Subflows.Add(reference);

    public bool Has(string name) => _parameters.ValueKind == JsonValueKind.Object && _parameters.TryGetProperty(name, out _);

    public JsonElement? Element(string name, JsonValueKind kind, bool required)
    {
        _usedParameters.Add(name);
        if (_parameters.ValueKind != JsonValueKind.Object || !_parameters.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error("missing-parameter", ParameterPath(name), $"missing required parameter '{name}' for a '{Type}' node");
            }

            return null;
        }

        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
        {
            Error("invalid-parameter", ParameterPath(name), $"parameter '{name}' must be {Describe(kind)}, not {Describe(value.ValueKind)}");
            return null;
        }

        return value;
    }

    public string? String(string name, bool required)
    {
        var element = Element(name, JsonValueKind.String, required);
        var text = element?.GetString();
        if (text is not null && text.Length == 0 && required)
        {
            Error("missing-parameter", ParameterPath(name), $"parameter '{name}' must not be empty");
            return null;
        }

        return text;
    }

    public Template? Template(string name, bool required)
    {
        var text = String(name, required);
        return text is null ? null : CompileTemplate(text, ParameterPath(name));
    }

    public Template CompileTemplate(string text, string path)
    {
        var template = Flows.Template.Compile(text, Variables, out var error);
        if (error is not null)
        {
            Error("invalid-template", path, error);
            return Flows.Template.Empty;
        }

        foreach (var read in template.Reads(Variables))
        {
            Reads.Add((read, path));
        }

        return template;
    }

    public int Int(string name, int defaultValue, int min, int max)
    {
        var element = Element(name, JsonValueKind.Number, required: false);
        if (element is null)
        {
            return defaultValue;
        }

        if (!element.Value.TryGetInt32(out var value) || value < min || value > max)
        {
            Error("invalid-parameter", ParameterPath(name), $"parameter '{name}' must be a whole number from {min} to {max}");
            return defaultValue;
        }

        return value;
    }

    /// <summary>Reads a lower and an upper bound; the upper must not be below the lower.</summary>
    public (int Low, int High) IntRange(string lowName, int lowDefault, string highName, int highDefault, int min, int max)
    {
        var low = Int(lowName, lowDefault, min, max);
        var high = Int(highName, highDefault, Math.Max(1, min), max);
        if (high < low)
        {
            Error("invalid-parameter", ParameterPath(highName), $"'{highName}' must be at least '{lowName}'");
        }

        return (low, high);
    }

    public TimeSpan Seconds(string name, double defaultSeconds, double min, double max)
    {
        var element = Element(name, JsonValueKind.Number, required: false);
        if (element is null)
        {
            return TimeSpan.FromSeconds(defaultSeconds);
        }

        var value = element.Value.GetDouble();
        if (value < min || value > max)
        {
            Error("invalid-parameter", ParameterPath(name), string.Create(CultureInfo.InvariantCulture, $"parameter '{name}' must be from {min} to {max} seconds"));
            return TimeSpan.FromSeconds(defaultSeconds);
        }

        return TimeSpan.FromSeconds(value);
    }

    public bool Bool(string name, bool defaultValue)
    {
        var element = Element(name, JsonValueKind.True, required: false);
        return element?.GetBoolean() ?? defaultValue;
    }

    /// <summary>Reads a variable name parameter the node writes to.</summary>
    public int WrittenVariable(string name, bool required)
    {
        var variable = String(name, required);
        if (variable is null)
        {
            return -1;
        }

        return WriteSlot(variable, ParameterPath(name));
    }

    public int WriteSlot(string variable, string path)
    {
        if (!Flows.Template.IsValidName(variable))
        {
            Error("invalid-variable", path, $"'{variable}' is not a valid variable name (letters, digits, '_' and '.', starting with a letter or '_')");
            return -1;
        }

        if (SystemVariables.IsSystem(variable))
        {
            Error("invalid-variable", path, $"'{variable}' is a system variable and cannot be written by a flow");
            return -1;
        }

        Writes.Add(variable);
        return Variables.Slot(variable);
    }

    /// <summary>Reads an object of string values (templates), for example headers or attached data.</summary>
    public List<(string Key, Template Value)> TemplateMap(string name, bool required)
    {
        var result = new List<(string, Template)>();
        var element = Element(name, JsonValueKind.Object, required);
        if (element is null)
        {
            return result;
        }

        foreach (var property in element.Value.EnumerateObject())
        {
            var path = JsonPaths.Property(ParameterPath(name), property.Name);
            var text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                Error("invalid-parameter", path, $"'{property.Name}' must be a string, number or boolean");
                continue;
            }

            result.Add((property.Name, CompileTemplate(text, path)));
        }

        if (required && result.Count == 0 && !HasErrors)
        {
            Error("missing-parameter", ParameterPath(name), $"parameter '{name}' must have at least one entry");
        }

        return result;
    }

    public List<string> StringList(string name)
    {
        var result = new List<string>();
        var element = Element(name, JsonValueKind.Array, required: false);
        if (element is null)
        {
            return result;
        }

        var i = 0;
        foreach (var item in element.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Error("invalid-parameter", JsonPaths.Index(ParameterPath(name), i), $"every item of '{name}' must be a string");
            }
            else
            {
                result.Add(item.GetString()!);
            }

            i++;
        }

        return result;
    }

    /// <summary>Resolves a named transition to a node index; -1 when absent (an error when required).</summary>
    public int Transition(string name, bool required)
    {
        _usedTransitions.Add(name);
        if (_transitions.ValueKind != JsonValueKind.Object || !_transitions.TryGetProperty(name, out var value))
        {
            if (required)
            {
                Error("missing-transition", TransitionPath(name), $"a '{Type}' node needs a '{name}' transition");
            }

            return -1;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error("invalid-transition", TransitionPath(name), $"transition '{name}' must name a node id");
            return -1;
        }

        var target = value.GetString()!;
        if (!_context.NodeIndex.TryGetValue(target, out var index))
        {
            Error("missing-node", TransitionPath(name), $"transition '{name}' goes to node '{target}', which does not exist");
            return -1;
        }

        Edges.Add(index);
        return index;
    }

    /// <summary>The transition names present in the document.</summary>
    public IEnumerable<string> TransitionNamesPresent() =>
        _transitions.ValueKind == JsonValueKind.Object ? _transitions.EnumerateObject().Select(p => p.Name).ToList() : [];

    /// <summary>Reports parameters and transitions the node type does not know.</summary>
    public void Finish()
    {
        if (_parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in _parameters.EnumerateObject())
            {
                if (!_usedParameters.Contains(property.Name))
                {
                    Warning("unknown-parameter", ParameterPath(property.Name), $"a '{Type}' node has no parameter '{property.Name}'; it is ignored");
                }
            }
        }

        foreach (var name in TransitionNamesPresent())
        {
            if (!_usedTransitions.Contains(name))
            {
                Error("unknown-transition", TransitionPath(name), $"a '{Type}' node has no transition '{name}'");
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
