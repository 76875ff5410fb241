using System.Net;
using ContactCenter.Sip.Media;
using ContactCenter.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Sip.Tests.Media;

public sealed class BridgingTests
{
    private sealed class Rig : IAsyncDisposable
    {
        private readonly List<RtpSession> _sessions = [];

        public Rig(AudioEncoding callerEncoding, AudioEncoding agentEncoding)
        {
            Clock = new MediaClock(Time);
            (CallerPhone, CallerLeg) = Pair("10.0.0.1", "10.0.1.1", callerEncoding);
            (AgentPhone, AgentLeg) = Pair("10.0.0.2", "10.0.1.2", agentEncoding);
            Clock.Start();
        }

        public ManualTimeProvider Time { get; } = new();

        public MemoryNetwork Network { get; } = new();

        public MediaClock Clock { get; }

        public RtpSession CallerPhone { get; }

        public RtpSession CallerLeg { get; }

        public RtpSession AgentPhone { get; }

        public RtpSession AgentLeg { get; }

        public List<byte[]> PayloadsTo(RtpSession phone) => AudioPayloads(l => l.To.Equals(phone.LocalRtpEndPoint));

        public List<byte[]> PayloadsFrom(RtpSession phone) => AudioPayloads(l => l.From.Equals(phone.LocalRtpEndPoint));

        private List<byte[]> AudioPayloads(Func<(IPEndPoint From, IPEndPoint To, byte[] Data), bool> which)
        {
            var payloads = new List<byte[]>();
            foreach (var l in Network.Log.Where(which))
            {
                if (RtpPacket.TryParse(l.Data, out var h, out _) && h.PayloadType is 0 or 8)
                {
                    payloads.Add(l.Data[h.HeaderLength..]);
                }
            }

            return payloads;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var s in _sessions)
            {
                await s.DisposeAsync();
            }

            Clock.Dispose();
        }

        private (RtpSession Phone, RtpSession Leg) Pair(string phoneAddress, string legAddress, AudioEncoding encoding)
        {
            var phone = new RtpSession(Network.Bind(phoneAddress, 5000), Clock, Time, null, null);
            var leg = new RtpSession(Network.Bind(legAddress, 6000), Clock, Time, null, null);
            var phoneSdp = new SdpSession(IPAddress.Parse(phoneAddress), 5000, new MediaCapabilities { Encodings = [encoding] });
            var legSdp = new SdpSession(IPAddress.Parse(legAddress), 6000);
            var answer = legSdp.CreateAnswer(phoneSdp.CreateOffer());
            leg.Apply(answer.Audio);
            phone.Apply(phoneSdp.AcceptAnswer(answer.Answer));
            phone.Start();
            leg.Start();
            _sessions.Add(phone);
            _sessions.Add(leg);
            return (phone, leg);
        }
    }

    [Fact]
    public async Task Matching_codecs_are_relayed_byte_for_byte()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcmu);
        using var relay = new RtpRelay(rig.CallerLeg, rig.AgentLeg);
        rig.CallerPhone.Source = new SineSource(700);
        rig.AgentPhone.Source = new SineSource(300);

        rig.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(relay.IsPassThrough);
        var sent = rig.PayloadsFrom(rig.CallerPhone);
        var delivered = rig.PayloadsTo(rig.AgentPhone);
        Assert.InRange(delivered.Count, 48, 50);
        Assert.Equal(sent.Take(delivered.Count), delivered);
        Assert.InRange(relay.ForwardedBToA, 48, 50);
    }

    [Fact]
    public async Task Relayed_packets_are_counted_on_the_package_meter()
    {
        var relayedMeasured = 0L;
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcmu);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests run in parallel with their own clocks: count only this rig's meter.
            if (ReferenceEquals(instrument.Meter, rig.Clock.Metrics.Meter) && instrument.Name == "rtp.packets.relayed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref relayedMeasured, value));
        listener.Start();
        using var relay = new RtpRelay(rig.CallerLeg, rig.AgentLeg);
        rig.CallerPhone.Source = new SineSource(700);
        rig.AgentPhone.Source = new SineSource(300);

        rig.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.InRange(relay.ForwardedAToB + relay.ForwardedBToA, 96, 100);
        Assert.Equal(relay.ForwardedAToB + relay.ForwardedBToA, Interlocked.Read(ref relayedMeasured));
    }

    [Fact]
    public async Task A_read_on_the_tick_that_finds_a_backlog_relays_only_the_newest_packets_and_marks_the_jump()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var network = new MemoryNetwork();
        var legOptions = new RtpSessionOptions { ReceiveOnClockTick = true, RelayBacklogLimit = 3 };
        var callerLegTransport = network.Bind("10.0.1.1", 6000);
        callerLegTransport.Queued = true;
        await using var callerPhone = new RtpSession(network.Bind("10.0.0.1", 5000), clock, time, null, null);
        await using var callerLeg = new RtpSession(callerLegTransport, clock, time, legOptions, null);
        await using var agentLeg = new RtpSession(network.Bind("10.0.1.2", 6000), clock, time, legOptions, null);
        await using var agentPhone = new RtpSession(network.Bind("10.0.0.2", 5000), clock, time, null, null);
        foreach (var (phone, leg, phoneAddress, legAddress) in new[] { (callerPhone, callerLeg, "10.0.0.1", "10.0.1.1"), (agentPhone, agentLeg, "10.0.0.2", "10.0.1.2") })
        {
            var phoneSdp = new SdpSession(IPAddress.Parse(phoneAddress), 5000, new MediaCapabilities { Encodings = [AudioEncoding.Pcmu] });
            var answer = new SdpSession(IPAddress.Parse(legAddress), 6000).CreateAnswer(phoneSdp.CreateOffer());
            leg.Apply(answer.Audio);
            phone.Apply(phoneSdp.AcceptAnswer(answer.Answer));
            phone.Start();
            leg.Start();
        }

        var recorded = new CollectingSink();
        callerLeg.AddSink(recorded);
        using var relay = new RtpRelay(callerLeg, agentLeg);
        callerPhone.Source = new SineSource(700);
        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(200));
        var forwardedBefore = relay.ForwardedAToB;
        Assert.InRange(forwardedBefore, 8, 10); // one packet a read: all forwarded

        // The caller leg's reads stall (its clock thread fell behind) while the phone goes on sending 20 packets.
        clock.Unsubscribe(callerLeg);
        time.Advance(TimeSpan.FromMilliseconds(400));
        var lastToAgent = LastAudioHeader(network, agentPhone.LocalRtpEndPoint);
        // The phone stops first, so that nothing it sends after the read is mistaken for what the read found.
        clock.Unsubscribe(callerPhone);
        clock.Subscribe(callerLeg);
        time.Advance(TimeSpan.FromMilliseconds(20));

        // The read that finds them hands the relay the newest three; the agent's stream jumps over the rest, marked.
        Assert.Equal(forwardedBefore + 3, relay.ForwardedAToB);
        var toAgent = AudioHeaders(network, agentPhone.LocalRtpEndPoint).SkipWhile(h => h.SequenceNumber != lastToAgent.SequenceNumber).Skip(1).ToList();
        Assert.Equal(3, toAgent.Count);
        Assert.True(toAgent[0].Marker);

        // The jump is the one in the caller's own stream, from the last packet forwarded before the stall (every packet
        // was forwarded until then) to the first of the newest three.
        var fromCaller = AudioHeaders(network, callerLeg.LocalRtpEndPoint);
        var jump = fromCaller[^3].Timestamp - fromCaller[(int)forwardedBefore - 1].Timestamp;
        Assert.True(jump >= 15 * 160, $"the caller's stream moved on by {jump} samples while the reads stalled");
        Assert.Equal(lastToAgent.Timestamp + jump, toAgent[0].Timestamp);
        Assert.False(toAgent[1].Marker);
        Assert.Equal(toAgent[0].Timestamp + 160, toAgent[1].Timestamp);
        Assert.Equal((ushort)(lastToAgent.SequenceNumber + 1), toAgent[0].SequenceNumber);
    }

    [Fact]
    public async Task A_burst_from_the_sender_read_on_a_tick_that_came_on_time_is_relayed_whole()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var network = new MemoryNetwork();
        var legOptions = new RtpSessionOptions { ReceiveOnClockTick = true, RelayBacklogLimit = 3 };
        var callerLegTransport = network.Bind("10.0.1.1", 6000);
        callerLegTransport.Queued = true;
        await using var callerLeg = new RtpSession(callerLegTransport, clock, time, legOptions, null);
        await using var agentLeg = new RtpSession(network.Bind("10.0.1.2", 6000), clock, time, legOptions, null);
        await using var agentPhone = new RtpSession(network.Bind("10.0.0.2", 5000), clock, time, null, null);
        var callerPhone = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 5000);
        var phoneSdp = new SdpSession(callerPhone.Address, callerPhone.Port, new MediaCapabilities { Encodings = [AudioEncoding.Pcmu] });
        callerLeg.Apply(new SdpSession(IPAddress.Parse("10.0.1.1"), 6000).CreateAnswer(phoneSdp.CreateOffer()).Audio);
        var agentSdp = new SdpSession(IPAddress.Parse("10.0.0.2"), 5000, new MediaCapabilities { Encodings = [AudioEncoding.Pcmu] });
        var agentAnswer = new SdpSession(IPAddress.Parse("10.0.1.2"), 6000).CreateAnswer(agentSdp.CreateOffer());
        agentLeg.Apply(agentAnswer.Audio);
        agentPhone.Apply(agentSdp.AcceptAnswer(agentAnswer.Answer));
        callerLeg.Start();
        agentLeg.Start();
        agentPhone.Start();
        using var relay = new RtpRelay(callerLeg, agentLeg);
        clock.Start();

        // The caller's phone sends one packet an interval for 200 ms, then (a jittery network, or a phone catching up)
        // eight at once between two reads of the relay, which keeps time throughout.
        var packet = new byte[12 + 160];
        ushort sequence = 100;
        uint timestamp = 8000;
        void Send()
        {
            RtpPacket.Write(packet, false, 0, sequence++, timestamp, 0x1234, new byte[160]);
            timestamp += 160;
            network.Deliver(packet, callerPhone, callerLegTransport.LocalRtpEndPoint);
        }

        for (var i = 0; i < 10; i++)
        {
            Send();
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        var forwardedBefore = relay.ForwardedAToB;
        Assert.InRange(forwardedBefore, 9, 10);
        var lastToAgent = LastAudioHeader(network, agentPhone.LocalRtpEndPoint);
        for (var i = 0; i < 8; i++)
        {
            Send();
        }

        time.Advance(TimeSpan.FromMilliseconds(20));

        // All eight go on, in order, with no jump: RelayBacklogLimit (3) applies only to a read on a late tick.
        Assert.Equal(forwardedBefore + 8, relay.ForwardedAToB);
        var toAgent = AudioHeaders(network, agentPhone.LocalRtpEndPoint).SkipWhile(h => h.SequenceNumber != lastToAgent.SequenceNumber).Skip(1).ToList();
        Assert.Equal(8, toAgent.Count);
        Assert.All(toAgent, h => Assert.False(h.Marker));
        for (var i = 0; i < toAgent.Count; i++)
        {
            Assert.Equal((ushort)(lastToAgent.SequenceNumber + 1 + i), toAgent[i].SequenceNumber);
            Assert.Equal(lastToAgent.Timestamp + (uint)(160 * (i + 1)), toAgent[i].Timestamp);
        }
    }

    private static List<RtpHeader> AudioHeaders(MemoryNetwork network, IPEndPoint to)
    {
        var headers = new List<RtpHeader>();
        foreach (var l in network.Log.Where(l => l.To.Equals(to)))
        {
            if (RtpPacket.TryParse(l.Data, out var h, out _) && h.PayloadType == 0)
            {
                headers.Add(h);
            }
        }

        return headers;
    }

    private static RtpHeader LastAudioHeader(MemoryNetwork network, IPEndPoint to) => AudioHeaders(network, to)[^1];

    [Fact]
    public async Task Different_codecs_are_transcoded()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcma);
        using var relay = new RtpRelay(rig.CallerLeg, rig.AgentLeg);
        rig.CallerPhone.Source = new SineSource(700);
        var heard = new CollectingSink();
        rig.AgentPhone.AddSink(heard);

        rig.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(relay.IsPassThrough);
        var sent = rig.PayloadsFrom(rig.CallerPhone);
        var delivered = rig.PayloadsTo(rig.AgentPhone);
        var expected = new byte[160];
        G711.Transcode(AudioEncoding.Pcmu, AudioEncoding.Pcma, sent[0], expected);
        Assert.Equal(expected, delivered[0]);
        Assert.Contains(heard.Frames, f => f.Max() > 7000);
    }

    [Fact]
    public async Task Digits_cross_the_bridge_and_recorders_on_a_leg_still_hear_audio()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcmu);
        using var relay = new RtpRelay(rig.CallerLeg, rig.AgentLeg);
        var recorded = new CollectingSink();
        rig.CallerLeg.AddSink(recorded);
        var agentDigits = new List<char>();
        rig.AgentPhone.Dtmf.DigitReceived += (_, e) => agentDigits.Add(e.Digit.Digit);
        rig.CallerPhone.Source = new SineSource(700);

        rig.Time.Advance(TimeSpan.FromMilliseconds(500));
        rig.CallerPhone.SendDtmf("42");
        rig.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(['4', '2'], agentDigits);
        Assert.Contains(recorded.Frames, f => f.Max() > 7000);
    }

    [Fact]
    public async Task Unbridged_legs_go_back_to_their_own_sources()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcmu);
        var relay = new RtpRelay(rig.CallerLeg, rig.AgentLeg);
        relay.Dispose();
        rig.AgentLeg.Source = new SineSource(1000);

        rig.Time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.InRange(rig.PayloadsTo(rig.AgentPhone).Count, 9, 10);
        Assert.Null(rig.CallerLeg.PayloadObserver);
    }

    [Fact]
    public async Task Bridging_a_session_with_itself_or_without_negotiation_is_refused()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcmu);
        var fresh = new RtpSession(rig.Network.Bind("10.9.9.9", 7000), rig.Clock, rig.Time, null, null);

        Assert.Throws<ArgumentException>(() => new RtpRelay(rig.CallerLeg, rig.CallerLeg));
        Assert.Throws<InvalidOperationException>(() => new RtpRelay(rig.CallerLeg, fresh));
    }

    private static (AudioMixer Mixer, MixerParticipant Caller, MixerParticipant Agent, MixerParticipant Supervisor) Conference(MixerRole supervisorRole)
    {
        var mixer = new AudioMixer(new MediaClock(new ManualTimeProvider()));
        var caller = mixer.Add("caller");
        var agent = mixer.Add("agent");
        var supervisor = mixer.Add("supervisor", supervisorRole);
        caller.Input.Write(Enumerable.Repeat((short)100, 160).ToArray());
        agent.Input.Write(Enumerable.Repeat((short)1000, 160).ToArray());
        supervisor.Input.Write(Enumerable.Repeat((short)10000, 160).ToArray());
        return (mixer, caller, agent, supervisor);
    }

    private static short Hears(MixerParticipant p)
    {
        var frame = new short[160];
        Assert.Equal(160, p.Output.Read(frame));
        Assert.All(frame, s => Assert.Equal(frame[0], s));
        return frame[0];
    }

    [Fact]
    public void Conference_party_hears_everyone_but_itself()
    {
        var (mixer, caller, agent, supervisor) = Conference(MixerRole.Full);

        mixer.Mix();

        Assert.Equal(11000, Hears(caller));
        Assert.Equal(10100, Hears(agent));
        Assert.Equal(1100, Hears(supervisor));
    }

    [Fact]
    public void Listening_supervisor_hears_both_and_is_heard_by_nobody()
    {
        var (mixer, caller, agent, supervisor) = Conference(MixerRole.Listen);

        mixer.Mix();

        Assert.Equal(1000, Hears(caller));
        Assert.Equal(100, Hears(agent));
        Assert.Equal(1100, Hears(supervisor));
    }

    [Fact]
    public void Whispering_supervisor_is_heard_only_by_the_agent()
    {
        var (mixer, caller, agent, supervisor) = Conference(MixerRole.Whisper);
        supervisor.WhisperTarget = agent;

        mixer.Mix();

        Assert.Equal(1000, Hears(caller));
        Assert.Equal(10100, Hears(agent));
        Assert.Equal(1100, Hears(supervisor));
    }

    [Fact]
    public void Consultation_holds_the_caller_out_of_the_conversation()
    {
        var (mixer, caller, agent, consultant) = Conference(MixerRole.Full);
        caller.Role = MixerRole.Held;

        mixer.Mix();

        Assert.Equal(0, Hears(caller));
        Assert.Equal(10000, Hears(agent));
        Assert.Equal(1000, Hears(consultant));
    }

    [Fact]
    public void Loud_parties_are_clipped_not_wrapped()
    {
        var mixer = new AudioMixer(new MediaClock(new ManualTimeProvider()));
        var a = mixer.Add("a");
        var b = mixer.Add("b");
        var c = mixer.Add("c");
        a.Input.Write(Enumerable.Repeat((short)30000, 160).ToArray());
        b.Input.Write(Enumerable.Repeat((short)30000, 160).ToArray());
        c.Input.Write(Enumerable.Repeat((short)-30000, 160).ToArray());

        mixer.Mix();

        Assert.Equal(32767, Hears(c));
        Assert.Equal(0, Hears(a));
    }

    [Fact]
    public async Task Mixer_on_the_clock_connects_three_real_sessions()
    {
        await using var rig = new Rig(AudioEncoding.Pcmu, AudioEncoding.Pcma);
        using var mixer = new AudioMixer(rig.Clock);
        var caller = mixer.Add("caller");
        var agent = mixer.Add("agent");
        rig.CallerLeg.AddSink(caller.Input);
        rig.CallerLeg.Source = caller.Output;
        rig.AgentLeg.AddSink(agent.Input);
        rig.AgentLeg.Source = agent.Output;
        var supervisor = mixer.Add("supervisor", MixerRole.Listen);
        var supervisorHears = new List<short>();
        rig.CallerPhone.Source = new SineSource(700, 6000);
        var agentHeard = new CollectingSink();
        rig.AgentPhone.AddSink(agentHeard);

        var frame = new short[160];
        for (var i = 0; i < 50; i++)
        {
            rig.Time.Advance(TimeSpan.FromMilliseconds(20));
            supervisor.Output.Read(frame);
            supervisorHears.AddRange(frame);
        }

        Assert.True(supervisorHears.Max() > 5000);
        Assert.Contains(agentHeard.Frames, f => f.Max() > 5000);
    }

    [Fact]
    public void Mixer_refuses_more_than_its_maximum()
    {
        using var mixer = new AudioMixer(new MediaClock(new ManualTimeProvider())) { MaxParticipants = 2 };
        mixer.Add("a");
        mixer.Add("b");

        var error = Assert.Throws<InvalidOperationException>(() => mixer.Add("c"));
        Assert.Contains("maximum of 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_released_sample_fifo_is_empty_and_takes_new_samples()
    {
        var fifo = new SampleFifo(1500);
        fifo.Write([.. Enumerable.Range(0, 1200).Select(i => (short)i)]);
        fifo.Release();
        Assert.Equal(0, fifo.Count);
        Assert.Equal(0, fifo.Read(new short[10]));

        // Past the bound (1,500, held in a pooled array of 2,048) the oldest go, as before the release.
        fifo.Write([.. Enumerable.Range(0, 1600).Select(i => (short)i)]);
        var read = new short[2000];
        Assert.Equal(1500, fifo.Read(read));
        Assert.Equal(Enumerable.Range(100, 1500).Select(i => (short)i), read[..1500]);
    }

    [Theory]
    [InlineData(50, 70)]
    [InlineData(3000, 1500)] // storage starts at 1,024 samples and grows to the bound while holding samples
    [InlineData(1500, 700)] // the bound is not a pooled array's length (2,048): the ring stops at the bound
    public void Sample_fifo_behaves_like_a_queue_that_drops_the_oldest_on_overflow(int capacity, int largestChunk)
    {
        Prop.ForAll<int[]>(operations =>
        {
            var fifo = new SampleFifo(capacity);
            var reference = new Queue<short>();
            short next = 0;
            foreach (var op in operations ?? [])
            {
                var size = (int)(Math.Abs((long)op) * (largestChunk / 70) % largestChunk);
                if (op >= 0)
                {
                    var samples = Enumerable.Range(0, size).Select(_ => next++).ToArray();
                    fifo.Write(samples);
                    foreach (var x in samples)
                    {
                        reference.Enqueue(x);
                        if (reference.Count > capacity)
                        {
                            reference.Dequeue();
                        }
                    }
                }
                else
                {
                    var buffer = new short[size];
                    var n = fifo.Read(buffer);
                    var expected = Enumerable.Range(0, Math.Min(size, reference.Count)).Select(_ => reference.Dequeue()).ToArray();
                    if (!buffer.AsSpan(0, n).SequenceEqual(expected))
                    {
                        return false;
                    }
                }

                if (fifo.Count != reference.Count)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
