using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Core;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Sip.Trunks;

/// <summary>The verdict on an incoming call from <see cref="SipTrunkManager.ScreenAsync"/>.</summary>
/// <param name="Accepted">False when the call was refused (403 for an unknown source, 503 at the trunk's call limit).</param>
/// <param name="Trunk">The trunk the call came in on; null for an unknown source.</param>
/// <param name="RejectedWith">The status the call was refused with.</param>
public readonly record struct SipTrunkScreening(bool Accepted, string? Trunk, int? RejectedWith);

/// <summary>
/// The carrier trunks of a <see cref="SipUserAgent"/>: registers where a trunk says so, accepts the registrations of
/// peers that register to us, checks proxies with OPTIONS, places outbound calls through a trunk or a failover group
/// (number translation, caller-ID rules, limits, extra headers, digest credentials), and tells which trunk an incoming
/// call came in on. Start the agent first, then <see cref="StartAsync"/>.
/// </summary>
public sealed class SipTrunkManager : IAsyncDisposable
{
    private readonly SipTrunkManagerOptions _options;
    private readonly Dictionary<string, SipTrunk> _trunks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SipTrunk[]> _groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SipTrunk> _ordered = [];
    private readonly ILogger _logger;
    private readonly TrunkMetrics _metrics;
    private bool _started;

    /// <summary>Creates the trunks over <paramref name="agent"/>; nothing is sent until <see cref="StartAsync"/>.</summary>
    /// <param name="agent">The user agent whose transports and transactions the trunks use.</param>
    /// <param name="options">The trunks and groups; validated here.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="meterFactory">Metrics on the <c>ContactCenter.Sip</c> meter; null for a meter of its own.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the trunk or group and the field.</exception>
    public SipTrunkManager(SipUserAgent agent, SipTrunkManagerOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Agent = agent;
        _options = options;
        _logger = loggerFactory?.CreateLogger("ContactCenter.Sip.Trunks") ?? NullLogger.Instance;
        foreach (var trunkOptions in options.Trunks)
        {
            var trunk = new SipTrunk(this, trunkOptions);
            _trunks[trunk.Name] = trunk;
            _ordered.Add(trunk);
        }

        foreach (var group in options.Groups)
        {
            _groups[group.Name] = [.. group.Trunks.Select(name => _trunks[name])];
        }

        if (_ordered.Any(t => t.Options.Mode == SipTrunkMode.AcceptRegistration))
        {
            var authenticator = new DigestAuthenticator(options.RegistrarAuthentication, Time);
            Registrar = new SipRegistrar(options.Registrar, authenticator, PasswordOf, Time);
            Registrar.BindingsChanged += user =>
            {
                if (_ordered.FirstOrDefault(t => t.Options.Mode == SipTrunkMode.AcceptRegistration
                        && string.Equals(t.Options.User, user, StringComparison.OrdinalIgnoreCase)) is { } trunk)
                {
                    RaiseStatusChanged(trunk);
                }
            };
        }

        _metrics = new TrunkMetrics(meterFactory, () => _ordered);
        SrvResolver = new SipDnsClient(time: Time).QuerySrvAsync;
    }

    /// <summary>Raised when a trunk's health, availability or registration changes.</summary>
    public event Action<SipTrunkStatus>? StatusChanged;

    /// <summary>The trunk names, in configuration order.</summary>
    public IReadOnlyList<string> TrunkNames => [.. _ordered.Select(t => t.Name)];

    internal SipUserAgent Agent { get; }

    internal TimeProvider Time => Agent.Time;

    /// <summary>The registrar for trunks whose peers register to us; null when there is none.</summary>
    internal SipRegistrar? Registrar { get; }

    /// <summary>Resolves a host name by A/AAAA; replaceable by tests.</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolver { get; set; } = Dns.GetHostAddressesAsync;

    /// <summary>Looks up SRV records, in the order to try them; replaceable by tests.</summary>
    internal Func<string, CancellationToken, Task<IReadOnlyList<SipSrvRecord>>> SrvResolver { get; set; }

    /// <summary>Raised after every OPTIONS probe (tests wait on it).</summary>
    internal event Action<SipTrunkProbe>? ProbeCompleted;

    /// <summary>
    /// Resolves proxy names, registers the <see cref="SipTrunkMode.Register"/> trunks (returns after each first attempt),
    /// answers the REGISTERs of <see cref="SipTrunkMode.AcceptRegistration"/> peers (hooked before the agent's
    /// <see cref="SipUserAgent.OtherRequest"/>, which still gets every other request), and starts the health checks.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The trunk manager is already started.");
        }

        _started = true;
        foreach (var trunk in _ordered)
        {
            await trunk.ResolveAsync(cancellationToken);
        }

        if (Registrar is not null)
        {
            var previous = Agent.OtherRequest;
            Agent.OtherRequest = async transaction =>
            {
                if (await TryHandleRegisterAsync(transaction))
                {
                    return;
                }

                if (previous is not null)
                {
                    await previous(transaction);
                }
                else
                {
                    await transaction.RespondAsync(transaction.Request.CreateResponse(501, "Not Implemented"));
                }
            };
        }

        foreach (var trunk in _ordered)
        {
            foreach (var proxy in trunk.Proxies)
            {
                proxy.Start(Time);
            }
        }

        foreach (var trunk in _ordered.Where(t => t.Options.Mode == SipTrunkMode.Register))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await StartRegistrationAsync(trunk);
        }
    }

    /// <summary>Answers a REGISTER when its To user is the name of an <see cref="SipTrunkMode.AcceptRegistration"/> trunk.</summary>
    /// <returns>True when handled; false for any other request, to be handled elsewhere (e.g. the phones' registrar).</returns>
    public async ValueTask<bool> TryHandleRegisterAsync(SipServerTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (Registrar is null || transaction.Request.Method != SipMethod.Register
            || transaction.Request.To?.Uri is not SipUri { User: { } user } || PasswordOf(user) is null)
        {
            return false;
        }

        await Registrar.HandleAsync(transaction);
        return true;
    }

    /// <summary>
    /// Places a call through a trunk, or through the first available trunk of a group, failing over to the next proxy and
    /// then the next trunk when an attempt ends in 408, 503, a timeout or a transport error. Returns like
    /// <see cref="SipUserAgent.CallAsync"/>: once the call is established or over (then see <see cref="SipCall.FinalStatus"/>:
    /// a busy callee is not a reason to try another trunk). Cancelling hangs the call up.
    /// </summary>
    /// <param name="trunkOrGroup">A trunk or group name.</param>
    /// <param name="number">The number to call: digits, '+', '*', '#'; the trunk strips and prefixes it.</param>
    /// <param name="options">Caller ID, SDP offer, extra headers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">Unknown trunk or group, or a number that is not a dial string.</exception>
    /// <exception cref="SipTrunkUnavailableException">No INVITE could be sent: every trunk down, over a limit, or refusing the caller ID.</exception>
    public async Task<SipCall> CallAsync(string trunkOrGroup, string number, SipTrunkCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trunkOrGroup);
        ArgumentNullException.ThrowIfNull(number);
        options ??= new SipTrunkCallOptions();
        var members = Members(trunkOrGroup);
        var reasons = new Dictionary<string, SipTrunkRefusal>(StringComparer.OrdinalIgnoreCase);
        SipCall? last = null;
        void Refuse(SipTrunk trunk, SipTrunkRefusal reason)
        {
            reasons[trunk.Name] = reason;
            _metrics.Refused.Add(1, TrunkMetrics.Tag(trunk), new("sip.trunk.refusal", reason.ToString()));
        }

        foreach (var trunk in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var dialled = SipTrunkDialPlan.Translate(trunk.Name, number, trunk.Options.StripDigits, trunk.Options.DialPrefix);
            if (!trunk.IsAvailable)
            {
                Refuse(trunk, trunk.Unavailability());
                continue;
            }

            var callerId = SipTrunkDialPlan.CallerId(trunk.Options.CallerId, options.CallerId);
            if (callerId is null && options.CallerId is not null)
            {
                Refuse(trunk, SipTrunkRefusal.CallerIdNotAllowed);
                continue;
            }

            var targets = trunk.CallTargets();
            if (targets.Count == 0)
            {
                Refuse(trunk, trunk.Unavailability());
                continue;
            }

            if (trunk.TryReserve() is { } refusal)
            {
                Refuse(trunk, refusal);
                continue;
            }

            var released = false;
            try
            {
                foreach (var (destination, host, proxy) in targets)
                {
                    var request = BuildRequest(trunk, dialled, callerId, options, destination, host);
                    _metrics.Calls.Add(1, TrunkMetrics.Tag(trunk), new("sip.trunk.direction", "outbound"));
                    var call = Agent.Call(request);
                    if (await WaitAnsweredOrEndedAsync(call, proxy.WhenDown, cancellationToken))
                    {
                        // The proxy went silent before any provisional answer: do not wait for timer B.
                        _metrics.Failovers.Add(1, TrunkMetrics.Tag(trunk));
                        TrunkLog.FailingOver(_logger, trunk.Name, dialled, null, SipCallEndReason.Timeout);
                        reasons[trunk.Name] = SipTrunkRefusal.NoHealthyTrunk;
                        continue;
                    }

                    last = call;
                    if (!ShouldFailOver(call))
                    {
                        released = true;
                        ReleaseWhenEnded(call, trunk);
                        return call;
                    }

                    _metrics.Failovers.Add(1, TrunkMetrics.Tag(trunk));
                    TrunkLog.FailingOver(_logger, trunk.Name, dialled, call.FinalStatus, call.EndReason);
                }
            }
            finally
            {
                if (!released)
                {
                    trunk.Release();
                }
            }
        }

        if (last is not null)
        {
            return last; // every attempt failed over: the last one that ended says why
        }

        var error = new SipTrunkUnavailableException(trunkOrGroup, reasons);
        TrunkLog.Refused(_logger, trunkOrGroup, number, string.Join(", ", reasons.Select(r => $"{r.Key}: {r.Value}")));
        throw error;
    }

    /// <summary>The trunk an incoming call came in on, from its INVITE's source address; null when none recognizes it.</summary>
    /// <remarks>
    /// IP peers are recognized by <see cref="SipTrunkOptions.AllowedSources"/> and their proxies' addresses, registering trunks
    /// by their proxies' addresses, and trunks whose peer registers to us by the address the REGISTER came from. The first
    /// trunk in configuration order wins.
    /// </remarks>
    public string? Identify(SipCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.Source is { } source ? Identify(source.RemoteEndPoint.Address) : null;
    }

    /// <summary>The trunk a request from <paramref name="source"/> belongs to; null when none recognizes it.</summary>
    public string? Identify(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _ordered.FirstOrDefault(t => t.Recognizes(source))?.Name;
    }

    /// <summary>
    /// Checks an incoming call: identifies its trunk, refuses it with 403 when no trunk recognizes it and
    /// <see cref="SipTrunkManagerOptions.RejectUnknownSources"/> is set, and with 503 when its trunk is at
    /// <see cref="SipTrunkOptions.MaxConcurrentCalls"/>. An accepted call counts toward its trunk's limit until it ends.
    /// </summary>
    public async ValueTask<SipTrunkScreening> ScreenAsync(SipCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var name = Identify(call);
        if (name is null)
        {
            if (!_options.RejectUnknownSources)
            {
                return new SipTrunkScreening(true, null, null);
            }

            TrunkLog.UnknownSource(_logger, call.CallId, call.Source?.RemoteEndPoint.ToString() ?? "?");
            await call.RejectAsync(403, "Forbidden");
            return new SipTrunkScreening(false, null, 403);
        }

        var trunk = _trunks[name];
        if (!trunk.TryReserveIncoming())
        {
            TrunkLog.IncomingLimit(_logger, call.CallId, name, trunk.ActiveCalls);
            _metrics.Refused.Add(1, TrunkMetrics.Tag(trunk), new("sip.trunk.refusal", nameof(SipTrunkRefusal.ConcurrentCallLimit)));
            await call.RejectAsync(503, "Service Unavailable");
            return new SipTrunkScreening(false, name, 503);
        }

        _metrics.Calls.Add(1, TrunkMetrics.Tag(trunk), new("sip.trunk.direction", "inbound"));
        ReleaseWhenEnded(call, trunk);
        return new SipTrunkScreening(true, name, null);
    }

    /// <summary>A snapshot of one trunk.</summary>
    /// <exception cref="ArgumentException">No trunk has that name.</exception>
    public SipTrunkStatus GetStatus(string trunk)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        return _trunks.TryGetValue(trunk, out var found)
            ? found.Status()
            : throw new ArgumentException($"No trunk is named '{trunk}'.", nameof(trunk));
    }

    /// <summary>A snapshot of every trunk, in configuration order.</summary>
    public IReadOnlyList<SipTrunkStatus> GetStatus() => [.. _ordered.Select(t => t.Status())];

    /// <summary>Stops the health checks and removes our registrations (REGISTER with Expires: 0).</summary>
    public async Task StopAsync()
    {
        foreach (var trunk in _ordered)
        {
            trunk.Dispose();
            if (trunk.Registration is { } registration)
            {
                await registration.StopAsync();
            }
        }
    }

    /// <summary>Stops the health checks and registration refreshes without unregistering.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var trunk in _ordered)
        {
            trunk.Dispose();
            if (trunk.Registration is { } registration)
            {
                await registration.DisposeAsync();
            }
        }

        _metrics.Dispose();
    }

    /// <summary>
    /// RFC 3263 §4.2 with the transport known: a host name with a port resolves by A/AAAA; without one, SRV
    /// (<c>_sip._udp</c>, <c>_sip._tcp</c> or <c>_sips._tcp</c>) gives the target and port, and A/AAAA is used with the
    /// default port when there is no SRV record. IPv4 addresses are preferred.
    /// </summary>
    internal async Task<IPEndPoint?> ResolveAsync(string trunk, SipTrunkAddress address, SipTransportProtocol protocol, CancellationToken cancellationToken)
    {
        if (!address.HasPort)
        {
            var service = protocol switch
            {
                SipTransportProtocol.Tls => "_sips._tcp.",
                SipTransportProtocol.Tcp => "_sip._tcp.",
                _ => "_sip._udp.",
            };
            IReadOnlyList<SipSrvRecord> records;
            try
            {
                records = await SrvResolver(service + address.Host, cancellationToken);
            }
            catch (SocketException e)
            {
                TrunkLog.ResolveFailed(_logger, trunk, service + address.Host, e.Message);
                records = [];
            }

            foreach (var record in records)
            {
                if (record.Target != "." && await ResolveHostAsync(trunk, record.Target, cancellationToken) is { } ip)
                {
                    return new IPEndPoint(ip, record.Port);
                }
            }
        }

        return await ResolveHostAsync(trunk, address.Host, cancellationToken) is { } found ? new IPEndPoint(found, address.Port) : null;
    }

    private async Task<IPAddress?> ResolveHostAsync(string trunk, string host, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Resolver(host, cancellationToken);
            var preferred = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (preferred is null)
            {
                TrunkLog.ResolveFailed(_logger, trunk, host, "no A or AAAA record");
            }

            return preferred;
        }
        catch (SocketException e)
        {
            TrunkLog.ResolveFailed(_logger, trunk, host, e.Message);
            return null;
        }
    }

    internal void OnProbe(SipTrunk trunk, SipTrunkProxy proxy, SipTrunkProbe probe, bool? changedTo)
    {
        _metrics.Probes.Add(1, TrunkMetrics.Tag(trunk), new("sip.trunk.probe.result", probe.Succeeded ? "ok" : "failed"));
        if (changedTo == false)
        {
            TrunkLog.ProxyDown(_logger, trunk.Name, proxy.Label, trunk.Options.HealthCheck.FailuresBeforeDown, probe.Status);
        }
        else if (changedTo == true)
        {
            TrunkLog.ProxyUp(_logger, trunk.Name, proxy.Label);
        }

        if (changedTo is not null)
        {
            RaiseStatusChanged(trunk);
        }

        ProbeCompleted?.Invoke(probe);
    }

    /// <summary>Frees the call's slot as it ends (before <see cref="SipCall.Ended"/> completes, so awaiting it sees the slot free).</summary>
    private static void ReleaseWhenEnded(SipCall call, SipTrunk trunk)
    {
        var released = 0;
        void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                trunk.Release();
            }
        }

        call.StateChanged += (_, state) =>
        {
            if (state == SipCallState.Terminated)
            {
                Release();
            }
        };
        if (call.State == SipCallState.Terminated)
        {
            Release();
        }
    }

    private static bool ShouldFailOver(SipCall call) =>
        call.State == SipCallState.Terminated
        && (call.FinalStatus is 408 or 503 || call.EndReason is SipCallEndReason.TransportError or SipCallEndReason.Timeout)
        && call.EndReason is not (SipCallEndReason.Cancelled or SipCallEndReason.LocalHangUp);

    /// <summary>
    /// Waits until the call is established or over. Returns true instead when <paramref name="proxyDown"/> completes
    /// (the health checks took the proxy down) while the call has had no provisional answer: the attempt is then
    /// abandoned (CANCEL once anything answers; a late 200 is ACKed and hung up) so the caller can fail over at once.
    /// </summary>
    private static async Task<bool> WaitAnsweredOrEndedAsync(SipCall call, Task proxyDown, CancellationToken cancellationToken)
    {
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state is SipCallState.Established or SipCallState.Terminated)
            {
                settled.TrySetResult();
            }
        };
        if (call.State is SipCallState.Established or SipCallState.Terminated)
        {
            settled.TrySetResult();
        }

        try
        {
            var first = await Task.WhenAny(settled.Task, proxyDown).WaitAsync(cancellationToken);
            if (first != settled.Task && call.State == SipCallState.Calling)
            {
                await call.HangUpAsync();
                return true;
            }

            await settled.Task.WaitAsync(cancellationToken);
            return false;
        }
        catch (OperationCanceledException)
        {
            await call.HangUpAsync();
            throw;
        }
    }

    private SipTrunk[] Members(string trunkOrGroup) =>
        _groups.TryGetValue(trunkOrGroup, out var group) ? group
        : _trunks.TryGetValue(trunkOrGroup, out var trunk) ? [trunk]
        : throw new ArgumentException($"No trunk or trunk group is named '{trunkOrGroup}'.", nameof(trunkOrGroup));

    private static SipCallRequest BuildRequest(SipTrunk trunk, string dialled, string? callerId, SipTrunkCallOptions options, SipDestination destination, string host)
    {
        var rules = trunk.Options.CallerId;
        var domain = trunk.Domain ?? host;
        var target = SipUri.Parse($"sip:{dialled}@{(trunk.Options.Mode == SipTrunkMode.AcceptRegistration ? host : domain)}"
            + (trunk.Options.Transport == SipTransportProtocol.Udp || trunk.Options.Mode == SipTrunkMode.AcceptRegistration
                ? "" : ";transport=" + trunk.Options.Transport.ToViaToken().ToLowerInvariant()));
        var headers = new List<SipHeader>(options.Headers);
        SipUri? from = callerId is null ? null : SipUri.Parse($"sip:{callerId}@{domain}");
        var display = options.DisplayName;
        if (callerId is not null && (rules.AssertIdentity || rules.Withhold))
        {
            var quoted = display is null ? "" : $"\"{display.Replace("\"", "", StringComparison.Ordinal)}\" ";
            headers.Add(new SipHeader("P-Asserted-Identity", $"{quoted}<{from}>"));
        }

        if (rules.Withhold)
        {
            from = SipUri.Parse("sip:anonymous@anonymous.invalid");
            display = "Anonymous";
            headers.Add(new SipHeader("Privacy", "id"));
        }

        headers.AddRange(trunk.Options.Headers);
        return new SipCallRequest
        {
            Target = target,
            Destination = destination,
            From = from,
            FromDisplayName = display,
            To = target,
            Sdp = options.Sdp,
            Headers = headers,
            Credentials = trunk.Options.User is { } user ? (user, trunk.Options.Password!) : null,
        };
    }

    private async Task StartRegistrationAsync(SipTrunk trunk)
    {
        var proxy = trunk.Proxies.FirstOrDefault(p => p.EndPoint is not null);
        if (proxy is null)
        {
            return; // unresolved: the trunk stays unavailable; the name is retried by the health checks
        }

        var options = trunk.Options;
        var registration = new SipRegistrationClient(Agent, new SipRegistrationOptions
        {
            Registrar = SipUri.Parse($"sip:{trunk.Domain}"),
            Destination = new SipDestination(options.Transport, proxy.EndPoint!, proxy.Address!.Host),
            AddressOfRecord = SipUri.Parse($"sip:{options.User}@{trunk.Domain}"),
            User = options.User,
            Password = options.Password,
            Expires = options.RegistrationExpires,
        }, Time);
        trunk.Registration = registration;
        registration.StateChanged += (client, state) =>
        {
            TrunkLog.RegistrationChanged(_logger, trunk.Name, state, client.LastStatus);
            RaiseStatusChanged(trunk);
        };
        await registration.StartAsync();
    }

    private string? PasswordOf(string user) =>
        _ordered.FirstOrDefault(t => t.Options.Mode == SipTrunkMode.AcceptRegistration
            && string.Equals(t.Options.User, user, StringComparison.OrdinalIgnoreCase))?.Options.Password;

    private void RaiseStatusChanged(SipTrunk trunk) => StatusChanged?.Invoke(trunk.Status());
}
