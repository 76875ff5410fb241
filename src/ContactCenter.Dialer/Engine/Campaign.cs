using System.Globalization;
using ContactCenter.Dialer.Pacing;

namespace ContactCenter.Dialer;

/// <summary>Counters and rates of a campaign.</summary>
/// <param name="State">Its lifecycle state.</param>
/// <param name="Dials">Calls placed.</param>
/// <param name="LiveAnswers">Calls answered by a person.</param>
/// <param name="MachineAnswers">Calls answered by a machine.</param>
/// <param name="Abandoned">Live answers that got no agent in time.</param>
/// <param name="WindowLiveAnswers">Live answers in the compliance window.</param>
/// <param name="WindowAbandoned">Abandons in the compliance window.</param>
/// <param name="WindowAbandonRate">Abandoned / live answers over the compliance window.</param>
/// <param name="LiveAnswerProbability">The measured probability a dial reaches a person (recent window).</param>
/// <param name="OpenContacts">Contacts still to be finished.</param>
/// <param name="FinishedContacts">Contacts completed, exhausted, on a do-not-call list, or removed.</param>
/// <param name="CallsInProgress">Calls ringing, waiting for an agent or connected.</param>
/// <param name="Predictive">Whether the last pacing decision was predictive (false: progressive fallback).</param>
public sealed record CampaignStatistics(
    CampaignState State,
    long Dials,
    long LiveAnswers,
    long MachineAnswers,
    long Abandoned,
    int WindowLiveAnswers,
    int WindowAbandoned,
    double WindowAbandonRate,
    double LiveAnswerProbability,
    int OpenContacts,
    long FinishedContacts,
    int CallsInProgress,
    bool Predictive);

/// <summary>A campaign of an <see cref="OutboundDialer"/>: its lifecycle and its contacts.</summary>
public sealed class Campaign
{
    private readonly OutboundDialer _dialer;
    private readonly CampaignRuntime _runtime;

    internal Campaign(OutboundDialer dialer, CampaignRuntime runtime)
    {
        _dialer = dialer;
        _runtime = runtime;
    }

    /// <summary>The campaign id (unique across nodes).</summary>
    public Guid Id => _runtime.Id;

    /// <summary>Its settings.</summary>
    public CampaignSettings Settings => _runtime.Settings;

    /// <summary>The campaign's own do-not-call list (the dialer's global list applies too).</summary>
    public DoNotCallList DoNotCall => _runtime.DoNotCall;

    /// <summary>Its lifecycle state.</summary>
    public CampaignState State
    {
        get
        {
            lock (_dialer.Gate)
            {
                return _runtime.State;
            }
        }
    }

    /// <summary>Draft to Scheduled: it starts by itself at <see cref="CampaignSettings.StartAt"/>.</summary>
    /// <exception cref="CampaignStateException">Not a draft, or no start time.</exception>
    public void Schedule() => _dialer.RunLocked(() =>
    {
        Require("schedule", CampaignState.Draft);
        if (Settings.StartAt is null)
        {
            throw new CampaignStateException($"Campaign '{Settings.Name}' cannot be scheduled: it has no StartAt.");
        }

        _dialer.SetState(_runtime, CampaignState.Scheduled);
    });

    /// <summary>Draft or Scheduled to Running (or to Scheduled when its start time is still ahead).</summary>
    /// <exception cref="CampaignStateException">Not a draft nor scheduled.</exception>
    public void Start() => _dialer.RunLocked(() =>
    {
        Require("start", CampaignState.Draft, CampaignState.Scheduled);
        var now = _dialer.Time.GetUtcNow();
        if (Settings.EndAt is { } end && end <= now)
        {
            throw new CampaignStateException($"Campaign '{Settings.Name}' cannot start: its EndAt {end:O} has passed.");
        }

        _dialer.SetState(_runtime, Settings.StartAt is { } start && start > now ? CampaignState.Scheduled : CampaignState.Running);
    });

    /// <summary>Running to Paused: no new calls; calls in progress finish.</summary>
    /// <exception cref="CampaignStateException">Not running.</exception>
    public void Pause() => _dialer.RunLocked(() =>
    {
        Require("pause", CampaignState.Running);
        _dialer.SetState(_runtime, CampaignState.Paused);
    });

    /// <summary>Paused to Running.</summary>
    /// <exception cref="CampaignStateException">Not paused.</exception>
    public void Resume() => _dialer.RunLocked(() =>
    {
        Require("resume", CampaignState.Paused);
        _dialer.SetState(_runtime, CampaignState.Running);
    });

    /// <summary>
    /// Changes the settings of a campaign that is not stopped or completed. Everything that only steers what happens
    /// next can change (name, priority, start and end, calling windows, retry rules, caps and timeouts, caller IDs,
    /// abandonment cap and aim, preview behaviour); what the stored contacts and statistics were built on cannot
    /// (mode, default time zone and country, contact order, statistics and compliance windows). A new abandonment cap
    /// or aim restarts the pacing controller from the campaign's current statistics. Saved before it returns.
    /// </summary>
    /// <exception cref="ArgumentException">The new settings are invalid or change what cannot change (the message names the field).</exception>
    /// <exception cref="CampaignStateException">The campaign is stopped or completed.</exception>
    public void UpdateSettings(CampaignSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _dialer.RunLocked(() =>
        {
            Require("change its settings", CampaignState.Draft, CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused);
            var current = _runtime.Settings;
            Fixed(nameof(CampaignSettings.Mode), current.Mode, settings.Mode);
            Fixed(nameof(CampaignSettings.DefaultTimeZoneId), current.DefaultTimeZoneId, settings.DefaultTimeZoneId);
            Fixed(nameof(CampaignSettings.DefaultCountry), current.DefaultCountry, settings.DefaultCountry);
            Fixed(nameof(CampaignSettings.Order), current.Order, settings.Order);
            Fixed(nameof(CampaignSettings.StatisticsWindow), current.StatisticsWindow, settings.StatisticsWindow);
            Fixed(nameof(CampaignSettings.ComplianceWindow), current.ComplianceWindow, settings.ComplianceWindow);
            Fixed(nameof(CampaignSettings.CampaignLifeWindow), current.CampaignLifeWindow, settings.CampaignLifeWindow);
            if (settings.AbandonCap != current.AbandonCap || settings.AbandonAim != current.AbandonAim)
            {
                _runtime.Controller = new AbandonController(settings.AbandonCap, settings.AbandonAim);
            }

            _runtime.Settings = settings;
            _dialer.Store.SaveCampaign(_runtime.ToRecord());
        });

        void Fixed<T>(string field, T was, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(was, now))
            {
                throw new ArgumentException($"Campaign '{_runtime.Settings.Name}': {field} cannot change after creation (it is {was}, asked {now}).", nameof(settings));
            }
        }
    }

    /// <summary>Any state but Stopped and Completed to Stopped (terminal). Calls in progress finish.</summary>
    /// <exception cref="CampaignStateException">Already stopped or completed.</exception>
    public void Stop() => _dialer.RunLocked(() =>
    {
        Require("stop", CampaignState.Draft, CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused);
        _dialer.SetState(_runtime, CampaignState.Stopped);
    });

    /// <summary>
    /// Imports contacts from CSV (RFC 4180, first line a header). Columns: <c>phone</c> (required; also
    /// <c>phone_number</c> or <c>number</c>), <c>name</c>, <c>timezone</c> (also <c>time_zone</c>, <c>tz</c>),
    /// <c>priority</c>; any other column is a custom field. Every good line is imported; each bad line is reported
    /// with its line number. Numbers already in the campaign are counted as duplicates and skipped.
    /// </summary>
    /// <exception cref="CampaignStateException">The campaign is stopped or completed.</exception>
    public ContactImportResult ImportCsv(TextReader csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var activity = DialerTelemetry.Source.StartActivity("dialer.contacts.import");
        var errors = new List<ContactImportError>();
        var inputs = new List<(int Line, ContactInput Input)>();
        string[]? header = null;
        int phone = -1, name = -1, zone = -1, priority = -1;
        foreach (var record in new CsvRecordReader(csv).ReadAll())
        {
            if (record.Error is not null)
            {
                errors.Add(new ContactImportError(record.LineNumber, record.Error));
                continue;
            }

            var fields = record.Fields!;
            if (header is null)
            {
                header = [.. fields.Select(f => f.Trim())];
                phone = IndexOf(header, "phone", "phone_number", "phonenumber", "number");
                name = IndexOf(header, "name");
                zone = IndexOf(header, "timezone", "time_zone", "tz");
                priority = IndexOf(header, "priority");
                if (phone < 0)
                {
                    errors.Add(new ContactImportError(record.LineNumber, $"line {record.LineNumber}: the header has no 'phone' column (found: {string.Join(", ", header)})"));
                    return new ContactImportResult(0, 0, errors);
                }

                continue;
            }

            if (fields.Count != header.Length)
            {
                errors.Add(new ContactImportError(record.LineNumber, $"line {record.LineNumber}: {fields.Count} fields, the header has {header.Length}"));
                continue;
            }

            var p = 0;
            if (priority >= 0 && fields[priority].Length > 0 && !int.TryParse(fields[priority], NumberStyles.Integer, CultureInfo.InvariantCulture, out p))
            {
                errors.Add(new ContactImportError(record.LineNumber, $"line {record.LineNumber}: column 'priority' value '{fields[priority]}' is not a whole number"));
                continue;
            }

            var custom = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                if (i != phone && i != name && i != zone && i != priority)
                {
                    custom[header[i]] = fields[i];
                }
            }

            inputs.Add((record.LineNumber, new ContactInput(
                fields[phone],
                name >= 0 && fields[name].Length > 0 ? fields[name] : null,
                zone >= 0 && fields[zone].Trim().Length > 0 ? fields[zone].Trim() : null,
                p,
                custom)));
        }

        var result = AddContacts(inputs, errors);
        activity?.SetTag("dialer.contacts.imported", result.Imported);
        return result;
    }

    /// <summary>Adds contacts (also while running). Entries are numbered from 1 in the errors.</summary>
    /// <exception cref="CampaignStateException">The campaign is stopped or completed.</exception>
    public ContactImportResult AddContacts(IEnumerable<ContactInput> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        return AddContacts(contacts.Select((c, i) => (i + 1, c)).ToList(), []);
    }

    /// <summary>Adds one contact; returns its id, or null when the number is already in the campaign.</summary>
    /// <exception cref="ArgumentException">The number or time zone is invalid; the message says why.</exception>
    public Guid? AddContact(ContactInput contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var result = AddContacts([(1, contact)], []);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(result.Errors[0].Message, nameof(contact));
        }

        if (result.Imported == 0)
        {
            return null;
        }

        return _dialer.RunLocked(() => _runtime.Numbers.TryGetValue(Normalize(contact.PhoneNumber), out var id) ? id : (Guid?)null);
    }

    /// <summary>Removes a contact (also while running): it is not dialed again; a call in progress finishes.</summary>
    /// <returns>False when the campaign has no such contact or it was already removed.</returns>
    public bool RemoveContact(Guid contactId) => _dialer.RunLocked(() =>
    {
        if (!_runtime.Contacts.TryGetValue(contactId, out var contact) || contact.Status == ContactStatus.Removed)
        {
            return false;
        }

        if (contact.IsOpen)
        {
            _runtime.OpenContacts--;
            _runtime.Finished++;
        }

        contact.Status = ContactStatus.Removed;
        contact.QueueVersion++;
        _runtime.Numbers.Remove(contact.PhoneNumber);
        _dialer.Store.SaveContacts([contact.ToRecord(Id)]);
        return true;
    });

    /// <summary>The stored state of one contact.</summary>
    public ContactRecord? GetContact(Guid contactId) => _dialer.RunLocked(() =>
        _runtime.Contacts.TryGetValue(contactId, out var c) ? c.ToRecord(Id) : null);

    /// <summary>Counters and rates now.</summary>
    public CampaignStatistics GetStatistics() => _dialer.RunLocked(() =>
    {
        var r = _runtime;
        r.Compliance.Advance(_dialer.Time.GetUtcNow().UtcTicks);
        return new CampaignStatistics(
            r.State, r.Dials, r.LiveAnswers, r.MachineAnswers, r.Abandoned, r.Compliance.LiveAnswers, r.Compliance.Abandoned,
            r.Compliance.Rate, r.Live.Probability, r.OpenContacts, r.Finished, r.Ringing.Count + r.Handling.Count, r.LastDecisionPredictive);
    });

    private ContactImportResult AddContacts(List<(int Line, ContactInput Input)> inputs, List<ContactImportError> errors)
    {
        var imported = 0;
        var duplicates = 0;
        var records = new List<ContactRecord>();
        _dialer.RunLocked(() =>
        {
            if (_runtime.State is CampaignState.Stopped or CampaignState.Completed)
            {
                throw new CampaignStateException($"Campaign '{Settings.Name}' cannot take contacts: it is {_runtime.State}.");
            }

            var now = _dialer.Time.GetUtcNow();
            foreach (var (line, input) in inputs)
            {
                if (!PhoneNumbers.TryNormalize(input.PhoneNumber, Settings.DefaultCountry, out var e164, out var error))
                {
                    errors.Add(new ContactImportError(line, $"line {line}: column 'phone': {error}"));
                    continue;
                }

                TimeZoneInfo zone = _runtime.DefaultZone;
                if (input.TimeZoneId is not null && (zone = CampaignSettings.FindZone(input.TimeZoneId)!) is null)
                {
                    errors.Add(new ContactImportError(line, $"line {line}: column 'timezone': '{input.TimeZoneId}' is not a known time zone id"));
                    continue;
                }

                if (_runtime.Numbers.ContainsKey(e164))
                {
                    duplicates++;
                    continue;
                }

                var sequence = _runtime.NextSequence++;
                var contact = new ContactState
                {
                    Id = Guid.CreateVersion7(now),
                    Sequence = sequence,
                    PhoneNumber = e164,
                    Name = input.Name,
                    TimeZoneId = zone.Id,
                    Priority = input.Priority,
                    Fields = input.Fields ?? new Dictionary<string, string>(),
                    Zone = _runtime.ZoneFor(zone),
                    OrderKey = _runtime.OrderKeyFor(sequence, input.Priority),
                    Status = ContactStatus.Pending,
                };
                records.Add(contact.ToRecord(Id));
                _runtime.Contacts[contact.Id] = contact;
                _runtime.Numbers[e164] = contact.Id;
                _runtime.OpenContacts++;
                contact.QueueVersion++;
                contact.Zone.Ready.Enqueue((contact, contact.QueueVersion), contact.OrderKey);
                imported++;
            }

            _dialer.Store.SaveContacts(records);
            _dialer.Store.SaveCampaign(_runtime.ToRecord());
            foreach (var e in errors)
            {
                DialerLog.LineRejected(_dialer.Log, Id, e.LineNumber, e.Message);
            }
        });

        DialerTelemetry.ContactsImported.Add(imported);
        errors.Sort((a, b) => a.LineNumber.CompareTo(b.LineNumber));
        return new ContactImportResult(imported, duplicates, errors);
    }

    private string Normalize(string number) =>
        PhoneNumbers.TryNormalize(number, Settings.DefaultCountry, out var e164, out _) ? e164 : number;

    private void Require(string action, params CampaignState[] allowed)
    {
        if (!allowed.Contains(_runtime.State))
        {
            throw new CampaignStateException(
                $"Campaign '{Settings.Name}' cannot {action} while {_runtime.State}; allowed from: {string.Join(", ", allowed)}.");
        }
    }

    private static int IndexOf(string[] header, params string[] names)
    {
        for (var i = 0; i < header.Length; i++)
        {
            if (names.Contains(header[i], StringComparer.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
