using System.Collections.Concurrent;
using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Numbers;

/// <summary>The numbers the host answers, keyed by their normalized digits, with a live count of calls per number.</summary>
internal sealed class NumberDirectory : INumberDirectory
{
    private readonly ConcurrentDictionary<string, NumberBinding> _bindings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _active = new(StringComparer.Ordinal);

    /// <summary>Where API changes are written before they are acknowledged; set by the host once configuration is applied.</summary>
    internal Storage.SqlDirectoryStore? Store { get; set; }

    public IReadOnlyList<NumberBinding> List() => [.. _bindings.Values.OrderBy(b => b.Number, StringComparer.Ordinal)];

    public NumberBinding? Find(string number)
    {
        var key = Key(number);
        if (key.Length == 0)
        {
            return null;
        }

        if (_bindings.TryGetValue(key, out var binding))
        {
            return binding;
        }

        // A number dialed without its + (or with it) still matches.
        return _bindings.TryGetValue(key[0] == '+' ? key[1..] : "+" + key, out binding) ? binding : null;
    }

    public async Task BindAsync(NumberBinding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var key = Key(binding.Number);
        if (key.Length == 0)
        {
            throw new NumberDirectoryException($"number '{binding.Number}' has no digits");
        }

        try
        {
            FlowReference.Parse(binding.Flow);
        }
        catch (FormatException e)
        {
            throw new NumberDirectoryException($"flow: {e.Message}", e);
        }

        if (binding.MaxConcurrentCalls is < 1)
        {
            throw new NumberDirectoryException("maxConcurrentCalls must be at least 1 when set");
        }

        var stored = binding with { Number = key };
        if (Store is { } store)
        {
            await store.SaveNumberAsync(stored, cancellationToken).ConfigureAwait(false);
        }

        _bindings[key] = stored;
    }

    public async Task<bool> RemoveAsync(string number, CancellationToken cancellationToken = default)
    {
        var key = Key(number);
        if (Store is { } store)
        {
            await store.RemoveNumberAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return _bindings.TryRemove(key, out _);
    }

    public int ActiveCalls(string number) => _active.TryGetValue(Key(number), out var count) ? count : 0;

    /// <summary>Counts a call on the number unless its cap is reached; false means refuse (486).</summary>
    public bool TryStartCall(NumberBinding binding)
    {
        var key = Key(binding.Number);
        while (true)
        {
            var current = _active.GetOrAdd(key, 0);
            if (binding.MaxConcurrentCalls is { } cap && current >= cap)
            {
                return false;
            }

            if (_active.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>The call on the number ended.</summary>
    public void EndCall(NumberBinding binding) => _active.AddOrUpdate(Key(binding.Number), 0, (_, n) => Math.Max(0, n - 1));

    private static string Key(string? number) => PhoneNumbers.Normalize(number);
}
