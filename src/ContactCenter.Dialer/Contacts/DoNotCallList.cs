namespace ContactCenter.Dialer;

/// <summary>
/// A thread-safe do-not-call list of E.164 numbers, checked at dial time. The lists of an <see cref="OutboundDialer"/>
/// (<see cref="OutboundDialer.GlobalDoNotCall"/>, <see cref="Campaign.DoNotCall"/>) are kept in its
/// <see cref="ICampaignStore"/>: a change is stored before the call returns and comes back with <see cref="OutboundDialer.Restore"/>.
/// A list created with <c>new</c> lives in memory only.
/// </summary>
public sealed class DoNotCallList
{
    private readonly object _gate = new();
    private readonly HashSet<string> _numbers = new(StringComparer.Ordinal);
    private readonly ICampaignStore? _store;
    private readonly Guid? _campaignId;

    /// <summary>Creates an empty list kept in memory only.</summary>
    public DoNotCallList()
    {
    }

    /// <summary>Creates an empty list whose changes are written to <paramref name="store"/> (campaign null: the global list).</summary>
    internal DoNotCallList(ICampaignStore store, Guid? campaignId)
    {
        _store = store;
        _campaignId = campaignId;
    }

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

    /// <summary>Adds a number, normalized with <paramref name="defaultCountry"/>; stored first when the list belongs to a dialer.</summary>
    /// <exception cref="ArgumentException">The number cannot be normalized.</exception>
    public void Add(string number, string defaultCountry = "US")
    {
        if (!PhoneNumbers.TryNormalize(number, defaultCountry, out var e164, out var error))
        {
            throw new ArgumentException($"Do-not-call number rejected: {error}.", nameof(number));
        }

        lock (_gate)
        {
            if (_numbers.Contains(e164))
            {
                return;
            }

            // Durable before it is accepted: a restart never forgets a listed number.
            _store?.SaveDoNotCall(_campaignId, e164);
            _numbers.Add(e164);
        }
    }

    /// <summary>Removes a number (from the store too when the list belongs to a dialer).</summary>
    /// <returns>False when the number cannot be normalized or is not on the list.</returns>
    public bool Remove(string number, string defaultCountry = "US")
    {
        if (!PhoneNumbers.TryNormalize(number, defaultCountry, out var e164, out _))
        {
            return false;
        }

        lock (_gate)
        {
            if (!_numbers.Contains(e164))
            {
                return false;
            }

            _store?.RemoveDoNotCall(_campaignId, e164);
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

    /// <summary>Fills the list from the store without writing back (restore).</summary>
    internal void Load(IEnumerable<string> numbers)
    {
        lock (_gate)
        {
            _numbers.UnionWith(numbers);
        }
    }
}
