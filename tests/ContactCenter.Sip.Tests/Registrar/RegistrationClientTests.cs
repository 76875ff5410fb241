using System.Net;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Registrar;

/// <summary>Our registration client against our registrar, over loopback UDP, on a manual clock.</summary>
public sealed class RegistrationClientTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<SipUserAgent> _agents = [];
    private SipUserAgent _trunk = null!;
    private SipUserAgent _carrier = null!;
    private SipRegistrar _registrar = null!;
    private int _registersSeen;

    public async Task InitializeAsync()
    {
        _trunk = await StartAsync();
        _carrier = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    private async Task<SipUserAgent> StartAsync()
    {
        var options = new SipUserAgentOptions { ContactUser = "trunk" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options, timeProvider: _time);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    private void CarrierRegistrar(SipRegistrarOptions? options = null, bool authenticate = false)
    {
        var authenticator = authenticate ? new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "carrier" }, _time) : null;
        _registrar = new SipRegistrar(options, authenticator, authenticate ? u => u == "+18005550100" ? "trunkpw" : null : null, _time);
        _carrier.OtherRequest = async tx =>
        {
            Interlocked.Increment(ref _registersSeen);
            await _registrar.HandleAsync(tx);
        };
    }

    private SipRegistrationClient NewClient(string? user = null, string? password = null, TimeSpan? expires = null, SipDestination? destination = null)
    {
        var carrier = _carrier.Endpoint.LocalAddresses[0].EndPoint;
        return new SipRegistrationClient(_trunk, new SipRegistrationOptions
        {
            Registrar = SipUri.Parse($"sip:127.0.0.1:{carrier.Port}"),
            Destination = destination ?? new SipDestination(SipTransportProtocol.Udp, carrier),
            AddressOfRecord = SipUri.Parse("sip:+18005550100@carrier.example"),
            User = user,
            Password = password,
            Expires = expires ?? TimeSpan.FromSeconds(600),
        }, _time);
    }

    [Fact]
    public async Task Registers_and_the_carrier_can_reach_the_trunk()
    {
        CarrierRegistrar();
        await using var client = NewClient();

        await client.StartAsync();

        Assert.Equal(SipRegistrationState.Registered, client.State);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(600), client.ExpiresAt);
        Assert.Contains("sip:trunk@127.0.0.1", Assert.Single(_registrar.Lookup("+18005550100")).Contact.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_the_digest_challenge()
    {
        CarrierRegistrar(authenticate: true);
        await using var client = NewClient("+18005550100", "trunkpw");

        await client.StartAsync();

        Assert.Equal(SipRegistrationState.Registered, client.State);
        Assert.Equal(2, _registersSeen);
    }

    [Fact]
    public async Task Wrong_password_fails_and_retries_with_backoff()
    {
        CarrierRegistrar(authenticate: true);
        await using var client = NewClient("+18005550100", "wrong");

        await client.StartAsync();
        Assert.Equal(SipRegistrationState.Failed, client.State);
        Assert.Equal(401, client.LastStatus);
        var seen = _registersSeen;

        _time.Advance(TimeSpan.FromSeconds(5));
        await WaitFor(() => _registersSeen > seen);
    }

    [Fact]
    public async Task Follows_423_to_the_minimum_interval()
    {
        CarrierRegistrar(new SipRegistrarOptions { MinExpires = TimeSpan.FromSeconds(300) });
        await using var client = NewClient(expires: TimeSpan.FromSeconds(60));

        await client.StartAsync();

        Assert.Equal(SipRegistrationState.Registered, client.State);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(300), client.ExpiresAt);
    }

    [Fact]
    public async Task Refreshes_before_expiry()
    {
        CarrierRegistrar();
        await using var client = NewClient(expires: TimeSpan.FromSeconds(100));
        await client.StartAsync();

        _time.Advance(TimeSpan.FromSeconds(80));
        await WaitFor(() => _registersSeen == 2 && client.State == SipRegistrationState.Registered);

        _time.Advance(TimeSpan.FromSeconds(30)); // past the first expiry: still registered thanks to the refresh
        Assert.Single(_registrar.Lookup("+18005550100"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_unregisters(bool authenticate)
    {
        CarrierRegistrar(authenticate: authenticate);
        var client = authenticate ? NewClient("+18005550100", "trunkpw") : NewClient();
        await client.StartAsync();

        await client.StopAsync();

        Assert.Equal(SipRegistrationState.Unregistered, client.State);
        Assert.Empty(_registrar.Lookup("+18005550100"));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Silent_registrar_times_out_and_the_client_retries()
    {
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = NewClient(destination: new SipDestination(SipTransportProtocol.Udp, (IPEndPoint)silent.LocalEndPoint!));

        var start = client.StartAsync();
        await WaitFor(() => client.State == SipRegistrationState.Registering);
        _time.Advance(TimeSpan.FromSeconds(32));
        await start.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(SipRegistrationState.Failed, client.State);
        Assert.Equal(408, client.LastStatus);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            // Real sockets deliver the messages; only the timers run on the manual clock.
            await Task.Delay(10, cts.Token);
        }
    }
}
