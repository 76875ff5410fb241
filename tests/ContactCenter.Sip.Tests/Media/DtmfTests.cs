using ContactCenter.Sip.Media;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Media;

public sealed class DtmfTests
{
    private static List<TelephoneEventPacket?> Run(TelephoneEventSender sender, int ticks, uint startTimestamp = 1000)
    {
        var output = new List<TelephoneEventPacket?>();
        for (var i = 0; i < ticks; i++)
        {
            output.Add(sender.TryNext(startTimestamp + (uint)(i * 160), out var p, out _) ? p : null);
        }

        return output;
    }

    [Fact]
    public void Digit_is_sent_as_start_continuations_and_three_end_packets()
    {
        var sender = new TelephoneEventSender(ptime: 20);
        sender.Enqueue("5", TimeSpan.FromMilliseconds(100));

        var packets = Run(sender, 9);

        var sent = packets.Where(p => p is not null).Select(p => p!.Value).ToList();
        Assert.Equal(7, sent.Count);
        Assert.True(sent[0].Marker);
        Assert.All(sent.Skip(1), p => Assert.False(p.Marker));
        Assert.All(sent, p => Assert.Equal(1000u, p.Timestamp));
        Assert.All(sent, p => Assert.Equal(5, p.Payload.Event));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], sent.Select(p => (int)p.Payload.Duration));
        Assert.Equal([false, false, false, false, true, true, true], sent.Select(p => p.Payload.End));
        Assert.Null(packets[7]);
    }

    [Fact]
    public void Digits_are_separated_by_the_pause_and_get_their_own_timestamps()
    {
        var sender = new TelephoneEventSender(ptime: 20, interDigitPause: TimeSpan.FromMilliseconds(40));
        sender.Enqueue("1#", TimeSpan.FromMilliseconds(40));

        var packets = Run(sender, 12);

        // 1: 2 packets + 2 more ends, then 2 ticks of pause, then #.
        Assert.Equal(1, packets[0]!.Value.Payload.Event);
        Assert.True(packets[3]!.Value.Payload.End);
        Assert.Null(packets[4]);
        Assert.Null(packets[5]);
        Assert.Equal(11, packets[6]!.Value.Payload.Event);
        Assert.True(packets[6]!.Value.Marker);
        Assert.Equal(1000u + (6 * 160), packets[6]!.Value.Timestamp);
    }

    [Fact]
    public void Audio_is_suppressed_while_a_digit_plays()
    {
        var sender = new TelephoneEventSender();
        Assert.False(sender.TryNext(0, out _, out var idle));
        Assert.False(idle);

        sender.Enqueue("9");
        Assert.True(sender.TryNext(0, out _, out var during));
        Assert.True(during);
    }

    [Theory]
    [InlineData("12x", "'x' at position 2")]
    [InlineData("E", "'E' at position 0")]
    public void Enqueue_refuses_non_dtmf_characters_naming_them(string digits, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new TelephoneEventSender().Enqueue(digits));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Receiver_reports_each_event_once_despite_continuations_and_redundant_ends()
    {
        var sender = new TelephoneEventSender();
        sender.Enqueue("73", TimeSpan.FromMilliseconds(60));
        var receiver = new TelephoneEventReceiver();
        var digits = new List<char>();
        var payload = new byte[4];

        foreach (var p in Run(sender, 20).Where(p => p is not null).Select(p => p!.Value))
        {
            p.Payload.Write(payload);
            if (receiver.TryReceive(p.Timestamp, payload, out var d))
            {
                digits.Add(d.Digit);
            }

            // Every packet delivered twice: duplicates must not produce digits.
            Assert.False(receiver.TryReceive(p.Timestamp, payload, out _));
        }

        Assert.Equal(['7', '3'], digits);
    }

    [Fact]
    public void Receiver_reports_a_digit_whose_start_packets_were_lost()
    {
        var receiver = new TelephoneEventReceiver();
        var end = new byte[4];
        new TelephoneEventPayload(11, true, 10, 800).Write(end);

        Assert.True(receiver.TryReceive(5000, end, out var digit));
        Assert.Equal('#', digit.Digit);
        Assert.Equal(TimeSpan.FromMilliseconds(100), digit.Duration);
        Assert.Equal(DtmfMethod.Rfc4733, digit.Method);
        Assert.False(receiver.TryReceive(5000, end, out _));
    }

    [Fact]
    public void Same_digit_pressed_twice_is_reported_twice()
    {
        var receiver = new TelephoneEventReceiver();
        var p = new byte[4];
        new TelephoneEventPayload(1, false, 10, 160).Write(p);

        Assert.True(receiver.TryReceive(1000, p, out _));
        Assert.True(receiver.TryReceive(3000, p, out _));
        Assert.False(receiver.TryReceive(1000, p, out _));
    }

    [Fact]
    public void Non_dtmf_events_and_short_payloads_are_ignored()
    {
        var receiver = new TelephoneEventReceiver();
        var flash = new byte[4];
        new TelephoneEventPayload(16, false, 10, 160).Write(flash);

        Assert.False(receiver.TryReceive(1, flash, out _));
        Assert.False(receiver.TryReceive(2, [1, 2], out _));
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("application/dtmf-relay; charset=utf-8", "signal= #\nduration=250", '#', 250)]
    [InlineData("application/dtmf-relay", "Signal=*\r\n", '*', 0)]
    [InlineData("application/dtmf-relay", "Signal=11\r\nDuration=100", '#', 100)]
    [InlineData("application/dtmf", "d", 'D', 0)]
    public void Sip_info_bodies_are_parsed(string contentType, string body, char digit, int ms)
    {
        Assert.True(DtmfRelayBody.TryParse(contentType, body, out var d, out var error), error);
        Assert.Equal(digit, d.Digit);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), d.Duration);
        Assert.Equal(DtmfMethod.SipInfo, d.Method);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Duration=160", "no Signal= line")]
    [InlineData("application/dtmf-relay", "Signal=X\r\n", "signal \"X\" is not a DTMF digit")]
    [InlineData("application/dtmf-relay", "Signal=1\r\nDuration=abc", "line 2: Duration \"abc\"")]
    [InlineData("application/dtmf-relay", "garbage", "line 1 \"garbage\" is not key=value")]
    [InlineData("text/plain", "Signal=1", "content type \"text/plain\"")]
    public void Bad_sip_info_bodies_are_rejected_with_a_reason(string contentType, string body, string reason)
    {
        Assert.False(DtmfRelayBody.TryParse(contentType, body, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Created_relay_body_parses_back()
    {
        var body = DtmfRelayBody.Create('a', TimeSpan.FromMilliseconds(120));

        Assert.Equal("Signal=A\r\nDuration=120\r\n", body);
        Assert.True(DtmfRelayBody.TryParse(DtmfRelayBody.RelayContentType, body, out var d, out _));
        Assert.Equal('A', d.Digit);
    }

    [Fact]
    public void Collector_ignores_methods_not_active_on_the_call()
    {
        var collector = new DtmfCollector(new ManualTimeProvider(), DtmfMethod.Rfc4733);
        var digits = new List<DtmfDigit>();
        collector.DigitReceived += (_, e) => digits.Add(e.Digit);

        Assert.False(collector.Offer(new DtmfDigit('1', TimeSpan.Zero, DtmfMethod.InBand)));
        Assert.True(collector.OfferSipInfo("application/dtmf-relay", "Signal=2", out _));
        Assert.True(collector.Offer(new DtmfDigit('3', TimeSpan.Zero, DtmfMethod.Rfc4733)));

        Assert.Equal(['3'], digits.Select(d => d.Digit));
    }

    [Fact]
    public void Collector_reports_a_doubly_signalled_key_once_but_a_real_repeat_twice()
    {
        var time = new ManualTimeProvider();
        var collector = new DtmfCollector(time, DtmfMethod.Rfc4733 | DtmfMethod.InBand);
        var digits = new List<char>();
        collector.DigitReceived += (_, e) => digits.Add(e.Digit.Digit);

        collector.Offer(new DtmfDigit('5', TimeSpan.Zero, DtmfMethod.Rfc4733));
        time.Advance(TimeSpan.FromMilliseconds(40));
        collector.Offer(new DtmfDigit('5', TimeSpan.Zero, DtmfMethod.InBand));
        time.Advance(TimeSpan.FromMilliseconds(150));
        collector.Offer(new DtmfDigit('5', TimeSpan.Zero, DtmfMethod.Rfc4733));
        time.Advance(TimeSpan.FromSeconds(1));
        collector.Offer(new DtmfDigit('5', TimeSpan.Zero, DtmfMethod.InBand));

        Assert.Equal(['5', '5', '5'], digits);
    }

    [Fact]
    public void Collector_reports_the_reason_for_a_bad_sip_info_body()
    {
        var collector = new DtmfCollector(new ManualTimeProvider());

        Assert.False(collector.OfferSipInfo("application/dtmf-relay", "Signal=Z", out var error));
        Assert.Contains("\"Z\"", error, StringComparison.Ordinal);
    }
}
