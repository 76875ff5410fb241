using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary><c>start</c>: answers the call (unless <c>answer</c> is false) and goes on.</summary>
internal sealed class StartNode : NodeBase
{
    private readonly bool _answer;
    private readonly int _next;

    public StartNode(NodeReader reader)
        : base(reader)
    {
        _answer = reader.Bool("answer", true);
        _next = reader.Transition(TransitionNames.Next, required: true);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        if (_answer && !session.Answered)
        {
            await session.Channel.AnswerAsync(session.CancellationToken).ConfigureAwait(false);
            session.Answered = true;
        }

        return new Step(_next, TransitionNames.Next, _answer ? "answer" : "start");
    }
}

/// <summary><c>set</c>: assigns variables from templates.</summary>
internal sealed class SetNode : NodeBase
{
    private readonly (int Slot, Template Value)[] _assignments;
    private readonly int _next;

    public SetNode(NodeReader reader)
        : base(reader)
    {
        var values = reader.TemplateMap("values", required: true);
        _assignments = values
            .Select(v => (reader.WriteSlot(v.Key, JsonPaths.Property(reader.ParameterPath("values"), v.Key)), v.Value))
            .Where(a => a.Item1 >= 0)
            .ToArray();
        _next = reader.Transition(TransitionNames.Next, required: true);
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        foreach (var (slot, value) in _assignments)
        {
            session.Values[slot] = value.Render(session.Values);
        }

        return ValueTask.FromResult(new Step(_next, TransitionNames.Next, "set"));
    }
}

/// <summary><c>condition</c>: the first branch whose expression holds, else <c>default</c>.</summary>
internal sealed class ConditionNode : NodeBase
{
    private readonly (string Name, Expression When, int Next)[] _branches;
    private readonly int _default;

    public ConditionNode(NodeReader reader)
        : base(reader)
    {
        var branches = new List<(string, Expression, int)>();
        var element = reader.Element("branches", JsonValueKind.Array, required: true);
        if (element is { } array)
        {
            var i = 0;
            foreach (var branch in array.EnumerateArray())
            {
                var path = JsonPaths.Index(reader.ParameterPath("branches"), i++);
                if (branch.ValueKind != JsonValueKind.Object
                    || !branch.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String
                    || !branch.TryGetProperty("when", out var when))
                {
                    reader.Error("invalid-parameter", path, "a branch is an object with a 'name' (its transition) and a 'when' expression");
                    continue;
                }

                var name = nameElement.GetString()!;
                if (name == TransitionNames.Default || name == TransitionNames.Error)
                {
                    reader.Error("invalid-parameter", path + ".name", $"'{name}' is reserved; choose another branch name");
                    continue;
                }

                var expression = Expression.Read(reader, when, path + ".when");
                var next = reader.Transition(name, required: true);
                if (expression is not null)
                {
                    branches.Add((name, expression, next));
                }
            }

            if (i == 0)
            {
                reader.Error("missing-parameter", reader.ParameterPath("branches"), "a 'condition' node needs at least one branch");
            }
        }

        _branches = [.. branches];
        _default = reader.Transition(TransitionNames.Default, required: true);
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        foreach (var (name, when, next) in _branches)
        {
            if (when.Evaluate(session.Values))
            {
                return ValueTask.FromResult(new Step(next, name, "evaluate"));
            }
        }

        return ValueTask.FromResult(new Step(_default, TransitionNames.Default, "evaluate"));
    }
}

/// <summary><c>counter</c>: counts passes in a variable; after <c>max</c> passes takes <c>exhausted</c> and resets.</summary>
internal sealed class CounterNode : NodeBase
{
    private readonly int _slot;
    private readonly int _max;
    private readonly int _next;
    private readonly int _exhausted;

    public CounterNode(NodeReader reader)
        : base(reader)
    {
        _slot = reader.WrittenVariable("variable", required: true);
        _max = reader.Int("max", 3, 1, 1_000_000_000);
        if (!reader.Has("max"))
        {
            reader.Error("missing-parameter", reader.ParameterPath("max"), "missing required parameter 'max' for a 'counter' node");
        }

        _next = reader.Transition(TransitionNames.Next, required: true);
        _exhausted = reader.Transition(TransitionNames.Exhausted, required: true);
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var current = session.Values[_slot];
        var count = current is null ? 0 : int.TryParse(current, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        if (count >= _max)
        {
            session.Values[_slot] = "0";
            return ValueTask.FromResult(new Step(_exhausted, TransitionNames.Exhausted, "count"));
        }

        count++;
        session.Values[_slot] = count < SmallNumbers.Length ? SmallNumbers[count] : count.ToString(CultureInfo.InvariantCulture);
        return ValueTask.FromResult(new Step(_next, TransitionNames.Next, "count"));
    }

    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture))];
}

/// <summary><c>distribute</c>: picks a branch at random by percentage weights (deterministic per session id).</summary>
internal sealed class DistributeNode : NodeBase
{
    private readonly (string Name, double Cumulative, int Next)[] _branches;

    public DistributeNode(NodeReader reader)
        : base(reader)
    {
        var branches = new List<(string, double, int)>();
        var element = reader.Element("weights", JsonValueKind.Object, required: true);
        var total = 0.0;
        if (element is { } weights)
        {
            foreach (var property in weights.EnumerateObject())
            {
                var path = JsonPaths.Property(reader.ParameterPath("weights"), property.Name);
                if (property.Value.ValueKind != JsonValueKind.Number || property.Value.GetDouble() <= 0)
                {
                    reader.Error("invalid-parameter", path, "a weight must be a positive number (percent)");
                    continue;
                }

                total += property.Value.GetDouble();
                branches.Add((property.Name, total, reader.Transition(property.Name, required: true)));
            }

            if (branches.Count == 0)
            {
                reader.Error("missing-parameter", reader.ParameterPath("weights"), "a 'distribute' node needs at least one weight");
            }
            else if (Math.Abs(total - 100) > 0.001)
            {
                reader.Error("invalid-parameter", reader.ParameterPath("weights"), string.Create(CultureInfo.InvariantCulture, $"the weights add up to {total}; they must add up to 100"));
            }
        }

        _branches = [.. branches];
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var pick = session.NextRandom() * 100;
        foreach (var (name, cumulative, next) in _branches)
        {
            if (pick < cumulative)
            {
                return ValueTask.FromResult(new Step(next, name, "distribute"));
            }
        }

        var last = _branches[^1];
        return ValueTask.FromResult(new Step(last.Next, last.Name, "distribute"));
    }
}

/// <summary><c>language</c>: sets the session language and the text-to-speech voice.</summary>
internal sealed class LanguageNode : NodeBase
{
    private readonly string _language;
    private readonly string? _voice;
    private readonly int _next;

    public LanguageNode(NodeReader reader)
        : base(reader)
    {
        _language = reader.String("language", required: true) ?? string.Empty;
        if (_language.Length > 0)
        {
            try
            {
                _ = CultureInfo.GetCultureInfo(_language, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                reader.Error("invalid-parameter", reader.ParameterPath("language"), $"'{_language}' is not a known language tag (use for example en-US, fr-FR)");
            }
        }

        _voice = reader.String("voice", required: false);
        _next = reader.Transition(TransitionNames.Next, required: true);
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        session.Values[SystemVariables.LanguageSlot] = _language;
        if (_voice is not null)
        {
            session.Values[SystemVariables.VoiceSlot] = _voice;
        }

        return ValueTask.FromResult(new Step(_next, TransitionNames.Next, "set-language", _language));
    }
}

/// <summary><c>subflow</c>: runs another flow (by id and version or alias), then continues at <c>next</c>.</summary>
internal sealed class SubflowNode : NodeBase
{
    private readonly string _flow;
    private readonly string _version;
    private readonly int _next;

    public SubflowNode(NodeReader reader)
        : base(reader)
    {
        _flow = reader.String("flow", required: true) ?? string.Empty;
        if (_flow.Length > 0 && !FlowCompiler.IsValidId(_flow))
        {
            reader.Error("invalid-parameter", reader.ParameterPath("flow"), $"'{_flow}' is not a flow id (1 to 64 letters, digits, '_', '-' or '.')");
        }

        var named = reader.Has("version");
        if (reader.PeekKind("version") == JsonValueKind.Number)
        {
            _version = reader.Int("version", 1, 1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            _version = reader.String("version", required: false) ?? FlowReference.DefaultAlias;
            if (!FlowCompiler.IsValidId(_version))
            {
                reader.Error("invalid-parameter", reader.ParameterPath("version"), $"'{_version}' is not a version number or alias");
            }
        }

        _next = reader.Transition(TransitionNames.Next, required: true);
        reader.AddSubflow(new SubflowReference(reader.Id, reader.Path, _flow, _version, named));
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        session.PendingCall = new PendingCall(_flow, _version, _next);
        return ValueTask.FromResult(new Step(Step.Call, "call", "call", _flow + "@" + _version));
    }
}

/// <summary><c>return</c>: ends a sub-flow; the caller continues after its <c>subflow</c> node.</summary>
internal sealed class ReturnNode : NodeBase
{
    public ReturnNode(NodeReader reader)
        : base(reader)
    {
        reader.IsEnd = true;
    }

    public override ValueTask<Step> ExecuteAsync(IvrSession session) =>
        ValueTask.FromResult(new Step(Step.Return, "return", "return"));
}

/// <summary><c>hangup</c>: optionally plays a prompt, then hangs up.</summary>
internal sealed class HangupNode : NodeBase
{
    private readonly PromptSpec? _prompt;

    public HangupNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.Read(reader, "prompt", required: false);
        reader.IsEnd = true;
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        if (_prompt is not null)
        {
            await _prompt.PlayAsync(session, interruptible: false).ConfigureAwait(false);
        }

        await session.Channel.HangUpAsync(session.CancellationToken).ConfigureAwait(false);
        session.Outcome ??= IvrOutcome.Hangup;
        return new Step(Step.End, "hangup", "hangup");
    }
}
