using ContactCenter.Testing;

namespace ContactCenter.Dialer.Tests;

public sealed class RestartTests
{
    [Fact]
    public void The_attempt_and_contact_state_are_stored_before_the_call_is_placed()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());
        campaign.AddContacts([new ContactInput("2125550101")]);
        var checkedCalls = 0;
        rig.Calls.OnDial = call =>
        {
            var attempt = Assert.Single(rig.Store.LoadOpenAttempts(campaign.Id));
            Assert.Equal(call.Id, attempt.Id);
            Assert.Equal(1, attempt.Number);
            var contact = Assert.Single(rig.Store.LoadContacts(campaign.Id));
            Assert.Equal(ContactStatus.Dialing, contact.Status);
            Assert.Equal(1, contact.Attempts);
            checkedCalls++;
        };
        campaign.Start();
        rig.Wait(1);

        Assert.Equal(1, checkedCalls);
    }

    [Fact]
    public void A_new_dialer_over_the_same_store_resumes_without_dialing_anyone_twice_or_losing_anyone()
    {
        var store = new InMemoryCampaignStore();
        var time = new ManualTimeProvider();
        var numbers = Enumerable.Range(1, 6).Select(i => $"+1212555010{i}").ToArray();
        var (before, campaign) = DialingTheFirstTwo(store, time, numbers);
        var campaignId = campaign.Id;
        using (before)
        {
            var done = before.Calls.Dialed[0];
            done.ReportAnswered();
            done.ReportHangUp();
            Assert.True(before.Dialer.SubmitDisposition(done.Id, AgentDisposition.Final("SALE")));

            // The process dies here: the second call is in flight, the first agent never told the dialer it was free.
        }

        using var after = new Rig(agents: 2, store: store, time: time);
        Assert.Equal(1, after.Dialer.Restore());
        var resumed = after.Dialer.GetCampaign(campaignId);
        Assert.Equal(CampaignState.Running, resumed.State);
        var interrupted = store.LoadAttempts(campaignId).Single(a => a.PhoneNumber == numbers[1]);
        Assert.Equal(CallOutcome.Interrupted, interrupted.Outcome);

        // Answer everything as it comes, until the campaign completes.
        for (var second = 0; second < 3600 && resumed.State == CampaignState.Running; second++)
        {
            foreach (var call in after.Calls.Dialed.Where(c => !after.Calls.Connected.Any(x => x.Call == c)).ToList())
            {
                call.ReportAnswered();
                after.Finish(call, call.AgentId!);
            }

            after.Wait(1);
        }

        Assert.Equal(CampaignState.Completed, resumed.State);
        var dialedAfter = after.Calls.Dialed.Select(c => c.PhoneNumber).ToList();
        Assert.DoesNotContain(numbers[0], dialedAfter);
        Assert.Equal(numbers[1..].Order(), dialedAfter.Order());
        Assert.All(store.LoadContacts(campaignId), c => Assert.Equal(ContactStatus.Completed, c.Status));

        // The interrupted contact waited for its retry interval.
        var retry = store.LoadAttempts(campaignId).Single(a => a.PhoneNumber == numbers[1] && a.Number == 2);
        Assert.True(retry.PlacedAt - interrupted.EndedAt!.Value >= TimeSpan.FromSeconds(300));
    }

    [Fact]
    public void After_StopPlacingCalls_no_call_is_placed_but_the_calls_in_progress_still_resolve_their_attempts_for_the_next_dialer()
    {
        var store = new InMemoryCampaignStore();
        var time = new ManualTimeProvider();
        var numbers = new[] { "+12125550101", "+12125550102", "+12125550103" };
        var (before, campaign) = DialingTheFirstTwo(store, time, numbers);
        var campaignId = campaign.Id;
        using (before)
        {
            var talking = before.Calls.Dialed[0];
            var ringing = before.Calls.Dialed[1];
            talking.ReportAnswered();

            before.Dialer.StopPlacingCalls();

            // The shutdown drains: both calls end, an agent frees up, time passes; nobody new is dialed.
            talking.ReportHangUp();
            Assert.True(before.Dialer.SubmitDisposition(talking.Id, AgentDisposition.Final("SALE")));
            ringing.ReportFailed(CallOutcome.Busy);
            before.Agents.Free(talking.AgentId!);
            before.Dialer.NotifyAgentAvailable();
            before.Wait(60);
            Assert.Equal(2, before.Calls.Dialed.Count);
            Assert.Equal(CampaignState.Running, campaign.State);
        }

        Assert.Empty(store.LoadOpenAttempts(campaignId));
        var attempts = store.LoadAttempts(campaignId);
        Assert.Equal(CallOutcome.AnsweredByPerson, attempts.Single(a => a.PhoneNumber == numbers[0]).Outcome);
        Assert.Equal(CallOutcome.Busy, attempts.Single(a => a.PhoneNumber == numbers[1]).Outcome);

        // The next dialer carries on: the running campaign dials the contact never called, not the finished one (nor,
        // before its retry interval, the busy one).
        using var after = new Rig(agents: 2, store: store, time: time);
        after.Dialer.Restore();
        Assert.Equal(CampaignState.Running, after.Dialer.GetCampaign(campaignId).State);
        after.Wait(1);
        Assert.Equal([numbers[2]], after.Calls.Dialed.Select(c => c.PhoneNumber));
    }

    [Fact]
    public void StopPlacingCalls_withdraws_the_previews_on_offer_and_releases_their_agents()
    {
        using var rig = new Rig(agents: 1);
        rig.Running(Rig.Settings(DialingMode.Preview), "+12125550101");
        rig.Wait(1);
        var (agent, offer) = Assert.Single(rig.Agents.Offers);

        rig.Dialer.StopPlacingCalls();

        Assert.Contains(agent, rig.Agents.Released);
        Assert.False(rig.Dialer.AcceptPreview(offer.Id));
        rig.Wait(600);
        Assert.Empty(rig.Calls.Dialed);
        Assert.Single(rig.Agents.Offers);
        Assert.Equal(ContactStatus.Pending, Assert.Single(rig.Store.LoadContacts(offer.CampaignId)).Status);
    }

    [Theory]
    [InlineData(ComplianceWindowKind.Rolling24Hours)]
    [InlineData(ComplianceWindowKind.CampaignLife)]
    public void Abandons_before_a_restart_still_count_towards_the_cap_after_it(ComplianceWindowKind window)
    {
        // 50 live answers with 5 abandons (10 %), the process restarts, then 200 answers connected in time.
        var withoutRestart = RunComplianceHistory(window, restartAfter: null);
        var withRestart = RunComplianceHistory(window, restartAfter: 50);

        Assert.Equal(withoutRestart, withRestart);

        // Without the abandons before the restart the window would show 0 % and room for predictive pacing.
        var last = withRestart[^1];
        Assert.Equal((250, 5), (last.Live, last.Abandoned));
        Assert.Equal(0.02, last.Rate, 6);
        Assert.False(last.HasRoom);
        Assert.Equal(5.0 / 51, withRestart[50].Rate, 9);
        Assert.Equal((250L, 250L, 5L), (last.Dials, last.TotalLive, last.TotalAbandoned));
    }

    [Fact]
    public void Abandons_that_left_the_rolling_window_before_a_restart_do_not_count_after_it()
    {
        var store = new InMemoryCampaignStore();
        var time = new ManualTimeProvider();
        Guid campaignId;
        using (var before = new Rig(agents: 0, store: store, time: time))
        {
            var campaign = before.Running(RestartSettings(ComplianceWindowKind.Rolling24Hours), "+12125550101", "+12125550102");
            campaignId = campaign.Id;
            before.Wait(1);
            Abandon(before, campaignId);
            before.Wait(3600);
            Connect(before, campaignId, "agent-1");
        }

        time.Advance(TimeSpan.FromHours(23.5));
        using var after = new Rig(agents: 0, store: store, time: time);
        after.Dialer.Restore();

        var stats = after.Dialer.GetCampaign(campaignId).GetStatistics();
        Assert.Equal((1, 0), (stats.WindowLiveAnswers, stats.WindowAbandoned));
        Assert.Equal((2L, 2L, 1L), (stats.Dials, stats.LiveAnswers, stats.Abandoned));
    }

    /// <summary>A dialer with two agents over <paramref name="store"/> whose running progressive campaign has dialed the first two numbers.</summary>
    private static (Rig Rig, Campaign Campaign) DialingTheFirstTwo(InMemoryCampaignStore store, ManualTimeProvider time, string[] numbers)
    {
        var rig = new Rig(agents: 2, store: store, time: time);
        var campaign = rig.Running(Rig.Settings(), numbers);
        rig.Wait(1);
        Assert.Equal(numbers[..2], rig.Calls.Dialed.Select(c => c.PhoneNumber));
        return (rig, campaign);
    }

    private static CampaignSettings RestartSettings(ComplianceWindowKind window) =>
        Rig.Settings(DialingMode.Predictive) with { ComplianceWindow = window };

    private static void Abandon(Rig rig, Guid campaignId)
    {
        var call = rig.Dialer.DialNextUnreserved(campaignId)!;
        call.ReportAnswered();
        rig.Wait(2.1);
        Assert.Contains(rig.Calls.ComplianceMessages, m => m.Call == call);
    }

    private static void Connect(Rig rig, Guid campaignId, string agent)
    {
        var call = rig.Dialer.DialNextUnreserved(campaignId)!;
        rig.Agents.Free(agent);
        call.ReportAnswered();
        Assert.Contains(rig.Calls.Connected, c => c.Call == call);
        call.ReportHangUp();
        Assert.True(rig.Dialer.SubmitDisposition(call.Id, AgentDisposition.Final("DONE")));
    }

    /// <summary>250 calls a minute apart, abandons first; a snapshot of the compliance state after each call.</summary>
    private static List<ComplianceSnapshot> RunComplianceHistory(ComplianceWindowKind window, int? restartAfter)
    {
        var store = new InMemoryCampaignStore();
        var time = new ManualTimeProvider();
        var numbers = Enumerable.Range(100, 250).Select(i => $"+1212555{i:D4}").ToArray();
        var snapshots = new List<ComplianceSnapshot>();
        var rig = new Rig(agents: 0, store: store, time: time);
        try
        {
            var campaignId = rig.Running(RestartSettings(window), numbers).Id;
            rig.Wait(1);
            for (var i = 0; i < numbers.Length; i++)
            {
                if (i == restartAfter)
                {
                    rig.Dispose();
                    rig = new Rig(agents: 0, store: store, time: time);
                    Assert.Equal(1, rig.Dialer.Restore());
                }

                if (i < 50 && i % 10 == 0)
                {
                    Abandon(rig, campaignId);
                }
                else
                {
                    Connect(rig, campaignId, $"agent-{i}");
                }

                rig.Wait(60);
                var stats = rig.Dialer.GetCampaign(campaignId).GetStatistics();
                snapshots.Add(new ComplianceSnapshot(
                    stats.WindowLiveAnswers, stats.WindowAbandoned, stats.WindowAbandonRate, rig.Dialer.HasRoomUnderCap(campaignId),
                    stats.Dials, stats.LiveAnswers, stats.Abandoned));
            }
        }
        finally
        {
            rig.Dispose();
        }

        return snapshots;
    }

    private sealed record ComplianceSnapshot(int Live, int Abandoned, double Rate, bool HasRoom, long Dials, long TotalLive, long TotalAbandoned);
}
