using ContactCenter.Testing;

namespace ContactCenter.Dialer.Tests;

public sealed class CampaignLifecycleTests
{
    [Fact]
    public void Illegal_transitions_fail_with_a_message_naming_the_state_and_the_allowed_ones()
    {
        using var rig = new Rig();
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());

        var pause = Assert.Throws<CampaignStateException>(campaign.Pause);
        Assert.Equal("Campaign 'test' cannot pause while Draft; allowed from: Running.", pause.Message);
        Assert.Throws<CampaignStateException>(campaign.Resume);
        Assert.Throws<CampaignStateException>(campaign.Schedule); // no StartAt

        campaign.Start();
        Assert.Equal(CampaignState.Running, campaign.State);
        campaign.Pause();
        Assert.Equal(CampaignState.Paused, campaign.State);
        campaign.Resume();
        campaign.Stop();
        Assert.Equal(CampaignState.Stopped, campaign.State);
        var restart = Assert.Throws<CampaignStateException>(campaign.Start);
        Assert.Contains("while Stopped", restart.Message, StringComparison.Ordinal);
        Assert.Throws<CampaignStateException>(campaign.Stop);
    }

    [Fact]
    public void A_dialer_disposed_while_it_hands_calls_to_its_port_finishes_that_hand_over_without_failing()
    {
        // The host disposes the dialer at shutdown while a pacing tick may be handing calls to the port on a timer
        // thread; an exception there ends the process. Here the port itself disposes the dialer in the middle.
        using var rig = new Rig(agents: 2);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());
        campaign.AddContacts([new ContactInput("2125550101"), new ContactInput("2125550102")]);
        rig.Calls.OnDial = _ => rig.Dialer.Dispose();

        campaign.Start();
        rig.Wait(5);

        Assert.NotEmpty(rig.Calls.Dialed);
    }

    [Fact]
    public void A_scheduled_campaign_starts_at_its_start_time_and_completes_at_its_end_time()
    {
        using var rig = new Rig(agents: 1);
        var start = rig.Time.GetUtcNow().AddMinutes(10);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings() with { StartAt = start, EndAt = start.AddMinutes(30) });
        campaign.AddContacts([new ContactInput("2125550101"), new ContactInput("2125550102")]);
        campaign.Start();

        Assert.Equal(CampaignState.Scheduled, campaign.State);
        rig.Wait(9 * 60);
        Assert.Empty(rig.Calls.Dialed);

        rig.Wait(61);
        Assert.Equal(CampaignState.Running, campaign.State);
        Assert.Single(rig.Calls.Dialed);

        rig.Wait(30 * 60);
        Assert.Equal(CampaignState.Completed, campaign.State);
        Assert.Throws<CampaignStateException>(campaign.Pause);
    }

    [Fact]
    public void A_paused_campaign_places_no_calls_until_resumed()
    {
        using var rig = new Rig(agents: 2);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());
        campaign.AddContacts([new ContactInput("2125550101")]);
        campaign.Start();
        campaign.Pause();
        rig.Wait(5);
        Assert.Empty(rig.Calls.Dialed);

        campaign.Resume();
        rig.Wait(1);
        Assert.Single(rig.Calls.Dialed);
    }

    [Fact]
    public void A_campaign_completes_when_every_contact_is_finished()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        var call = Assert.Single(rig.Calls.Dialed);
        call.ReportAnswered();
        rig.Finish(call, "agent-1");

        Assert.Equal(CampaignState.Completed, campaign.State);
        Assert.Equal(ContactStatus.Completed, rig.Store.LoadContacts(campaign.Id)[0].Status);
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_the_setting()
    {
        using var rig = new Rig();
        var ex = Assert.Throws<ArgumentException>(() => rig.Dialer.CreateCampaign(Rig.Settings() with { Priority = 9 }));
        Assert.Contains("Priority", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => rig.Dialer.CreateCampaign(Rig.Settings() with { RingTimeout = TimeSpan.FromSeconds(10) }));
        Assert.Contains("minimum ring of 15 s", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => rig.Dialer.CreateCampaign(Rig.Settings() with { DefaultTimeZoneId = "Nowhere/City" }));
        Assert.Contains("DefaultTimeZoneId", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => rig.Dialer.CreateCampaign(Rig.Settings(DialingMode.Agentless)));
        Assert.Contains("AgentlessFlowId", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryRules().Set(CallOutcome.Busy, 3, TimeSpan.FromSeconds(30)));

        // The minimum ring is an option.
        rig.Dialer.CreateCampaign(Rig.Settings() with { RingTimeout = TimeSpan.FromSeconds(10), EnforceMinimumRing = false });
    }

    [Fact]
    public void Campaigns_sharing_agents_are_served_in_priority_order()
    {
        using var rig = new Rig(agents: 1);
        var low = rig.Dialer.CreateCampaign(Rig.Settings() with { Name = "low", Priority = 5 });
        var high = rig.Dialer.CreateCampaign(Rig.Settings() with { Name = "high", Priority = 1 });
        low.AddContacts([new ContactInput("2125550101")]);
        high.AddContacts([new ContactInput("2125550102")]);
        low.Start();
        high.Start();

        rig.Wait(1);

        var call = Assert.Single(rig.Calls.Dialed);
        Assert.Equal(high.Id, call.CampaignId);
    }
}

public sealed class CallingWindowTests
{
    [Fact]
    public void Windows_are_evaluated_in_each_contacts_own_time_zone()
    {
        // 12:30 UTC on Monday: 07:30 in New York (closed by default), 13:30 in Paris (open).
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 30, 0, TimeSpan.Zero));
        using var rig = new Rig(agents: 2, time: time);
        var campaign = rig.Dialer.CreateCampaign(new CampaignSettings { Name = "windows", Mode = DialingMode.Progressive });
        campaign.AddContacts([new ContactInput("2125550101", TimeZoneId: "America/New_York"), new ContactInput("+33123456789", TimeZoneId: "Europe/Paris")]);
        campaign.Start();

        rig.Wait(1);
        Assert.Equal(["+33123456789"], rig.Calls.Dialed.Select(c => c.PhoneNumber));

        // 08:00 New York is 13:00 UTC.
        rig.Time.AdvanceTo(new DateTimeOffset(2026, 1, 5, 12, 59, 59, TimeSpan.Zero));
        Assert.DoesNotContain(rig.Calls.Dialed, c => c.PhoneNumber == "+12125550101");
        rig.Time.AdvanceTo(new DateTimeOffset(2026, 1, 5, 13, 0, 1, TimeSpan.Zero));
        Assert.Single(rig.Calls.Dialed, c => c.PhoneNumber == "+12125550101");
    }

    [Fact]
    public void Several_ranges_per_weekday_and_closed_days_are_respected()
    {
        var windows = new CallingWindows.Builder()
            .Add(DayOfWeek.Monday, new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0)), new TimeRange(new TimeOnly(14, 0), new TimeOnly(18, 0)))
            .Build();
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        DateTimeOffset Local(int day, int hour, int minute) => new(2026, 1, day, hour, minute, 0, TimeSpan.FromHours(1));

        Assert.True(windows.IsOpen(Local(5, 9, 0), paris));
        Assert.False(windows.IsOpen(Local(5, 12, 0), paris));
        Assert.False(windows.IsOpen(Local(5, 13, 59), paris));
        Assert.True(windows.IsOpen(Local(5, 17, 59), paris));
        Assert.False(windows.IsOpen(Local(6, 10, 0), paris));
        Assert.Equal(Local(5, 14, 0), windows.NextOpening(Local(5, 12, 30), paris));
        Assert.Equal(Local(12, 9, 0), windows.NextOpening(Local(5, 18, 30), paris));
    }

    [Fact]
    public void Overlapping_or_empty_ranges_are_refused_naming_the_day()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CallingWindows.Builder()
            .Add(DayOfWeek.Tuesday, new TimeRange(new TimeOnly(9, 0), new TimeOnly(12, 0)), new TimeRange(new TimeOnly(11, 0), new TimeOnly(13, 0)))
            .Build());
        Assert.Contains("Tuesday", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CallingWindows.Builder().Add(DayOfWeek.Friday, new TimeRange(new TimeOnly(12, 0), new TimeOnly(9, 0))).Build());
    }

    [Fact]
    public void The_default_window_is_0800_to_2100_local_every_day()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var sunday = new DateTimeOffset(2026, 1, 4, 7, 59, 0, TimeSpan.FromHours(9));
        Assert.False(CallingWindows.Default.IsOpen(sunday, tokyo));
        Assert.True(CallingWindows.Default.IsOpen(sunday.AddMinutes(1), tokyo));
        Assert.True(CallingWindows.Default.IsOpen(sunday.AddHours(13).AddMinutes(0), tokyo));
        Assert.False(CallingWindows.Default.IsOpen(sunday.AddHours(13).AddMinutes(1), tokyo));
    }

    [Fact]
    public void Settings_that_steer_what_comes_next_can_change_and_are_stored_while_structural_ones_are_refused_by_name()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());
        campaign.Start();

        campaign.UpdateSettings(campaign.Settings with { Name = "renamed", MaxConcurrentCalls = 3, AbandonCap = 0.02, RingTimeout = TimeSpan.FromSeconds(30) });

        Assert.Equal("renamed", campaign.Settings.Name);
        Assert.Equal(0.02, campaign.Settings.AbandonCap);
        var stored = Assert.Single(rig.Store.LoadCampaigns());
        Assert.Equal("renamed", stored.Settings.Name);
        Assert.Equal(3, stored.Settings.MaxConcurrentCalls);

        var mode = Assert.Throws<ArgumentException>(() => campaign.UpdateSettings(campaign.Settings with { Mode = DialingMode.Predictive }));
        Assert.Contains("Mode cannot change after creation", mode.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => campaign.UpdateSettings(campaign.Settings with { AbandonCap = 2 }));
        Assert.Equal(DialingMode.Progressive, campaign.Settings.Mode);

        campaign.Stop();
        Assert.Throws<CampaignStateException>(() => campaign.UpdateSettings(campaign.Settings with { Name = "late" }));
    }
}
