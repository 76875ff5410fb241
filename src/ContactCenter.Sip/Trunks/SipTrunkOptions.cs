using System.Net;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Trunks;

/// <summary>How a trunk and its carrier (or PBX) find each other.</summary>
public enum SipTrunkMode
{
    /// <summary>IP-peered: no registration; calls go to the proxy, calls come from allow-listed addresses.</summary>
    IpPeer,

    /// <summary>We register to the carrier (RFC 3261 §10) with <see cref="SipTrunkOptions.User"/> and <see cref="SipTrunkOptions.Password"/>.</summary>
    Register,

    /// <summary>The carrier or a PBX registers to us with the trunk's credentials; its binding says where to send calls.</summary>
    AcceptRegistration,
}

/// <summary>Caller-ID rules of a trunk: what identity outbound calls present.</summary>
public sealed class SipCallerIdOptions
{
    /// <summary>The caller ID used when a call names none, or names one the trunk does not allow; null for none.</summary>
    public string? Default { get; set; }

    /// <summary>
    /// The caller IDs a call may present: exact numbers, or prefixes ending in <c>*</c> (<c>+1415*</c>). Empty: any caller ID
    /// passes through. A caller ID not allowed is replaced by <see cref="Default"/>, or the call is refused when there is none.
    /// </summary>
    public IList<string> Allowed { get; } = [];

    /// <summary>Adds P-Asserted-Identity (RFC 3325) carrying the caller ID, for carriers that trust us. Default false.</summary>
    public bool AssertIdentity { get; set; }

    /// <summary>
    /// Withholds the caller ID (RFC 3323): From becomes <c>"Anonymous" &lt;sip:anonymous@anonymous.invalid&gt;</c> and
    /// <c>Privacy: id</c> is added; the carrier still learns the number from P-Asserted-Identity (always added then). Default false.
    /// </summary>
    public bool Withhold { get; set; }
}

/// <summary>
/// OPTIONS health checks of a trunk's proxies. A proxy goes down after <see cref="FailuresBeforeDown"/> probes in a row get
/// no answer within <see cref="Timeout"/> (or 408/503), and up again after <see cref="SuccessesBeforeUp"/> answered ones. The
/// worst time from a proxy going silent to it being marked down is <see cref="DetectionTime"/>.
/// </summary>
public sealed class SipTrunkHealthCheckOptions
{
    /// <summary>Whether OPTIONS probes are sent. Without them a trunk counts as healthy. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between probes. Default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may wait for its answer; at most <see cref="Interval"/>. Default 1 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Probes without answer in a row before the proxy is down. Default 3.</summary>
    public int FailuresBeforeDown { get; set; } = 3;

    /// <summary>Answered probes in a row before a down proxy is up again. Default 2.</summary>
    public int SuccessesBeforeUp { get; set; } = 2;

    /// <summary>
    /// The longest time from a proxy going silent to it being marked down: the probe answered just before the silence is
    /// followed by <see cref="FailuresBeforeDown"/> probes one <see cref="Interval"/> apart, the last failing after
    /// <see cref="Timeout"/>. With the defaults, 4 s.
    /// </summary>
    public TimeSpan DetectionTime => Interval * FailuresBeforeDown + Timeout;
}

/// <summary>One trunk: a carrier or PBX connection with its addresses, credentials, limits and rules.</summary>
public sealed class SipTrunkOptions
{
    /// <summary>The trunk's name, unique among trunks and groups (e.g. <c>carrier-a</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>How the trunk connects. Default <see cref="SipTrunkMode.IpPeer"/>.</summary>
    public SipTrunkMode Mode { get; set; } = SipTrunkMode.IpPeer;

    /// <summary>
    /// Where calls (and REGISTERs) go: <c>host</c>, <c>host:port</c> or <c>[IPv6]:port</c>. Per RFC 3263 §4.2 with the
    /// transport known: a host name without a port is looked up by SRV (<c>_sip._udp</c>, <c>_sip._tcp</c>, <c>_sips._tcp</c>),
    /// then by A/AAAA with the transport's default port when it has no SRV record; a name with a port by A/AAAA only.
    /// Required except in <see cref="SipTrunkMode.AcceptRegistration"/>, where the registration says where to send.
    /// </summary>
    public string? Proxy { get; set; }

    /// <summary>A second proxy, used when <see cref="Proxy"/> is down or a call attempt to it fails with 408, 503 or a transport error.</summary>
    public string? AlternateProxy { get; set; }

    /// <summary>The transport to the proxies. Default UDP.</summary>
    public SipTransportProtocol Transport { get; set; } = SipTransportProtocol.Udp;

    /// <summary>The carrier's SIP domain, for Request-URIs, From and the registrar; default the proxy's host.</summary>
    public string? Domain { get; set; }

    /// <summary>The digest user name: what we answer challenges with, and (in <see cref="SipTrunkMode.AcceptRegistration"/>) the name the peer registers as.</summary>
    public string? User { get; set; }

    /// <summary>The digest password; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>How long a registration lasts (<see cref="SipTrunkMode.Register"/>). Default 1 hour.</summary>
    public TimeSpan RegistrationExpires { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Leading digits removed from a dialled number before <see cref="DialPrefix"/> is added. Default 0.</summary>
    public int StripDigits { get; set; }

    /// <summary>Digits put in front of a dialled number (after <see cref="StripDigits"/>), e.g. a carrier's tech prefix. Default none.</summary>
    public string DialPrefix { get; set; } = "";

    /// <summary>The most calls up at once on the trunk, both directions. Default 100.</summary>
    public int MaxConcurrentCalls { get; set; } = 100;

    /// <summary>The most new outbound calls per second (a token bucket refilled at this rate). Default 10.</summary>
    public double MaxCallsPerSecond { get; set; } = 10;

    /// <summary>How many calls may start at once after a quiet period (the bucket's size); default (0) the rate rounded up.</summary>
    public int CallsPerSecondBurst { get; set; }

    /// <summary>
    /// Where inbound calls may come from, besides the proxies: IP addresses or CIDR ranges (<c>192.0.2.0/24</c>,
    /// <c>2001:db8::/32</c>). Used to recognize the trunk of an incoming INVITE.
    /// </summary>
    public IList<string> AllowedSources { get; } = [];

    /// <summary>Caller-ID rules for outbound calls.</summary>
    public SipCallerIdOptions CallerId { get; set; } = new();

    /// <summary>Headers added to every outbound INVITE on this trunk (after the call's own headers).</summary>
    public IList<SipHeader> Headers { get; } = [];

    /// <summary>OPTIONS health checks of the proxies (or of the registered contact).</summary>
    public SipTrunkHealthCheckOptions HealthCheck { get; set; } = new();

    /// <summary>The token bucket size actually used.</summary>
    internal int Burst => CallsPerSecondBurst > 0 ? CallsPerSecondBurst : Math.Max(1, (int)Math.Ceiling(MaxCallsPerSecond));

    /// <summary>Checks the trunk; every message names the trunk and the field.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("SipTrunkOptions.Name must not be empty.", nameof(Name));
        }

        if (Mode is not (SipTrunkMode.IpPeer or SipTrunkMode.Register or SipTrunkMode.AcceptRegistration))
        {
            throw Bad(nameof(Mode), $"is {(int)Mode}, which is not a trunk mode");
        }

        if (Mode != SipTrunkMode.AcceptRegistration && string.IsNullOrWhiteSpace(Proxy))
        {
            throw Bad(nameof(Proxy), $"is required in mode {Mode}");
        }

        if (Mode == SipTrunkMode.AcceptRegistration && (Proxy is not null || AlternateProxy is not null))
        {
            throw Bad(nameof(Proxy), "is not used in mode AcceptRegistration (the peer's registration says where to send); use AllowedSources for its other addresses");
        }

        if (Proxy is not null && !SipTrunkAddress.TryParse(Proxy, Transport, out _, out var proxyError))
        {
            throw Bad(nameof(Proxy), proxyError);
        }

        if (AlternateProxy is not null)
        {
            if (Proxy is null)
            {
                throw Bad(nameof(AlternateProxy), "needs Proxy");
            }

            if (!SipTrunkAddress.TryParse(AlternateProxy, Transport, out _, out var alternateError))
            {
                throw Bad(nameof(AlternateProxy), alternateError);
            }
        }

        if (!Enum.IsDefined(Transport))
        {
            throw Bad(nameof(Transport), $"is {(int)Transport}, which is not a transport");
        }

        if (Domain is not null && (Domain.Length == 0 || Domain.Any(c => char.IsWhiteSpace(c) || c is '@' or '<' or '>' or ';' or '"')))
        {
            throw Bad(nameof(Domain), $"'{Domain}' is not a host name");
        }

        if ((User is null) != (Password is null) || User is { Length: 0 })
        {
            throw Bad(nameof(User), "and Password go together and must not be empty");
        }

        if (Mode is SipTrunkMode.Register or SipTrunkMode.AcceptRegistration && User is null)
        {
            throw Bad(nameof(User), $"and Password are required in mode {Mode}");
        }

        if (RegistrationExpires < TimeSpan.FromSeconds(1))
        {
            throw Bad(nameof(RegistrationExpires), "must be at least 1 second");
        }

        if (StripDigits < 0)
        {
            throw Bad(nameof(StripDigits), "must not be negative");
        }

        if (DialPrefix is null || !SipTrunkDialPlan.IsDialString(DialPrefix, allowEmpty: true))
        {
            throw Bad(nameof(DialPrefix), $"'{DialPrefix}' may hold only digits, '+', '*' and '#'");
        }

        if (MaxConcurrentCalls < 1)
        {
            throw Bad(nameof(MaxConcurrentCalls), "must be at least 1");
        }

        if (!(MaxCallsPerSecond > 0) || double.IsInfinity(MaxCallsPerSecond))
        {
            throw Bad(nameof(MaxCallsPerSecond), "must be a positive number");
        }

        if (CallsPerSecondBurst < 0)
        {
            throw Bad(nameof(CallsPerSecondBurst), "must not be negative");
        }

        for (var i = 0; i < AllowedSources.Count; i++)
        {
            if (!SipSourceList.TryParse(AllowedSources[i], out _))
            {
                throw Bad($"{nameof(AllowedSources)}[{i}]", $"'{AllowedSources[i]}' is not an IP address or CIDR range");
            }
        }

        ValidateCallerId();
        for (var i = 0; i < Headers.Count; i++)
        {
            var header = Headers[i];
            if (string.IsNullOrEmpty(header.Name) || header.Name.Any(c => c <= ' ' || c == ':') || header.Value is null
                || header.Value.Any(c => c is '\r' or '\n'))
            {
                throw Bad($"{nameof(Headers)}[{i}]", $"'{header.Name}' is not a header name with a one-line value");
            }
        }

        if (HealthCheck is null)
        {
            throw Bad(nameof(HealthCheck), "must not be null");
        }

        if (HealthCheck.Interval <= TimeSpan.Zero)
        {
            throw Bad("HealthCheck.Interval", "must be positive");
        }

        if (HealthCheck.Timeout <= TimeSpan.Zero || HealthCheck.Timeout > HealthCheck.Interval)
        {
            throw Bad("HealthCheck.Timeout", "must be positive and at most HealthCheck.Interval");
        }

        if (HealthCheck.FailuresBeforeDown < 1)
        {
            throw Bad("HealthCheck.FailuresBeforeDown", "must be at least 1");
        }

        if (HealthCheck.SuccessesBeforeUp < 1)
        {
            throw Bad("HealthCheck.SuccessesBeforeUp", "must be at least 1");
        }
    }

    private void ValidateCallerId()
    {
        if (CallerId is null)
        {
            throw Bad(nameof(CallerId), "must not be null");
        }

        if (CallerId.Default is { } fallback && !SipTrunkDialPlan.IsCallerId(fallback))
        {
            throw Bad("CallerId.Default", $"'{fallback}' is not a caller ID (digits, '+', letters, '-', '.', '_')");
        }

        for (var i = 0; i < CallerId.Allowed.Count; i++)
        {
            var pattern = CallerId.Allowed[i];
            var body = pattern.EndsWith('*') ? pattern[..^1] : pattern;
            if (body.Length == 0 && pattern != "*" || body.Length > 0 && !SipTrunkDialPlan.IsCallerId(body))
            {
                throw Bad($"CallerId.Allowed[{i}]", $"'{pattern}' is not a caller ID or a prefix ending in '*'");
            }
        }
    }

    private ArgumentException Bad(string field, string problem) =>
        new($"Trunk '{Name}': {field} {problem}.", field);
}

/// <summary>An ordered set of trunks: calls go to the first available one and fail over to the next.</summary>
public sealed class SipTrunkGroupOptions
{
    /// <summary>The group's name, unique among trunks and groups.</summary>
    public string Name { get; set; } = "";

    /// <summary>The trunk names, in order of preference.</summary>
    public IList<string> Trunks { get; } = [];

    /// <summary>
    /// The longest time a silent trunk may keep receiving calls: every member with health checks must have a
    /// <see cref="SipTrunkHealthCheckOptions.DetectionTime"/> no longer than this. Default 5 s.
    /// </summary>
    public TimeSpan MaxFailoverDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Options of <see cref="SipTrunkManager"/>: the trunks, the groups, and how unknown callers are treated.</summary>
public sealed class SipTrunkManagerOptions
{
    /// <summary>The trunks.</summary>
    public IList<SipTrunkOptions> Trunks { get; } = [];

    /// <summary>The trunk groups.</summary>
    public IList<SipTrunkGroupOptions> Groups { get; } = [];

    /// <summary>
    /// Whether <see cref="SipTrunkManager.ScreenAsync"/> refuses (403) an incoming call no trunk recognizes. Default true;
    /// turn it off when phones or other endpoints also call in directly.
    /// </summary>
    public bool RejectUnknownSources { get; set; } = true;

    /// <summary>
    /// The digest challenge for peers that register to us (<see cref="SipTrunkMode.AcceptRegistration"/>): realm, algorithms
    /// (some PBXs need MD5 only), nonce lifetime.
    /// </summary>
    public Auth.DigestAuthenticatorOptions RegistrarAuthentication { get; set; } = new();

    /// <summary>Expiry limits for peers that register to us.</summary>
    public Registrar.SipRegistrarOptions Registrar { get; set; } = new();

    /// <summary>Checks every trunk and group; messages name the trunk or group and the field.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(RegistrarAuthentication, nameof(RegistrarAuthentication));
        ArgumentNullException.ThrowIfNull(Registrar, nameof(Registrar));
        RegistrarAuthentication.Validate();
        Registrar.Validate();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var byName = new Dictionary<string, SipTrunkOptions>(StringComparer.OrdinalIgnoreCase);
        var users = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Trunks.Count; i++)
        {
            var trunk = Trunks[i] ?? throw new ArgumentException($"SipTrunkManagerOptions.Trunks[{i}] is null.", nameof(Trunks));
            trunk.Validate();
            if (!names.Add(trunk.Name))
            {
                throw new ArgumentException($"Trunk '{trunk.Name}': Name is used twice.", nameof(Trunks));
            }

            if (trunk.Mode == SipTrunkMode.AcceptRegistration && !users.Add(trunk.User!))
            {
                throw new ArgumentException($"Trunk '{trunk.Name}': User '{trunk.User}' is already the registration name of another trunk.", nameof(Trunks));
            }

            byName[trunk.Name] = trunk;
        }

        foreach (var group in Groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(Groups));
            if (string.IsNullOrWhiteSpace(group.Name))
            {
                throw new ArgumentException("SipTrunkGroupOptions.Name must not be empty.", nameof(Groups));
            }

            if (!names.Add(group.Name))
            {
                throw new ArgumentException($"Trunk group '{group.Name}': Name is already used by a trunk or group.", nameof(Groups));
            }

            if (group.Trunks.Count == 0)
            {
                throw new ArgumentException($"Trunk group '{group.Name}': Trunks must name at least one trunk.", nameof(Groups));
            }

            if (group.MaxFailoverDelay <= TimeSpan.Zero)
            {
                throw new ArgumentException($"Trunk group '{group.Name}': MaxFailoverDelay must be positive.", nameof(Groups));
            }

            for (var i = 0; i < group.Trunks.Count; i++)
            {
                if (!byName.TryGetValue(group.Trunks[i] ?? "", out var member))
                {
                    throw new ArgumentException($"Trunk group '{group.Name}': Trunks[{i}] '{group.Trunks[i]}' is not a trunk.", nameof(Groups));
                }

                if (member.HealthCheck.Enabled && member.HealthCheck.DetectionTime > group.MaxFailoverDelay)
                {
                    throw new ArgumentException(
                        $"Trunk group '{group.Name}': trunk '{member.Name}' takes up to {member.HealthCheck.DetectionTime.TotalSeconds:0.###} s to be marked down " +
                        $"(HealthCheck.Interval × FailuresBeforeDown + Timeout), more than MaxFailoverDelay {group.MaxFailoverDelay.TotalSeconds:0.###} s.",
                        nameof(Groups));
                }
            }
        }
    }
}

/// <summary>What to call with, besides the number: the caller ID, the SDP offer and extra headers.</summary>
public sealed record SipTrunkCallOptions
{
    /// <summary>The caller ID to present (checked against the trunk's rules); null for the trunk's default.</summary>
    public string? CallerId { get; init; }

    /// <summary>The caller's display name in From.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The SDP offer.</summary>
    public ReadOnlyMemory<byte> Sdp { get; init; }

    /// <summary>Extra headers (e.g. <c>X-</c> attached data); the trunk's own headers follow them.</summary>
    public IReadOnlyList<SipHeader> Headers { get; init; } = [];
}

/// <summary>Why <see cref="SipTrunkManager.CallAsync"/> placed no call.</summary>
public enum SipTrunkRefusal
{
    /// <summary>No trunk of the name or group is up (health checks, registration).</summary>
    NoHealthyTrunk,

    /// <summary>Every usable trunk is at its <see cref="SipTrunkOptions.MaxConcurrentCalls"/>.</summary>
    ConcurrentCallLimit,

    /// <summary>Every usable trunk is over its <see cref="SipTrunkOptions.MaxCallsPerSecond"/>.</summary>
    CallRateLimit,

    /// <summary>The caller ID is not allowed and the trunk has no default to use instead.</summary>
    CallerIdNotAllowed,

    /// <summary>The trunk's peer has no address yet (a trunk the peer registers to us, not registered).</summary>
    NotRegistered,

    /// <summary>A proxy host name did not resolve.</summary>
    ResolutionFailed,
}

/// <summary>
/// Thrown by <see cref="SipTrunkManager.CallAsync"/> when no INVITE could be sent: every trunk was down, over a limit, or refused
/// the caller ID. Calls are never queued waiting for capacity.
/// </summary>
public sealed class SipTrunkUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SipTrunkUnavailableException()
        : this("No trunk could place the call.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SipTrunkUnavailableException(string message)
        : base(message)
    {
        Reasons = new Dictionary<string, SipTrunkRefusal>();
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SipTrunkUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reasons = new Dictionary<string, SipTrunkRefusal>();
    }

    /// <summary>Creates the exception naming the trunk or group and why each member refused.</summary>
    public SipTrunkUnavailableException(string target, IReadOnlyDictionary<string, SipTrunkRefusal> reasons)
        : base($"No trunk of '{target}' could place the call: " + string.Join(", ", reasons.Select(r => $"{r.Key}: {r.Value}")) + ".")
    {
        ArgumentNullException.ThrowIfNull(reasons);
        Target = target;
        Reasons = reasons;
    }

    /// <summary>The trunk or group asked for.</summary>
    public string? Target { get; }

    /// <summary>Why each trunk refused, by trunk name.</summary>
    public IReadOnlyDictionary<string, SipTrunkRefusal> Reasons { get; }

    /// <summary>The reason when all trunks agree, else the first trunk's.</summary>
    public SipTrunkRefusal Reason => Reasons.Count == 0 ? SipTrunkRefusal.NoHealthyTrunk : Reasons.Values.First();
}

/// <summary>A snapshot of a trunk.</summary>
/// <param name="Name">The trunk's name.</param>
/// <param name="Mode">How it connects.</param>
/// <param name="IsHealthy">At least one proxy (or the registered peer) answers OPTIONS, or health checks are off.</param>
/// <param name="IsAvailable">Healthy, and registered when the mode needs it: calls may go out.</param>
/// <param name="ActiveCalls">Calls up or being set up, both directions.</param>
/// <param name="CallsPerSecond">Outbound calls started during the last second.</param>
/// <param name="Registration">The registration state (<see cref="SipTrunkMode.Register"/>), whether the peer is registered
/// (<see cref="SipTrunkMode.AcceptRegistration"/>: Registered or Unregistered), or null for IP peers.</param>
/// <param name="Proxies">Each proxy's health.</param>
public sealed record SipTrunkStatus(
    string Name,
    SipTrunkMode Mode,
    bool IsHealthy,
    bool IsAvailable,
    int ActiveCalls,
    int CallsPerSecond,
    Registrar.SipRegistrationState? Registration,
    IReadOnlyList<SipTrunkProxyStatus> Proxies);

/// <summary>The health of one proxy of a trunk.</summary>
/// <param name="Address">The proxy as configured (or the registered peer's address).</param>
/// <param name="EndPoint">The resolved address; null when it did not resolve.</param>
/// <param name="IsUp">Whether calls may go there.</param>
/// <param name="ConsecutiveFailures">Probes in a row without answer.</param>
/// <param name="LastProbeStatus">The status of the last probe answer, 408 for a timeout; null before the first.</param>
public sealed record SipTrunkProxyStatus(string Address, IPEndPoint? EndPoint, bool IsUp, int ConsecutiveFailures, int? LastProbeStatus);
