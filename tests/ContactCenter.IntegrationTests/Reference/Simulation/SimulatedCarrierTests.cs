using System.Net;
using ContactCenter.IntegrationTests.Media;
using ContactCenter.Reference.Simulation;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;
using static ContactCenter.IntegrationTests.Reference.Simulation.SimulationTestKit;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>
/// The simulated carrier draws an outcome per call by its weights and acts it out over SIP: a person answers after the
/// ring time and hangs up after the talk time, a busy line answers 486, an unanswered call rings until cancelled, and an
/// answering machine plays a long greeting before hanging up.
/// </summary>
public sealed class SimulatedCarrierTests
{
    [Fact]
    public async Task Carrier_answers_and_busies_calls_by_its_weights()
    {
        var time = new ManualTimeProvider();
        using var media = NewMedia(47400);
        var options = new SimulatedCarrierOptions
        {
            Listen = "udp:127.0.0.1:0",
            Human = 1,
            Machine = 0,
            Busy = 1,
            NoAnswer = 0,
            RingTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(3)),
            Seed = 11,
        };
        await using var carrier = new SimulatedCarrier(options, media, time);
        var offered = new EventQueue<CarrierCall>();
        carrier.CallOffered += offered.Add;
        await carrier.StartAsync();
        await using var dialer = await MediaEndpoint.StartAsync();

        var seen = new Dictionary<CarrierOutcome, int>();
        for (var i = 0; i < 20; i++)
        {
            var call = Dial(dialer, carrier, $"+3361234{i:D4}");
            var decided = await offered.NextAsync(c => c.CallId == call.CallId, $"call {i} to reach the carrier");
            Assert.Equal($"+3361234{i:D4}", decided.Number);
            seen[decided.Outcome] = seen.GetValueOrDefault(decided.Outcome) + 1;
            if (decided.Outcome == CarrierOutcome.Busy)
            {
                time.Advance(options.BusyDelay);
                await Within(call.Ended, $"call {i} to be refused busy");
                Assert.Equal(486, call.FinalStatus);
            }
            else
            {
                Assert.Equal(CarrierOutcome.Human, decided.Outcome);
                await Within(WhenState(call, SipCallState.Ringing), $"call {i} to ring");
                time.Advance(TimeSpan.FromSeconds(2.9));
                Assert.Equal(SipCallState.Ringing, call.State);
                time.Advance(TimeSpan.FromSeconds(0.1));
                await Within(WhenState(call, SipCallState.Established), $"call {i} to be answered after the ring time");
                await call.HangUpAsync();
            }
        }

        // Half and half by weight: with this seed, neither outcome is starved.
        Assert.Equal(20, seen.Values.Sum());
        Assert.InRange(seen.GetValueOrDefault(CarrierOutcome.Human), 5, 15);
        Assert.InRange(seen.GetValueOrDefault(CarrierOutcome.Busy), 5, 15);
        Assert.Equal(seen.GetValueOrDefault(CarrierOutcome.Human), carrier.Count(CarrierOutcome.Human));
        Assert.Equal(20, carrier.Offered);
    }

    [Fact]
    public async Task A_person_greets_the_caller_and_hangs_up_after_the_talk_time()
    {
        var time = new ManualTimeProvider();
        using var media = NewMedia(47600);
        var options = new SimulatedCarrierOptions
        {
            Listen = "udp:127.0.0.1:0",
            Human = 1, Machine = 0, Busy = 0, NoAnswer = 0,
            RingTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(1)),
            TalkTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(15)),
        };
        await using var carrier = new SimulatedCarrier(options, media, time);
        var offered = new EventQueue<CarrierCall>();
        carrier.CallOffered += offered.Add;
        await carrier.StartAsync();
        await using var dialer = await MediaEndpoint.StartAsync();

        await using var rtp = RtpSession.Open(dialer.Ports, dialer.Clock, TimeProvider.System);
        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
        var call = Dial(dialer, carrier, "+33612340000", sdp.CreateOffer().ToUtf8());
        await offered.NextAsync(c => c.CallId == call.CallId, "the call to reach the carrier");
        time.Advance(TimeSpan.FromSeconds(1));
        await Within(WhenState(call, SipCallState.Established), "the person to answer");
        rtp.Apply(sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span)));
        var heard = new FrameCollector();
        rtp.AddSink(heard);
        rtp.Start();
        await Within(heard.WaitForAudibleFramesAsync(5), "the person's hello");

        time.Advance(TimeSpan.FromSeconds(14.9));
        Assert.Equal(SipCallState.Established, call.State);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await Within(call.Ended, "the person to hang up");
        Assert.Equal(SipCallEndReason.RemoteHangUp, call.EndReason);
    }

    [Fact]
    public async Task Unanswered_calls_ring_until_cancelled_and_machines_answer_with_a_long_greeting()
    {
        var time = new ManualTimeProvider();
        using var media = NewMedia(47800);
        var options = new SimulatedCarrierOptions
        {
            Listen = "udp:127.0.0.1:0",
            Human = 0, Machine = 0, Busy = 0, NoAnswer = 1,
            RingTime = SimulatedDuration.Fixed(TimeSpan.FromSeconds(1)),
            MachineRecordTime = TimeSpan.FromSeconds(5),
        };
        await using var carrier = new SimulatedCarrier(options, media, time);
        var offered = new EventQueue<CarrierCall>();
        carrier.CallOffered += offered.Add;
        await carrier.StartAsync();
        await using var dialer = await MediaEndpoint.StartAsync();

        var unanswered = Dial(dialer, carrier, "+33612340001");
        Assert.Equal(CarrierOutcome.NoAnswer, (await offered.NextAsync(c => c.CallId == unanswered.CallId, "the call to reach the carrier")).Outcome);
        await Within(WhenState(unanswered, SipCallState.Ringing), "the call to ring");
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(SipCallState.Ringing, unanswered.State);
        await unanswered.HangUpAsync();
        await Within(unanswered.Ended, "the CANCEL to end the call");
        Assert.Equal(487, unanswered.FinalStatus);

        options.NoAnswer = 0;
        options.Machine = 1;
        await using var machineCarrier = new SimulatedCarrier(options, media, time);
        machineCarrier.CallOffered += offered.Add;
        await machineCarrier.StartAsync();
        var machine = Dial(dialer, machineCarrier, "+33612340002");
        Assert.Equal(CarrierOutcome.Machine, (await offered.NextAsync(c => c.CallId == machine.CallId, "the call to reach the machine")).Outcome);
        time.Advance(TimeSpan.FromSeconds(1));
        await Within(WhenState(machine, SipCallState.Established), "the machine to answer");

        // The tone greeting lasts 8 s; the machine records 5 s more, then hangs up.
        time.Advance(TimeSpan.FromSeconds(12.9));
        Assert.Equal(SipCallState.Established, machine.State);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await Within(machine.Ended, "the machine to hang up");
        Assert.Equal(SipCallEndReason.RemoteHangUp, machine.EndReason);
    }

    private static SipCall Dial(MediaEndpoint dialer, SimulatedCarrier carrier, string number, ReadOnlyMemory<byte> sdp = default)
    {
        var endPoint = carrier.LocalEndPoint!;
        return dialer.Agent.Call(new SipCallRequest
        {
            Target = SipUri.Parse($"sip:{number}@127.0.0.1:{endPoint.Port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, endPoint),
            Sdp = sdp.IsEmpty ? new SdpSession(IPAddress.Loopback, 30998).CreateOffer().ToUtf8() : sdp,
        });
    }
}
