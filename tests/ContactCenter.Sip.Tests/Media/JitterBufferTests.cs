using System.Net;
using ContactCenter.Sip.Media;
using ContactCenter.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Sip.Tests.Media;

public sealed class JitterBufferTests
{
    private static byte[] Frame(int n) => [(byte)n, (byte)(n >> 8)];

    private static List<object> Drain(JitterBuffer buffer, int pops)
    {
        var output = new List<object>();
        var frame = new byte[480];
        for (var i = 0; i < pops; i++)
        {
            var r = buffer.Pop(frame, out var length);
            output.Add(r == JitterPopResult.Frame ? frame[0] | (frame[1] << 8) : r);
        }

        return output;
    }

    [Fact]
    public void Reordered_packets_play_out_in_sequence_order()
    {
        var buffer = new JitterBuffer(depth: 3);
        foreach (var s in new[] { 2, 1, 3, 5, 4 })
        {
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert((ushort)s, 0, Frame(s)));
        }

        Assert.Equal([1, 2, 3, 4, 5, JitterPopResult.Buffering], Drain(buffer, 6));
    }

    [Fact]
    public void A_buffer_larger_than_an_array_can_hold_is_refused_at_construction()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new JitterBuffer(depth: 3, capacity: 1_000_000, maxPayload: 10_000));

        Assert.Contains("1000000 frames of 10000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_released_buffer_is_empty_and_takes_a_new_stream_with_full_size_payloads()
    {
        var buffer = new JitterBuffer(depth: 2, capacity: 4, maxPayload: 480);
        buffer.Insert(1, 0, Frame(1));
        buffer.Insert(2, 160, Frame(2));

        buffer.Release();

        Assert.Equal(0, buffer.Count);
        Assert.Equal([JitterPopResult.Buffering], Drain(buffer, 1));
        var full = Enumerable.Range(0, 480).Select(i => (byte)i).ToArray();
        for (var s = 7; s <= 10; s++)
        {
            full[0] = (byte)s;
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert((ushort)s, 0, full));
        }

        var played = new byte[480];
        for (var s = 7; s <= 10; s++)
        {
            Assert.Equal(JitterPopResult.Frame, buffer.Pop(played, out var length));
            Assert.Equal(480, length);
            Assert.Equal((byte)s, played[0]);
            Assert.Equal(full[1..], played[1..]);
        }
    }

    [Fact]
    public void A_larger_payload_after_small_ones_widens_the_slots_and_keeps_the_frames_held()
    {
        // Slots fit 20 ms of G.711 (160 bytes) first; a 60 ms payload (480) then arrives with three frames waiting.
        var buffer = new JitterBuffer(depth: 5, capacity: 8, maxPayload: 480);
        byte[] Payload(int s, int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(s * 31 + i))];
        var lengths = new Dictionary<int, int> { [1] = 160, [2] = 100, [3] = 160, [4] = 480, [5] = 320 };
        foreach (var s in new[] { 1, 3, 2, 4, 5 })
        {
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert((ushort)s, (uint)(s * 160), Payload(s, lengths[s])));
        }

        Assert.Equal(JitterInsertResult.TooLarge, buffer.Insert(6, 960, Payload(6, 481)));
        var played = new byte[480];
        for (var s = 1; s <= 5; s++)
        {
            Assert.Equal(JitterPopResult.Frame, buffer.Pop(played, out var length));
            Assert.Equal(Payload(s, lengths[s]), played[..length]);
        }
    }

    [Fact]
    public void Playout_waits_until_the_depth_is_reached()
    {
        var buffer = new JitterBuffer(depth: 3);
        buffer.Insert(10, 0, Frame(10));
        buffer.Insert(11, 0, Frame(11));

        Assert.Equal([JitterPopResult.Buffering], Drain(buffer, 1));

        buffer.Insert(12, 0, Frame(12));
        Assert.Equal([10, 11, 12], Drain(buffer, 3));
    }

    [Fact]
    public void Duplicates_are_dropped_and_counted()
    {
        var buffer = new JitterBuffer(depth: 1);
        buffer.Insert(7, 0, Frame(7));

        Assert.Equal(JitterInsertResult.Duplicate, buffer.Insert(7, 0, Frame(7)));
        Assert.Equal([7, JitterPopResult.Buffering], Drain(buffer, 2));
        Assert.Equal(1, buffer.Duplicates);
    }

    [Fact]
    public void Packets_arriving_after_their_playout_time_are_late()
    {
        var buffer = new JitterBuffer(depth: 2);
        buffer.Insert(1, 0, Frame(1));
        buffer.Insert(3, 0, Frame(3));
        buffer.Insert(4, 0, Frame(4));

        Assert.Equal([1, JitterPopResult.Missing], Drain(buffer, 2));
        Assert.Equal(JitterInsertResult.Late, buffer.Insert(2, 0, Frame(2)));
        Assert.Equal(JitterInsertResult.Late, buffer.Insert(1, 0, Frame(1)));
        Assert.Equal([3, 4], Drain(buffer, 2));
        Assert.Equal(2, buffer.LatePackets);
        Assert.Equal(1, buffer.Missing);
    }

    [Fact]
    public void Sequence_numbers_wrap_around_without_a_gap()
    {
        var buffer = new JitterBuffer(depth: 2);
        foreach (var s in new ushort[] { 65534, 65535, 0, 1 })
        {
            buffer.Insert(s, 0, Frame(s));
        }

        Assert.Equal([65534, 65535, 0, 1], Drain(buffer, 4));
        Assert.Equal(0, buffer.Missing);
    }

    [Fact]
    public void A_huge_jump_restarts_the_buffer()
    {
        var buffer = new JitterBuffer(depth: 1, capacity: 10);
        buffer.Insert(1, 0, Frame(1));

        Assert.Equal(JitterInsertResult.Resynchronized, buffer.Insert(500, 0, Frame(500)));
        Assert.Equal([500 & 0xFFFF], Drain(buffer, 1));
    }

    [Fact]
    public void Buffer_refills_after_running_dry()
    {
        var buffer = new JitterBuffer(depth: 2);
        buffer.Insert(1, 0, Frame(1));
        buffer.Insert(2, 0, Frame(2));
        Assert.Equal([1, 2, JitterPopResult.Buffering], Drain(buffer, 3));

        buffer.Insert(3, 0, Frame(3));
        Assert.Equal([JitterPopResult.Buffering], Drain(buffer, 1));
        buffer.Insert(4, 0, Frame(4));
        Assert.Equal([3, 4], Drain(buffer, 2));
    }

    [Fact]
    public void Any_arrival_order_within_the_window_plays_in_order()
    {
        Prop.ForAll<int[]>(keys =>
        {
            var order = Enumerable.Range(0, 20).Zip((keys ?? []).Concat(Enumerable.Repeat(0, 20)).Take(20)).OrderBy(p => p.Second).Select(p => p.First).ToList();
            var buffer = new JitterBuffer(depth: 20, capacity: 40);
            foreach (var i in order)
            {
                buffer.Insert((ushort)(65530 + i), 0, Frame(i));
            }

            return Drain(buffer, 20).SequenceEqual(Enumerable.Range(0, 20).Cast<object>());
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Media_timeout_fires_once_after_silence_and_not_while_on_hold()
    {
        var time = new ManualTimeProvider();
        var detector = new MediaTimeoutDetector(time, TimeSpan.FromSeconds(30));

        time.Advance(TimeSpan.FromSeconds(29));
        detector.RecordPacket();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(detector.CheckTimedOut());

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(detector.CheckTimedOut());
        Assert.False(detector.CheckTimedOut());

        detector.RecordPacket();
        detector.Suspended = true;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(detector.CheckTimedOut());
    }

    [Fact]
    public void Latch_follows_the_first_source_and_refuses_others()
    {
        var signalled = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 4000);
        var nat = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 31000);
        var attacker = new IPEndPoint(IPAddress.Parse("192.0.2.66"), 5000);
        var latch = new SymmetricRtpLatch(signalled, relatchAfter: 3);

        Assert.Equal(signalled, latch.Destination);
        Assert.True(latch.Accept(nat));
        Assert.Equal(nat, latch.Destination);
        Assert.False(latch.Accept(attacker));
        Assert.True(latch.Accept(nat));
        Assert.False(latch.Accept(attacker));
        Assert.Equal(nat, latch.Destination);
        Assert.Equal(2, latch.Refused);
    }

    [Fact]
    public void Latch_moves_when_a_new_source_persists_while_the_old_one_is_silent()
    {
        var first = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 31000);
        var moved = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 31002);
        var latch = new SymmetricRtpLatch(null, relatchAfter: 3);
        latch.Accept(first);

        Assert.False(latch.Accept(moved));
        Assert.False(latch.Accept(moved));
        Assert.True(latch.Accept(moved));
        Assert.Equal(moved, latch.Destination);
    }

    [Fact]
    public void Latch_reset_by_a_new_description_learns_again_and_disabled_latch_uses_sdp()
    {
        var a = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 1000);
        var b = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 2000);
        var latch = new SymmetricRtpLatch(a);
        latch.Accept(a);
        latch.Reset(b);
        Assert.True(latch.Accept(b));
        Assert.Equal(b, latch.Destination);

        var off = new SymmetricRtpLatch(a, enabled: false);
        Assert.True(off.Accept(b));
        Assert.Equal(a, off.Destination);
    }
}
