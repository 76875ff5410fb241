using System.Globalization;
using System.Security.Cryptography;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Registrar;

/// <summary>Options of <see cref="SipRegistrationClient"/>: where and as whom to register.</summary>
public sealed class SipRegistrationOptions
{
    /// <summary>The registrar's Request-URI, e.g. <c>sip:carrier.example</c>.</summary>
    public required SipUri Registrar { get; init; }

    /// <summary>Where to send the REGISTER (the registrar or the trunk's outbound proxy).</summary>
    public required SipDestination Destination { get; init; }

    /// <summary>The address of record (To and From), e.g. <c>sip:+18005550100@carrier.example</c>.</summary>
    public required SipUri AddressOfRecord { get; init; }

    /// <summary>The user name for digest authentication; null to register without credentials.</summary>
    public string? User { get; init; }

    /// <summary>The password for digest authentication. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>The registration interval asked for. Default 1 hour.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The first wait before retrying a failed registration; doubles up to <see cref="MaxRetryDelay"/>. Default 5 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries. Default 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>The state of a <see cref="SipRegistrationClient"/>.</summary>
public enum SipRegistrationState
{
    /// <summary>Not registered and not trying (not started, or stopped).</summary>
    Unregistered,

    /// <summary>A REGISTER is out.</summary>
    Registering,

    /// <summary>Registered until <see cref="SipRegistrationClient.ExpiresAt"/>; a refresh goes out before then.</summary>
    Registered,

    /// <summary>The last attempt failed; another follows after a backoff.</summary>
    Failed,
}

/// <summary>
/// Keeps a registration with a carrier (RFC 3261 §10.2): registers, answers a 401/407 digest challenge, follows
/// 423 Min-Expires, refreshes before expiry, and after a failure retries with exponential backoff.
/// </summary>
public sealed class SipRegistrationClient : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SipUserAgent _agent;
    private readonly SipRegistrationOptions _options;
    private readonly TimeProvider _time;
    private readonly string _callId = Guid.CreateVersion7().ToString("N");
    private readonly string _fromTag = RandomNumberGenerator.GetHexString(16, lowercase: true);
    private readonly ITimer _timer;
    private uint _sequence;
    private TimeSpan _expires;
    private TimeSpan _backoff;
    private bool _stopped = true;

    /// <summary>Creates a client that registers through <paramref name="agent"/>'s transports.</summary>
    /// <exception cref="ArgumentException">Credentials are half given, or an interval is not positive.</exception>
    public SipRegistrationClient(SipUserAgent agent, SipRegistrationOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        if ((options.User is null) != (options.Password is null))
        {
            throw new ArgumentException("SipRegistrationOptions.User and Password go together.", nameof(options));
        }

        if (options.Expires <= TimeSpan.Zero || options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            throw new ArgumentException("SipRegistrationOptions.Expires and RetryDelay must be positive and MaxRetryDelay at least RetryDelay.", nameof(options));
        }

        _agent = agent;
        _options = options;
        _time = timeProvider ?? agent.Time;
        _expires = options.Expires;
        _backoff = options.RetryDelay;
        _timer = _time.CreateTimer(static s => _ = ((SipRegistrationClient)s!).RegisterAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The current state.</summary>
    public SipRegistrationState State { get; private set; }

    /// <summary>When the registration lapses, while <see cref="SipRegistrationState.Registered"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>The status of the last final response (or the local 408/503).</summary>
    public int? LastStatus { get; private set; }

    /// <summary>Raised on every state change.</summary>
    public event Action<SipRegistrationClient, SipRegistrationState>? StateChanged;

    /// <summary>Starts registering; returns once the first attempt ended (check <see cref="State"/>).</summary>
    public async Task StartAsync()
    {
        lock (_gate)
        {
            _stopped = false;
        }

        await RegisterAsync();
    }

    /// <summary>Stops refreshing and removes the registration (REGISTER with Expires: 0).</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (State == SipRegistrationState.Registered)
        {
            await SendAnsweringChallengeAsync(TimeSpan.Zero);
        }

        Move(SipRegistrationState.Unregistered);
        ExpiresAt = null;
    }

    /// <summary>Stops without unregistering and releases the timer.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task RegisterAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
        }

        Move(SipRegistrationState.Registering);
        var response = await SendAnsweringChallengeAsync(_expires);

        if (response.StatusCode == 423 && response.MinExpires is { } minimum && minimum > _expires.TotalSeconds)
        {
            _expires = TimeSpan.FromSeconds(minimum);
            await RegisterAsync();
            return;
        }

        LastStatus = response.StatusCode;
        if (response.IsSuccess)
        {
            var granted = Granted(response);
            ExpiresAt = _time.GetUtcNow() + granted;
            _backoff = _options.RetryDelay;
            var refresh = granted > TimeSpan.FromSeconds(10) ? granted * 0.8 : granted / 2;
            Schedule(refresh);
            Move(SipRegistrationState.Registered);
            return;
        }

        ExpiresAt = null;
        var wait = _backoff;
        _backoff = _backoff * 2 < _options.MaxRetryDelay ? _backoff * 2 : _options.MaxRetryDelay;
        Schedule(response.RetryAfter is { } retryAfter && uint.TryParse(retryAfter.Value, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Max(seconds, wait.TotalSeconds))
            : wait);
        Move(SipRegistrationState.Failed);
    }

    /// <summary>
    /// Sends a REGISTER for <paramref name="expires"/> (zero removes the binding) and, when the registrar challenges it,
    /// once more with digest credentials: a registrar that authenticates registrations authenticates their removal too.
    /// </summary>
    private async Task<SipResponse> SendAnsweringChallengeAsync(TimeSpan expires)
    {
        var response = await SendAsync(expires, null);
        if (response.StatusCode is 401 or 407 && _options.User is not null)
        {
            var header = response.StatusCode == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
            var challenge = response.Headers.GetValues(header)
                .Select(v => DigestChallenge.TryParse(v, out var c, out _) ? c : null)
                .FirstOrDefault(c => c is not null);
            if (challenge is not null)
            {
                var credentials = DigestCredentials.Answer(challenge, _options.User, _options.Password!, "REGISTER", _options.Registrar.ToString(), 1);
                response = await SendAsync(expires, (response.StatusCode == 401 ? "Authorization" : "Proxy-Authorization", credentials.ToString()));
            }
        }

        return response;
    }

    private async Task<SipResponse> SendAsync(TimeSpan expires, (string Name, string Value)? authorization)
    {
        var register = new SipRequest(SipMethod.Register, _options.Registrar);
        var protocol = _options.Destination.Protocol;
        register.Headers.Add("Via", _agent.NewVia(protocol));
        register.Headers.Add("Max-Forwards", "70");
        register.Headers.Add("From", $"<{_options.AddressOfRecord}>;tag={_fromTag}");
        register.Headers.Add("To", $"<{_options.AddressOfRecord}>");
        register.Headers.Add("Call-ID", _callId);
        register.Headers.Add("CSeq", new SipCSeq(Interlocked.Increment(ref _sequence), SipMethod.Register).ToString());
        register.Headers.Add("Contact", _agent.ContactFor(protocol));
        register.Headers.Add("Expires", ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        register.Headers.Add("User-Agent", _agent.UserAgentName);
        if (authorization is { } auth)
        {
            register.Headers.Add(auth.Name, auth.Value);
        }

        register.Headers.Add("Content-Length", "0");
        var transaction = _agent.Endpoint.Transactions.SendRequest(register, _options.Destination);
        return await transaction.FinalResponse;
    }

    private TimeSpan Granted(SipResponse ok)
    {
        var ours = _agent.ContactFor(_options.Destination.Protocol).Trim('<', '>');
        foreach (var contact in ok.Contact)
        {
            if (contact.Uri.ToString() == ours && contact.Expires is { } expires)
            {
                return TimeSpan.FromSeconds(expires);
            }
        }

        return ok.Expires is { } header ? TimeSpan.FromSeconds(header) : _expires;
    }

    private void Schedule(TimeSpan due)
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _timer.Change(due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Move(SipRegistrationState state)
    {
        if (State == state)
        {
            return;
        }

        State = state;
        StateChanged?.Invoke(this, state);
    }
}
