using System.Collections;
using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>One header line: its canonical name and its value (folds replaced by a single space).</summary>
/// <param name="Name">The canonical name: compact forms are expanded, known names get their usual case.</param>
/// <param name="Value">The value without leading and trailing white space.</param>
public readonly record struct SipHeader(string Name, string Value);

/// <summary>
/// The header lines of a message, in order and with duplicates. Names compare case-insensitively and compact forms
/// match their full names (<c>v</c> is Via). A parsed message keeps its raw bytes: a value becomes a string only when read.
/// Not thread-safe for writing.
/// </summary>
public sealed class SipHeaders : IReadOnlyList<SipHeader>
{
    private readonly byte[] _raw;
    private HeaderEntry[] _entries;
    private int _count;
    private List<SipHeader>? _added;

    /// <summary>Creates an empty header collection.</summary>
    public SipHeaders()
    {
        _raw = [];
        _entries = [];
    }

    internal SipHeaders(byte[] raw, HeaderEntry[] entries, int count)
    {
        _raw = raw;
        _entries = entries;
        _count = count;
    }

    /// <summary>The number of header lines.</summary>
    public int Count => _count;

    /// <summary>Incremented by every change; typed values cached by a message are dropped when it moves.</summary>
    internal int Version { get; private set; }

    /// <summary>The header line at <paramref name="index"/>.</summary>
    public SipHeader this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return new SipHeader(NameAt(index), ValueAt(index));
        }
    }

    /// <summary>The value of the first header named <paramref name="name"/>, or null.</summary>
    public string? this[string name]
    {
        get
        {
            var i = IndexOf(name, 0);
            return i < 0 ? null : ValueAt(i);
        }
    }

    /// <summary>True when at least one header is named <paramref name="name"/> (or its compact form).</summary>
    public bool Contains(string name) => IndexOf(name, 0) >= 0;

    /// <summary>The values of every header named <paramref name="name"/>, in order (one per header line, not split at commas).</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        var values = new List<string>();
        for (var i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i + 1))
        {
            values.Add(ValueAt(i));
        }

        return values;
    }

    /// <summary>Appends a header line.</summary>
    /// <exception cref="ArgumentException">The name is not a token, or the value contains CR or LF.</exception>
    public void Add(string name, string value) => Insert(_count, name, value);

    /// <summary>Inserts a header line at <paramref name="index"/> (0 puts it first, e.g. a new top Via).</summary>
    /// <exception cref="ArgumentException">The name is not a token, or the value contains CR or LF.</exception>
    public void Insert(int index, string name, string value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)_count, nameof(index));
        var entry = MakeEntry(name, value);
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(8, _count * 2));
        }

        Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _entries[index] = entry;
        _count++;
        Version++;
    }

    /// <summary>Replaces every header named <paramref name="name"/> by one line with <paramref name="value"/>, where the first was (or at the end).</summary>
    public void Set(string name, string value)
    {
        var first = IndexOf(name, 0);
        if (first < 0)
        {
            Add(name, value);
            return;
        }

        _entries[first] = MakeEntry(name, value);
        for (var i = IndexOf(name, first + 1); i >= 0; i = IndexOf(name, i))
        {
            RemoveAt(i);
        }

        Version++;
    }

    /// <summary>Removes every header named <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name)
    {
        var removed = 0;
        for (var i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i))
        {
            RemoveAt(i);
            removed++;
        }

        return removed;
    }

    /// <summary>Removes the header line at <paramref name="index"/>.</summary>
    public void RemoveAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        Array.Copy(_entries, index + 1, _entries, index, _count - index - 1);
        _count--;
        _entries[_count] = default;
        Version++;
    }

    /// <inheritdoc />
    public IEnumerator<SipHeader> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal int IndexOf(string name, int start)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = HeaderTable.Lookup(name);
        if (kind != HeaderKind.Unknown)
        {
            return IndexOf(kind, start);
        }

        for (var i = start; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (e.Kind != HeaderKind.Unknown)
            {
                continue;
            }

            if (e.NameStart < 0 ? string.Equals(_added![e.ValueStart].Name, name, StringComparison.OrdinalIgnoreCase) : NameEqualsRaw(e, name))
            {
                return i;
            }
        }

        return -1;
    }

    internal int IndexOf(HeaderKind kind, int start)
    {
        for (var i = start; i < _count; i++)
        {
            if (_entries[i].Kind == kind)
            {
                return i;
            }
        }

        return -1;
    }

    internal HeaderKind KindAt(int index) => _entries[index].Kind;

    internal int LineAt(int index) => _entries[index].Line;

    internal string NameAt(int index)
    {
        ref var e = ref _entries[index];
        if (e.Kind != HeaderKind.Unknown)
        {
            return HeaderTable.NameOf(e.Kind);
        }

        return e.NameStart < 0 ? _added![e.ValueStart].Name : Encoding.ASCII.GetString(_raw, e.NameStart, e.NameLength);
    }

    internal ReadOnlySpan<byte> NameBytesAt(int index, out string? name)
    {
        ref var e = ref _entries[index];
        name = null;
        if (e.Kind != HeaderKind.Unknown)
        {
            return HeaderTable.NameBytesOf(e.Kind);
        }

        if (e.NameStart < 0)
        {
            name = _added![e.ValueStart].Name;
            return default;
        }

        return _raw.AsSpan(e.NameStart, e.NameLength);
    }

    internal string ValueAt(int index)
    {
        ref var e = ref _entries[index];
        return e.NameStart < 0 ? _added![e.ValueStart].Value : DecodeValue(_raw.AsSpan(e.ValueStart, e.ValueLength));
    }

    /// <summary>The value as bytes: the raw bytes (folds included) of a parsed header, the UTF-8 of an added one.</summary>
    internal ReadOnlySpan<byte> ValueBytesAt(int index)
    {
        ref var e = ref _entries[index];
        return e.NameStart >= 0 ? _raw.AsSpan(e.ValueStart, e.ValueLength) : Encoding.UTF8.GetBytes(_added![e.ValueStart].Value);
    }

    internal static string DecodeValue(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny(SipChars.Cr, SipChars.Lf) < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Replace each fold (white space around a line break) by one space.
        var buffer = new byte[raw.Length];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b is SipChars.Cr or SipChars.Lf)
            {
                while (n > 0 && SipChars.IsWsp(buffer[n - 1]))
                {
                    n--;
                }

                while (i + 1 < raw.Length && SipChars.IsLws(raw[i + 1]))
                {
                    i++;
                }

                buffer[n++] = SipChars.Space;
                continue;
            }

            buffer[n++] = b;
        }

        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private bool NameEqualsRaw(in HeaderEntry e, string name) =>
        e.NameLength == name.Length && Ascii.EqualsIgnoreCase(_raw.AsSpan(e.NameStart, e.NameLength), name);

    private HeaderEntry MakeEntry(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!Ascii.IsValid(name) || !SipGrammar.IsToken(Encoding.ASCII.GetBytes(name)))
        {
            throw new ArgumentException($"'{name}' is not a header name: a header name is a token.", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"The value of header '{name}' contains CR or LF.", nameof(value));
        }

        var kind = HeaderTable.Lookup(name);
        _added ??= [];
        _added.Add(new SipHeader(kind == HeaderKind.Unknown ? name : HeaderTable.NameOf(kind), value.Trim()));
        return new HeaderEntry { Kind = kind, NameStart = -1, ValueStart = _added.Count - 1 };
    }
}
