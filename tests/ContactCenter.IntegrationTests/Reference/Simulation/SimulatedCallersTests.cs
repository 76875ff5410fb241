using ContactCenter.IntegrationTests.Media;
using ContactCenter.Reference.Simulation;
using ContactCenter.Sip.Calls;
using ContactCenter.Testing;
using static ContactCenter.IntegrationTests.Reference.Simulation.SimulationTestKit;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// The simulated caller calls a test endpoint standing in for the contact center, which collects the RFC 4733 digits:
/// the menu digits arrive at the script's times, the agent's signals move the caller on, the survey score follows the
/// agent's hang-up signal, and patience running out in the queue makes the caller hang up.
/// </summary>
public sealed class SimulatedCallersTests
{
    private static readonly CallerScript SalesWithAccount = new()
    {
        Name = "sales-account",
        Steps =
        [
            new() { After = TimeSpan.FromSeconds(2), Digits = "1" },
            new() { After = TimeSpan.FromSeconds(3), Digits = "#" },
            new() { After = TimeSpan.FromSeconds(3), Digits = "12345#" },
        ],
    };

    [Fact]
    public async Task Caller_walks_the_menu_talks_to_the_agent_and_answers_the_survey()
    {
        await using var contactCenter = await MediaEndpoint.StartAsync();
        var time = new ManualTimeProvider();
        using var media = NewMedia(46600);
        var options = new SimulatedCallersOptions
        {
            Target = $"sip:+18005550100@127.0.0.1:{contactCenter.SipPort}",
            CallsPerMinute = 0,
            Scripts = [SalesWithAccount],
            Patience = SimulatedDuration.Fixed(TimeSpan.FromSeconds(60)),
            TalkTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(120)),
            SurveyAnswerRate = 1,
            SurveyDelay = TimeSpan.FromSeconds(1),
            SurveyScoreMin = 4,
            SurveyScoreMax = 4,
            Seed = 3,
        };
        await using var callers = new SimulatedCallers(options, media, time);
        var progress = new EventQueue<SimulatedCallProgress>();
        callers.Progress += progress.Add;
        await callers.StartAsync();

        var result = callers.PlaceCallAsync();
        var answered = await Within(contactCenter.FirstIncoming, "the caller's INVITE");
        Assert.Equal("+18005550100", Assert.IsType<ContactCenter.Sip.SipUri>(answered.Call.InitialInvite.RequestUri).User);

        await progress.NextAsync(p => p is { Stage: SimulatedCallStage.Menu, Step: 0 }, "the first menu step");
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal("", answered.Digits); // nothing pressed before the step's time
        time.Advance(TimeSpan.FromSeconds(0.1));
        await Within(answered.WaitForDigitsAsync(1), "the digit 1");
        Assert.Equal("1", answered.Digits);

        await progress.NextAsync(p => p is { Stage: SimulatedCallStage.Menu, Step: 1 }, "the second menu step");
        time.Advance(TimeSpan.FromSeconds(3));
        await Within(answered.WaitForDigitsAsync(2), "the digit #");
        await progress.NextAsync(p => p is { Stage: SimulatedCallStage.Menu, Step: 2 }, "the account number step");
        time.Advance(TimeSpan.FromSeconds(3));
        await Within(answered.WaitForDigitsAsync(8), "the account number and #");
        Assert.Equal("1#12345#", answered.Digits);

        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Queued, "the caller to wait in the queue");
        answered.Rtp.SendDtmf("A"); // the agent answered
        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Talking, "the caller to talk with the agent");
        Assert.Equal(1, callers.Connected);

        answered.Rtp.SendDtmf("B"); // the agent hung up: the survey question plays
        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Survey, "the caller to wait for the survey question");
        time.Advance(TimeSpan.FromSeconds(1));
        await Within(answered.WaitForDigitsAsync(9), "the survey score");
        Assert.Equal("1#12345#4", answered.Digits);

        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Closing, "the caller to wait for the goodbye");
        await answered.Call.HangUpAsync();
        var outcome = await Within(result, "the call's result");

        Assert.Equal(SimulatedCallOutcome.Completed, outcome.Outcome);
        Assert.Equal("sales-account", outcome.Script);
        Assert.Equal(4, outcome.SurveyScore);
        Assert.Equal("1#12345#4", outcome.DigitsSent);
        Assert.Equal(200, outcome.FinalStatus);
        Assert.Equal(1, callers.Placed);
        Assert.Equal(1, callers.Completed);
        Assert.Equal(1, callers.SurveysAnswered);
        Assert.Equal(0, callers.ActiveCalls);
    }

    [Fact]
    public async Task Caller_abandons_when_no_agent_answers_within_its_patience()
    {
        await using var contactCenter = await MediaEndpoint.StartAsync();
        var time = new ManualTimeProvider();
        using var media = NewMedia(46800);
        var options = new SimulatedCallersOptions
        {
            Target = $"sip:+18005550100@127.0.0.1:{contactCenter.SipPort}",
            CallsPerMinute = 0,
            Scripts = [new() { Name = "support", Steps = [new() { After = TimeSpan.FromSeconds(2), Digits = "2" }] }],
            Patience = SimulatedDuration.Fixed(TimeSpan.FromSeconds(30)),
            Seed = 4,
        };
        await using var callers = new SimulatedCallers(options, media, time);
        var progress = new EventQueue<SimulatedCallProgress>();
        callers.Progress += progress.Add;
        await callers.StartAsync();

        var result = callers.PlaceCallAsync();
        var answered = await Within(contactCenter.FirstIncoming, "the caller's INVITE");
        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Menu, "the menu step");
        time.Advance(TimeSpan.FromSeconds(2));
        await Within(answered.WaitForDigitsAsync(1), "the digit 2");
        await progress.NextAsync(p => p.Stage == SimulatedCallStage.Queued, "the caller to wait in the queue");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.NotEqual(SipCallState.Terminated, answered.Call.State);
        time.Advance(TimeSpan.FromSeconds(1));
        await Within(answered.Call.Ended, "the caller to hang up");

        Assert.Equal(SipCallEndReason.RemoteHangUp, answered.Call.EndReason);
        var outcome = await Within(result, "the call's result");
        Assert.Equal(SimulatedCallOutcome.Abandoned, outcome.Outcome);
        Assert.Equal("2", answered.Digits);
        Assert.Equal(1, callers.Abandoned);
        Assert.Equal(0, callers.Connected);
    }

    [Fact]
    public async Task Calls_the_contact_center_rejects_count_as_failed()
    {
        await using var contactCenter = await MediaEndpoint.StartAsync();
        contactCenter.Agent.IncomingCall = call => call.RejectAsync(503, "Service Unavailable");
        using var media = NewMedia(47000);
        await using var callers = new SimulatedCallers(new SimulatedCallersOptions
        {
            Target = $"sip:+18005550100@127.0.0.1:{contactCenter.SipPort}",
            CallsPerMinute = 0,
        }, media);
        await callers.StartAsync();

        var outcome = await Within(callers.PlaceCallAsync(), "the call's result");

        Assert.Equal(SimulatedCallOutcome.Failed, outcome.Outcome);
        Assert.Equal(503, outcome.FinalStatus);
        Assert.Equal(1, callers.Failed);
    }

    [Fact]
    public void Default_scripts_walk_the_reference_main_menu_and_bad_options_name_the_key()
    {
        var options = new SimulatedCallersOptions();
        Assert.Equal(["support", "sales-account", "sales"], options.EffectiveScripts.Select(s => s.Name));
        Assert.Equal("2", options.EffectiveScripts[0].Steps[0].Digits);
        Assert.Equal("1#12345#", string.Concat(options.EffectiveScripts[1].Steps.Select(s => s.Digits)));

        using var media = NewMedia(47200);
        var error = Assert.Throws<ArgumentException>(() => new SimulatedCallers(new SimulatedCallersOptions { CallsPerMinute = -1 }, media));
        Assert.Contains("Reference:Callers:CallsPerMinute", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new SimulatedCallers(new SimulatedCallersOptions
        {
            Scripts = [new() { Name = "x", Steps = [new() { After = TimeSpan.FromSeconds(1), Digits = "9x" }] }],
        }, media));
        Assert.Contains("Reference:Callers:Scripts:0:Steps:0:Digits", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new SimulatedCallers(new SimulatedCallersOptions { Target = "tel:+1800" }, media));
        Assert.Contains("Reference:Callers:Target", error.Message, StringComparison.Ordinal);
    }
}
