using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using ContactCenter.Dialer;
using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// What the dialer's <see cref="ICampaignStore"/> promises, for each database and for the dialer's own
/// <see cref="InMemoryCampaignStore"/>: records read back as saved, an attempt and its contact are written together
/// before the call is placed, and a new <see cref="OutboundDialer"/> over the reopened store resumes a campaign
/// without dialing anyone twice or losing anyone.
/// </summary>
public abstract class CampaignStoreContract : StorageTestBase
{
    private static readonly Guid CampaignId = Guid.CreateVersion7(Start);

    private static CampaignSettings EverySetting() => new()
    {
        Name = "Renewals Q2",
        Mode = DialingMode.Agentless,
        Priority = 2,
        StartAt = Start.AddHours(1),
        EndAt = Start.AddDays(14),
        CallingWindows = new CallingWindows.Builder()
            .Add(DayOfWeek.Monday, new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0)), new TimeRange(new TimeOnly(13, 30), new TimeOnly(20, 15)))
            .Add(DayOfWeek.Saturday, new TimeRange(new TimeOnly(10, 0), TimeOnly.MaxValue))
            .Build(),
        DefaultTimeZoneId = "America/New_York",
        DefaultCountry = "GB",
        Order = ContactOrder.Priority,
        RetryRules = new RetryRules().Set(CallOutcome.Busy, 5, TimeSpan.FromMinutes(10)).Set(CallOutcome.AnsweredByPerson, 1, TimeSpan.FromHours(2)),
        AbandonedRedialBlock = TimeSpan.FromHours(48),
        RedialAbandonedWithGuaranteedAgent = true,
        AbandonCap = 0.02,
        AbandonAim = 0.5,
        ComplianceWindow = ComplianceWindowKind.Rolling24Hours,
        CampaignLifeWindow = TimeSpan.FromDays(10),
        ConnectDeadline = TimeSpan.FromMilliseconds(1500),
        ComplianceMessagePrompt = "legal-notice",
        RingTimeout = TimeSpan.FromSeconds(12),
        EnforceMinimumRing = false,
        MinimumRing = TimeSpan.FromSeconds(10),
        CallerIds = new CallerIdPool(CallerIdMode.SameAreaCode, "+12125550100", "+13125550100"),
        PreviewTimeout = TimeSpan.FromSeconds(45),
        PreviewTimeoutAction = PreviewTimeoutAction.Skip,
        AgentlessFlowId = "reminder",
        MaxConcurrentCalls = 7,
        MinimumLiveAnswersForPredictive = 20,
        MinimumAgentsForPredictive = 5,
        MaxLinesPerAgent = 2.5,
        StatisticsWindow = 300,
        CompleteWhenExhausted = false,
    };

    private static CampaignSettings Progressive() => new() { Name = "restart", Mode = DialingMode.Progressive, CallingWindows = CallingWindows.Always };

    /// <summary>A fresh contact; the same arguments give the same id.</summary>
    private static ContactRecord Contact(long sequence, Guid? campaignId = null) => new(
        new Guid((int)sequence, 0, 0x7000, (campaignId ?? CampaignId).ToByteArray()[8..]), campaignId ?? CampaignId, sequence, $"+1212555{sequence:0000}", null, "UTC", 0,
        new Dictionary<string, string>(), ContactStatus.Pending, 0, null, null, null, null, false, null);

    private static AttemptRecord Attempt(ContactRecord contact, int number, DateTimeOffset placedAt) => new(
        Guid.CreateVersion7(placedAt), contact.CampaignId, contact.Id, number, contact.PhoneNumber, "+18005550100", placedAt, null, null, null, null);

    private static void AssertSameSettings(CampaignSettings expected, CampaignSettings actual)
    {
        // Calling windows, retry rules and caller IDs are classes without value equality: compared one by one below.
        Assert.Equal(
            expected with { CallerIds = null },
            actual with { CallingWindows = expected.CallingWindows, RetryRules = expected.RetryRules, CallerIds = null });
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            Assert.Equal(expected.CallingWindows.For(day), actual.CallingWindows.For(day));
        }

        foreach (var outcome in Enum.GetValues<CallOutcome>())
        {
            Assert.Equal(expected.RetryRules.For(outcome), actual.RetryRules.For(outcome));
        }

        Assert.Equal(expected.CallerIds?.Mode, actual.CallerIds?.Mode);
        Assert.Equal(expected.CallerIds?.Numbers, actual.CallerIds?.Numbers);
    }

    [Fact]
    public void A_campaign_reads_back_with_every_setting()
    {
        var settings = EverySetting();
        Campaigns.SaveCampaign(new CampaignRecord(CampaignId, settings, CampaignState.Scheduled, null, 0));
        Campaigns.SaveCampaign(new CampaignRecord(Guid.CreateVersion7(Start.AddMinutes(1)), Progressive(), CampaignState.Draft, null, 0));

        var loaded = Campaigns.LoadCampaigns();

        Assert.Equal(2, loaded.Count);
        var campaign = Assert.Single(loaded, c => c.Id == CampaignId);
        Assert.Equal((CampaignState.Scheduled, (DateTimeOffset?)null, 0L), (campaign.State, campaign.StartedAt, campaign.NextSequence));
        AssertSameSettings(settings, campaign.Settings);
        AssertSameSettings(Progressive(), Assert.Single(loaded, c => c.Id != CampaignId).Settings);
    }

    [Fact]
    public void Saving_a_campaign_again_replaces_its_state_and_progress()
    {
        Campaigns.SaveCampaign(new CampaignRecord(CampaignId, Progressive(), CampaignState.Draft, null, 0));
        var renamed = Progressive() with { Name = "renamed", Priority = 1 };

        Campaigns.SaveCampaign(new CampaignRecord(CampaignId, renamed, CampaignState.Running, Start.AddMinutes(5), 42));

        var campaign = Assert.Single(Campaigns.LoadCampaigns());
        Assert.Equal((CampaignState.Running, (DateTimeOffset?)Start.AddMinutes(5), 42L), (campaign.State, campaign.StartedAt, campaign.NextSequence));
        AssertSameSettings(renamed, campaign.Settings);
    }

    [Fact]
    public void Contacts_read_back_in_upload_order_with_every_field_and_only_in_their_campaign()
    {
        var other = Guid.CreateVersion7(Start.AddDays(1));
        var full = Contact(2) with
        {
            Name = "Ana Lima",
            TimeZoneId = "America/Sao_Paulo",
            Priority = 9,
            Fields = new Dictionary<string, string> { ["account"] = "A-17", ["note"] = "prefers \"mornings\", é" },
            Status = ContactStatus.Pending,
            Attempts = 2,
            NextAttemptAt = Start.AddHours(3),
            LastOutcome = CallOutcome.AnsweredByMachine,
            LastAbandonedAt = Start.AddHours(-1),
            CallbackAgentId = "agent-7",
            IsCallback = true,
            LastDisposition = "CALL_BACK",
        };
        Campaigns.SaveContacts([Contact(3), full, Contact(1), Contact(1, other)]);

        var loaded = Campaigns.LoadContacts(CampaignId);

        Assert.Equal([1L, 2L, 3L], loaded.Select(c => c.Sequence));
        var read = loaded[1];
        Assert.Equal(full with { Fields = read.Fields }, read);
        Assert.Equal(full.Fields.OrderBy(f => f.Key), read.Fields.OrderBy(f => f.Key));
        Assert.Single(Campaigns.LoadContacts(other));
    }

    [Fact]
    public void Saving_contacts_again_replaces_them()
    {
        var contact = Contact(1);
        Campaigns.SaveContacts([contact, Contact(2)]);

        Campaigns.SaveContacts([contact with { Status = ContactStatus.Removed, Name = "gone" }]);

        var loaded = Campaigns.LoadContacts(CampaignId);
        Assert.Equal(2, loaded.Count);
        Assert.Equal((ContactStatus.Removed, "gone"), (loaded[0].Status, loaded[0].Name));
        Assert.Equal(ContactStatus.Pending, loaded[1].Status);
    }

    [Fact]
    public void An_attempt_is_saved_with_its_contact_and_stays_open_until_it_has_an_outcome()
    {
        var first = Contact(1);
        var second = Contact(2);
        Campaigns.SaveContacts([first, second]);
        var placed = Attempt(first, 1, Start.AddMinutes(1));
        var later = Attempt(second, 1, Start.AddMinutes(2));

        Campaigns.SaveAttempt(later, second with { Status = ContactStatus.Dialing, Attempts = 1 });
        Campaigns.SaveAttempt(placed, first with { Status = ContactStatus.Dialing, Attempts = 1 });

        // The port promises no order of open attempts (the dialer looks them up by contact).
        Assert.Equal([placed, later], Campaigns.LoadOpenAttempts(CampaignId).OrderBy(a => a.PlacedAt));
        Assert.All(Campaigns.LoadContacts(CampaignId), c => Assert.Equal((ContactStatus.Dialing, 1), (c.Status, c.Attempts)));

        var ended = placed with { Outcome = CallOutcome.Busy, EndedAt = Start.AddMinutes(1.5), AgentId = "agent-1", DispositionCode = "BUSY" };
        Campaigns.SaveAttempt(ended, first with { Status = ContactStatus.Pending, Attempts = 1, LastOutcome = CallOutcome.Busy, NextAttemptAt = Start.AddMinutes(6) });

        Assert.Equal([later], Campaigns.LoadOpenAttempts(CampaignId));
        var contact = Campaigns.LoadContacts(CampaignId)[0];
        Assert.Equal((ContactStatus.Pending, (CallOutcome?)CallOutcome.Busy, (DateTimeOffset?)Start.AddMinutes(6)), (contact.Status, contact.LastOutcome, contact.NextAttemptAt));
    }

    [Fact]
    public async Task Attempts_since_a_time_read_back_oldest_first_with_their_outcomes_and_only_in_their_campaign()
    {
        var other = Guid.CreateVersion7(Start.AddDays(1));
        var contacts = Enumerable.Range(1, 4).Select(i => Contact(i)).ToList();
        Campaigns.SaveContacts([.. contacts, Contact(9, other)]);
        var tooEarly = Attempt(contacts[0], 1, Start.AddMinutes(9)) with { Outcome = CallOutcome.Abandoned, EndedAt = Start.AddMinutes(9.5) };
        var atSince = Attempt(contacts[1], 1, Start.AddMinutes(10)) with { Outcome = CallOutcome.AnsweredByPerson, EndedAt = Start.AddMinutes(14), AgentId = "agent-1", DispositionCode = "SALE" };
        var open = Attempt(contacts[2], 1, Start.AddMinutes(30));
        var abandoned = Attempt(contacts[3], 1, Start.AddMinutes(20)) with { Outcome = CallOutcome.Abandoned, EndedAt = Start.AddMinutes(20).AddSeconds(7) };
        foreach (var (attempt, contact) in new[] { (open, contacts[2]), (tooEarly, contacts[0]), (abandoned, contacts[3]), (atSince, contacts[1]) })
        {
            Campaigns.SaveAttempt(attempt, contact with { Status = ContactStatus.Dialing, Attempts = 1 });
        }

        Campaigns.SaveAttempt(Attempt(Contact(9, other), 1, Start.AddMinutes(15)), Contact(9, other));

        await ReopenAsync();

        Assert.Equal([atSince, abandoned, open], Campaigns.LoadAttempts(CampaignId, Start.AddMinutes(10)));
        Assert.Equal([tooEarly, atSince, abandoned, open], Campaigns.LoadAttempts(CampaignId, Start));
        Assert.Empty(Campaigns.LoadAttempts(CampaignId, Start.AddMinutes(31)));
        Assert.Empty(Campaigns.LoadAttempts(Guid.CreateVersion7(), Start));
    }

    [Fact]
    public async Task A_new_dialer_over_the_reopened_store_still_counts_the_abandons_before_the_restart()
    {
        var contacts = Enumerable.Range(1, 5).Select(i => Contact(i)).ToList();
        Campaigns.SaveCampaign(new CampaignRecord(CampaignId, Progressive() with { ComplianceWindow = ComplianceWindowKind.Rolling24Hours }, CampaignState.Paused, Start, 6));
        Campaigns.SaveContacts(contacts);
        var outcomes = new[] { CallOutcome.Abandoned, CallOutcome.AnsweredByPerson, CallOutcome.AnsweredByPerson, CallOutcome.Abandoned, CallOutcome.Busy };
        for (var i = 0; i < contacts.Count; i++)
        {
            // The first abandon, at 09:00, leaves the rolling 24 hours before the restart at 09:30 the next day.
            var placedAt = Start.AddHours(i == 0 ? 0 : 12 + i);
            Campaigns.SaveAttempt(
                Attempt(contacts[i], 1, placedAt) with { Outcome = outcomes[i], EndedAt = placedAt.AddSeconds(30) },
                contacts[i] with { Status = ContactStatus.Completed, Attempts = 1, LastOutcome = outcomes[i] });
        }

        await ReopenAsync();
        Clock.Advance(TimeSpan.FromHours(24.5));
        using var dialer = new OutboundDialer(new ScriptedCalls(Clock), new HandAgents("agent-1"), Campaigns, Clock);
        Assert.Equal(1, dialer.Restore());

        var stats = dialer.GetCampaign(CampaignId).GetStatistics();
        Assert.Equal((3, 1), (stats.WindowLiveAnswers, stats.WindowAbandoned));
        Assert.Equal(1.0 / 3, stats.WindowAbandonRate, 9);
        Assert.Equal((5L, 4L, 0L, 2L), (stats.Dials, stats.LiveAnswers, stats.MachineAnswers, stats.Abandoned));
    }

    [Fact]
    public void A_campaign_nobody_saved_has_no_contacts_or_attempts()
    {
        Campaigns.SaveContacts([Contact(1)]);

        Assert.Empty(Campaigns.LoadContacts(Guid.CreateVersion7()));
        Assert.Empty(Campaigns.LoadOpenAttempts(Guid.CreateVersion7()));
        Assert.Throws<ArgumentNullException>(() => Campaigns.SaveContacts(null!));
        Assert.Throws<ArgumentNullException>(() => Campaigns.SaveAttempt(null!, Contact(1)));
    }

    [Fact]
    public void A_large_import_is_saved_at_once()
    {
        var contacts = Enumerable.Range(1, 2000).Select(i => Contact(i)).ToList();

        Campaigns.SaveContacts(contacts);

        Assert.Equal(contacts.Select(c => c.Id), Campaigns.LoadContacts(CampaignId).Select(c => c.Id));
    }

    [Fact]
    public async Task Campaigns_contacts_and_open_attempts_survive_a_restart()
    {
        var contact = Contact(1);
        var attempt = Attempt(contact, 1, Start);
        Campaigns.SaveCampaign(new CampaignRecord(CampaignId, EverySetting(), CampaignState.Running, Start, 2));
        Campaigns.SaveContacts([contact, Contact(2)]);
        Campaigns.SaveAttempt(attempt, contact with { Status = ContactStatus.Dialing, Attempts = 1 });

        await ReopenAsync();

        var campaign = Assert.Single(Campaigns.LoadCampaigns());
        AssertSameSettings(EverySetting(), campaign.Settings);
        Assert.Equal([contact with { Status = ContactStatus.Dialing, Attempts = 1 }, Contact(2)], Campaigns.LoadContacts(CampaignId), ContactComparer.Instance);
        Assert.Equal([attempt], Campaigns.LoadOpenAttempts(CampaignId));
    }

    [Fact]
    public void The_attempt_and_contact_state_are_stored_before_the_call_is_placed()
    {
        var calls = new ScriptedCalls(Clock);
        using var dialer = new OutboundDialer(calls, new HandAgents("agent-1"), Campaigns, Clock);
        var campaign = dialer.CreateCampaign(Progressive());
        campaign.AddContacts([new ContactInput("+12125550101")]);
        var checkedCalls = 0;
        calls.OnDial = call =>
        {
            Assert.Equal(call.Id, Assert.Single(Campaigns.LoadOpenAttempts(campaign.Id)).Id);
            var contact = Assert.Single(Campaigns.LoadContacts(campaign.Id));
            Assert.Equal((ContactStatus.Dialing, 1), (contact.Status, contact.Attempts));
            checkedCalls++;
        };

        campaign.Start();
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, checkedCalls);
    }

    [Fact]
    public async Task A_new_dialer_over_the_reopened_store_resumes_without_dialing_anyone_twice_or_losing_anyone()
    {
        var numbers = Enumerable.Range(1, 6).Select(i => $"+1212555010{i}").ToArray();
        Guid campaignId;
        var before = new ScriptedCalls(Clock);
        using (var dialer = new OutboundDialer(before, new HandAgents("agent-1", "agent-2"), Campaigns, Clock))
        {
            var campaign = dialer.CreateCampaign(Progressive());
            campaignId = campaign.Id;
            Assert.Empty(campaign.AddContacts(numbers.Select(n => new ContactInput(n))).Errors);
            campaign.Start();
            Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(numbers[..2], before.Dialed.Select(c => c.Call.PhoneNumber));
            var done = before.Dialed[0].Call;
            done.ReportAnswered();
            done.ReportHangUp();
            Assert.True(dialer.SubmitDisposition(done.Id, AgentDisposition.Final("SALE")));

            // The process dies here: the second call is in flight, the first agent never told the dialer it was free.
        }

        await ReopenAsync();
        var after = new ScriptedCalls(Clock);
        var agents = new HandAgents("agent-1", "agent-2");
        using var resumedDialer = new OutboundDialer(after, agents, Campaigns, Clock);
        var restoredAt = Clock.GetUtcNow();
        Assert.Equal(1, resumedDialer.Restore());
        var resumed = resumedDialer.GetCampaign(campaignId);
        Assert.Equal(CampaignState.Running, resumed.State);
        Assert.Empty(Campaigns.LoadOpenAttempts(campaignId));

        // Answer everything as it comes, until the campaign completes.
        for (var second = 0; second < 3600 && resumed.State == CampaignState.Running; second++)
        {
            foreach (var (call, _, _) in after.Dialed.Where(d => !d.Answered).ToList())
            {
                after.Answer(call);
                call.ReportHangUp();
                Assert.True(resumedDialer.SubmitDisposition(call.Id, AgentDisposition.Final("DONE")));
                agents.Free(call.AgentId!);
                resumedDialer.NotifyAgentAvailable();
            }

            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(CampaignState.Completed, resumed.State);
        var dialedAfter = after.Dialed.Select(d => d.Call.PhoneNumber).ToList();
        Assert.DoesNotContain(numbers[0], dialedAfter);
        Assert.Equal(numbers[1..].Order(), dialedAfter.Order());
        Assert.All(Campaigns.LoadContacts(campaignId), c => Assert.Equal(ContactStatus.Completed, c.Status));
        Assert.Empty(Campaigns.LoadOpenAttempts(campaignId));

        // The interrupted contact waited for its retry interval before it was dialed again.
        var retried = after.Dialed.Single(d => d.Call.PhoneNumber == numbers[1]);
        Assert.True(retried.At - restoredAt >= RetryRules.DefaultInterval);
    }

    [Fact]
    public async Task Do_not_call_numbers_are_kept_per_list_and_survive_a_restart()
    {
        var other = Guid.CreateVersion7(Start.AddDays(1));
        Campaigns.SaveDoNotCall(null, "+12125550101");
        Campaigns.SaveDoNotCall(null, "+12125550101");
        Campaigns.SaveDoNotCall(null, "+12125550199");
        Campaigns.SaveDoNotCall(CampaignId, "+12125550102");
        Campaigns.SaveDoNotCall(other, "+12125550103");
        Campaigns.RemoveDoNotCall(null, "+12125550199");
        Campaigns.RemoveDoNotCall(CampaignId, "+12125550199");

        await ReopenAsync();

        Assert.Equal(["+12125550101"], Campaigns.LoadDoNotCall(null));
        Assert.Equal(["+12125550102"], Campaigns.LoadDoNotCall(CampaignId));
        Assert.Equal(["+12125550103"], Campaigns.LoadDoNotCall(other));
        Assert.Empty(Campaigns.LoadDoNotCall(Guid.CreateVersion7()));
        Assert.Throws<ArgumentException>(() => Campaigns.SaveDoNotCall(Guid.Empty, "+12125550104"));
        Assert.ThrowsAny<ArgumentException>(() => Campaigns.SaveDoNotCall(null, " "));
    }

    [Fact]
    public async Task A_new_dialer_over_the_reopened_store_keeps_the_do_not_call_lists()
    {
        Guid campaignId;
        using (var dialer = new OutboundDialer(new ScriptedCalls(Clock), new HandAgents("agent-1"), Campaigns, Clock))
        {
            var campaign = dialer.CreateCampaign(Progressive());
            campaignId = campaign.Id;
            dialer.GlobalDoNotCall.Add("(212) 555-0101");
            campaign.DoNotCall.Add("+12125550102");
        }

        await ReopenAsync();
        var calls = new ScriptedCalls(Clock);
        using var resumed = new OutboundDialer(calls, new HandAgents("agent-1", "agent-2", "agent-3"), Campaigns, Clock);
        Assert.Equal(1, resumed.Restore());
        var restored = resumed.GetCampaign(campaignId);
        restored.AddContacts([new ContactInput("+12125550101"), new ContactInput("+12125550102"), new ContactInput("+12125550103")]);
        restored.Start();
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["+12125550103"], calls.Dialed.Select(d => d.Call.PhoneNumber));
        Assert.Equal(2, Campaigns.LoadContacts(campaignId).Count(c => c.Status == ContactStatus.DoNotCall));
    }

    private sealed class ContactComparer : IEqualityComparer<ContactRecord>
    {
        public static readonly ContactComparer Instance = new();

        public bool Equals(ContactRecord? x, ContactRecord? y) =>
            x is not null && y is not null && x with { Fields = y.Fields } == y && x.Fields.Count == y.Fields.Count;

        public int GetHashCode(ContactRecord obj) => obj.Id.GetHashCode();
    }

    /// <summary>A carrier the test drives by hand: it records each call placed and when.</summary>
    private sealed class ScriptedCalls(TimeProvider clock) : IOutboundCallPort
    {
        public List<(OutboundCall Call, DateTimeOffset At, bool Answered)> Dialed { get; } = [];

        public Action<OutboundCall>? OnDial { get; set; }

        public void Answer(OutboundCall call)
        {
            var i = Dialed.FindIndex(d => d.Call == call);
            Dialed[i] = Dialed[i] with { Answered = true };
            call.ReportAnswered();
        }

        public void Dial(OutboundCall outboundCall)
        {
            Dialed.Add((outboundCall, clock.GetUtcNow(), false));
            OnDial?.Invoke(outboundCall);
        }

        public void Connect(OutboundCall outboundCall, string agentId)
        {
        }

        public void PlayComplianceMessage(OutboundCall outboundCall, string prompt)
        {
        }

        public void StartFlow(OutboundCall outboundCall, string flowId)
        {
        }

        public void HangUp(OutboundCall outboundCall)
        {
        }
    }

    /// <summary>Agents the test frees by hand.</summary>
    private sealed class HandAgents(params string[] agents) : IAgentPool
    {
        private readonly List<string> _free = [.. agents];

        public int LoggedInAgents => agents.Length;

        public int FreeAgents => _free.Count;

        public bool TryReserve(string? agentId, [NotNullWhen(true)] out string? reservedAgentId)
        {
            reservedAgentId = agentId is null ? _free.FirstOrDefault() : _free.FirstOrDefault(a => a == agentId);
            return reservedAgentId is not null && _free.Remove(reservedAgentId);
        }

        public void Release(string agentId) => _free.Add(agentId);

        public void OfferPreview(string agentId, PreviewOffer offer)
        {
        }

        public void Free(string agentId) => _free.Add(agentId);
    }
}

public sealed class SqliteCampaignStoreTests : CampaignStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresCampaignStoreTests(PostgresServer server) : CampaignStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}

public sealed class InMemoryCampaignStoreTests : CampaignStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.InMemory();
}

public sealed class CampaignSettingsDocumentTests
{
    [Fact]
    public void Every_campaign_setting_has_a_place_in_the_stored_document()
    {
        var stored = typeof(CampaignSettingsDocument).GetProperties().Select(p => p.Name).ToHashSet();

        var missing = typeof(CampaignSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && !stored.Contains(p.Name))
            .Select(p => p.Name);

        Assert.Empty(missing);
    }

    [Fact]
    public void Unreadable_stored_settings_name_the_campaign()
    {
        var id = Guid.CreateVersion7();

        var error = Assert.Throws<StorageException>(() => CampaignSettingsDocument.Deserialize("{\"name\":", id));

        Assert.Contains(id.ToString(), error.Message, StringComparison.Ordinal);
    }
}
