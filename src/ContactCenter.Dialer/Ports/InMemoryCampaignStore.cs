namespace ContactCenter.Dialer;

/// <summary>An <see cref="ICampaignStore"/> in memory, for tests, simulations and single-process embedding.</summary>
public sealed class InMemoryCampaignStore : ICampaignStore
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, CampaignRecord> _campaigns = [];
    private readonly Dictionary<Guid, Dictionary<Guid, ContactRecord>> _contacts = [];
    private readonly Dictionary<Guid, Dictionary<Guid, AttemptRecord>> _attempts = [];

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

    /// <summary>Every attempt of a campaign (for tests and reports).</summary>
    public IReadOnlyList<AttemptRecord> LoadAttempts(Guid campaignId)
    {
        lock (_gate)
        {
            return _attempts.TryGetValue(campaignId, out var a) ? [.. a.Values.OrderBy(x => x.PlacedAt)] : [];
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
