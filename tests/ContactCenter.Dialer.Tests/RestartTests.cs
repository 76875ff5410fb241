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
        Guid campaignId;
        using (var before = new Rig(agents: 2, store: store, time: time))
        {
            var campaign = before.Running(Rig.Settings(), numbers);
            campaignId = campaign.Id;
            before.Wait(1);
            Assert.Equal(numbers[..2], before.Calls.Dialed.Select(c => c.PhoneNumber));
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
}
