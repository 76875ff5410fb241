using System.Collections.Concurrent;
using System.Net;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Ivr;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Numbers;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Sip;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// The running contact center: the SIP user agent and registrar, media, and the calls. An incoming call to a
/// number runs the number's flow; a flow's queue node queues the caller in Routing; an offer rings the agent's
/// device; the answered agent leg is bridged to the caller (and recorded); the call record is written at the end.
/// Sockets are bound in <see cref="StartAsync"/>, so a taken port fails the host at once.
/// </summary>
internal sealed partial class ContactCenterRuntime : IHostedService, IAsyncDisposable
{
    /// <summary>How long StopAsync waits, after the drain, for the answers to the BYEs of the calls it hangs up.</summary>
    internal static readonly TimeSpan HangUpAllowance = TimeSpan.FromSeconds(5);

    /// <summary>How long StopAsync then waits for the calls to finish (call records written, recordings closed).</summary>
    internal static readonly TimeSpan FinishAllowance = TimeSpan.FromSeconds(10);

    private readonly ContactCenterOptions _options;
    private readonly ContactCenterStorage _storage;
    private readonly RoutingEngine _routing;
    private readonly FlowLibrary _flows;
    private readonly IvrInterpreter _interpreter;
    private readonly ContactCenterEventHub _events;
    private readonly AgentDirectory _agents;
    private readonly QueueDirectory _queues;
    private readonly NumberDirectory _numbers;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ITextToSpeech? _speech;
    private readonly ConcurrentDictionary<Guid, ContactCall> _calls = new();
    private readonly ConcurrentDictionary<string, ContactCall> _callsByItem = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly HashSet<string> _blocked;
    private readonly HashSet<string> _emergency;
    private SipUserAgent? _agent;
    private SipRegistrar? _registrar;

    // How often expired registrations are dropped, so that an agent whose phone vanished is logged out within this.
    private static readonly TimeSpan RegistrationSweepInterval = TimeSpan.FromSeconds(5);
    private ITimer? _registrationSweep;
    private DigestAuthenticator? _authenticator;
    private MediaResources? _media;
    private MediaOverloadGuard? _overload;
    private IDisposable? _routingSubscription;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _draining;
    private SipTrunkManager? _trunks;

    public ContactCenterRuntime(
        IOptions<ContactCenterOptions> options,
        ContactCenterStorage storage,
        RoutingEngine routing,
        FlowLibrary flows,
        IvrInterpreter interpreter,
        ContactCenterEventHub events,
        AgentDirectory agents,
        QueueDirectory queues,
        NumberDirectory numbers,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        ITextToSpeech? speech = null)
    {
        _options = options.Value;
        _storage = storage;
        _routing = routing;
        _flows = flows;
        _interpreter = interpreter;
        _events = events;
        _agents = agents;
        _queues = queues;
        _numbers = numbers;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("ContactCenter.Hosting");
        _speech = speech;
        _blocked = [.. _options.Blocklist.Select(PhoneNumbers.Normalize).Where(n => n.Length > 0)];
        _emergency = [.. _options.EffectiveEmergencyNumbers.Select(PhoneNumbers.Normalize).Where(n => n.Length > 0)];
    }

    /// <summary>The SIP user agent, once started.</summary>
    public SipUserAgent UserAgent => _agent ?? throw new InvalidOperationException("The contact center has not started.");

    /// <summary>The registrar of agent extensions, once started.</summary>
    public SipRegistrar Registrar => _registrar ?? throw new InvalidOperationException("The contact center has not started.");

    /// <summary>The carrier trunks, when any are configured.</summary>
    public SipTrunkManager? Trunks => _trunks;

    /// <summary>Whether StartAsync completed and StopAsync has not finished (still true while it drains).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Whether StopAsync has begun: new calls are refused with 503 while the calls in progress drain.</summary>
    internal bool IsDraining => _draining;

    /// <summary>Where SIP listens (the actual ports when configured with port 0).</summary>
    public IReadOnlyList<SipListenAddress> SipEndPoints { get; private set; } = [];

    internal MediaResources Media => _media ?? throw new InvalidOperationException("The contact center has not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await PublishFlowsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var queue in _options.Queues)
        {
            await _queues.ConfigureAsync(queue, cancellationToken).ConfigureAwait(false);
        }

        foreach (var agent in _options.Agents)
        {
            await _agents.SaveAsync(
                new AgentProfile
                {
                    Id = agent.Id,
                    Name = agent.Name,
                    Extension = agent.Extension,
                    Password = agent.Password,
                    Skills = new Dictionary<string, int>(agent.Skills, StringComparer.Ordinal),
                    Queues = [.. agent.Queues],
                },
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var number in _options.Numbers)
        {
            await _numbers.BindAsync(new NumberBinding { Number = number.Number, Flow = number.Flow, MaxConcurrentCalls = number.MaxConcurrentCalls }, cancellationToken).ConfigureAwait(false);
        }

        // What the API created or changed is stored and applied on top of the configuration; from now on every API
        // change is written before it is acknowledged.
        foreach (var agent in await _storage.Directory.LoadAgentsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await _agents.SaveAsync(agent, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentDirectoryException e)
            {
                // For example a queue removed from the configuration since: the rest still starts.
                HostingLog.StoredEntrySkipped(_logger, "agent", agent.Id, e.Message);
            }
        }

        foreach (var number in await _storage.Directory.LoadNumbersAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await _numbers.BindAsync(number, cancellationToken).ConfigureAwait(false);
            }
            catch (NumberDirectoryException e)
            {
                HostingLog.StoredEntrySkipped(_logger, "number", number.Number, e.Message);
            }
        }

        _agents.Store = _storage.Directory;
        _numbers.Store = _storage.Directory;

        var mediaAddress = IPAddress.Parse(_options.Media.Address);
        var dtmf = DtmfMethod.None;
        foreach (var method in _options.Media.EffectiveDtmf)
        {
            dtmf |= method switch { "rfc4733" => DtmfMethod.Rfc4733, "info" => DtmfMethod.SipInfo, _ => DtmfMethod.InBand };
        }

        _media = new MediaResources(
            mediaAddress,
            _options.Media.AdvertisedAddress is { } advertised ? IPAddress.Parse(advertised) : mediaAddress,
            _options.Media.RtpPortMin,
            _options.Media.RtpPortMax,
            _time,
            _loggerFactory,
            sessionOptions: new RtpSessionOptions { MediaTimeout = _options.Media.MediaTimeout, DtmfMethods = dtmf, ReceiveOnClockTick = _options.Media.ReceiveOnClockTick },
            clockRealtimePriority: _options.Media.ClockRealtimePriority,
            clockThreads: _options.Media.ClockThreads,
            clockNice: _options.Media.ClockNice);
        _media.Start();
        if (_options.Media.ShedAboveSkippedTicksPerSecond > 0)
        {
            var clock = _media.Clock;
            _overload = new MediaOverloadGuard(() => clock.SkippedTicks, _time, _options.Media.ShedAboveSkippedTicksPerSecond);
        }

        if (_options.Sip.AuthenticateExtensions)
        {
            var digest = new DigestAuthenticatorOptions { Realm = _options.Sip.Realm };
            digest.Algorithms.Clear();
            foreach (var algorithm in _options.Sip.EffectiveDigestAlgorithms)
            {
                digest.Algorithms.Add(algorithm == "MD5" ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256);
            }

            _authenticator = new DigestAuthenticator(digest);
        }

        _registrar = new SipRegistrar(null, _authenticator, _authenticator is null ? null : _agents.PasswordOfExtension, _time);
        _registrar.BindingsChanged += OnBindingsChanged;
        _registrationSweep = _time.CreateTimer(static s => ((SipRegistrar)s!).RemoveExpired(), _registrar, RegistrationSweepInterval, RegistrationSweepInterval);

        var uaOptions = new SipUserAgentOptions { ContactUser = "contactcenter", AdvertisedHost = _options.Sip.AdvertisedHost };
        foreach (var listen in _options.Sip.EffectiveListen)
        {
            uaOptions.Endpoint.Transport.Listen.Add(SipListenAddress.Parse(listen));
        }

        if (_options.Sip.TraceMessages)
        {
            var trace = _loggerFactory.CreateLogger("ContactCenter.Sip.Trace");
            uaOptions.Endpoint.Transport.Trace = (outbound, message, protocol, remote) =>
                HostingLog.SipMessage(trace, outbound ? "->" : "<-", protocol.ToString(), remote.ToString(), Describe(message));
        }

        _agent = new SipUserAgent(uaOptions, _loggerFactory, _time);
        _agent.IncomingCall = OnIncomingCallAsync;
        _agent.OtherRequest = OnOtherRequestAsync;
        await _agent.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Trunks.Count > 0)
        {
            // The manager puts its registrar (PBXs registering to us) in front of ours and starts registrations and health checks.
            _trunks = new SipTrunkManager(_agent, _options.TrunkManagerOptions(), _loggerFactory);
            await _trunks.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        SipEndPoints = (_agent.Endpoint.Transport as SipTransportLayer)?.LocalAddresses ?? [];
        _routingSubscription = _routing.Subscribe(OnRoutingEvent);
        Track(PublishQueueStatisticsAsync(_stopping.Token));
        IsRunning = true;
        HostingLog.Started(_logger, string.Join(", ", SipEndPoints), _options.Numbers.Count, _options.Queues.Count, _options.Agents.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return;
        }

        _draining = true;
        _registrationSweep?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        HostingLog.Draining(_logger, _calls.Count, _options.DrainTimeout);
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(_options.DrainTimeout);
            try
            {
                while (!_calls.IsEmpty)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, drain.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Hang up what is left, all at once: a BYE to a peer that has gone waits for its timeout, so never one by one.
        var hangUps = new List<Task>();
        foreach (var call in _calls.Values)
        {
            if (_outbound.ContainsKey(call.Id))
            {
                call.EndedByShutdown = true;
                call.Signals.Writer.TryWrite(new DialerSignal(DialerAction.HangUp, null));
            }
            else if (!call.CallerGone)
            {
                call.EndedByShutdown = true;
                hangUps.Add(HangUpQuietlyAsync(call.Caller));
            }
        }

        // Not cut short by the host's token (the host waits for StopAsync anyway, and AddContactCenter gives its shutdown
        // timeout room for these allowances): the calls just hung up still get their call records.
        try
        {
            await Task.WhenAll(hangUps).WaitAsync(HangUpAllowance, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The BYEs are out; their answers do not hold up the shutdown.
        }

        try
        {
            await Task.WhenAll(_running.Keys.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(FinishAllowance, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            HostingLog.CallsStillRunning(_logger, _running.Count);
        }

        IsRunning = false;
        _routingSubscription?.Dispose();
        if (_trunks is not null)
        {
            await _trunks.DisposeAsync().ConfigureAwait(false);
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }

        _media?.Dispose();
        _stopping.Dispose();
        HostingLog.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes each flow file of the flow folder whose content differs from its live version, and points <c>live</c> at it.</summary>
    private async Task PublishFlowsAsync(CancellationToken cancellationToken)
    {
        if (_options.Flows.Directory is not { } directory)
        {
            return;
        }

        // The flows, and the sub-flows they call from its subflows folder (where `ivr validate` and `ivr run` look too);
        // other sub-folders (HTTP stubs, say) are not flows.
        var subflows = Path.Combine(directory, "subflows");
        var files = Directory.EnumerateFiles(directory, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)
            .Concat(Directory.Exists(subflows) ? Directory.EnumerateFiles(subflows, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal) : []);
        foreach (var file in files)
        {
            var json = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            var validation = await _flows.SaveDraftAsync(json, "configuration", cancellationToken).ConfigureAwait(false);
            if (!validation.IsValid)
            {
                throw new OptionsValidationException(
                    ContactCenterOptions.Section,
                    typeof(ContactCenterOptions),
                    [$"{ContactCenterOptions.Section}:Flows:Directory: flow file '{file}' is invalid: {string.Join("; ", validation.Errors.Select(e => e.ToString()))}"]);
            }

            string flowId;
            using (var document = System.Text.Json.JsonDocument.Parse(json))
            {
                flowId = document.RootElement.GetProperty("id").GetString()!;
            }

            var live = await _flows.GetContentAsync(flowId, FlowReference.DefaultAlias, cancellationToken).ConfigureAwait(false);
            var draft = await _flows.GetContentAsync(flowId, FlowLibrary.Draft, cancellationToken).ConfigureAwait(false);
            if (live is not null && live == draft)
            {
                continue;
            }

            var version = await _flows.PublishAsync(flowId, $"published from {Path.GetFileName(file)} at start-up", "configuration", cancellationToken).ConfigureAwait(false);
            await _flows.SetAliasAsync(flowId, FlowReference.DefaultAlias, version.Number, cancellationToken).ConfigureAwait(false);
            HostingLog.FlowPublished(_logger, flowId, version.Number, file);
        }
    }

    private void OnBindingsChanged(string addressOfRecord)
    {
        var registered = _registrar!.Lookup(addressOfRecord).Count > 0;
        var logIn = _options.Agents.FirstOrDefault(a => a.Extension == addressOfRecord)?.LogInWhenRegistered ?? true;
        Track(_agents.OnRegistrationChangedAsync(addressOfRecord, registered, logIn));
    }

    private async ValueTask OnOtherRequestAsync(SipServerTransaction transaction)
    {
        if (transaction.Request.Method == SipMethod.Register)
        {
            await _registrar!.HandleAsync(transaction).ConfigureAwait(false);
            return;
        }

        await transaction.RespondAsync(transaction.Request.CreateResponse(405, "Method Not Allowed")).ConfigureAwait(false);
    }

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(
            (t, state) =>
            {
                var self = (ContactCenterRuntime)state!;
                self._running.TryRemove(t, out _);
                if (t.Exception is { } e)
                {
                    HostingLog.BackgroundFailed(self._logger, e.GetBaseException());
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Publish(string type, ContactCenterEventCategory category, Dictionary<string, object?> data) =>
        _events.Publish(ContactCenterEvent.Create(type, category, _time.GetUtcNow(), data));

    private static async Task HangUpQuietlyAsync(SipCall call)
    {
        try
        {
            await call.HangUpAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            // The call ended on its own meanwhile, or the transport is gone: nothing left to hang up.
        }
    }

    private static string Describe(SipMessage message) => message switch
    {
        SipRequest request => $"{request.Method} {request.RequestUri} (Call-ID {request.CallId})",
        SipResponse response => $"{response.StatusCode} {response.ReasonPhrase} (CSeq {response.CSeq})",
        _ => message.GetType().Name,
    };
}
