using ContactCenter.Dialer.Simulation;
using ContactCenter.Testing;

namespace ContactCenter.Dialer.Tests;

/// <summary>Persons classified as machines, reported by the host, and do-not-call lists kept across restarts.</summary>
public sealed class ComplianceReportTests
{
    private static OutboundCall MachineAnswered(Rig rig)
    {
        rig.Wait(1);
        var call = rig.Calls.Dialed[^1];
        call.ReportAnswered();
        call.ReportAmdVerdict(AmdVerdict.Machine);
        return call;
    }

    [Fact]
    public void A_person_classified_as_a_machine_counts_as_abandoned_in_the_rate_and_the_compliance_window()
    {
        using var rig = new Rig(agents: 1, amd: new FakeMachineDetector());
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        var call = MachineAnswered(rig);
        Assert.Equal((1L, 0L, 0L), (campaign.GetStatistics().MachineAnswers, campaign.GetStatistics().LiveAnswers, campaign.GetStatistics().Abandoned));

        Assert.True(call.ReportPersonClassifiedAsMachine());

        var stats = campaign.GetStatistics();
        Assert.Equal((0L, 1L, 1L), (stats.MachineAnswers, stats.LiveAnswers, stats.Abandoned));
        Assert.Equal((1, 1, 1.0), (stats.WindowLiveAnswers, stats.WindowAbandoned, stats.WindowAbandonRate));
        var attempt = Assert.Single(rig.Store.LoadAttempts(campaign.Id));
        Assert.Equal(CallOutcome.Abandoned, attempt.Outcome);
        var contact = Assert.Single(rig.Store.LoadContacts(campaign.Id));
        Assert.Equal((CallOutcome?)CallOutcome.Abandoned, contact.LastOutcome);
        Assert.Equal(rig.Time.GetUtcNow(), contact.LastAbandonedAt);

        // Reported twice, counted once.
        Assert.False(call.ReportPersonClassifiedAsMachine());
        Assert.Equal(1L, campaign.GetStatistics().Abandoned);
    }

    [Fact]
    public void The_contact_then_waits_for_the_abandoned_redial_block_instead_of_the_machine_retry()
    {
        using var rig = new Rig(agents: 1, amd: new FakeMachineDetector());
        rig.Running(Rig.Settings(), "+12125550101");
        var call = MachineAnswered(rig);
        call.ReportPersonClassifiedAsMachine();

        rig.Wait(TimeSpan.FromHours(71.9).TotalSeconds);
        Assert.Single(rig.Calls.Dialed);
        rig.Wait(TimeSpan.FromHours(0.1).TotalSeconds + 2);
        Assert.Equal(2, rig.Calls.Dialed.Count);
    }

    [Fact]
    public void A_detector_that_revises_its_machine_verdict_to_person_reports_an_abandoned_call()
    {
        using var rig = new Rig(agents: 1, amd: new FakeMachineDetector());
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        var call = MachineAnswered(rig);

        call.ReportAmdVerdict(AmdVerdict.Person);

        Assert.Equal(1L, campaign.GetStatistics().Abandoned);
        Assert.Empty(rig.Calls.Connected);
    }

    [Fact]
    public void A_call_that_was_not_classified_as_a_machine_cannot_be_reported_as_one()
    {
        using var rig = new Rig(agents: 1, amd: new FakeMachineDetector());
        var campaign = rig.Running(Rig.Settings(), "+12125550101", "+12125550102");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        call.ReportAnswered();
        call.ReportAmdVerdict(AmdVerdict.Person);

        Assert.False(call.ReportPersonClassifiedAsMachine());
        Assert.Equal((1L, 0L), (campaign.GetStatistics().LiveAnswers, campaign.GetStatistics().Abandoned));
    }

    [Fact]
    public void Persons_classified_as_machines_tighten_predictive_pacing_like_other_abandons()
    {
        // Enough statistics for predictive pacing, then a burst of misclassified persons eats the room under the cap.
        var workload = new SimulationOptions
        {
            Agents = 10,
            Mode = DialingMode.Predictive,
            AnswerRate = 0.3,
            Talk = 120,
            Wrap = 15,
            DurationHours = 2,
            Seed = 3,
        };
        var baseline = DialerSimulation.Run(workload);
        var result = DialerSimulation.Run(workload with { AmdFalsePositiveRate = 0.2 });
        Assert.True(baseline.PredictiveDecisionShare > 0.5, $"baseline predictive share {baseline.PredictiveDecisionShare}");

        // With 20 % of persons lost to detection the cap cannot hold, and the dialer knows it: it stops dialing ahead.
        Assert.True(result.AbandonRate > 0.03);
        Assert.True(result.PredictiveDecisionShare < 0.5, $"predictive share {result.PredictiveDecisionShare}");
    }

    [Fact]
    public void Do_not_call_lists_global_and_per_campaign_survive_a_restart()
    {
        var store = new InMemoryCampaignStore();
        var time = new ManualTimeProvider();
        Guid campaignId;
        using (var before = new Rig(agents: 1, store: store, time: time))
        {
            var campaign = before.Dialer.CreateCampaign(Rig.Settings());
            campaignId = campaign.Id;
            before.Dialer.GlobalDoNotCall.Add("(212) 555-0101");
            before.Dialer.GlobalDoNotCall.Add("(212) 555-0199");
            Assert.True(before.Dialer.GlobalDoNotCall.Remove("+12125550199"));
            campaign.DoNotCall.Add("+12125550102");
        }

        Assert.Equal(["+12125550101"], store.LoadDoNotCall(null));
        Assert.Equal(["+12125550102"], store.LoadDoNotCall(campaignId));

        using var after = new Rig(agents: 3, store: store, time: time);
        Assert.Equal(1, after.Dialer.Restore());
        var restored = after.Dialer.GetCampaign(campaignId);
        Assert.True(after.Dialer.GlobalDoNotCall.Contains("+12125550101"));
        Assert.False(after.Dialer.GlobalDoNotCall.Contains("+12125550199"));
        Assert.True(restored.DoNotCall.Contains("+12125550102"));

        restored.AddContacts([new ContactInput("+12125550101"), new ContactInput("+12125550102"), new ContactInput("+12125550103")]);
        restored.Start();
        after.Wait(1);

        Assert.Equal(["+12125550103"], after.Calls.Dialed.Select(c => c.PhoneNumber));
    }

    [Fact]
    public void A_do_not_call_disposition_is_stored_with_the_campaign_list()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        call.ReportAnswered();

        rig.Finish(call, call.AgentId!, new AgentDisposition("STOP", DispositionKind.DoNotCall));

        Assert.Equal(["+12125550101"], rig.Store.LoadDoNotCall(campaign.Id));
        Assert.Empty(rig.Store.LoadDoNotCall(null));
    }

    [Theory]
    [InlineData(true, CallOutcome.Abandoned, ContactStatus.Pending, true)]
    [InlineData(false, CallOutcome.Abandoned, ContactStatus.Pending, false)]
    [InlineData(true, CallOutcome.Busy, ContactStatus.Pending, false)]
    [InlineData(true, CallOutcome.Abandoned, ContactStatus.Exhausted, false)]
    public void A_restored_abandoned_contact_still_needs_an_agent_reserved_before_its_redial(bool guaranteedAgent, CallOutcome lastOutcome, ContactStatus status, bool requiresAgent)
    {
        var settings = Rig.Settings(DialingMode.Predictive) with { RedialAbandonedWithGuaranteedAgent = guaranteedAgent };
        var runtime = new CampaignRuntime(Guid.CreateVersion7(), settings, CampaignState.Running, null, 1, new InMemoryCampaignStore());
        var record = new ContactRecord(
            Guid.CreateVersion7(), runtime.Id, 0, "+12125550101", null, "UTC", 0, new Dictionary<string, string>(), status, 1,
            DateTimeOffset.UnixEpoch, lastOutcome, lastOutcome == CallOutcome.Abandoned ? DateTimeOffset.UnixEpoch : null, null, false, null);

        Assert.Equal(requiresAgent, OutboundDialer.FromRecord(runtime, record).RequiresAgent);
    }

    [Fact]
    public void A_list_made_with_new_stays_in_memory_and_the_store_refuses_the_all_zero_campaign_id()
    {
        var list = new DoNotCallList();
        list.Add("+12125550101");
        Assert.True(list.Contains("+12125550101"));

        var store = new InMemoryCampaignStore();
        Assert.Throws<ArgumentException>(() => store.SaveDoNotCall(Guid.Empty, "+12125550101"));
        store.SaveDoNotCall(null, "+12125550101");
        store.SaveDoNotCall(null, "+12125550101");
        Assert.Equal(["+12125550101"], store.LoadDoNotCall(null));
        store.RemoveDoNotCall(null, "+12125550101");
        Assert.Empty(store.LoadDoNotCall(null));
    }
}
