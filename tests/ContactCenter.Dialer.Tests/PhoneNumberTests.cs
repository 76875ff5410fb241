using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Dialer.Tests;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("(212) 555-0123", "US", "+12125550123")]
    [InlineData("1-212-555-0123", "US", "+12125550123")]
    [InlineData("212.555.0123", "CA", "+12125550123")]
    [InlineData("011 44 20 7946 0958", "US", "+442079460958")]
    [InlineData("020 7946 0958", "GB", "+442079460958")]
    [InlineData("0044 20 7946 0958", "FR", "+442079460958")]
    [InlineData("01 23 45 67 89", "FR", "+33123456789")]
    [InlineData("030 1234567", "DE", "+49301234567")]
    [InlineData("912 345 678", "ES", "+34912345678")]
    [InlineData("06 1234 5678", "IT", "+390612345678")]
    [InlineData("0412 345 678", "AU", "+61412345678")]
    [InlineData("+1 212 555 0123", "GB", "+12125550123")]
    public void National_and_international_formats_normalize_to_E164(string input, string country, string expected)
    {
        Assert.True(PhoneNumbers.TryNormalize(input, country, out var e164, out var error), error);
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("555-0123", "US", "7 national digits")]
    [InlineData("(112) 555-0123", "US", "not a valid NANP number")]
    [InlineData("212-555-012x", "US", "contains 'x'")]
    [InlineData("", "US", "empty")]
    [InlineData("0123", "ZZ", "default country 'ZZ' is not supported")]
    public void Bad_numbers_are_rejected_with_a_reason(string input, string country, string reason)
    {
        Assert.False(PhoneNumbers.TryNormalize(input, country, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalizing_an_E164_number_gives_it_back_unchanged()
    {
        var gen = Gen.Choose(200, 999).SelectMany(area => Gen.Choose(200, 999).SelectMany(exchange => Gen.Choose(0, 9999).Select(line => $"+1{area}{exchange}{line:D4}")));
        Prop.ForAll(gen.ToArbitrary(), number =>
        {
            Assert.True(PhoneNumbers.TryNormalize(number, "GB", out var e164, out _));
            Assert.Equal(number, e164);
            Assert.True(PhoneNumbers.IsE164(e164));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Caller_id_pool_picks_fixed_round_robin_or_same_area()
    {
        var fixedPool = new CallerIdPool(CallerIdMode.Fixed, "+12125550100", "+13105550100");
        Assert.Equal("+12125550100", fixedPool.Choose("+13105550199"));
        Assert.Equal("+12125550100", fixedPool.Choose("+13105550199"));

        var roundRobin = new CallerIdPool(CallerIdMode.RoundRobin, "+12125550100", "+13105550100");
        Assert.Equal(["+12125550100", "+13105550100", "+12125550100"], new[] { roundRobin.Choose("+1415"), roundRobin.Choose("+1415"), roundRobin.Choose("+1415") });

        var sameArea = new CallerIdPool(CallerIdMode.SameAreaCode, "+12125550100", "+13105550100");
        Assert.Equal("+13105550100", sameArea.Choose("+13105550199"));
        Assert.Equal("+12125550100", sameArea.Choose("+12125550199"));
        Assert.Throws<ArgumentException>(() => new CallerIdPool(CallerIdMode.Fixed, "555-0100"));
    }
}
