using System.Net;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>The registration modes and inbound identification, over loopback UDP.</summary>
public sealed class TrunkRegistrationTests : IAsyncLifetime
{
    private readonly TrunkLab _lab = new();
    private SipUserAgent _us = null!;

    public async Task InitializeAsync() => _us = await _lab.AgentAsync("cc");

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private static SipTrunkOptions AcceptingTrunk(string name = "pbx") => TrunkLab.Trunk(name, null, t =>
    {
        t.Mode = SipTrunkMode.AcceptRegistration;
        t.User = "pbx1";
        t.Password = "pbx-secret";
    });

    private SipRegistrationClient PbxRegistration(SipUserAgent pbx, string password) => _lab.Registration(pbx, _us, "pbx1", password);

    /// <summary>Our agent answers the incoming calls the trunks accept.</summary>
    private void AnswerScreenedCalls(SipTrunkManager trunks) => _us.IncomingCall = async call =>
    {
        if ((await trunks.ScreenAsync(call)).Accepted)
        {
            await call.AnswerAsync(TrunkLab.Sdp);
        }
    };

    private static SipCallRequest CallTo(SipUserAgent callee) => new()
    {
        Target = SipUri.Parse($"sip:+18005550100@{TrunkLab.Address(callee)}"),
        Destination = new SipDestination(SipTransportProtocol.Udp, callee.Endpoint.LocalAddresses[0].EndPoint),
        Sdp = TrunkLab.Sdp,
    };

    [Fact]
    public async Task Pbx_registering_with_the_trunk_credentials_receives_the_trunk_calls_and_its_calls_are_recognized()
    {
        var trunks = _lab.Manager(_us, TrunkLab.Options(AcceptingTrunk()));
        await trunks.StartAsync();
        var pbx = await _lab.AgentAsync("pbx");
        var reached = new TaskCompletionSource<SipRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        pbx.IncomingCall = async call =>
        {
            reached.TrySetResult(call.InitialInvite);
            await call.AnswerAsync(TrunkLab.Sdp);
        };

        var before = await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("pbx", "1001"));
        Assert.Equal(SipTrunkRefusal.NotRegistered, before.Reason);

        await PbxRegistration(pbx, "pbx-secret").StartAsync().WaitAsync(TrunkLab.Wait);
        var status = trunks.GetStatus("pbx");
        Assert.Equal(SipRegistrationState.Registered, status.Registration);
        Assert.True(status.IsAvailable);

        var outbound = await trunks.CallAsync("pbx", "1001").WaitAsync(TrunkLab.Wait);
        Assert.Equal(SipCallState.Established, outbound.State);
        var invite = await reached.Task.WaitAsync(TrunkLab.Wait);
        Assert.Equal("1001", ((SipUri)invite.RequestUri).User);
        Assert.Equal(pbx.Endpoint.LocalAddresses[0].EndPoint.Port, ((SipUri)invite.RequestUri).Port);

        var screened = new TaskCompletionSource<SipTrunkScreening>(TaskCreationOptions.RunContinuationsAsynchronously);
        _us.IncomingCall = async call =>
        {
            var verdict = await trunks.ScreenAsync(call);
            screened.TrySetResult(verdict);
            if (verdict.Accepted)
            {
                await call.AnswerAsync(TrunkLab.Sdp);
            }
        };
        var inbound = await pbx.CallAsync(CallTo(_us)).WaitAsync(TrunkLab.Wait);
        Assert.Equal(new SipTrunkScreening(true, "pbx", null), await screened.Task.WaitAsync(TrunkLab.Wait));
        Assert.Equal(SipCallState.Established, inbound.State);
        Assert.Equal(2, trunks.GetStatus("pbx").ActiveCalls);
    }

    [Fact]
    public async Task Pbx_with_a_wrong_password_is_not_registered()
    {
        var trunks = _lab.Manager(_us, TrunkLab.Options(AcceptingTrunk()));
        await trunks.StartAsync();
        var pbx = await _lab.AgentAsync("pbx");

        var registration = PbxRegistration(pbx, "wrong");
        await registration.StartAsync().WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipRegistrationState.Failed, registration.State);
        Assert.Equal(SipRegistrationState.Unregistered, trunks.GetStatus("pbx").Registration);
    }

    [Fact]
    public async Task Other_requests_still_reach_the_agents_own_handler()
    {
        var seen = new TaskCompletionSource<SipMethod>(TaskCreationOptions.RunContinuationsAsynchronously);
        _us.OtherRequest = async transaction =>
        {
            seen.TrySetResult(transaction.Request.Method);
            await transaction.RespondAsync(transaction.Request.CreateResponse(200));
        };
        var trunks = _lab.Manager(_us, TrunkLab.Options(AcceptingTrunk()));
        await trunks.StartAsync();
        var phone = await _lab.AgentAsync("phone");
        var client = _lab.Registration(phone, _us, "1001", password: null);

        await client.StartAsync().WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipMethod.Register, await seen.Task.WaitAsync(TrunkLab.Wait));
        Assert.Equal(SipRegistrationState.Registered, client.State);
    }

    [Fact]
    public async Task Trunk_registers_to_the_carrier_with_digest_and_is_available_only_while_registered()
    {
        var carrier = await _lab.AgentAsync("carrier");
        var registrar = new SipRegistrar(null, new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "carrier" }), u => u == "acme" ? "s3cret" : null);
        carrier.OtherRequest = transaction => registrar.HandleAsync(transaction);
        carrier.IncomingCall = call => call.AnswerAsync(TrunkLab.Sdp);
        var good = TrunkLab.Trunk("good", TrunkLab.Address(carrier), t =>
        {
            t.Mode = SipTrunkMode.Register;
            t.User = "acme";
            t.Password = "s3cret";
        });
        var bad = TrunkLab.Trunk("bad", TrunkLab.Address(carrier), t =>
        {
            t.Mode = SipTrunkMode.Register;
            t.User = "acme";
            t.Password = "wrong";
        });
        var trunks = _lab.Manager(_us, TrunkLab.Options(good, bad));

        await trunks.StartAsync().WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipRegistrationState.Registered, trunks.GetStatus("good").Registration);
        Assert.Single(registrar.Lookup("acme"));
        Assert.Equal(SipCallState.Established, (await trunks.CallAsync("good", "100").WaitAsync(TrunkLab.Wait)).State);
        Assert.Equal(SipRegistrationState.Failed, trunks.GetStatus("bad").Registration);
        Assert.False(trunks.GetStatus("bad").IsAvailable);
        Assert.Equal(SipTrunkRefusal.NotRegistered, (await Assert.ThrowsAsync<SipTrunkUnavailableException>(() => trunks.CallAsync("bad", "100"))).Reason);

        await trunks.StopAsync();
        Assert.Equal(SipRegistrationState.Unregistered, trunks.GetStatus("good").Registration);
    }

    [Fact]
    public async Task Incoming_calls_are_recognized_by_allowed_source_and_by_proxy_address()
    {
        var carrier = await _lab.AgentAsync("carrier");
        var options = TrunkLab.Options(
            TrunkLab.Trunk("elsewhere", "192.0.2.1", t => t.AllowedSources.Add("198.51.100.0/24")),
            TrunkLab.Trunk("by-proxy", TrunkLab.Address(carrier)),
            TrunkLab.Trunk("by-range", "192.0.2.2", t => t.AllowedSources.Add("127.0.0.0/8")));
        var trunks = _lab.Manager(_us, options);
        await trunks.StartAsync();

        Assert.Equal("by-proxy", trunks.Identify(IPAddress.Loopback));
        Assert.Equal("elsewhere", trunks.Identify(IPAddress.Parse("198.51.100.7")));
        Assert.Equal("elsewhere", trunks.Identify(IPAddress.Parse("192.0.2.1")));
        Assert.Equal("by-range", trunks.Identify(IPAddress.Parse("127.0.0.2")));
        Assert.Null(trunks.Identify(IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public async Task Incoming_call_from_an_unknown_source_is_refused_with_403()
    {
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", "192.0.2.1", t => t.AllowedSources.Add("192.0.2.0/24"))));
        await trunks.StartAsync();
        AnswerScreenedCalls(trunks);
        var stranger = await _lab.AgentAsync("stranger");

        var call = await stranger.CallAsync(CallTo(_us)).WaitAsync(TrunkLab.Wait);

        Assert.Equal(403, call.FinalStatus);
    }

    [Fact]
    public async Task Unknown_sources_pass_when_rejection_is_off()
    {
        var options = TrunkLab.Options(TrunkLab.Trunk("carrier", "192.0.2.1"));
        options.RejectUnknownSources = false;
        var trunks = _lab.Manager(_us, options);
        await trunks.StartAsync();
        var verdict = new TaskCompletionSource<SipTrunkScreening>(TaskCreationOptions.RunContinuationsAsynchronously);
        _us.IncomingCall = async call =>
        {
            verdict.TrySetResult(await trunks.ScreenAsync(call));
            await call.AnswerAsync(TrunkLab.Sdp);
        };
        var phone = await _lab.AgentAsync("phone");

        var call = await phone.CallAsync(CallTo(_us)).WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(new SipTrunkScreening(true, null, null), await verdict.Task.WaitAsync(TrunkLab.Wait));
    }

    [Fact]
    public async Task Incoming_call_over_the_trunk_limit_is_refused_with_503()
    {
        var trunks = _lab.Manager(_us, TrunkLab.Options(TrunkLab.Trunk("carrier", "192.0.2.1", t =>
        {
            t.AllowedSources.Add("127.0.0.1");
            t.MaxConcurrentCalls = 1;
        })));
        await trunks.StartAsync();
        AnswerScreenedCalls(trunks);
        var carrier = await _lab.AgentAsync("carrier");

        var first = await carrier.CallAsync(CallTo(_us)).WaitAsync(TrunkLab.Wait);
        var second = await carrier.CallAsync(CallTo(_us)).WaitAsync(TrunkLab.Wait);

        Assert.Equal(SipCallState.Established, first.State);
        Assert.Equal(503, second.FinalStatus);
        Assert.Equal(1, trunks.GetStatus("carrier").ActiveCalls);
    }
}
