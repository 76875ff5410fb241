using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Trunks;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>Outbound calls through trunks and groups to carrier user agents on loopback.</summary>
public sealed class TrunkCallTests : IAsyncLifetime
{
    private readonly TrunkLab _lab = new();
    private SipUserAgent _us = null!;

    public async Task InitializeAsync() => _us = await _lab.AgentAsync("cc");

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    /// <summary>A started manager with one trunk per carrier (named a, b, ...) and the group "out" of them all, in order.</summary>
    private async Task<SipTrunkManager> GroupAsync(params Carrier[] carriers)
    {
        var names = carriers.Select((_, i) => ((char)('a' + i)).ToString()).ToArray();
        var options = TrunkLab.Options([.. carriers.Select((c, i) => TrunkLab.Trunk(names[i], c.Address))]);
        options.Groups.Add(TrunkLab.Group("out", names));
        var trunks = _lab.Manager(_us, options);
        await trunks.StartAsync();
        return trunks;
    }

    [Fact]
    public async Task Call_goes_to_the_proxy_with_the_translated_number_caller_id_and_trunk_headers()
    {
        var carrier = await _lab.CarrierAsync();
        var trunk = TrunkLab.Trunk("carrier", carrier.Address, t =>
        {
            t.Domain = "carrier.example";
            t.StripDigits = 2;
            t.DialPrefix = "+";
            t.CallerId.Default = "+18005550100";
            t.Headers.Add(new SipHeader("X-Carrier-Account", "acme"));
        });
        var trunks = _lab.Manager(_us, TrunkLab.Options(trunk));
        await trunks.StartAsync();

        var call = await trunks.CallAsync("carrier", "0014155550123", new SipTrunkCallOptions
        {
            Sdp = TrunkLab.Sdp,
            DisplayName = "Sales",
            Headers = [new SipHeader("X-Queue", "sales")],
        }).WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        var invite = Assert.Single(carrier.Invites);
        Assert.Equal("sip:+14155550123@carrier.example", invite.RequestUri.ToString());
        Assert.Equal("sip:+18005550100@carrier.example", invite.From!.Uri.ToString());
        Assert.Equal("Sales", invite.From.DisplayName);
        Assert.Equal("sales", invite.Headers["X-Queue"]);
        Assert.Equal("acme", invite.Headers["X-Carrier-Account"]);
        Assert.Null(invite.Headers["P-Asserted-Identity"]);
        Assert.Equal(1, trunks.GetStatus("carrier").ActiveCalls);

        await call.HangUpAsync();
        await call.Ended.WaitAsync(TrunkLab.Wait);
        Assert.Equal(0, trunks.GetStatus("carrier").ActiveCalls);
    }

    [Fact]
    public async Task Withheld_caller_id_is_anonymous_in_From_and_asserted_in_P_Asserted_Identity()
    {
        var carrier = await _lab.CarrierAsync();
        var trunk = TrunkLab.Trunk("carrier", carrier.Address, t =>
        {
            t.Domain = "carrier.example";
            t.CallerId.Allowed.Add("+1415*");
            t.CallerId.Withhold = true;
        });
        var trunks = _lab.Manager(_us, TrunkLab.Options(trunk));
        await trunks.StartAsync();

        await trunks.CallAsync("carrier", "+12125550100", new SipTrunkCallOptions { CallerId = "+14155550123" }).WaitAsync(TrunkLab.Wait);

        var invite = Assert.Single(carrier.Invites);
        Assert.Equal("sip:anonymous@anonymous.invalid", invite.From!.Uri.ToString());
        Assert.Equal("id", invite.Headers["Privacy"]);
        Assert.Equal("sip:+14155550123@carrier.example", Assert.Single(invite.PAssertedIdentity).Uri.ToString());
    }

    [Fact]
    public async Task Caller_id_not_allowed_and_without_default_is_refused_before_any_INVITE()
    {
        var carrier = await _lab.CarrierAsync();
        var trunk = TrunkLab.Trunk("carrier", carrier.Address, t => t.CallerId.Allowed.Add("+1415*"));
        var trunks = _lab.Manager(_us, TrunkLab.Options(trunk));
        await trunks.StartAsync();

        var error = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() =>
            trunks.CallAsync("carrier", "+12125550100", new SipTrunkCallOptions { CallerId = "+12125550199" }));

        Assert.Equal(SipTrunkRefusal.CallerIdNotAllowed, error.Reason);
        Assert.Equal(0, carrier.InviteCount);
    }

    [Fact]
    public async Task Group_fails_over_to_the_next_trunk_when_the_first_answers_503()
    {
        var overloaded = await _lab.CarrierAsync(503);
        var backup = await _lab.CarrierAsync();
        var trunks = await GroupAsync(overloaded, backup);

        var call = await trunks.CallAsync("out", "+14155550123", new SipTrunkCallOptions { Sdp = TrunkLab.Sdp }).WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(1, overloaded.InviteCount);
        Assert.Equal(1, backup.InviteCount);
        Assert.Equal(0, trunks.GetStatus("a").ActiveCalls);
        Assert.Equal(1, trunks.GetStatus("b").ActiveCalls);
    }

    [Fact]
    public async Task Trunk_tries_its_alternate_proxy_when_the_primary_refuses_with_503()
    {
        var primary = await _lab.CarrierAsync(503);
        var alternate = await _lab.CarrierAsync();
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", primary.Address, t => t.AlternateProxy = alternate.Address)));
        await trunks.StartAsync();

        var call = await trunks.CallAsync("carrier", "+14155550123").WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(1, primary.InviteCount);
        Assert.Equal(1, alternate.InviteCount);
    }

    [Fact]
    public async Task Busy_callee_is_final_and_not_retried_on_the_next_trunk()
    {
        var busy = await _lab.CarrierAsync(486);
        var backup = await _lab.CarrierAsync();
        var trunks = await GroupAsync(busy, backup);

        var call = await trunks.CallAsync("out", "+14155550123").WaitAsync(TrunkLab.Wait);

        Assert.Equal(486, call.FinalStatus);
        Assert.Equal(0, backup.InviteCount);
    }

    [Fact]
    public async Task Every_attempt_failing_over_returns_the_last_failed_call()
    {
        var a = await _lab.CarrierAsync(503);
        var b = await _lab.CarrierAsync(503);
        var trunks = await GroupAsync(a, b);

        var call = await trunks.CallAsync("out", "+14155550123").WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Terminated, call.State);
        Assert.Equal(503, call.FinalStatus);
        Assert.Equal(1, a.InviteCount);
        Assert.Equal(1, b.InviteCount);
    }

    [Fact]
    public async Task Call_over_the_concurrent_limit_is_refused_at_once_and_a_slot_frees_when_a_call_ends()
    {
        var carrier = await _lab.CarrierAsync();
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", carrier.Address, t => t.MaxConcurrentCalls = 1)));
        await trunks.StartAsync();
        var first = await trunks.CallAsync("carrier", "100").WaitAsync(TrunkLab.Wait);

        var error = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("carrier", "101"));

        Assert.Equal(SipTrunkRefusal.ConcurrentCallLimit, error.Reason);
        Assert.Equal("carrier", error.Target);
        await first.HangUpAsync();
        await first.Ended.WaitAsync(TrunkLab.Wait);
        var second = await trunks.CallAsync("carrier", "102").WaitAsync(TrunkLab.Wait);
        Assert.Equal(SipCallState.Established, second.State);
    }

    [Fact]
    public async Task Calls_over_the_rate_limit_are_refused_until_the_bucket_refills()
    {
        var time = new ManualTimeProvider();
        var us = await _lab.AgentAsync("cc-rate", time);
        var carrier = await _lab.CarrierAsync(486, time);
        var trunks = _lab.Manager(us, TrunkLab.Options(TrunkLab.Trunk("carrier", carrier.Address, t => t.MaxCallsPerSecond = 2)));
        await trunks.StartAsync();

        Assert.Equal(486, (await trunks.CallAsync("carrier", "100").WaitAsync(TrunkLab.Wait)).FinalStatus);
        Assert.Equal(486, (await trunks.CallAsync("carrier", "101").WaitAsync(TrunkLab.Wait)).FinalStatus);
        var error = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("carrier", "102"));
        Assert.Equal(SipTrunkRefusal.CallRateLimit, error.Reason);
        Assert.Equal(2, trunks.GetStatus("carrier").CallsPerSecond);

        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(486, (await trunks.CallAsync("carrier", "103").WaitAsync(TrunkLab.Wait)).FinalStatus);
        Assert.Equal(3, carrier.InviteCount);
    }

    [Fact]
    public async Task Group_skips_a_trunk_at_its_limit()
    {
        var a = await _lab.CarrierAsync();
        var b = await _lab.CarrierAsync();
        var options = TrunkLab.Options(TrunkLab.Trunk("a", a.Address, t => t.MaxConcurrentCalls = 1), TrunkLab.Trunk("b", b.Address));
        options.Groups.Add(TrunkLab.Group("out", "a", "b"));
        var trunks = _lab.Manager(_us, options);
        await trunks.StartAsync();

        await trunks.CallAsync("out", "100").WaitAsync(TrunkLab.Wait);
        await trunks.CallAsync("out", "101").WaitAsync(TrunkLab.Wait);

        Assert.Equal(1, a.InviteCount);
        Assert.Equal(1, b.InviteCount);
    }

    [Fact]
    public async Task Trunk_challenged_by_the_carrier_answers_with_its_digest_credentials()
    {
        var carrier = await _lab.AgentAsync("carrier");
        var authenticator = new ContactCenter.Sip.Auth.DigestAuthenticator(new ContactCenter.Sip.Auth.DigestAuthenticatorOptions { Realm = "carrier" });
        string? authenticatedUser = null;
        carrier.IncomingCall = async call =>
        {
            var verdict = authenticator.Verify(call.InitialInvite.Headers["Proxy-Authorization"], "INVITE", u => u == "acme" ? "s3cret" : null);
            if (!verdict.IsAuthenticated)
            {
                await call.RejectAsync(407, null, authenticator.CreateChallenges().Select(c => new SipHeader("Proxy-Authenticate", c.ToString())));
                return;
            }

            authenticatedUser = verdict.Username;
            await call.AnswerAsync(TrunkLab.Sdp);
        };
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", TrunkLab.Address(carrier), t =>
        {
            t.User = "acme";
            t.Password = "s3cret";
        })));
        await trunks.StartAsync();

        var call = await trunks.CallAsync("carrier", "+14155550123").WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal("acme", authenticatedUser);
    }

    [Fact]
    public async Task Proxy_host_name_is_resolved_and_an_unresolvable_one_refuses_calls()
    {
        var carrier = await _lab.CarrierAsync();
        var port = carrier.Agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        var options = TrunkLab.Options(
            TrunkLab.Trunk("named", $"carrier.test:{port}"),
            TrunkLab.Trunk("nowhere", "nowhere.test"));
        var trunks = new SipTrunkManager(_us, options)
        {
            Resolver = (host, _) => host == "carrier.test"
                ? Task.FromResult(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback })
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
            SrvResolver = (_, _) => Task.FromResult<IReadOnlyList<SipSrvRecord>>([]),
        };
        _lab.Own(trunks);
        await trunks.StartAsync();

        var call = await trunks.CallAsync("named", "100").WaitAsync(TrunkLab.Wait);
        var error = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("nowhere", "100"));

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal("sip:100@carrier.test", Assert.Single(carrier.Invites).RequestUri.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), trunks.GetStatus("named").Proxies[0].EndPoint);
        Assert.Equal(SipTrunkRefusal.ResolutionFailed, error.Reason);
    }

    [Fact]
    public async Task Cancelling_a_ringing_trunk_call_sends_CANCEL_and_frees_the_slot()
    {
        var callee = await _lab.AgentAsync("callee");
        var offered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.IncomingCall = async call =>
        {
            await call.RingAsync();
            offered.TrySetResult(call);
        };
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", TrunkLab.Address(callee))));
        await trunks.StartAsync();
        using var cancel = new CancellationTokenSource();

        var placing = trunks.CallAsync("carrier", "100", cancellationToken: cancel.Token);
        var ringing = await offered.Task.WaitAsync(TrunkLab.Wait);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => placing);
        await ringing.Ended.WaitAsync(TrunkLab.Wait);
        Assert.Equal(SipCallEndReason.Cancelled, ringing.EndReason);
        Assert.Equal(0, trunks.GetStatus("carrier").ActiveCalls);
    }

    [Fact]
    public async Task Unknown_trunk_and_bad_number_are_argument_errors()
    {
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", "127.0.0.1:9")));
        await trunks.StartAsync();

        Assert.Contains("No trunk or trunk group is named 'other'",
            (await Assert.ThrowsAsync<ArgumentException>(() => trunks.CallAsync("other", "100"))).Message, StringComparison.Ordinal);
        Assert.Contains("number '555 0100'",
            (await Assert.ThrowsAsync<ArgumentException>(() => trunks.CallAsync("carrier", "555 0100"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trunk_calls_and_refusals_are_counted_on_the_ContactCenter_Sip_meter()
    {
        var carrier = await _lab.CarrierAsync();
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("metered", carrier.Address, t => t.MaxConcurrentCalls = 1)));
        var seen = new List<(string Instrument, long Value, string? Trunk, string? Extra)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ContactCenter.Sip" && instrument.Name.StartsWith("sip.trunk.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? trunk = null, extra = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "sip.trunk")
                {
                    trunk = tag.Value as string;
                }
                else
                {
                    extra = tag.Value as string;
                }
            }

            if (trunk == "metered")
            {
                lock (seen)
                {
                    seen.Add((instrument.Name, value, trunk, extra));
                }
            }
        });
        listener.Start();
        await trunks.StartAsync();

        await trunks.CallAsync("metered", "100").WaitAsync(TrunkLab.Wait);
        await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("metered", "101"));
        listener.RecordObservableInstruments();

        lock (seen)
        {
            Assert.Contains(("sip.trunk.calls", 1L, "metered", "outbound"), seen);
            Assert.Contains(("sip.trunk.calls.refused", 1L, "metered", "ConcurrentCallLimit"), seen);
            Assert.Contains(("sip.trunk.calls.active", 1L, "metered", null), seen);
        }
    }
}
