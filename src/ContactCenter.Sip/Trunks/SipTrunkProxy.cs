using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Trunks;

/// <summary>The result of one OPTIONS probe.</summary>
/// <param name="Trunk">The trunk's name.</param>
/// <param name="Proxy">The proxy probed.</param>
/// <param name="Status">The answer's status, 408 when none came in time.</param>
/// <param name="Succeeded">Whether the answer counts as alive.</param>
internal readonly record struct SipTrunkProbe(string Trunk, string Proxy, int Status, bool Succeeded);

/// <summary>
/// One proxy of a trunk and its health: a periodic OPTIONS probe (one timer) with a timeout (a second timer), counting
/// failures and successes in a row. Both timers come from the agent's <see cref="TimeProvider"/>; a probe still
/// unanswered when the next is due counts as failed, so a probe's outcome is always settled by the next tick.
/// </summary>
internal sealed class SipTrunkProxy : IDisposable
{
    private readonly object _gate = new();
    private readonly SipTrunk _trunk;
    private readonly SipTrunkHealthCheckOptions _health;
    private readonly string _callId = Guid.CreateVersion7().ToString("N");
    private readonly string _fromTag = RandomNumberGenerator.GetHexString(16, lowercase: true);
    private ITimer? _tick;
    private ITimer? _timeout;
    private long _probe;
    private long _outstanding;
    private uint _sequence;
    private int _failures;
    private int _successes;
    private int? _lastStatus;
    private bool _up = true;
    private bool _stopped;
    private TaskCompletionSource _down = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SipTrunkProxy(SipTrunk trunk, SipTrunkAddress? address, string label)
    {
        _trunk = trunk;
        _health = trunk.Options.HealthCheck;
        Address = address;
        Label = label;
        if (address?.Address is { } ip)
        {
            EndPoint = new IPEndPoint(ip, address.Port);
        }
    }

    /// <summary>The configured address; null for the registered peer of an <see cref="SipTrunkMode.AcceptRegistration"/> trunk.</summary>
    public SipTrunkAddress? Address { get; }

    /// <summary>How the proxy is named in status and logs.</summary>
    public string Label { get; }

    /// <summary>The resolved address; for a registered peer, the binding's source.</summary>
    public IPEndPoint? EndPoint { get; set; }

    /// <summary>The transport to use; for a registered peer, the one it registered over.</summary>
    public SipTransportProtocol Protocol { get; set; }

    public bool IsUp
    {
        get
        {
            lock (_gate)
            {
                return !_health.Enabled || _up;
            }
        }
    }

    /// <summary>Completes when the health checks next take the proxy down (never while they are off).</summary>
    public Task WhenDown
    {
        get
        {
            lock (_gate)
            {
                return _down.Task;
            }
        }
    }

    public SipTrunkProxyStatus Status()
    {
        lock (_gate)
        {
            return new SipTrunkProxyStatus(Label, EndPoint, !_health.Enabled || _up, _failures, _lastStatus);
        }
    }

    public void Start(TimeProvider time)
    {
        if (!_health.Enabled)
        {
            return;
        }

        lock (_gate)
        {
            _timeout = time.CreateTimer(static s => ((SipTrunkProxy)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _tick = time.CreateTimer(static s => ((SipTrunkProxy)s!).Probe(), this, TimeSpan.Zero, _health.Interval);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            _tick?.Dispose();
            _timeout?.Dispose();
        }
    }

    /// <summary>Sends one probe; an earlier probe still unanswered counts as failed first.</summary>
    internal void Probe()
    {
        long probe;
        bool previousUnanswered;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            previousUnanswered = _outstanding != 0;
            _outstanding = 0;
        }

        if (previousUnanswered)
        {
            Settle(408, succeeded: false);
        }

        _trunk.RefreshTarget(this);
        var endPoint = EndPoint;
        if (endPoint is null)
        {
            Settle(408, succeeded: false);
            return;
        }

        var destination = new SipDestination(Protocol, endPoint, Address?.Host);
        SipClientTransaction transaction;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            probe = ++_probe;
            _outstanding = probe;
            _timeout!.Change(_health.Timeout, Timeout.InfiniteTimeSpan);
        }

        try
        {
            transaction = _trunk.Agent.Endpoint.Transactions.SendRequest(BuildOptions(destination), destination);
        }
        catch (InvalidOperationException)
        {
            Answered(probe, 503); // the agent is not started or is shutting down
            return;
        }

        _ = transaction.FinalResponse.ContinueWith(
            static (task, state) =>
            {
                var (proxy, id) = ((SipTrunkProxy, long))state!;
                proxy.Answered(id, task.IsCompletedSuccessfully ? task.Result.StatusCode : 503);
            },
            (this, probe), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnTimeout()
    {
        lock (_gate)
        {
            if (_outstanding == 0)
            {
                return;
            }

            _outstanding = 0;
        }

        Settle(408, succeeded: false);
    }

    private void Answered(long probe, int status)
    {
        lock (_gate)
        {
            if (_outstanding != probe)
            {
                return; // timed out already
            }

            _outstanding = 0;
            _timeout?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        // Any answer proves the peer alive, except the two that say it cannot take traffic.
        Settle(status, succeeded: status is not (408 or 503));
    }

    private void Settle(int status, bool succeeded)
    {
        bool? changedTo = null;
        TaskCompletionSource? wentDown = null;
        lock (_gate)
        {
            _lastStatus = status;
            if (succeeded)
            {
                _failures = 0;
                _successes++;
                if (!_up && _successes >= _health.SuccessesBeforeUp)
                {
                    _up = true;
                    changedTo = true;
                }
            }
            else
            {
                _successes = 0;
                _failures++;
                if (_up && _failures >= _health.FailuresBeforeDown)
                {
                    _up = false;
                    changedTo = false;
                    wentDown = _down;
                    _down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        wentDown?.TrySetResult();

        _trunk.OnProbe(this, new SipTrunkProbe(_trunk.Name, Label, status, succeeded), changedTo);
    }

    private SipRequest BuildOptions(SipDestination destination)
    {
        var agent = _trunk.Agent;
        var host = Address?.UriHost ?? (destination.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{destination.EndPoint.Address}]" : destination.EndPoint.Address.ToString());
        var target = SipUri.Parse(string.Create(CultureInfo.InvariantCulture, $"sip:{host}:{destination.EndPoint.Port}"));
        var options = new SipRequest(SipMethod.Options, target);
        options.Headers.Add("Via", agent.NewVia(destination.Protocol));
        options.Headers.Add("Max-Forwards", "70");
        var contact = agent.ContactFor(destination.Protocol);
        options.Headers.Add("From", $"{contact};tag={_fromTag}");
        options.Headers.Add("To", $"<{target}>");
        options.Headers.Add("Call-ID", _callId);
        options.Headers.Add("CSeq", new SipCSeq(Interlocked.Increment(ref _sequence), SipMethod.Options).ToString());
        options.Headers.Add("Contact", contact);
        options.Headers.Add("Accept", "application/sdp");
        options.Headers.Add("User-Agent", agent.UserAgentName);
        return options;
    }
}
