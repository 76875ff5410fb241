namespace ContactCenter.Dialer;

/// <summary>An <see cref="ICampaignStore"/> in memory, for tests, simulations and single-process embedding.</summary>
public sealed class InMemoryCampaignStore : ICampaignStore
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, CampaignRecord> _campaigns = [];
    private readonly Dictionary<Guid, Dictionary<Guid, ContactRecord>> _contacts = [];
    private readonly Dictionary<Guid, Dictionary<Guid, AttemptRecord>> _attempts = [];
    private readonly HashSet<string> _globalDoNotCall = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, HashSet<string>> _doNotCall = [];

    /// <summary>The number of attempts ever saved (for tests and diagnostics).</summary>
    public int AttemptCount
    {
        get
        {
            lock (_gate)
            {
                return _attempts.Values.Sum(a => a.Count);
            }
        }
    }

    /// <inheritdoc />
    public void SaveCampaign(CampaignRecord campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        lock (_gate)
        {
            _campaigns[campaign.Id] = campaign;
        }
    }

    /// <inheritdoc />
    public void SaveContacts(IReadOnlyList<ContactRecord> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        lock (_gate)
        {
            foreach (var c in contacts)
            {
                ContactsOf(c.CampaignId)[c.Id] = c;
            }
        }
    }

    /// <inheritdoc />
    public void SaveAttempt(AttemptRecord attempt, ContactRecord contact)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(contact);
        lock (_gate)
        {
            if (!_attempts.TryGetValue(attempt.CampaignId, out var attempts))
            {
                attempts = [];
                _attempts[attempt.CampaignId] = attempts;
            }

            attempts[attempt.Id] = attempt;
            ContactsOf(contact.CampaignId)[contact.Id] = contact;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<CampaignRecord> LoadCampaigns()
    {
        lock (_gate)
        {
            return [.. _campaigns.Values];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ContactRecord> LoadContacts(Guid campaignId)
    {
        lock (_gate)
        {
            return _contacts.TryGetValue(campaignId, out var c) ? [.. c.Values.OrderBy(x => x.Sequence)] : [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> LoadOpenAttempts(Guid campaignId)
    {
        lock (_gate)
        {
            return _attempts.TryGetValue(campaignId, out var a) ? [.. a.Values.Where(x => x.Outcome is null)] : [];
        }
    }

    /// <inheritdoc />
    public void SaveDoNotCall(Guid? campaignId, string phoneNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        ThrowIfEmptyCampaign(campaignId);
        lock (_gate)
        {
            if (campaignId is not { } id)
            {
                _globalDoNotCall.Add(phoneNumber);
            }
            else if (!_doNotCall.TryGetValue(id, out var numbers))
            {
                _doNotCall[id] = new HashSet<string>(StringComparer.Ordinal) { phoneNumber };
            }
            else
            {
                numbers.Add(phoneNumber);
            }
        }
    }

    /// <inheritdoc />
    public void RemoveDoNotCall(Guid? campaignId, string phoneNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumber);
        ThrowIfEmptyCampaign(campaignId);
        lock (_gate)
        {
            (campaignId is { } id ? _doNotCall.GetValueOrDefault(id) : _globalDoNotCall)?.Remove(phoneNumber);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> LoadDoNotCall(Guid? campaignId)
    {
        ThrowIfEmptyCampaign(campaignId);
        lock (_gate)
        {
            return [.. (campaignId is { } id ? _doNotCall.GetValueOrDefault(id) : _globalDoNotCall) ?? []];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> LoadAttempts(Guid campaignId, DateTimeOffset since)
    {
        lock (_gate)
        {
            return _attempts.TryGetValue(campaignId, out var a)
                ? [.. a.Values.Where(x => x.PlacedAt >= since).OrderBy(x => x.PlacedAt).ThenBy(x => x.Id)]
                : [];
        }
    }

    /// <summary>Every attempt of a campaign, oldest first (for tests and reports).</summary>
    public IReadOnlyList<AttemptRecord> LoadAttempts(Guid campaignId) => LoadAttempts(campaignId, DateTimeOffset.MinValue);

    private static void ThrowIfEmptyCampaign(Guid? campaignId)
    {
        if (campaignId == Guid.Empty)
        {
            throw new ArgumentException("The all-zero campaign id is not a campaign; pass null for the global do-not-call list.", nameof(campaignId));
        }
    }

    private Dictionary<Guid, ContactRecord> ContactsOf(Guid campaignId)
    {
        if (!_contacts.TryGetValue(campaignId, out var contacts))
        {
            contacts = [];
            _contacts[campaignId] = contacts;
        }

        return contacts;
    }
}
