using System.Threading.Channels;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>OPTIONS health checks on a manual clock: a silent proxy goes down in time, calls fail over, and it comes back.</summary>
public sealed class TrunkHealthTests : IAsyncLifetime
{
    private readonly TrunkLab _lab = new();
    private readonly ManualTimeProvider _time = new();
    private readonly Channel<SipTrunkProbe> _probes = Channel.CreateUnbounded<SipTrunkProbe>();
    private readonly OptionsResponder _primary = new();
    private SipUserAgent _us = null!;

    public async Task InitializeAsync() => _us = await _lab.AgentAsync("cc", _time);

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        await _primary.DisposeAsync();
    }

    private SipTrunkManager Start(SipTrunkManagerOptions options)
    {
        var trunks = _lab.Manager(_us, options);
        trunks.ProbeCompleted += probe => _probes.Writer.TryWrite(probe);
        return trunks;
    }

    /// <summary>Waits for the next probe of <paramref name="proxy"/> (answers travel over real sockets).</summary>
    private async Task<SipTrunkProbe> NextProbe(string proxy)
    {
        while (true)
        {
            var probe = await _probes.Reader.ReadAsync().AsTask().WaitAsync(TrunkLab.Wait);
            if (probe.Proxy == proxy)
            {
                return probe;
            }
        }
    }

    private static SipTrunkOptions Checked(string name, string proxy, Action<SipTrunkOptions>? configure = null)
    {
        var trunk = new SipTrunkOptions { Name = name, Proxy = proxy };
        configure?.Invoke(trunk);
        return trunk;
    }

    /// <summary>
    /// The group "out": the health-checked "primary" (<see cref="_primary"/>) then "backup" (a carrier answering 200, no
    /// health checks), started, with the primary's first probe answered.
    /// </summary>
    private async Task<(SipTrunkManager Trunks, Carrier Backup)> PrimaryAndBackupAsync(Action<SipTrunkStatus>? statusChanged = null)
    {
        var backup = await _lab.CarrierAsync(200, _time);
        var options = TrunkLab.Options(Checked("primary", _primary.Address), TrunkLab.Trunk("backup", backup.Address));
        options.Groups.Add(TrunkLab.Group("out", "primary", "backup"));
        var trunks = Start(options);
        trunks.StatusChanged += statusChanged;
        await trunks.StartAsync();
        _time.Advance(TimeSpan.Zero);
        Assert.True((await NextProbe(_primary.Address)).Succeeded);
        return (trunks, backup);
    }

    [Fact]
    public async Task Silent_primary_is_marked_down_within_five_seconds_and_the_group_fails_over_then_it_comes_back()
    {
        var changes = new List<SipTrunkStatus>();
        var (trunks, backup) = await PrimaryAndBackupAsync(status =>
        {
            lock (changes)
            {
                changes.Add(status);
            }
        });

        // The primary goes silent right after answering: the worst moment for detection.
        _primary.Alive = false;
        var silentFor = TimeSpan.Zero;
        while (trunks.GetStatus("primary").IsHealthy)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            silentFor += TimeSpan.FromMilliseconds(100);
            Assert.True(silentFor <= TimeSpan.FromSeconds(5), "the silent primary was still healthy after 5 s");
        }

        Assert.Equal(new SipTrunkHealthCheckOptions().DetectionTime, silentFor);
        var status = trunks.GetStatus("primary");
        Assert.False(status.IsAvailable);
        Assert.Equal(3, status.Proxies[0].ConsecutiveFailures);
        Assert.Equal(408, status.Proxies[0].LastProbeStatus);
        lock (changes)
        {
            Assert.Contains(changes, c => c.Name == "primary" && !c.IsHealthy);
        }

        var call = await trunks.CallAsync("out", "+14155550123").WaitAsync(TrunkLab.Wait);
        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(0, _primary.InvitesSeen);
        Assert.Equal(1, backup.InviteCount);

        // Two answered probes in a row bring it back.
        _primary.Alive = true;
        var ticks = 0;
        while (!trunks.GetStatus("primary").IsHealthy)
        {
            // Each tick sends a probe; wait for an answered one before the next tick, so it cannot time out meanwhile.
            Assert.True(++ticks <= 6, "the primary did not come back after answering probes");
            _time.Advance(TimeSpan.FromSeconds(1));
            while (!(await NextProbe(_primary.Address)).Succeeded)
            {
            }
        }

        Assert.True(ticks >= 2, "one answered probe must not be enough (SuccessesBeforeUp = 2)");
        Assert.True(trunks.GetStatus("primary").IsHealthy);
    }

    [Fact]
    public async Task Call_waiting_on_a_primary_that_goes_silent_moves_to_the_next_trunk_when_the_primary_is_marked_down()
    {
        var (trunks, backup) = await PrimaryAndBackupAsync();
        _primary.Alive = false; // from now on it answers nothing, INVITEs included

        var placing = trunks.CallAsync("out", "+14155550123");
        var waited = TimeSpan.Zero;
        while (trunks.GetStatus("primary").IsHealthy)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            waited += TimeSpan.FromMilliseconds(100);
        }

        var call = await placing.WaitAsync(TrunkLab.Wait);
        Assert.True(waited <= TimeSpan.FromSeconds(5), $"failed over after {waited}");
        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(1, backup.InviteCount);
        Assert.True(_primary.InvitesSeen >= 1);
        Assert.Equal(0, trunks.GetStatus("primary").ActiveCalls);
    }

    [Fact]
    public async Task Trunk_whose_primary_proxy_is_down_stays_up_on_its_alternate_and_calls_go_there()
    {
        var alternate = await _lab.CarrierAsync(200, _time);
        var trunks = Start(TrunkLab.Options(Checked("carrier", _primary.Address, t => t.AlternateProxy = alternate.Address)));
        await trunks.StartAsync();
        _primary.Alive = false;

        for (var i = 0; i < 4; i++)
        {
            _time.Advance(i == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(1));
            Assert.True((await NextProbe(alternate.Address)).Succeeded); // the live alternate answers each probe
        }

        var status = trunks.GetStatus("carrier");
        Assert.False(status.Proxies[0].IsUp);
        Assert.True(status.Proxies[1].IsUp);
        Assert.True(status.IsAvailable);

        var call = await trunks.CallAsync("carrier", "100").WaitAsync(TrunkLab.Wait);
        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(0, _primary.InvitesSeen);
        Assert.True(_primary.OptionsSeen >= 3);
    }

    [Fact]
    public async Task Trunk_with_every_proxy_down_refuses_calls_at_once()
    {
        var trunks = Start(TrunkLab.Options(Checked("carrier", _primary.Address, t => t.HealthCheck.FailuresBeforeDown = 1)));
        await trunks.StartAsync();
        _primary.Alive = false;

        _time.Advance(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("carrier", "100"));

        Assert.Equal(SipTrunkRefusal.NoHealthyTrunk, error.Reason);
        Assert.Equal(0, _primary.InvitesSeen);
    }

    [Fact]
    public async Task Registered_peer_is_probed_at_the_address_it_registered_from()
    {
        var trunk = new SipTrunkOptions { Name = "pbx", Mode = SipTrunkMode.AcceptRegistration, User = "pbx1", Password = "pbx-secret" };
        var trunks = Start(TrunkLab.Options(trunk));
        await trunks.StartAsync();
        var pbx = await _lab.AgentAsync("pbx", _time);
        var registration = _lab.Registration(pbx, _us, "pbx1", "pbx-secret");

        _time.Advance(TimeSpan.Zero);
        Assert.False((await NextProbe("registered peer")).Succeeded); // nobody registered yet: nothing to probe
        await registration.StartAsync().WaitAsync(TrunkLab.Wait);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await NextProbe("registered peer")).Succeeded);

        var status = trunks.GetStatus("pbx");
        Assert.Equal(pbx.Endpoint.LocalAddresses[0].EndPoint, status.Proxies[0].EndPoint);
        Assert.True(status.IsAvailable);
    }
}
