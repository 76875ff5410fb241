using ContactCenter.Testing;

namespace ContactCenter.Ivr.Tests;

public class DtmfDigitCollectorTests
{
    private static readonly DigitsRequest Account = new(4, 10, "#", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3));

    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task First_digit_timeout_fires_on_the_manual_clock()
    {
        using var collector = new DtmfDigitCollector(_time);
        var collect = collector.CollectAsync(Account, default);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(collect.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(new DigitsResult(string.Empty, DigitsTermination.NoInput), await collect);
    }

    [Fact]
    public async Task Each_key_restarts_the_inter_digit_timeout()
    {
        using var collector = new DtmfDigitCollector(_time);
        var collect = collector.CollectAsync(Account, default);
        _time.Advance(TimeSpan.FromSeconds(4));
        collector.Press('1');
        _time.Advance(TimeSpan.FromSeconds(2.5));
        collector.Press('2');
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(collect.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(new DigitsResult("12", DigitsTermination.InterDigitTimeout), await collect);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public async Task Terminator_ends_the_entry_and_is_not_part_of_the_digits()
    {
        using var collector = new DtmfDigitCollector(_time);
        var collect = collector.CollectAsync(Account, default);
        foreach (var key in "12345#")
        {
            collector.Press(key);
        }

        Assert.Equal(new DigitsResult("12345", DigitsTermination.Terminator, '#'), await collect);
    }

    [Fact]
    public async Task Max_length_ends_the_entry_and_later_keys_wait_for_the_next_collection()
    {
        using var collector = new DtmfDigitCollector(_time);
        var collect = collector.CollectAsync(new DigitsRequest(1, 2, "#", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3)), default);
        foreach (var key in "123")
        {
            collector.Press(key);
        }

        Assert.Equal(new DigitsResult("12", DigitsTermination.MaxLength), await collect);
        Assert.Equal(1, collector.BufferedKeys);
        Assert.Equal('3', await collector.NextKeyAsync(default));
    }

    [Fact]
    public async Task Type_ahead_keys_are_used_first()
    {
        using var collector = new DtmfDigitCollector(_time);
        collector.Press('4');
        collector.Press('2');
        collector.Press('#');
        var result = await collector.CollectAsync(new DigitsRequest(1, 10, "#", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3)), default);
        Assert.Equal(new DigitsResult("42", DigitsTermination.Terminator, '#'), result);
    }

    [Fact]
    public async Task Type_ahead_buffer_is_bounded_and_drops_the_oldest_keys()
    {
        using var collector = new DtmfDigitCollector(_time, maxBufferedKeys: 2);
        collector.Press('1');
        collector.Press('2');
        collector.Press('3');
        Assert.Equal(2, collector.BufferedKeys);
        Assert.Equal('2', await collector.NextKeyAsync(default));
    }

    [Fact]
    public async Task A_key_during_a_prompt_completes_the_barge_in_wait()
    {
        using var collector = new DtmfDigitCollector(_time);
        var wait = collector.NextKeyAsync(default);
        Assert.False(wait.IsCompleted);
        collector.Press('7');
        Assert.Equal('7', await wait);
    }

    [Fact]
    public async Task Cancellation_stops_the_collection_and_its_timer()
    {
        using var collector = new DtmfDigitCollector(_time);
        using var cts = new CancellationTokenSource();
        var collect = collector.CollectAsync(Account, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => collect);
        Assert.Equal(0, _time.ActiveTimers);
        collector.Press('5');
        Assert.Equal(1, collector.BufferedKeys);
    }

    [Fact]
    public void Only_one_collection_at_a_time_and_only_dtmf_keys()
    {
        using var collector = new DtmfDigitCollector(_time);
        _ = collector.CollectAsync(Account, default);
        Assert.Throws<InvalidOperationException>(() => { _ = collector.CollectAsync(Account, default); });
        Assert.Throws<ArgumentException>(() => collector.Press('x'));
    }
}
