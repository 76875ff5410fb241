using ContactCenter.Sip.Trunks;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>Trunk options, number translation, caller-ID rules and the calls-per-second bucket, without sockets.</summary>
public sealed class TrunkOptionsTests
{
    [Theory]
    [InlineData("Proxy", "Trunk 'carrier-a': Proxy is required in mode IpPeer.")]
    [InlineData("ProxyScheme", "Trunk 'carrier-a': Proxy 'sip:192.0.2.1' must be host[:port], without a URI scheme.")]
    [InlineData("ProxyPort", "Trunk 'carrier-a': Proxy '192.0.2.1:70000' has port '70000', not a number from 1 to 65535.")]
    [InlineData("MaxConcurrentCalls", "Trunk 'carrier-a': MaxConcurrentCalls must be at least 1.")]
    [InlineData("MaxCallsPerSecond", "Trunk 'carrier-a': MaxCallsPerSecond must be a positive number.")]
    [InlineData("DialPrefix", "Trunk 'carrier-a': DialPrefix '9x' may hold only digits, '+', '*' and '#'.")]
    [InlineData("AllowedSources", "Trunk 'carrier-a': AllowedSources[0] '10.0.0.0/33' is not an IP address or CIDR range.")]
    [InlineData("RegisterWithoutUser", "Trunk 'carrier-a': User and Password are required in mode Register.")]
    [InlineData("AcceptRegistrationWithProxy", "Trunk 'carrier-a': Proxy is not used in mode AcceptRegistration")]
    [InlineData("HealthTimeout", "Trunk 'carrier-a': HealthCheck.Timeout must be positive and at most HealthCheck.Interval.")]
    [InlineData("CallerId", "Trunk 'carrier-a': CallerId.Allowed[0] '+1 415*' is not a caller ID or a prefix ending in '*'.")]
    [InlineData("Header", "Trunk 'carrier-a': Headers[0] 'X Bad' is not a header name with a one-line value.")]
    public void Bad_trunk_options_name_the_trunk_and_the_field(string field, string message)
    {
        var trunk = new SipTrunkOptions { Name = "carrier-a", Proxy = "192.0.2.1:5060" };
        switch (field)
        {
            case "Proxy": trunk.Proxy = null; break;
            case "ProxyScheme": trunk.Proxy = "sip:192.0.2.1"; break;
            case "ProxyPort": trunk.Proxy = "192.0.2.1:70000"; break;
            case "MaxConcurrentCalls": trunk.MaxConcurrentCalls = 0; break;
            case "MaxCallsPerSecond": trunk.MaxCallsPerSecond = double.NaN; break;
            case "DialPrefix": trunk.DialPrefix = "9x"; break;
            case "AllowedSources": trunk.AllowedSources.Add("10.0.0.0/33"); break;
            case "RegisterWithoutUser": trunk.Mode = SipTrunkMode.Register; break;
            case "AcceptRegistrationWithProxy": (trunk.Mode, trunk.User, trunk.Password) = (SipTrunkMode.AcceptRegistration, "pbx", "pw"); break;
            case "HealthTimeout": trunk.HealthCheck.Timeout = TimeSpan.FromSeconds(2); break;
            case "CallerId": trunk.CallerId.Allowed.Add("+1 415*"); break;
            case "Header": trunk.Headers.Add(new SipHeader("X Bad", "1")); break;
        }

        var error = Assert.Throws<ArgumentException>(() => TrunkLab.Options(trunk).Validate());

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_whose_member_detects_silence_too_slowly_is_refused_naming_both()
    {
        var slow = new SipTrunkOptions { Name = "slow", Proxy = "192.0.2.1" };
        slow.HealthCheck.Interval = TimeSpan.FromSeconds(2);
        slow.HealthCheck.Timeout = TimeSpan.FromSeconds(2);
        var options = TrunkLab.Options(slow);
        options.Groups.Add(TrunkLab.Group("outbound", "slow"));

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Trunk group 'outbound': trunk 'slow' takes up to 8 s to be marked down", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxFailoverDelay 5 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_health_checks_detect_a_silent_proxy_within_five_seconds()
    {
        var defaults = new SipTrunkHealthCheckOptions();

        Assert.True(defaults.DetectionTime <= TimeSpan.FromSeconds(5));
        Assert.True(defaults.Enabled);
    }

    [Fact]
    public void Group_naming_an_unknown_trunk_or_reusing_a_name_is_refused()
    {
        var options = TrunkLab.Options(TrunkLab.Trunk("a", "192.0.2.1"));
        options.Groups.Add(TrunkLab.Group("out", "a", "b"));
        Assert.Contains("Trunk group 'out': Trunks[1] 'b' is not a trunk.", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);

        var clash = TrunkLab.Options(TrunkLab.Trunk("a", "192.0.2.1"));
        clash.Groups.Add(TrunkLab.Group("A", "a"));
        Assert.Contains("Trunk group 'A': Name is already used", Assert.Throws<ArgumentException>(clash.Validate).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0014155550100", 2, "+", "+14155550100")]
    [InlineData("4155550100", 0, "1", "14155550100")]
    [InlineData("94155550100", 1, "#31#", "#31#4155550100")]
    public void Numbers_are_stripped_then_prefixed(string number, int strip, string prefix, string expected) =>
        Assert.Equal(expected, SipTrunkDialPlan.Translate("t", number, strip, prefix));

    [Fact]
    public void Number_that_is_not_a_dial_string_or_too_short_is_refused_naming_the_trunk()
    {
        Assert.Equal("Trunk 'a': number '415-555' may hold only digits, '+', '*' and '#'. (Parameter 'number')",
            Assert.Throws<ArgumentException>(() => SipTrunkDialPlan.Translate("a", "415-555", 0, "")).Message);
        Assert.Contains("too short to remove 3 leading digits",
            Assert.Throws<ArgumentException>(() => SipTrunkDialPlan.Translate("a", "123", 3, "")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Caller_id_passes_when_allowed_falls_back_to_the_default_otherwise()
    {
        var rules = new SipCallerIdOptions { Default = "+18005550100" };
        Assert.Equal("+14155550123", SipTrunkDialPlan.CallerId(rules, "+14155550123")); // no list: pass-through
        Assert.Equal("+18005550100", SipTrunkDialPlan.CallerId(rules, null));

        rules.Allowed.Add("+1415*");
        rules.Allowed.Add("+442071234567");
        Assert.Equal("+14155550123", SipTrunkDialPlan.CallerId(rules, "+14155550123"));
        Assert.Equal("+442071234567", SipTrunkDialPlan.CallerId(rules, "+442071234567"));
        Assert.Equal("+18005550100", SipTrunkDialPlan.CallerId(rules, "+12125550100"));

        rules.Default = null;
        Assert.Null(SipTrunkDialPlan.CallerId(rules, "+12125550100"));
    }

    [Fact]
    public void Token_bucket_allows_the_burst_then_the_rate_and_never_more()
    {
        var time = new ManualTimeProvider();
        var bucket = new SipTokenBucket(time, rate: 2, capacity: 2);

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromMinutes(1)); // a quiet minute refills only up to the burst
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.0/24", "192.0.2.200", true)]
    [InlineData("192.0.2.0/24", "192.0.3.1", false)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    public void Source_lists_match_addresses_and_ranges(string entry, string address, bool expected)
    {
        var list = new SipSourceList();
        Assert.True(SipSourceList.TryParse(entry, out var network));
        list.Add(network);

        Assert.Equal(expected, list.Contains(System.Net.IPAddress.Parse(address)));
    }
}
