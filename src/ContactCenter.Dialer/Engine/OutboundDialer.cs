using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Dialer;

/// <summary>Options of an <see cref="OutboundDialer"/>.</summary>
public sealed record OutboundDialerOptions
{
    /// <summary>How often pacing runs besides agent and call events (default 1 s).</summary>
    public TimeSpan PacingInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The dialer: runs campaigns, paces calls through the <see cref="IOutboundCallPort"/>, connects live answers to
/// agents from the <see cref="IAgentPool"/>, keeps the abandonment rate under each campaign's cap and writes every
/// attempt to the <see cref="ICampaignStore"/> before the call is placed. Thread-safe: one lock guards all state
/// and port calls are made outside it, so ports may report back from any thread, even synchronously.
/// </summary>
public sealed partial class OutboundDialer : IDisposable
{
    private readonly object _gate = new();
    private readonly IOutboundCallPort _port;
    private readonly IAgentPool _agents;
    private readonly ICampaignStore _store;
    private readonly TimeProvider _time;
    private readonly IAnsweringMachineDetector? _amd;
    private readonly ILogger _log;
    private readonly List<CampaignRuntime> _campaigns = [];
    private readonly Dictionary<Guid, CampaignRuntime> _byId = [];
    private readonly Dictionary<Guid, OutboundCall> _active = [];
    private readonly List<OutboundCall> _waiting = [];
    private readonly Dictionary<Guid, PreviewState> _previews = [];
    private readonly Queue<PortAction> _outbox = new();
    // The dialers this thread is flushing (a port may call back into a dialer, or into another). A thread-static list,
    // not a ThreadLocal field: a timer callback still running when the dialer is disposed must not touch a disposed
    // object (that exception, on a timer thread, ended the process).
    [ThreadStatic]
    private static List<OutboundDialer>? t_flushing;
    private readonly TimerCallback _callTimerCallback;
    private readonly TimerCallback _previewTimerCallback;
    private readonly ITimer _tick;
    private double[] _busyBuffer = new double[64];
    private double[] _ringBuffer = new double[64];
    private bool _pacing;
    private bool _placingStopped;
    private bool _disposed;

    /// <summary>Creates a dialer. It paces every <see cref="OutboundDialerOptions.PacingInterval"/> and on agent and call events.</summary>
    /// <param name="calls">Places calls.</param>
    /// <param name="agents">The agents calls are connected to.</param>
    /// <param name="store">Where campaigns, contacts and attempts are kept.</param>
    /// <param name="time">The clock (virtual in tests and simulations).</param>
    /// <param name="options">Dialer options.</param>
    /// <param name="machineDetector">Answering-machine detection; without one every answer is a person.</param>
    /// <param name="loggerFactory">Logging.</param>
    public OutboundDialer(
        IOutboundCallPort calls,
        IAgentPool agents,
        ICampaignStore store,
        TimeProvider time,
        OutboundDialerOptions? options = null,
        IAnsweringMachineDetector? machineDetector = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new OutboundDialerOptions();
        if (options.PacingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PacingInterval, "OutboundDialerOptions.PacingInterval must be positive.");
        }

        _port = calls;
        _agents = agents;
        _store = store;
        _time = time;
        _amd = machineDetector;
        GlobalDoNotCall = new DoNotCallList(store, null);
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ContactCenter.Dialer");
        _callTimerCallback = state => OnCallTimer((OutboundCall)state!);
        _previewTimerCallback = state => OnPreviewTimeout((PreviewState)state!);
        _tick = time.CreateTimer(_ => Tick(), null, options.PacingInterval, options.PacingInterval);
    }

    /// <summary>The global do-not-call list, checked at dial time for every campaign.</summary>
    public DoNotCallList GlobalDoNotCall { get; }

    /// <summary>The campaigns of this dialer, highest priority first.</summary>
    public IReadOnlyList<Campaign> Campaigns
    {
        get
        {
            lock (_gate)
            {
                return [.. _campaigns.Select(c => new Campaign(this, c))];
            }
        }
    }

    /// <summary>Creates a campaign in the Draft state and stores it.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public Campaign CreateCampaign(CampaignSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var runtime = new CampaignRuntime(Guid.CreateVersion7(_time.GetUtcNow()), settings, CampaignState.Draft, null, 0, _store);
        lock (_gate)
        {
            ThrowIfDisposed();
            _store.SaveCampaign(runtime.ToRecord());
            AddRuntime(runtime);
        }

        return new Campaign(this, runtime);
    }

    /// <summary>The campaign with this id.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public Campaign GetCampaign(Guid id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var c) ? new Campaign(this, c) : throw new KeyNotFoundException($"No campaign {id}.");
        }
    }

    /// <summary>
    /// Loads every campaign and the do-not-call lists from the store (after a restart). Attempts that were in progress when the previous dialer
    /// stopped are closed as <see cref="CallOutcome.Interrupted"/> and retried by their rule; nothing is dialed twice. Each campaign's
    /// compliance window, counts and pacing statistics are rebuilt from its stored attempts, so abandons before the restart still count.
    /// </summary>
    /// <returns>The number of campaigns loaded.</returns>
    public int Restore()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            ThrowIfDisposed();
            GlobalDoNotCall.Load(_store.LoadDoNotCall(null));
            var loaded = 0;
            foreach (var record in _store.LoadCampaigns())
            {
                if (_byId.ContainsKey(record.Id))
                {
                    continue;
                }

                var runtime = new CampaignRuntime(record.Id, record.Settings, record.State, record.StartedAt, record.NextSequence, _store);
                runtime.DoNotCall.Load(_store.LoadDoNotCall(record.Id));
                var open = _store.LoadOpenAttempts(record.Id).ToDictionary(a => a.ContactId);
                foreach (var contact in _store.LoadContacts(record.Id))
                {
                    var state = FromRecord(runtime, contact);
                    if (state.Status == ContactStatus.Dialing)
                    {
                        state.Status = ContactStatus.Pending;
                        if (open.TryGetValue(state.Id, out var attempt))
                        {
                            state.LastOutcome = CallOutcome.Interrupted;
                            var rule = record.Settings.RetryRules.For(CallOutcome.Interrupted);
                            state.NextAttemptAt = now + rule.Interval;
                            if (state.Attempts >= rule.MaxAttempts)
                            {
                                state.Status = ContactStatus.Exhausted;
                            }

                            _store.SaveAttempt(attempt with { Outcome = CallOutcome.Interrupted, EndedAt = now }, state.ToRecord(record.Id));
                        }
                    }

                    Track(runtime, state, now);
                }

                if (record.StartedAt is { } startedAt)
                {
                    // Nothing is dialed before the start: the attempts since then hold the whole compliance window.
                    runtime.Replay(_store.LoadAttempts(record.Id, startedAt), now);
                }

                AddRuntime(runtime);
                DialerLog.Restored(_log, record.Id, open.Count);
                loaded++;
            }

            return loaded;
        }
    }

    /// <summary>Tells the dialer an agent became free: waiting live answers are connected and pacing runs.</summary>
    public void NotifyAgentAvailable()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            ServeWaiting();
            PaceAll();
        }

        Flush();
    }

    /// <summary>Records an agent's disposition of a connected call (after wrap-up) and applies it to the contact.</summary>
    /// <returns>False when no connected call has this id.</returns>
    public bool SubmitDisposition(Guid callId, AgentDisposition disposition)
    {
        ArgumentNullException.ThrowIfNull(disposition);
        lock (_gate)
        {
            if (!_active.TryGetValue(callId, out var call) || call.ConnectedAt == 0 || call.Campaign is null)
            {
                return false;
            }

            var c = call.Campaign;
            _active.Remove(callId);
            CampaignRuntime.RemoveFrom(c.Handling, call);
            c.HandleTime.Add(Seconds(NowTicks - call.ConnectedAt));
            call.Phase = CallPhase.Ended;
            ApplyDisposition(c, call, disposition);
            PaceAll();
        }

        Flush();
        return true;
    }

    /// <summary>The agent accepts a preview: the call is placed with the agent reserved.</summary>
    /// <returns>False when the offer is unknown or already timed out.</returns>
    public bool AcceptPreview(Guid offerId)
    {
        lock (_gate)
        {
            if (!_previews.Remove(offerId, out var preview))
            {
                return false;
            }

            preview.Timer?.Dispose();
            PlaceCall(preview.Campaign, preview.Contact, preview.AgentId);
        }

        Flush();
        return true;
    }

    /// <summary>The agent skips a preview: the agent is released and the contact is retried after the default interval.</summary>
    /// <returns>False when the offer is unknown or already timed out.</returns>
    public bool SkipPreview(Guid offerId)
    {
        lock (_gate)
        {
            if (!_previews.Remove(offerId, out var preview))
            {
                return false;
            }

            preview.Timer?.Dispose();
            SkipPreviewLocked(preview);
            PaceAll();
        }

        Flush();
        return true;
    }

    /// <summary>
    /// Stops placing calls, for a shutdown: no pacing pass runs and no preview is offered or dialed any more (previews
    /// on offer are withdrawn and their agents released; the contacts stay pending). Calls in progress carry on:
    /// their reports, timers and dispositions still resolve their attempts. Campaign states are not changed, so a
    /// dialer restored from the same store later carries on where this one stopped. Dispose the dialer once the calls
    /// in progress are over; reports after that are dropped and their attempts closed as
    /// <see cref="CallOutcome.Interrupted"/> by the next <see cref="Restore"/>.
    /// </summary>
    public void StopPlacingCalls()
    {
        lock (_gate)
        {
            if (_disposed || _placingStopped)
            {
                return;
            }

            _placingStopped = true;
            foreach (var preview in _previews.Values)
            {
                preview.Timer?.Dispose();
                SetContactStatus(preview.Campaign, preview.Contact, ContactStatus.Pending);
                Enqueue(PortActionKind.Release, null, preview.AgentId);
            }

            _previews.Clear();
        }

        Flush();
    }

    /// <summary>Stops the pacing timer and every call timer. Calls in progress are left to the call port.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _tick.Dispose();
            foreach (var call in _active.Values)
            {
                call.Timer?.Dispose();
            }

            foreach (var preview in _previews.Values)
            {
                preview.Timer?.Dispose();
            }
        }
    }

    internal object Gate => _gate;

    internal TimeProvider Time => _time;

    internal ICampaignStore Store => _store;

    internal ILogger Log => _log;

    internal void RunLocked(Action action)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            action();
        }

        Flush();
    }

    internal T RunLocked<T>(Func<T> action)
    {
        T result;
        lock (_gate)
        {
            ThrowIfDisposed();
            result = action();
        }

        Flush();
        return result;
    }

    private void AddRuntime(CampaignRuntime runtime)
    {
        _byId[runtime.Id] = runtime;
        _campaigns.Add(runtime);

        // Stable by priority: 1 (highest) first, then creation order.
        var ordered = _campaigns.OrderBy(c => c.Settings.Priority).ToList();
        _campaigns.Clear();
        _campaigns.AddRange(ordered);
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed || _placingStopped)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var c in _campaigns)
            {
                if (c.State == CampaignState.Scheduled && (c.Settings.StartAt is null || c.Settings.StartAt <= now))
                {
                    SetState(c, CampaignState.Running);
                }
            }

            PaceAll();
        }

        Flush();
    }

    private static double Seconds(long ticks) => ticks / (double)TimeSpan.TicksPerSecond;

    private long NowTicks => _time.GetUtcNow().UtcTicks;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private enum PortActionKind
    {
        Dial,
        Connect,
        Compliance,
        Flow,
        HangUp,
        Release,
        Offer,
        DetectMachine,
    }

    private readonly record struct PortAction(PortActionKind Kind, OutboundCall? Call, string? Text, PreviewOffer? Offer);

    private void Enqueue(PortActionKind kind, OutboundCall? call, string? text = null, PreviewOffer? offer = null) =>
        _outbox.Enqueue(new PortAction(kind, call, text, offer));

    /// <summary>Runs the port calls queued under the lock, outside it, in order.</summary>
    private void Flush()
    {
        var flushing = t_flushing ??= [];
        if (_disposed || flushing.Contains(this))
        {
            return;
        }

        flushing.Add(this);
        try
        {
            while (true)
            {
                PortAction action;
                lock (_gate)
                {
                    if (!_outbox.TryDequeue(out action))
                    {
                        return;
                    }
                }

                Execute(action);
            }
        }
        finally
        {
            flushing.Remove(this);
        }
    }

    private void Execute(PortAction action)
    {
        try
        {
            switch (action.Kind)
            {
                case PortActionKind.Dial:
                    _port.Dial(action.Call!);
                    break;
                case PortActionKind.Connect:
                    _port.Connect(action.Call!, action.Text!);
                    break;
                case PortActionKind.Compliance:
                    _port.PlayComplianceMessage(action.Call!, action.Text!);
                    break;
                case PortActionKind.Flow:
                    _port.StartFlow(action.Call!, action.Text!);
                    break;
                case PortActionKind.HangUp:
                    _port.HangUp(action.Call!);
                    break;
                case PortActionKind.Release:
                    _agents.Release(action.Text!);
                    lock (_gate)
                    {
                        // The agent is free again: use it now rather than at the next tick.
                        ServeWaiting();
                        PaceAll();
                    }

                    break;
                case PortActionKind.Offer:
                    _agents.OfferPreview(action.Text!, action.Offer!);
                    break;
                case PortActionKind.DetectMachine:
                    _amd!.Start(action.Call!);
                    break;
            }
        }
#pragma warning disable CA1031 // A failing port must not take the dialer down; the call is closed as a network error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DialerLog.PortFailed(_log, action.Call?.Id ?? Guid.Empty, ex);
            if (action.Kind == PortActionKind.Dial && action.Call is { } call)
            {
                OnFailed(call, CallOutcome.NetworkError);
            }
        }
    }
}
