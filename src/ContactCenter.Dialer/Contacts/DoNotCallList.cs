namespace ContactCenter.Dialer;

/// <summary>A thread-safe do-not-call list of E.164 numbers, checked at dial time.</summary>
public sealed class DoNotCallList
{
    private readonly object _gate = new();
    private readonly HashSet<string> _numbers = new(StringComparer.Ordinal);

    /// <summary>How many numbers the list holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _numbers.Count;
            }
        }
    }

    /// <summary>Adds a number, normalized with <paramref name="defaultCountry"/>.</summary>
    /// <exception cref="ArgumentException">The number cannot be normalized.</exception>
    public void Add(string number, string defaultCountry = "US")
    {
        if (!PhoneNumbers.TryNormalize(number, defaultCountry, out var e164, out var error))
        {
            throw new ArgumentException($"Do-not-call number rejected: {error}.", nameof(number));
        }

        lock (_gate)
        {
            _numbers.Add(e164);
        }
    }

    /// <summary>Removes a number.</summary>
    public bool Remove(string number, string defaultCountry = "US")
    {
        if (!PhoneNumbers.TryNormalize(number, defaultCountry, out var e164, out _))
        {
            return false;
        }

        lock (_gate)
        {
            return _numbers.Remove(e164);
        }
    }

    /// <summary>Whether the E.164 number is on the list.</summary>
    public bool Contains(string e164)
    {
        lock (_gate)
        {
            return _numbers.Contains(e164);
        }
    }
}
