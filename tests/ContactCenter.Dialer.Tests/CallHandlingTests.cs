namespace ContactCenter.Dialer.Tests;

public sealed class CallHandlingTests
{
    [Fact]
    public void Progressive_reserves_an_agent_before_dialing_and_connects_the_answer_at_once()
    {
        using var rig = new Rig(agents: 2);
        rig.Running(Rig.Settings(), "+12125550101", "+12125550102", "+12125550103");
        rig.Wait(1);

        Assert.Equal(2, rig.Calls.Dialed.Count);
        Assert.Equal(0, rig.Agents.FreeAgents);
        Assert.All(rig.Calls.Dialed, c => Assert.NotNull(c.AgentId));

        rig.Calls.Dialed[0].ReportAnswered();
        var connected = Assert.Single(rig.Calls.Connected);
        Assert.Equal(rig.Calls.Dialed[0].AgentId, connected.Agent);
        Assert.Empty(rig.Calls.ComplianceMessages);
    }

    [Fact]
    public void A_busy_line_releases_the_agent_and_is_retried_after_the_interval_not_before()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        rig.Calls.Dialed[0].ReportFailed(CallOutcome.Busy);

        Assert.Equal(1, rig.Agents.FreeAgents);
        rig.Wait(299);
        Assert.Single(rig.Calls.Dialed);
        rig.Wait(2);
        Assert.Equal(2, rig.Calls.Dialed.Count);
        Assert.Equal(2, rig.Calls.Dialed[1].Contact.Attempts);

        // Busy allows 3 attempts by default, then the contact is exhausted.
        rig.Calls.Dialed[1].ReportFailed(CallOutcome.Busy);
        rig.Wait(301);
        rig.Calls.Dialed[2].ReportFailed(CallOutcome.Busy);
        rig.Wait(3600);
        Assert.Equal(3, rig.Calls.Dialed.Count);
        Assert.Equal(ContactStatus.Exhausted, rig.Store.LoadContacts(campaign.Id)[0].Status);
        Assert.Equal(CampaignState.Completed, campaign.State);
    }

    [Fact]
    public void Retry_rules_are_per_outcome()
    {
        using var rig = new Rig(agents: 1);
        var rules = new RetryRules().Set(CallOutcome.NoAnswer, 2, TimeSpan.FromSeconds(60)).Set(CallOutcome.Busy, 1);
        var campaign = rig.Running(Rig.Settings() with { RetryRules = rules }, "+12125550101", "+12125550102");
        rig.Wait(1);
        rig.Calls.Dialed[0].ReportFailed(CallOutcome.InvalidNumber);
        rig.Calls.Dialed[1].ReportFailed(CallOutcome.Busy);
        rig.Wait(1000);

        Assert.Equal(2, rig.Calls.Dialed.Count);
        Assert.All(rig.Store.LoadContacts(campaign.Id), c => Assert.Equal(ContactStatus.Exhausted, c.Status));
    }

    [Fact]
    public void An_unanswered_call_rings_for_the_whole_timeout_counted_from_the_first_ring()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings() with { RingTimeout = TimeSpan.FromSeconds(20) }, "+12125550101");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        rig.Wait(3);
        call.ReportRinging();
        rig.Wait(19);
        Assert.Empty(rig.Calls.HungUp);
        rig.Wait(1);
        Assert.Same(call, Assert.Single(rig.Calls.HungUp));
        Assert.Equal(CallOutcome.NoAnswer, rig.Store.LoadAttempts(campaign.Id)[0].Outcome);
    }

    [Fact]
    public void An_answered_call_without_an_agent_in_two_seconds_is_abandoned_with_the_compliance_message()
    {
        using var rig = new Rig(agents: 0);
        var (campaign, call) = PredictiveCall(rig, Rig.Settings(DialingMode.Predictive));

        call.ReportAnswered();
        rig.Wait(1.9);
        Assert.Empty(rig.Calls.ComplianceMessages);
        rig.Wait(0.2);

        var message = Assert.Single(rig.Calls.ComplianceMessages);
        Assert.Equal("compliance-message", message.Prompt);
        var stats = campaign.GetStatistics();
        Assert.Equal(1, stats.Abandoned);
        Assert.Equal(1.0, stats.WindowAbandonRate);

        // Not redialed within 72 hours.
        var contact = rig.Store.LoadContacts(campaign.Id)[0];
        Assert.Equal(CallOutcome.Abandoned, contact.LastOutcome);
        Assert.True(contact.NextAttemptAt >= rig.Time.GetUtcNow().AddHours(72).AddSeconds(-1));
    }

    [Fact]
    public void An_agent_freed_within_the_deadline_takes_the_waiting_call()
    {
        using var rig = new Rig(agents: 0);
        var (campaign, call) = PredictiveCall(rig, Rig.Settings(DialingMode.Predictive));
        call.ReportAnswered();
        rig.Wait(1.5);

        rig.Agents.Free("agent-7");
        rig.Dialer.NotifyAgentAvailable();
        rig.Wait(5);

        Assert.Equal("agent-7", Assert.Single(rig.Calls.Connected).Agent);
        Assert.Empty(rig.Calls.ComplianceMessages);
        Assert.Equal(0, campaign.GetStatistics().Abandoned);
    }

    [Fact]
    public void With_the_guaranteed_agent_option_an_abandoned_contact_is_redialed_only_with_an_agent_reserved()
    {
        using var rig = new Rig(agents: 0);
        var (_, call) = PredictiveCall(rig, Rig.Settings(DialingMode.Predictive) with { RedialAbandonedWithGuaranteedAgent = true });
        call.ReportAnswered();
        rig.Wait(3);
        Assert.Single(rig.Calls.ComplianceMessages);

        rig.Agents.Free("agent-1");
        rig.Wait(301);

        Assert.Equal(2, rig.Calls.Dialed.Count);
        Assert.Equal("agent-1", rig.Calls.Dialed[1].AgentId);
    }

    [Fact]
    public void A_machine_answer_is_hung_up_and_never_reaches_an_agent()
    {
        var amd = new FakeMachineDetector();
        using var rig = new Rig(agents: 1, amd: amd);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        call.ReportAnswered();
        Assert.Same(call, Assert.Single(amd.Started));
        Assert.Empty(rig.Calls.Connected);

        call.ReportAmdVerdict(AmdVerdict.Machine);

        Assert.Same(call, Assert.Single(rig.Calls.HungUp));
        Assert.Empty(rig.Calls.Connected);
        Assert.Equal(1, rig.Agents.FreeAgents);
        Assert.Equal(1, campaign.GetStatistics().MachineAnswers);
    }

    [Fact]
    public void A_person_verdict_connects_the_call()
    {
        var amd = new FakeMachineDetector();
        using var rig = new Rig(agents: 1, amd: amd);
        rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        rig.Calls.Dialed[0].ReportAnswered();
        rig.Calls.Dialed[0].ReportAmdVerdict(AmdVerdict.Person);

        Assert.Single(rig.Calls.Connected);
    }

    [Fact]
    public void Agent_specific_callbacks_wait_for_that_agent_and_anyone_callbacks_take_any_agent()
    {
        using var rig = new Rig(agents: 2);
        var campaign = rig.Running(Rig.Settings(), "+12125550101", "+12125550102");
        rig.Wait(1);
        var (first, second) = (rig.Calls.Dialed[0], rig.Calls.Dialed[1]);
        first.ReportAnswered();
        second.ReportAnswered();
        var at = rig.Time.GetUtcNow().AddMinutes(30);
        var mine = first.AgentId!;
        rig.Finish(first, mine, new AgentDisposition("CALL_ME", DispositionKind.Callback, at, CallbackForSameAgent: true));
        rig.Finish(second, second.AgentId!, new AgentDisposition("LATER", DispositionKind.Callback, at));

        // At callback time only the other agent is free: the anyone-callback goes, the agent-specific one waits.
        rig.Agents.TryReserve(mine, out _);
        rig.Time.AdvanceTo(at.AddSeconds(1));
        Assert.Equal(3, rig.Calls.Dialed.Count);
        Assert.Equal("+12125550102", rig.Calls.Dialed[2].PhoneNumber);

        rig.Agents.Free(mine);
        rig.Wait(1);
        Assert.Equal(4, rig.Calls.Dialed.Count);
        Assert.Equal("+12125550101", rig.Calls.Dialed[3].PhoneNumber);
        Assert.Equal(mine, rig.Calls.Dialed[3].AgentId);
        Assert.Equal(CampaignState.Running, campaign.State);
    }

    [Fact]
    public void Preview_offers_the_contact_and_dials_only_after_the_agent_accepts()
    {
        using var rig = new Rig(agents: 1);
        rig.Running(Rig.Settings(DialingMode.Preview), "+12125550101", "+12125550102");
        rig.Wait(1);

        var (agent, offer) = Assert.Single(rig.Agents.Offers);
        Assert.Equal("+12125550101", offer.Contact.PhoneNumber);
        Assert.Empty(rig.Calls.Dialed);

        Assert.True(rig.Dialer.AcceptPreview(offer.Id));
        var call = Assert.Single(rig.Calls.Dialed);
        Assert.Equal(agent, call.AgentId);
        Assert.False(rig.Dialer.AcceptPreview(offer.Id));
    }

    [Fact]
    public void A_skipped_preview_releases_the_agent_and_the_next_contact_is_offered()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(DialingMode.Preview), "+12125550101", "+12125550102");
        rig.Wait(1);
        Assert.True(rig.Dialer.SkipPreview(rig.Agents.Offers[0].Offer.Id));

        Assert.Equal(2, rig.Agents.Offers.Count);
        Assert.Equal("+12125550102", rig.Agents.Offers[1].Offer.Contact.PhoneNumber);
        var skipped = rig.Store.LoadContacts(campaign.Id)[0];
        Assert.Equal(ContactStatus.Pending, skipped.Status);
        Assert.True(skipped.NextAttemptAt > rig.Time.GetUtcNow());
    }

    [Fact]
    public void A_preview_that_times_out_is_dialed_or_skipped_as_configured()
    {
        using var dialRig = new Rig(agents: 1);
        dialRig.Running(Rig.Settings(DialingMode.Preview) with { PreviewTimeout = TimeSpan.FromSeconds(10) }, "+12125550101");
        dialRig.Wait(11.5);
        Assert.Single(dialRig.Calls.Dialed);

        using var skipRig = new Rig(agents: 1);
        skipRig.Running(Rig.Settings(DialingMode.Preview) with { PreviewTimeout = TimeSpan.FromSeconds(10), PreviewTimeoutAction = PreviewTimeoutAction.Skip }, "+12125550101");
        skipRig.Wait(11.5);
        Assert.Empty(skipRig.Calls.Dialed);
        Assert.Contains("agent-1", skipRig.Agents.Released);
    }

    [Fact]
    public void Agentless_campaigns_hand_answered_calls_to_the_flow_and_respect_the_line_limit()
    {
        using var rig = new Rig(agents: 0);
        var campaign = rig.Running(Rig.Settings(DialingMode.Agentless) with { AgentlessFlowId = "reminder", MaxConcurrentCalls = 2 }, "+12125550101", "+12125550102", "+12125550103");
        rig.Wait(1);
        Assert.Equal(2, rig.Calls.Dialed.Count);

        rig.Calls.Dialed[0].ReportAnswered();
        Assert.Equal("reminder", Assert.Single(rig.Calls.Flows).Flow);
        rig.Calls.Dialed[0].ReportHangUp();
        rig.Wait(1);

        Assert.Equal(3, rig.Calls.Dialed.Count);
        Assert.Equal(ContactStatus.Completed, rig.Store.LoadContacts(campaign.Id)[0].Status);
    }

    [Fact]
    public void Caller_ids_come_from_the_campaign_pool()
    {
        using var rig = new Rig(agents: 2);
        rig.Running(Rig.Settings() with { CallerIds = new CallerIdPool(CallerIdMode.SameAreaCode, "+13105550100", "+12125550100") }, "+12125550101", "+13105550101");
        rig.Wait(1);

        Assert.Equal(["+12125550100", "+13105550100"], rig.Calls.Dialed.Select(c => c.CallerId));
    }

    [Fact]
    public void A_person_who_hangs_up_while_waiting_for_an_agent_counts_as_abandoned_without_the_message()
    {
        using var rig = new Rig(agents: 0);
        var (campaign, call) = PredictiveCall(rig, Rig.Settings(DialingMode.Predictive));
        call.ReportAnswered();
        rig.Wait(1);
        call.ReportHangUp();
        rig.Wait(5);

        Assert.Empty(rig.Calls.ComplianceMessages);
        Assert.Equal(1, campaign.GetStatistics().Abandoned);
        Assert.Equal(CallOutcome.Abandoned, rig.Store.LoadAttempts(campaign.Id)[0].Outcome);
    }

    [Fact]
    public void Stopping_a_campaign_lets_calls_in_progress_finish_and_places_no_new_ones()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(), "+12125550101", "+12125550102");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        call.ReportAnswered();
        campaign.Stop();

        rig.Finish(call, call.AgentId!);
        rig.Wait(10);

        Assert.Single(rig.Calls.Dialed);
        Assert.Equal(CampaignState.Stopped, campaign.State);
        Assert.Equal("DONE", rig.Store.LoadAttempts(campaign.Id)[0].DispositionCode);
    }

    /// <summary>A running campaign with one contact, and its call placed the way predictive pacing places it: no agent reserved.</summary>
    private static (Campaign Campaign, OutboundCall Call) PredictiveCall(Rig rig, CampaignSettings settings)
    {
        var campaign = rig.Dialer.CreateCampaign(settings);
        campaign.AddContacts([new ContactInput("2125550101")]);
        campaign.Start();
        var call = rig.Dialer.DialNextUnreserved(campaign.Id);
        Assert.NotNull(call);
        Assert.Null(call.AgentId);
        return (campaign, call);
    }
}
