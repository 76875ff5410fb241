using System.Net;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using ContactCenter.Sip.Media;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Media;

public sealed class RtpSessionTests
{
    private sealed class Call : IAsyncDisposable
    {
        public Call(RtpSessionOptions? aOptions = null, RtpSessionOptions? bOptions = null, MediaCapabilities? bCaps = null)
        {
            Clock = new MediaClock(Time);
            ATransport = Network.Bind("10.0.0.1", 20000);
            BTransport = Network.Bind("10.0.0.2", 30000);
            A = new RtpSession(ATransport, Clock, Time, aOptions, null);
            B = new RtpSession(BTransport, Clock, Time, bOptions, null);
            ASdp = new SdpSession(IPAddress.Parse("10.0.0.1"), 20000);
            BSdp = new SdpSession(IPAddress.Parse("10.0.0.2"), 30000, bCaps);
            Negotiate();
            A.Start();
            B.Start();
            Clock.Start();
        }

        public ManualTimeProvider Time { get; } = new();

        public MemoryNetwork Network { get; } = new();

        public MediaClock Clock { get; }

        public MemoryTransport ATransport { get; }

        public MemoryTransport BTransport { get; }

        public RtpSession A { get; }

        public RtpSession B { get; }

        public SdpSession ASdp { get; }

        public SdpSession BSdp { get; }

        public void Negotiate()
        {
            var offer = ASdp.CreateOffer();
            var answer = BSdp.CreateAnswer(SessionDescription.Parse(offer.ToString()));
            B.Apply(answer.Audio);
            A.Apply(ASdp.AcceptAnswer(SessionDescription.Parse(answer.Answer.ToString())));
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            Clock.Dispose();
        }
    }

    private static int RtpPacketsFrom(MemoryNetwork network, int port) =>
        network.Log.Count(l => l.From.Port == port && RtpPacket.TryParse(l.Data, out _, out _));

    [Fact]
    public async Task Audio_from_one_side_is_heard_by_the_other_every_ptime()
    {
        await using var call = new Call();
        call.A.Source = new SineSource(1000);
        var heard = new CollectingSink();
        call.B.AddSink(heard);

        call.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.InRange(call.A.Statistics.PacketsSent, 49, 50);
        Assert.InRange(call.B.Statistics.PacketsReceived, 49, 50);
        Assert.InRange(heard.Frames.Count, 49, 50);
        Assert.All(heard.Frames, f => Assert.Equal(160, f.Length));
        // After the jitter buffer fills, the tone comes through at about its amplitude.
        var loud = heard.Frames.Skip(5).Select(f => f.Max(s => Math.Abs((int)s))).ToList();
        Assert.All(loud, peak => Assert.InRange(peak, 7000, 8500));
    }

    [Fact]
    public async Task Media_instruments_count_packets_sessions_and_digits_on_the_package_meter()
    {
        // Other tests run in parallel with their own clocks: count only this call's meter.
        var measurements = new Dictionary<(Meter Meter, string Name), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ContactCenter.Sip")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measurements)
            {
                measurements[(instrument.Meter, instrument.Name)] = measurements.GetValueOrDefault((instrument.Meter, instrument.Name)) + value;
            }
        });
        listener.Start();
        await using var call = new Call();
        call.A.Source = new SineSource(440);

        call.A.SendDtmf("1");
        call.Time.Advance(TimeSpan.FromSeconds(1));

        long Measured(string name)
        {
            lock (measurements)
            {
                return measurements.GetValueOrDefault((call.Clock.Metrics.Meter, name));
            }
        }

        Assert.Equal(2, Measured("rtp.sessions.active"));
        Assert.Equal(call.A.Statistics.PacketsSent + call.B.Statistics.PacketsSent, Measured("rtp.packets.sent"));
        Assert.Equal(call.A.Statistics.PacketsReceived + call.B.Statistics.PacketsReceived, Measured("rtp.packets.received"));
        Assert.Equal(1, Measured("media.dtmf.digits"));
    }

    [Fact]
    public async Task Packets_carry_the_negotiated_encoding_and_consecutive_numbers()
    {
        await using var call = new Call(bCaps: new MediaCapabilities { Encodings = [AudioEncoding.Pcma] });
        call.A.Source = new SineSource(440);

        call.Time.Advance(TimeSpan.FromMilliseconds(200));

        var headers = call.Network.Log.Where(l => l.From.Port == 20000).Select(l =>
        {
            Assert.True(RtpPacket.TryParse(l.Data, out var h, out _));
            return h;
        }).ToList();
        Assert.All(headers, h => Assert.Equal(8, h.PayloadType));
        Assert.True(headers[0].Marker);
        for (var i = 1; i < headers.Count; i++)
        {
            Assert.Equal((ushort)(headers[i - 1].SequenceNumber + 1), headers[i].SequenceNumber);
            Assert.Equal(headers[i - 1].Timestamp + 160, headers[i].Timestamp);
            Assert.False(headers[i].Marker);
        }
    }

    [Fact]
    public async Task Dtmf_sent_by_one_side_is_collected_by_the_other()
    {
        await using var call = new Call();
        var digits = new List<char>();
        call.B.Dtmf.DigitReceived += (_, e) => digits.Add(e.Digit.Digit);

        call.A.SendDtmf("12#");
        call.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(['1', '2', '#'], digits);
    }

    [Fact]
    public async Task Sending_dtmf_without_telephone_event_fails_with_advice()
    {
        await using var call = new Call(bCaps: new MediaCapabilities { TelephoneEvent = false });

        var error = Assert.Throws<InvalidOperationException>(() => call.A.SendDtmf("1"));

        Assert.Contains("SIP INFO or in-band", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_band_digits_are_collected_when_that_method_is_active()
    {
        await using var call = new Call(bOptions: new RtpSessionOptions { DtmfMethods = DtmfMethod.InBand });
        var digits = new List<char>();
        call.B.Dtmf.DigitReceived += (_, e) => digits.Add(e.Digit.Digit);
        call.A.Source = new DualToneSource(852, 1477, 8000 * 2 / 10);

        call.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(['9'], digits);
    }

    [Fact]
    public async Task Media_timeout_fires_when_the_peer_stops_sending()
    {
        await using var call = new Call(
            aOptions: new RtpSessionOptions { SendSilenceWhenIdle = false },
            bOptions: new RtpSessionOptions { MediaTimeout = TimeSpan.FromSeconds(5) });
        var timedOut = 0;
        call.B.MediaTimedOut += (_, _) => timedOut++;
        call.A.Source = new SineSource(500, totalSamples: 8000);

        call.Time.Advance(TimeSpan.FromSeconds(5.5));
        Assert.Equal(0, timedOut);

        call.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, timedOut);

        call.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, timedOut);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(251)]
    public void A_relay_backlog_limit_out_of_range_is_refused_with_its_name(int limit)
    {
        var clock = new MediaClock(new ManualTimeProvider());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RtpSession(new MemoryNetwork().Bind("10.0.0.1", 5000), clock, new ManualTimeProvider(), new RtpSessionOptions { RelayBacklogLimit = limit }, null));
        Assert.Contains("RtpSessionOptions.RelayBacklogLimit must be from 1 to 250", error.Message, StringComparison.Ordinal);
        clock.Dispose();
    }

    [Fact]
    public async Task On_hold_the_held_side_sends_nothing_and_does_not_time_out()
    {
        await using var call = new Call(aOptions: new RtpSessionOptions { MediaTimeout = TimeSpan.FromSeconds(2) });
        var timedOut = false;
        call.A.MediaTimedOut += (_, _) => timedOut = true;
        call.ASdp.LocalDirection = MediaDirection.SendOnly;
        call.Negotiate();
        var before = RtpPacketsFrom(call.Network, 30000);

        call.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(MediaDirection.RecvOnly, call.B.Audio!.Direction);
        Assert.Equal(before, RtpPacketsFrom(call.Network, 30000));
        Assert.True(RtpPacketsFrom(call.Network, 20000) >= 490);
        Assert.False(timedOut);
    }

    [Fact]
    public async Task Media_goes_back_to_the_address_it_comes_from_behind_nat()
    {
        await using var call = new Call();
        var natted = new IPEndPoint(IPAddress.Parse("198.51.100.9"), 40000);
        call.Network.Nat = from => from.Port == 30000 ? natted : from;
        call.B.Source = new SineSource(300);

        call.Time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(natted, call.A.RemoteEndPoint);
        Assert.Contains(call.Network.Log, l => l.From.Port == 20000 && l.To.Equals(natted));
    }

    [Fact]
    public async Task Rtcp_reports_reach_the_peer_with_loss_and_jitter()
    {
        await using var call = new Call();
        call.A.Source = new SineSource(1000);
        call.B.Source = new SineSource(500);
        var dropped = 0;
        call.Network.Filter = data =>
        {
            // Drop every 10th packet A sends to B.
            if (RtpPacket.TryParse(data, out var h, out _) && h.Ssrc == call.A.Ssrc && h.SequenceNumber % 10 == 0)
            {
                dropped++;
                return false;
            }

            return true;
        };

        call.Time.Advance(TimeSpan.FromSeconds(11));

        var reports = call.Network.Log.Where(l => l.To.Port == 20001 && RtcpPacket.TryParse(l.Data, out _, out _)).ToList();
        Assert.True(reports.Count >= 2);
        Assert.True(RtcpPacket.TryParse(reports[^1].Data, out var last, out _));
        Assert.NotNull(last.SenderInfo);
        var block = Assert.Single(last.ReportBlocks);
        Assert.Equal(call.A.Ssrc, block.Ssrc);
        Assert.InRange(block.CumulativeLost, dropped - 6, dropped); // the last report is up to 1 s old
        Assert.InRange(call.A.Statistics.RemoteFractionLost, 0.05, 0.15);
        Assert.InRange(call.B.Statistics.PacketsLost, dropped - 2, dropped);
    }

    [Fact]
    public async Task A_new_ssrc_from_the_peer_restarts_playout_instead_of_being_dropped_as_late()
    {
        await using var call = new Call();
        var heard = new CollectingSink();
        call.B.AddSink(heard);
        call.A.Source = new SineSource(1000);
        call.Time.Advance(TimeSpan.FromMilliseconds(500));
        // The new stream numbers its packets 1000 below the old one: without a restart they would all be "late".
        Assert.True(RtpPacket.TryParse(call.Network.Log.Last(l => l.From.Port == 20000 && l.Data.Length == 172).Data, out var last, out _));
        var packetizer = new RtpPacketizer(0x7777, (ushort)(last.SequenceNumber - 1000), 0);
        var loud = new byte[160];
        G711.Encode(AudioEncoding.Pcmu, Enumerable.Repeat((short)20000, 160).ToArray(), loud);
        call.A.Source = null;
        call.Network.Filter = data => !(RtpPacket.TryParse(data, out var h, out _) && h.Ssrc == call.A.Ssrc);

        for (var i = 0; i < 10; i++)
        {
            using var p = packetizer.BuildMedia(0, loud, 160);
            call.BTransport.Receive(p.Memory.ToArray(), call.ATransport.LocalRtpEndPoint, call.BTransport.LocalRtpEndPoint);
        }

        call.Time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Contains(heard.Frames, f => f.Min() > 19000);
    }

    [Fact]
    public async Task Our_own_stream_echoed_back_by_the_peer_is_counted_but_never_played_over_the_peer_audio()
    {
        await using var call = new Call();
        var heard = new CollectingSink();
        call.B.AddSink(heard);
        call.A.Source = new SineSource(1000);
        call.B.Source = new ConstantSource(-20000);
        // A peer echoing (sipp -rtp_echo, a loop): every packet B sends comes back to B from A's address too.
        call.Network.Tap = (data, from, to) =>
        {
            if (from.Equals(call.BTransport.LocalRtpEndPoint))
            {
                call.BTransport.Receive(data, call.ATransport.LocalRtpEndPoint, call.BTransport.LocalRtpEndPoint);
            }
        };

        call.Time.Advance(TimeSpan.FromSeconds(1));

        // B receives both streams; only A's tone (never B's own constant level) reaches its sinks, without gaps.
        Assert.InRange(call.B.Statistics.PacketsReceived, 95, 100);
        Assert.DoesNotContain(heard.Frames, f => f.Count(s => s < -19000) > 80);
        Assert.True(heard.Frames.Skip(5).Count(f => f.Max(s => Math.Abs((int)s)) > 6000) >= 40, "A's tone did not play out steadily");
    }

    [Fact]
    public async Task Packets_from_a_stranger_are_refused_after_latching()
    {
        await using var call = new Call();
        call.B.Source = new SineSource(300);
        call.Time.Advance(TimeSpan.FromMilliseconds(100));
        using var packetizer = new StrangerPackets();

        call.ATransport.Receive(packetizer.Next(), new IPEndPoint(IPAddress.Parse("192.0.2.66"), 9999), call.ATransport.LocalRtpEndPoint);

        Assert.Equal(1, call.A.Statistics.PacketsRefused);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30000), call.A.RemoteEndPoint);
    }

    [Fact]
    public async Task Dispose_sends_an_rtcp_bye_and_releases_the_transport()
    {
        var call = new Call();
        call.A.Source = new SineSource(300);
        call.Time.Advance(TimeSpan.FromMilliseconds(100));

        await call.DisposeAsync();

        Assert.True(call.ATransport.Disposed);
        Assert.Contains(call.Network.Log, l => l.From.Port == 20001 && RtcpPacket.TryParse(l.Data, out var c, out _) && c.IsBye);
        Assert.Equal(0, call.Clock.SubscriberCount);
    }

    [Fact]
    public async Task Intervals_the_clock_skipped_move_the_prompt_and_the_timestamp_on_and_mark_the_next_packet()
    {
        await using var call = new Call();
        var source = new CountingSource();
        call.A.Source = source;
        call.Clock.Unsubscribe(call.A);
        var a = (IMediaClockSubscriber)call.A;
        // A 20 ms session acts on every other 10 ms tick; which ones depends on its random phase.
        var sent = call.A.Statistics.PacketsSent;
        a.OnTick(1000);
        var first = call.A.Statistics.PacketsSent > sent ? 1000L : 1001L;
        a.OnTick(1001);
        a.OnTick(first + 2);
        var before = LastAudioPacket(call);
        var reads = source.Reads;

        // The clock fell behind and dropped ticks first + 3 to first + 11: four of this session's intervals.
        a.OnTick(first + 12);

        var after = LastAudioPacket(call);
        Assert.Equal(5, source.Reads - reads);
        Assert.Equal((ushort)(before.SequenceNumber + 1), after.SequenceNumber);
        Assert.Equal(before.Timestamp + (5 * 160), after.Timestamp);
        Assert.False(before.Marker);
        Assert.True(after.Marker);
        Assert.Equal(4, call.A.Statistics.FramesSkipped);

        // Back to one interval per packet: nothing more is made up.
        a.OnTick(first + 14);
        Assert.Equal(6, source.Reads - reads);
        Assert.Equal(after.Timestamp + 160, LastAudioPacket(call).Timestamp);
    }

    private static RtpHeader LastAudioPacket(Call call)
    {
        Assert.True(RtpPacket.TryParse(call.Network.Log.Last(l => l.From.Port == 20000 && l.Data.Length == 172).Data, out var header, out _));
        return header;
    }

    private sealed class CountingSource : IAudioSource
    {
        public int Reads { get; private set; }

        public int Read(Span<short> frame)
        {
            Reads++;
            frame.Fill((short)(1000 + Reads));
            return frame.Length;
        }
    }

    [Fact]
    public async Task A_tick_already_running_when_the_session_is_disposed_sends_nothing_and_does_not_throw()
    {
        var call = new Call();
        call.A.Source = new SineSource(300);
        call.Time.Advance(TimeSpan.FromMilliseconds(40));
        var sent = call.A.Statistics.PacketsSent;

        await call.DisposeAsync();
        var datagrams = call.Network.Log.Count;
        // The clock's thread had read the subscriber list before the session left it, and a receiver report is due
        // (the report that a call of the RTCP interval's length sends just as it ends).
        call.Time.Advance(TimeSpan.FromSeconds(10));
        for (var tick = 0; tick < 4; tick++)
        {
            ((IMediaClockSubscriber)call.A).OnTick(tick);
        }

        Assert.Equal(sent, call.A.Statistics.PacketsSent);
        Assert.Equal(datagrams, call.Network.Log.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_sessions_exchange_dtmf_over_real_udp_sockets(bool receiveOnClockTick)
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var ports = new RtpPortAllocator(IPAddress.Loopback, 42000, 42999);
        var options = new RtpSessionOptions { ReceiveOnClockTick = receiveOnClockTick };
        await using var a = RtpSession.Open(ports, clock, time, options);
        await using var b = RtpSession.Open(ports, clock, time, options);
        var aSdp = new SdpSession(IPAddress.Loopback, a.LocalRtpEndPoint.Port);
        var bSdp = new SdpSession(IPAddress.Loopback, b.LocalRtpEndPoint.Port);
        var answer = bSdp.CreateAnswer(aSdp.CreateOffer());
        b.Apply(answer.Audio);
        a.Apply(aSdp.AcceptAnswer(answer.Answer));
        var received = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Dtmf.DigitReceived += (_, e) => received.TrySetResult(e.Digit.Digit);
        a.Start();
        b.Start();
        clock.Start();

        a.SendDtmf("7");
        time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal('7', await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, a.LocalRtpEndPoint.Port % 2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_session_on_real_sockets_ends_its_receive_loops_without_an_exception(bool receiveOnClockTick)
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var ports = new RtpPortAllocator(IPAddress.Loopback, 44300, 44399);
        var session = RtpSession.Open(ports, clock, time, new RtpSessionOptions { ReceiveOnClockTick = receiveOnClockTick, MediaTimeout = TimeSpan.Zero });
        session.Start();
        var loopExceptions = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnFirstChance(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            // Only the exceptions raised inside this transport's receive loops (the stack of the throwing thread).
            if (new System.Diagnostics.StackTrace(false).ToString().Contains("UdpRtpTransport", StringComparison.Ordinal))
            {
                loopExceptions.Enqueue(e.Exception);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
        try
        {
            await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        }

        // Before, every call's end threw (and caught) an OperationCanceledException in each loop.
        Assert.Empty(loopExceptions);
    }

    [Fact]
    public async Task Receiving_on_the_clock_tick_hands_over_what_arrived_at_the_next_playout()
    {
        var time = new ManualTimeProvider();
        using var clock = new MediaClock(time);
        var ports = new RtpPortAllocator(IPAddress.Loopback, 43000, 43999);
        await using var session = RtpSession.Open(ports, clock, time, new RtpSessionOptions { ReceiveOnClockTick = true, MediaTimeout = TimeSpan.Zero });
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sdp = new SdpSession(IPAddress.Loopback, session.LocalRtpEndPoint.Port);
        var peerSdp = new SdpSession(IPAddress.Loopback, ((IPEndPoint)peer.LocalEndPoint!).Port);
        session.Apply(sdp.CreateAnswer(peerSdp.CreateOffer()).Audio);
        var sink = new CollectingSink();
        session.AddSink(sink);
        session.Start();
        clock.Start();
        time.Advance(TimeSpan.FromMilliseconds(40));
        var framesBefore = sink.Frames.Count;

        // Ten packets of a loud tone from the peer, one after the other; UDP on loopback delivers them into the
        // socket before SendTo returns, and no receive loop reads them: only the session's own tick does.
        var packetizer = new RtpPacketizer();
        var buffer = new byte[RtpPacketizer.MaxPacketLength];
        var tone = new short[160];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0));
        }

        var payload = new byte[160];
        G711.Encode(AudioEncoding.Pcmu, tone, payload);
        for (var i = 0; i < 10; i++)
        {
            var length = packetizer.WriteMedia(buffer, 0, payload, 160, i == 0);
            peer.SendTo(buffer.AsSpan(0, length), SocketFlags.None, session.LocalRtpEndPoint);
        }

        Assert.Equal(0, session.Statistics.PacketsReceived);

        time.Advance(TimeSpan.FromMilliseconds(20));

        // All ten were read at the one playout of that tick (in several batches), synchronously on the clock.
        Assert.Equal(10, session.Statistics.PacketsReceived);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)peer.LocalEndPoint!).Port), session.RemoteEndPoint);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Contains(sink.Frames.Skip(framesBefore), f => f.Max(s => Math.Abs((int)s)) > 4000);
    }

    [Fact]
    public void Port_allocator_binds_even_rtp_ports_with_rtcp_beside_and_skips_busy_ones()
    {
        // Find a free even port to start the range.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var start = (((IPEndPoint)probe.LocalEndPoint!).Port & ~1) is var p && p < 1024 ? 40000 : p;
        probe.Dispose();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, start + 1));
        var ports = new RtpPortAllocator(IPAddress.Loopback, start, start + 7);

        using var first = ports.Allocate();
        using var second = ports.Allocate();

        Assert.Equal(start + 2, first.RtpPort);
        Assert.Equal(start + 3, ((IPEndPoint)first.Rtcp.LocalEndPoint!).Port);
        Assert.Equal(0, second.RtpPort % 2);
        Assert.Equal(2, ports.InUse);
    }

    [Fact]
    public void Exhausted_port_range_fails_naming_the_range()
    {
        var ports = new RtpPortAllocator(IPAddress.Loopback, 41000, 41001);
        using var only = TryAllocate(ports);
        if (only is null)
        {
            return; // Another process holds the pair on this machine; the range message is checked below anyway.
        }

        var error = Assert.Throws<InvalidOperationException>(ports.Allocate);

        Assert.Contains("41000-41001", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000, 2000)]
    [InlineData(10000, 10000)]
    [InlineData(10000, 70000)]
    public void Invalid_port_ranges_are_refused(int min, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortAllocator(IPAddress.Loopback, min, max));
    }

    private static RtpSocketPair? TryAllocate(RtpPortAllocator ports)
    {
        try
        {
            return ports.Allocate();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private sealed class StrangerPackets : IDisposable
    {
        private readonly RtpPacketizer _packetizer = new(0x5555, 1, 1);
        private PooledPacket? _last;

        public byte[] Next()
        {
            _last?.Dispose();
            _last = _packetizer.BuildMedia(0, new byte[160], 160);
            return _last.Memory.ToArray();
        }

        public void Dispose() => _last?.Dispose();
    }

    private sealed class DualToneSource(double f1, double f2, int totalSamples) : IAudioSource
    {
        private int _n;

        public int Read(Span<short> frame)
        {
            for (var i = 0; i < frame.Length; i++, _n++)
            {
                var t = _n / 8000.0;
                frame[i] = _n < totalSamples ? (short)((6000 * Math.Sin(2 * Math.PI * f1 * t)) + (6000 * Math.Sin(2 * Math.PI * f2 * t))) : (short)0;
            }

            return frame.Length;
        }
    }
}
