using System.Net;
using ContactCenter.IntegrationTests.Media;
using ContactCenter.Reference.Simulation;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Testing;
using static ContactCenter.IntegrationTests.Reference.Simulation.SimulationTestKit;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// The simulated agents register their extensions with a real registrar (digest authentication) and answer a real
/// call over loopback: after the answer delay (and not before), with the connected signal and the greeting audio,
/// reading the attached data, and hang up after the talk time. The simulation clock is manual; media run in real time.
/// </summary>
public sealed class SimulatedAgentsTests
{
    [Fact]
    public async Task Agents_register_answer_after_the_delay_greet_the_caller_and_hang_up_after_the_talk_time()
    {
        var options = new SimulatedAgentsOptions
        {
            Count = 2,
            AnswerDelay = SimulatedDuration.Fixed(TimeSpan.FromMilliseconds(1500)),
            TalkTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(20)),
            Seed = 1,
        };
        await using var registrar = await TestRegistrar.StartAsync(user => user is "1001" or "1002" ? options.PasswordOf(user) : null);
        options.Registrar = $"udp:127.0.0.1:{registrar.Port}";
        var time = new ManualTimeProvider();
        using var media = NewMedia(46000);
        await using var agents = new SimulatedAgents(options, media, time);
        var answeredCalls = new EventQueue<SimulatedAgentCall>();
        agents.CallAnswered += answeredCalls.Add;
        var endedCalls = new EventQueue<(string Extension, string CallId, bool Answered)>();
        agents.CallEnded += (extension, callId, wasAnswered) => endedCalls.Add((extension, callId, wasAnswered));
        await agents.StartAsync();

        Assert.Equal(2, agents.Registered);
        Assert.Equal(["1001", "1002"], registrar.Registrar.RegisteredAddresses().Order());
        var (contact, destination) = registrar.Locate("1002");
        Assert.Equal("1002", contact.User);

        await using var caller = await MediaEndpoint.StartAsync();
        await using var rtp = RtpSession.Open(caller.Ports, caller.Clock, TimeProvider.System);
        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
        var call = caller.Agent.Call(new SipCallRequest
        {
            Target = contact,
            Destination = destination,
            Sdp = sdp.CreateOffer().ToUtf8(),
            Headers = [new SipHeader("X-CC-Queue", "Support"), new SipHeader("X-Account", "12345")],
        });
        await Within(WhenState(call, SipCallState.Ringing), "the agent's phone to ring (180)");
        Assert.Equal(SimulatedAgentState.Ringing, agents.Agents[1].State);

        time.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.Equal(SipCallState.Ringing, call.State); // the answer delay has not elapsed: nobody can have answered
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Within(WhenState(call, SipCallState.Established), "the agent to answer once the delay elapsed");

        rtp.Apply(sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span)));
        var heard = new LoudPacketCounter(10);
        rtp.PayloadObserver = heard;
        var digits = new EventQueue<char>();
        rtp.Dtmf.DigitReceived += (_, e) => digits.Add(e.Digit.Digit);
        rtp.Start();
        await digits.NextAsync(d => d == 'A', "the agent's connected signal (RFC 4733 'A')");
        await Within(heard.Enough, "the greeting's audio");

        var answered = await answeredCalls.NextAsync(_ => true, "the CallAnswered event");
        Assert.Equal("1002", answered.Extension);
        Assert.Equal(call.CallId, answered.CallId);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), answered.AnswerDelay);
        Assert.Contains(answered.AttachedData, h => h.Name == "X-Account" && h.Value == "12345");
        Assert.Contains(answered.AttachedData, h => h.Name == "X-CC-Queue" && h.Value == "Support");
        Assert.Equal(1, agents.CallsAnswered);
        Assert.Equal(1, agents.ActiveCalls);
        var status = agents.Agents[1];
        Assert.Equal(SimulatedAgentState.Talking, status.State);
        Assert.Contains(status.LastAttachedData, h => h.Name == "X-Account");
        Assert.Equal(SimulatedAgentState.Idle, agents.Agents[0].State);

        // A second call to an agent who is talking is refused: a phone without call waiting.
        var second = await Within(caller.Agent.CallAsync(new SipCallRequest { Target = contact, Destination = destination, Sdp = sdp.CreateOffer().ToUtf8() }), "the busy answer");
        Assert.Equal(486, second.FinalStatus);

        time.Advance(TimeSpan.FromSeconds(19.9));
        Assert.Equal(SipCallState.Established, call.State);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await digits.NextAsync(d => d == 'B', "the agent's hang-up signal (RFC 4733 'B')");
        time.Advance(options.HangUpSignalLead);
        await Within(call.Ended, "the agent's BYE after the talk time");

        Assert.Equal(SipCallEndReason.RemoteHangUp, call.EndReason);
        Assert.True(rtp.Statistics.PacketsReceived >= 10, $"only {rtp.Statistics.PacketsReceived} RTP packets arrived from the agent");
        var ended = await endedCalls.NextAsync(e => e.CallId == call.CallId, "the agent's phone to be idle again");
        Assert.True(ended.Answered);
        Assert.Equal(0, agents.ActiveCalls);
        Assert.Equal(SimulatedAgentState.Idle, agents.Agents[1].State);
    }

    [Fact]
    public async Task A_call_cancelled_while_ringing_counts_as_missed_and_frees_the_phone()
    {
        var options = new SimulatedAgentsOptions { Count = 1, AnswerDelay = SimulatedDuration.Fixed(TimeSpan.FromSeconds(2)), Seed = 2 };
        await using var registrar = await TestRegistrar.StartAsync(user => user == "1001" ? options.PasswordOf(user) : null);
        options.Registrar = $"udp:127.0.0.1:{registrar.Port}";
        var time = new ManualTimeProvider();
        using var media = NewMedia(46200);
        await using var agents = new SimulatedAgents(options, media, time);
        var endedCalls = new EventQueue<(string CallId, bool Answered)>();
        agents.CallEnded += (_, callId, wasAnswered) => endedCalls.Add((callId, wasAnswered));
        await agents.StartAsync();
        var (contact, destination) = registrar.Locate("1001");

        await using var caller = await MediaEndpoint.StartAsync();
        var sdp = new SdpSession(IPAddress.Loopback, 30990);
        var call = caller.Agent.Call(new SipCallRequest { Target = contact, Destination = destination, Sdp = sdp.CreateOffer().ToUtf8() });
        await Within(WhenState(call, SipCallState.Ringing), "the agent's phone to ring");
        await call.HangUpAsync(); // CANCEL
        await Within(call.Ended, "the cancelled call to end");

        var ended = await endedCalls.NextAsync(e => e.CallId == call.CallId, "the agent's phone to be idle again");
        Assert.False(ended.Answered);
        Assert.Equal(1, agents.CallsMissed);
        Assert.Equal(0, agents.CallsAnswered);
        Assert.Equal(SimulatedAgentState.Idle, agents.Agents[0].State);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_key()
    {
        using var media = NewMedia(46400);
        var error = Assert.Throws<ArgumentException>(() => new SimulatedAgents(new SimulatedAgentsOptions { Count = 0 }, media));
        Assert.Contains("Reference:Agents:Count", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new SimulatedAgents(new SimulatedAgentsOptions { FirstExtension = 999_998, Count = 5 }, media));
        Assert.Contains("Reference:Agents:FirstExtension", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new SimulatedAgents(new SimulatedAgentsOptions { Registrar = "localhost" }, media));
        Assert.Contains("Reference:Agents:Registrar", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new SimulatedAgents(new SimulatedAgentsOptions { ConnectedSignal = "AB" }, media));
        Assert.Contains("Reference:Agents:ConnectedSignal", error.Message, StringComparison.Ordinal);
    }
}
