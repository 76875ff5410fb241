using System.Collections;
using System.Text;

namespace ContactCenter.Sip;

/// <summary>One parameter: <c>;name=value</c>, or <c>;name</c> when <see cref="Value"/> is null.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="Value">
/// The value, or null for a parameter without one. A header parameter keeps the quotes of a quoted-string value;
/// a URI parameter value is unescaped.
/// </param>
public readonly record struct SipParameter(string Name, string? Value);

/// <summary>An immutable, ordered list of parameters; names compare case-insensitively.</summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    private readonly SipParameter[] _items;

    /// <summary>No parameters.</summary>
    public static readonly SipParameters Empty = new([]);

    /// <summary>Creates a list from parameters in order.</summary>
    public SipParameters(IEnumerable<SipParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _items = [.. parameters];
    }

    private SipParameters(SipParameter[] items, bool owned)
    {
        _ = owned;
        _items = items;
    }

    /// <summary>The number of parameters.</summary>
    public int Count => _items.Length;

    /// <summary>The parameter at <paramref name="index"/>.</summary>
    public SipParameter this[int index] => _items[index];

    /// <summary>The value of the parameter named <paramref name="name"/>; null when it is absent or has no value.</summary>
    public string? this[string name] => TryGetValue(name, out var v) ? v : null;

    /// <summary>True when a parameter named <paramref name="name"/> is present (with or without value).</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Gets the value of the parameter named <paramref name="name"/>; true when the parameter is present.</summary>
    public bool TryGetValue(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i < 0 ? null : _items[i].Value;
        return i >= 0;
    }

    /// <summary>The value without surrounding quotes and with quoted-pairs resolved (for quoted-string header parameters).</summary>
    public string? GetUnquoted(string name) => this[name] is { } v ? Unquote(v) : null;

    /// <summary>A copy where <paramref name="name"/> has <paramref name="value"/> (replaced in place, or appended).</summary>
    public SipParameters With(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var i = IndexOf(name);
        var items = i < 0 ? new SipParameter[_items.Length + 1] : new SipParameter[_items.Length];
        _items.CopyTo(items, 0);
        items[i < 0 ? _items.Length : i] = new SipParameter(name, value);
        return new SipParameters(items, owned: true);
    }

    /// <summary>A copy without the parameter named <paramref name="name"/>.</summary>
    public SipParameters Without(string name)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            return this;
        }

        var items = new SipParameter[_items.Length - 1];
        Array.Copy(_items, 0, items, 0, i);
        Array.Copy(_items, i + 1, items, i, _items.Length - i - 1);
        return new SipParameters(items, owned: true);
    }

    /// <inheritdoc />
    public IEnumerator<SipParameter> GetEnumerator() => ((IEnumerable<SipParameter>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>The parameters as written in a header: <c>;name=value;flag</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var p in _items)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is not null)
            {
                sb.Append('=').Append(p.Value);
            }
        }

        return sb.ToString();
    }

    internal static SipParameters FromList(List<SipParameter>? list) => list is null or { Count: 0 } ? Empty : new SipParameters([.. list], owned: true);

    internal static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1)
            {
                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }

    internal static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
