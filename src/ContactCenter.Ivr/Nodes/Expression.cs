using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr.Nodes;

/// <summary>
/// A condition expression: a comparison <c>{"left": "${x}", "op": "&gt;=", "right": "3"}</c>, or <c>{"all": [...]}</c>
/// (and) or <c>{"any": [...]}</c> (or) of expressions. Operators: <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&gt;</c>,
/// <c>&lt;=</c>, <c>&gt;=</c> (numeric when both sides are numbers, ordinal text otherwise), <c>contains</c>,
/// <c>matches</c> (a .NET regular expression, fixed in the flow).
/// </summary>
internal abstract class Expression
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    public abstract bool Evaluate(string?[] values);

    public static Expression? Read(NodeReader reader, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            reader.Error("invalid-parameter", path, "an expression is an object: {\"left\", \"op\", \"right\"}, {\"all\": [...]} or {\"any\": [...]}");
            return null;
        }

        if (element.TryGetProperty("all", out var all) || element.TryGetProperty("any", out all))
        {
            var isAll = element.TryGetProperty("all", out _);
            var listPath = path + (isAll ? ".all" : ".any");
            if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() == 0)
            {
                reader.Error("invalid-parameter", listPath, "'all' and 'any' need a non-empty array of expressions");
                return null;
            }

            var items = new List<Expression>();
            var i = 0;
            foreach (var item in all.EnumerateArray())
            {
                var expression = Read(reader, item, JsonPaths.Index(listPath, i++));
                if (expression is not null)
                {
                    items.Add(expression);
                }
            }

            return isAll ? new AllExpression([.. items]) : new AnyExpression([.. items]);
        }

        if (!element.TryGetProperty("left", out var left) || left.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("op", out var op) || op.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("right", out var right) || right.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
        {
            reader.Error("invalid-parameter", path, "a comparison needs 'left' (string), 'op' and 'right'");
            return null;
        }

        var leftTemplate = reader.CompileTemplate(left.GetString()!, path + ".left");
        var rightText = right.ValueKind == JsonValueKind.String ? right.GetString()! : right.GetRawText();
        var operation = op.GetString()!;
        switch (operation)
        {
            case "==" or "!=" or "<" or ">" or "<=" or ">=" or "contains":
                return new Comparison(leftTemplate, operation, reader.CompileTemplate(rightText, path + ".right"));
            case "matches":
                try
                {
                    var regex = new Regex(rightText, RegexOptions.CultureInvariant, RegexTimeout);
                    return new RegexMatch(leftTemplate, regex);
                }
                catch (ArgumentException ex)
                {
                    reader.Error("invalid-regex", path + ".right", $"invalid regular expression '{rightText}': {ex.Message}");
                    return null;
                }

            default:
                reader.Error("invalid-parameter", path + ".op", $"unknown operator '{operation}' (use ==, !=, <, >, <=, >=, contains, matches)");
                return null;
        }
    }

    private sealed class AllExpression(Expression[] items) : Expression
    {
        public override bool Evaluate(string?[] values)
        {
            foreach (var item in items)
            {
                if (!item.Evaluate(values))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class AnyExpression(Expression[] items) : Expression
    {
        public override bool Evaluate(string?[] values)
        {
            foreach (var item in items)
            {
                if (item.Evaluate(values))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Comparison(Template left, string operation, Template right) : Expression
    {
        public override bool Evaluate(string?[] values)
        {
            var a = left.Render(values);
            var b = right.Render(values);
            if (operation == "contains")
            {
                return a.Contains(b, StringComparison.Ordinal);
            }

            int order;
            if (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            {
                order = x.CompareTo(y);
            }
            else
            {
                order = string.CompareOrdinal(a, b);
            }

            return operation switch
            {
                "==" => order == 0,
                "!=" => order != 0,
                "<" => order < 0,
                ">" => order > 0,
                "<=" => order <= 0,
                _ => order >= 0,
            };
        }
    }

    private sealed class RegexMatch(Template left, Regex regex) : Expression
    {
        public override bool Evaluate(string?[] values)
        {
            try
            {
                return regex.IsMatch(left.Render(values));
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
