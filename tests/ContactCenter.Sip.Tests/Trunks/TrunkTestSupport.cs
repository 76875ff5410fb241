using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.Sip.Tests.Trunks;

/// <summary>User agents on loopback for trunk tests: ours, and the carriers or PBXs it talks to.</summary>
internal sealed class TrunkLab : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    public static readonly ReadOnlyMemory<byte> Sdp = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"u8.ToArray();
    private readonly List<IAsyncDisposable> _owned = [];

    public async Task<SipUserAgent> AgentAsync(string user, TimeProvider? time = null, string listen = "udp:127.0.0.1:0")
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse(listen));
        var agent = new SipUserAgent(options, timeProvider: time);
        _owned.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    /// <summary>A carrier that answers every call with <paramref name="status"/> (200 with SDP) and records the INVITEs.</summary>
    public async Task<Carrier> CarrierAsync(int status = 200, TimeProvider? time = null, string listen = "udp:127.0.0.1:0")
    {
        var agent = await AgentAsync("carrier", time, listen);
        var carrier = new Carrier(agent);
        agent.IncomingCall = async call =>
        {
            lock (carrier.Invites)
            {
                carrier.Invites.Add(call.InitialInvite);
            }

            if (status == 200)
            {
                await call.AnswerAsync(Sdp);
            }
            else
            {
                await call.RejectAsync(status);
            }
        };
        return carrier;
    }

    public SipTrunkManager Manager(SipUserAgent agent, SipTrunkManagerOptions options)
    {
        var manager = new SipTrunkManager(agent, options);
        _owned.Insert(0, manager);
        return manager;
    }

    /// <summary>A registration client on <paramref name="from"/> registering <paramref name="user"/> to <paramref name="to"/> (not started).</summary>
    public SipRegistrationClient Registration(SipUserAgent from, SipUserAgent to, string user, string? password)
    {
        var target = to.Endpoint.LocalAddresses[0].EndPoint;
        var client = new SipRegistrationClient(from, new SipRegistrationOptions
        {
            Registrar = SipUri.Parse($"sip:127.0.0.1:{target.Port}"),
            Destination = new SipDestination(SipTransportProtocol.Udp, target),
            AddressOfRecord = SipUri.Parse($"sip:{user}@127.0.0.1"),
            User = password is null ? null : user,
            Password = password,
        });
        Own(client);
        return client;
    }

    public void Own(IAsyncDisposable disposable) => _owned.Insert(0, disposable);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    public static string Address(SipUserAgent agent) => agent.Endpoint.LocalAddresses[0].EndPoint.ToString();

    /// <summary>A trunk to <paramref name="proxy"/> without health checks.</summary>
    public static SipTrunkOptions Trunk(string name, string? proxy, Action<SipTrunkOptions>? configure = null)
    {
        var trunk = new SipTrunkOptions { Name = name, Proxy = proxy };
        trunk.HealthCheck.Enabled = false;
        configure?.Invoke(trunk);
        return trunk;
    }

    public static SipTrunkManagerOptions Options(params SipTrunkOptions[] trunks)
    {
        var options = new SipTrunkManagerOptions();
        foreach (var trunk in trunks)
        {
            options.Trunks.Add(trunk);
        }

        return options;
    }

    public static SipTrunkGroupOptions Group(string name, params string[] trunks)
    {
        var group = new SipTrunkGroupOptions { Name = name };
        foreach (var trunk in trunks)
        {
            group.Trunks.Add(trunk);
        }

        return group;
    }
}

/// <summary>A carrier user agent and the INVITEs it received.</summary>
internal sealed record Carrier(SipUserAgent Agent)
{
    public List<SipRequest> Invites { get; } = [];

    public string Address => TrunkLab.Address(Agent);

    public int InviteCount
    {
        get
        {
            lock (Invites)
            {
                return Invites.Count;
            }
        }
    }
}

/// <summary>A SIP peer on a bare UDP socket that answers OPTIONS with 200 while <see cref="Alive"/>, and is silent otherwise.</summary>
internal sealed class OptionsResponder : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _optionsSeen;
    private int _invitesSeen;

    public OptionsResponder()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(LoopAsync);
    }

    private volatile bool _alive = true;

    public bool Alive
    {
        get => _alive;
        set => _alive = value;
    }

    public string Address => _socket.LocalEndPoint!.ToString()!;

    public int OptionsSeen => Volatile.Read(ref _optionsSeen);

    public int InvitesSeen => Volatile.Read(ref _invitesSeen);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        var parser = new SipMessageParser();
        while (!_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            if (!parser.TryParseDatagram(buffer.AsSpan(0, received.ReceivedBytes), out var message, out _) || message is not SipRequest request)
            {
                continue;
            }

            if (request.Method == SipMethod.Invite)
            {
                Interlocked.Increment(ref _invitesSeen);
            }

            if (request.Method == SipMethod.Options)
            {
                Interlocked.Increment(ref _optionsSeen);
                if (Alive)
                {
                    await _socket.SendToAsync(request.CreateResponse(200).ToArray(), received.RemoteEndPoint, _stop.Token);
                }
            }
        }
    }
}
