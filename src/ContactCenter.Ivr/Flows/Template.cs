using System.Text;

namespace ContactCenter.Ivr.Flows;

/// <summary>
/// A string with <c>${name}</c> placeholders, compiled once per flow into literal parts and variable slots.
/// Rendering reads the session's slot array; an unset variable renders as the empty string.
/// <c>$${</c> writes a literal <c>${</c>.
/// </summary>
internal sealed class Template
{
    private static readonly Template EmptyTemplate = new([], string.Empty);

    // Each part is either a literal (Slot == -1) or a variable slot.
    private readonly (string Literal, int Slot)[] _parts;

    private Template((string Literal, int Slot)[] parts, string source)
    {
        _parts = parts;
        Source = source;
    }

    public static Template Empty => EmptyTemplate;

    public string Source { get; }

    /// <summary>The variable names the template reads.</summary>
    public IEnumerable<string> Reads(VariableTable table) =>
        _parts.Where(p => p.Slot >= 0).Select(p => table.Names[p.Slot]);

    public bool IsConstant => _parts.All(p => p.Slot < 0);

    /// <summary>Compiles <paramref name="source"/>; returns an error message for a malformed placeholder.</summary>
    public static Template Compile(string source, VariableTable table, out string? error)
    {
        error = null;
        if (source.Length == 0)
        {
            return EmptyTemplate;
        }

        var parts = new List<(string, int)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < source.Length)
        {
            if (source[i] == '$' && i + 2 < source.Length && source[i + 1] == '$' && source[i + 2] == '{')
            {
                literal.Append("${");
                i += 3;
                continue;
            }

            if (source[i] == '$' && i + 1 < source.Length && source[i + 1] == '{')
            {
                var close = source.IndexOf('}', i + 2);
                if (close < 0)
                {
                    error = $"unclosed placeholder at character {i} in \"{source}\"";
                    return EmptyTemplate;
                }

                var name = source[(i + 2)..close].Trim();
                if (!IsValidName(name))
                {
                    error = $"invalid variable name '{name}' in \"{source}\" (letters, digits, '_' and '.', starting with a letter or '_')";
                    return EmptyTemplate;
                }

                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), -1));
                    literal.Clear();
                }

                parts.Add((string.Empty, table.Slot(name)));
                i = close + 1;
                continue;
            }

            literal.Append(source[i]);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), -1));
        }

        return new Template([.. parts], source);
    }

    public static bool IsValidName(string name)
    {
        if (name.Length == 0 || name.Length > 64 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.'))
            {
                return false;
            }
        }

        return true;
    }

    public string Render(string?[] values, Func<string, string>? escape = null)
    {
        var parts = _parts;
        switch (parts.Length)
        {
            case 0:
                return string.Empty;
            case 1:
                var only = parts[0];
                if (only.Slot < 0)
                {
                    return only.Literal;
                }

                var value = values[only.Slot] ?? string.Empty;
                return escape is null ? value : escape(value);
        }

        var builder = new StringBuilder();
        foreach (var (literalPart, slot) in parts)
        {
            if (slot < 0)
            {
                builder.Append(literalPart);
            }
            else
            {
                var v = values[slot] ?? string.Empty;
                builder.Append(escape is null ? v : escape(v));
            }
        }

        return builder.ToString();
    }
}
