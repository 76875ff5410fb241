using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Trunks;

/// <summary>
/// The running state of one trunk: its proxies and their health, the registration (mode 1) or the peer's binding
/// (mode 2), the concurrent-call count and the calls-per-second bucket.
/// </summary>
internal sealed class SipTrunk : IDisposable
{
    private readonly object _gate = new();
    private readonly SipTrunkManager _manager;
    private readonly SipTokenBucket _bucket;
    private readonly SipSourceList _sources = new();
    private readonly Queue<long> _recentCalls = new();
    private int _activeCalls;

    public SipTrunk(SipTrunkManager manager, SipTrunkOptions options)
    {
        _manager = manager;
        Options = options;
        _bucket = new SipTokenBucket(manager.Time, options.MaxCallsPerSecond, options.Burst);
        foreach (var source in options.AllowedSources)
        {
            _ = SipSourceList.TryParse(source, out var network);
            _sources.Add(network);
        }

        var proxies = new List<SipTrunkProxy>();
        if (options.Mode == SipTrunkMode.AcceptRegistration)
        {
            proxies.Add(new SipTrunkProxy(this, null, "registered peer") { Protocol = options.Transport });
        }
        else
        {
            foreach (var text in new[] { options.Proxy, options.AlternateProxy })
            {
                if (text is not null && SipTrunkAddress.TryParse(text, options.Transport, out var address, out _))
                {
                    proxies.Add(new SipTrunkProxy(this, address, text) { Protocol = options.Transport });
                }
            }
        }

        Proxies = proxies;
        Domain = options.Domain ?? proxies[0].Address?.UriHost;
    }

    public SipTrunkOptions Options { get; }

    public string Name => Options.Name;

    public IReadOnlyList<SipTrunkProxy> Proxies { get; }

    public SipUserAgent Agent => _manager.Agent;

    /// <summary>The carrier's domain (From, Request-URI, registrar); null for a registered peer without a Domain option.</summary>
    public string? Domain { get; }

    public SipRegistrationClient? Registration { get; set; }

    public int ActiveCalls => Volatile.Read(ref _activeCalls);

    /// <summary>The peer's binding, for an <see cref="SipTrunkMode.AcceptRegistration"/> trunk.</summary>
    public SipBinding? Binding => Options.Mode == SipTrunkMode.AcceptRegistration && _manager.Registrar is { } registrar
        && registrar.Lookup(Options.User!) is { Count: > 0 } bindings
        ? bindings[0]
        : null;

    public bool IsHealthy
    {
        get
        {
            if (Options.Mode == SipTrunkMode.AcceptRegistration)
            {
                return Binding is not null && Proxies[0].IsUp;
            }

            return Proxies.Any(p => p.IsUp && p.EndPoint is not null);
        }
    }

    public bool IsAvailable => IsHealthy && (Options.Mode != SipTrunkMode.Register || Registration?.State == SipRegistrationState.Registered);

    /// <summary>Why the trunk cannot take a call now.</summary>
    public SipTrunkRefusal Unavailability() =>
        Options.Mode == SipTrunkMode.AcceptRegistration && Binding is null ? SipTrunkRefusal.NotRegistered
        : Options.Mode != SipTrunkMode.AcceptRegistration && Proxies.All(p => p.EndPoint is null) ? SipTrunkRefusal.ResolutionFailed
        : Options.Mode == SipTrunkMode.Register && IsHealthy ? SipTrunkRefusal.NotRegistered
        : SipTrunkRefusal.NoHealthyTrunk;

    public int CallsInLastSecond
    {
        get
        {
            lock (_gate)
            {
                Prune();
                return _recentCalls.Count;
            }
        }
    }

    public SipTrunkStatus Status()
    {
        var registration = Options.Mode switch
        {
            SipTrunkMode.Register => Registration?.State ?? SipRegistrationState.Unregistered,
            SipTrunkMode.AcceptRegistration => Binding is null ? SipRegistrationState.Unregistered : SipRegistrationState.Registered,
            _ => (SipRegistrationState?)null,
        };
        return new SipTrunkStatus(Name, Options.Mode, IsHealthy, IsAvailable, ActiveCalls, CallsInLastSecond, registration,
            [.. Proxies.Select(p => p.Status())]);
    }

    /// <summary>Resolves every proxy host name (A/AAAA); a name that fails stays unresolved and is retried at each probe.</summary>
    public async Task ResolveAsync(CancellationToken cancellationToken)
    {
        foreach (var proxy in Proxies)
        {
            if (proxy.Address is { Address: null } address)
            {
                proxy.EndPoint = await _manager.ResolveAsync(Name, address, Options.Transport, cancellationToken) ?? proxy.EndPoint;
            }
        }
    }

    /// <summary>Before a probe: a registered peer's current address, or a new resolution of an unresolved name.</summary>
    public void RefreshTarget(SipTrunkProxy proxy)
    {
        if (proxy.Address is null)
        {
            var binding = Binding;
            proxy.EndPoint = binding?.Source.RemoteEndPoint;
            if (binding is not null)
            {
                proxy.Protocol = binding.Source.Protocol;
            }
        }
        else if (proxy.Address.Address is null && proxy.EndPoint is null)
        {
            _ = ResolveOneAsync(proxy);
        }
    }

    public void OnProbe(SipTrunkProxy proxy, SipTrunkProbe probe, bool? changedTo) => _manager.OnProbe(this, proxy, probe, changedTo);

    /// <summary>Takes a call slot and a rate token, or says why not.</summary>
    public SipTrunkRefusal? TryReserve()
    {
        if (Interlocked.Increment(ref _activeCalls) > Options.MaxConcurrentCalls)
        {
            Interlocked.Decrement(ref _activeCalls);
            return SipTrunkRefusal.ConcurrentCallLimit;
        }

        if (!_bucket.TryTake())
        {
            Interlocked.Decrement(ref _activeCalls);
            return SipTrunkRefusal.CallRateLimit;
        }

        lock (_gate)
        {
            Prune();
            _recentCalls.Enqueue(_manager.Time.GetTimestamp());
        }

        return null;
    }

    /// <summary>Takes a call slot for an incoming call; false at the limit.</summary>
    public bool TryReserveIncoming()
    {
        if (Interlocked.Increment(ref _activeCalls) > Options.MaxConcurrentCalls)
        {
            Interlocked.Decrement(ref _activeCalls);
            return false;
        }

        return true;
    }

    public void Release() => Interlocked.Decrement(ref _activeCalls);

    /// <summary>Gives back a reservation for which no INVITE was sent.</summary>
    public void Unreserve()
    {
        Release();
        _bucket.Return();
    }

    /// <summary>Where an outbound call may go now, in order of preference.</summary>
    public IReadOnlyList<(SipDestination Destination, string Host, SipTrunkProxy Proxy)> CallTargets()
    {
        var targets = new List<(SipDestination, string, SipTrunkProxy)>(2);
        if (Options.Mode == SipTrunkMode.AcceptRegistration)
        {
            if (Binding is { } binding && Proxies[0].IsUp)
            {
                var host = binding.Contact is SipUri contact
                    ? contact.Host + (contact.Port is { } port ? ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")
                    : binding.Source.RemoteEndPoint.ToString();
                targets.Add((new SipDestination(binding.Source.Protocol, binding.Source.RemoteEndPoint), host, Proxies[0]));
            }

            return targets;
        }

        foreach (var proxy in Proxies)
        {
            if (proxy.IsUp && proxy.EndPoint is { } endPoint)
            {
                var address = proxy.Address!;
                targets.Add((new SipDestination(Options.Transport, endPoint, address.Host),
                    address.UriHost + ":" + address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), proxy));
            }
        }

        return targets;
    }

    /// <summary>Whether an incoming request from <paramref name="address"/> belongs to this trunk.</summary>
    public bool Recognizes(IPAddress address)
    {
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (_sources.Contains(candidate))
        {
            return true;
        }

        if (Options.Mode == SipTrunkMode.AcceptRegistration)
        {
            return _manager.Registrar?.Lookup(Options.User!).Any(b => Same(b.Source.RemoteEndPoint.Address, candidate)) == true;
        }

        return Proxies.Any(p => p.EndPoint is { } endPoint && Same(endPoint.Address, candidate));
    }

    public void Dispose()
    {
        foreach (var proxy in Proxies)
        {
            proxy.Dispose();
        }
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    private async Task ResolveOneAsync(SipTrunkProxy proxy)
    {
        try
        {
            proxy.EndPoint = await _manager.ResolveAsync(Name, proxy.Address!, Options.Transport, CancellationToken.None) ?? proxy.EndPoint;
        }
        catch (SocketException)
        {
            // Reported by ResolveAsync; the next probe tries again.
        }
    }

    private void Prune()
    {
        var now = _manager.Time.GetTimestamp();
        while (_recentCalls.TryPeek(out var stamp) && _manager.Time.GetElapsedTime(stamp, now) >= TimeSpan.FromSeconds(1))
        {
            _recentCalls.Dequeue();
        }
    }
}
