using ContactCenter.Hosting.Storage;
using ContactCenter.Hosting.Web;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.Hosting;

/// <summary>
/// Everything a running contact center is made of, bound from the <c>ContactCenter</c> configuration section and
/// validated at start-up (an error names the key, for example <c>ContactCenter:Agents:2:Extension</c>).
/// </summary>
public sealed class ContactCenterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "ContactCenter";

    /// <summary>SIP listeners and the registrar for agent extensions.</summary>
    public SipHostOptions Sip { get; set; } = new();

    /// <summary>RTP addresses, ports and media behaviour.</summary>
    public MediaHostOptions Media { get; set; } = new();

    /// <summary>Called numbers and the flows they run.</summary>
    public List<NumberOptions> Numbers { get; set; } = [];

    /// <summary>Where flows and prompts come from.</summary>
    public FlowHostOptions Flows { get; set; } = new();

    /// <summary>The ACD queues.</summary>
    public List<QueueOptions> Queues { get; set; } = [];

    /// <summary>The agents.</summary>
    public List<AgentOptions> Agents { get; set; } = [];

    /// <summary>Call recording.</summary>
    public RecordingHostOptions Recording { get; set; } = new();

    /// <summary>What a queued caller hears.</summary>
    public HoldOptions Hold { get; set; } = new();

    /// <summary>Carrier trunks (ContactCenter.Sip <see cref="SipTrunkOptions"/>: mode, proxies, limits, caller-ID rules, health checks).</summary>
    public List<SipTrunkOptions> Trunks { get; set; } = [];

    /// <summary>Trunk groups that fail over to the next healthy trunk.</summary>
    public List<SipTrunkGroupOptions> TrunkGroups { get; set; } = [];

    /// <summary>The trunk or group outbound calls use (null: the first group, else the first trunk).</summary>
    public string? OutboundTrunk { get; set; }

    /// <summary>Refuse (403) calls from sources no trunk recognizes. Off by default so softphones on the network can call the numbers.</summary>
    public bool RejectUnknownSources { get; set; }

    /// <summary>Where a prompt or music file is read from: a relative path is taken from <c>Flows:PromptDirectory</c> when set.</summary>
    internal string PromptPath(string file) =>
        Path.IsPathRooted(file) || Flows.PromptDirectory is null ? file : Path.Combine(Flows.PromptDirectory, file);

    internal string? EffectiveOutboundTrunk => OutboundTrunk ?? (TrunkGroups.Count > 0 ? TrunkGroups[0].Name : Trunks.Count > 0 ? Trunks[0].Name : null);

    internal SipTrunkManagerOptions TrunkManagerOptions()
    {
        var options = new SipTrunkManagerOptions { RejectUnknownSources = RejectUnknownSources };
        foreach (var trunk in Trunks)
        {
            options.Trunks.Add(trunk);
        }

        foreach (var group in TrunkGroups)
        {
            options.Groups.Add(group);
        }

        return options;
    }

    /// <summary>Numbers that bypass IVR and queues and go straight to <see cref="EmergencyDestination"/> (null: 911, 112 and 999).</summary>
    public List<string>? EmergencyNumbers { get; set; }

    internal IReadOnlyList<string> EffectiveEmergencyNumbers => EmergencyNumbers ?? ["911", "112", "999"];

    /// <summary>
    /// Where emergency calls go: a SIP URI with an IP address (for example the emergency gateway,
    /// <c>sip:911@192.0.2.10:5060</c>), or <c>trunk:NAME</c> (the number the caller dialled, through that trunk or trunk
    /// group). Checked at start-up. Emergency calls are admitted before every limit: drain, call caps, trunk screening,
    /// overload shedding and the blocklist.
    /// </summary>
    public string? EmergencyDestination { get; set; }

    /// <summary>Caller numbers refused with 603 Decline (compared digits only).</summary>
    public List<string> Blocklist { get; set; } = [];

    /// <summary>
    /// At shutdown, new calls get 503 and the calls in progress may continue this long (default 15 s); those still up
    /// then are hung up by the system. Stopping then takes up to 15 s more: 5 s for the answers to those BYEs and 10 s
    /// for the calls to finish (call records written, recordings closed). <see cref="ContactCenterServiceCollectionExtensions.AddContactCenter(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
    /// raises the host's <see cref="Microsoft.Extensions.Hosting.HostOptions.ShutdownTimeout"/> (30 s by default) to
    /// this plus 15 s when it is shorter, so the default fits in it. Whatever stops the process must wait as long:
    /// Kubernetes' <c>terminationGracePeriodSeconds</c> (30 s by default), <c>docker stop -t</c> (10 s by default),
    /// systemd's <c>TimeoutStopSec</c>.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most concurrent calls the host accepts; more get 503.</summary>
    public int MaxConcurrentCalls { get; set; } = 5000;

    /// <summary>
    /// How long a call-control transfer to a number or an agent rings before it counts as not answered (default 30 s).
    /// Until the target answers the caller stays on hold with the transferring agent; when the transfer fails the
    /// caller goes back to that agent, or into the queue again when the agent has hung up meanwhile.
    /// </summary>
    public TimeSpan TransferRingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Outbound campaigns.</summary>
    public DialerHostOptions Dialer { get; set; } = new();

    /// <summary>Storage (section <c>ContactCenter:Storage</c>).</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Web API, events, webhooks and dashboard (section <c>ContactCenter:Web</c>).</summary>
    public WebOptions Web { get; set; } = new();
}

/// <summary>SIP settings.</summary>
public sealed class SipHostOptions
{
    internal IReadOnlyList<string> EffectiveListen => Listen.Count > 0 ? Listen : ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"];

    internal IReadOnlyList<string> EffectiveDigestAlgorithms => DigestAlgorithms.Count > 0 ? DigestAlgorithms : ["SHA-256", "MD5"];

    /// <summary>Listen addresses such as <c>udp:127.0.0.1:5060</c>, <c>tcp:127.0.0.1:5060</c>, <c>tls:0.0.0.0:5061</c> (empty: UDP and TCP on 127.0.0.1:5060).</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>The host written in Contact and Via when it differs from the listen address (NAT, containers).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The digest realm of the registrar.</summary>
    public string Realm { get; set; } = "contactcenter";

    /// <summary>Whether extensions must authenticate (REGISTER and calls from extensions). Off only on a closed lab network.</summary>
    public bool AuthenticateExtensions { get; set; } = true;

    /// <summary>Digest algorithms offered, in order (empty: <c>SHA-256</c> then <c>MD5</c>). Some phones give up at the first they cannot compute: list MD5 alone for them.</summary>
    public List<string> DigestAlgorithms { get; set; } = [];

    /// <summary>Log each SIP message in one line (debug level).</summary>
    public bool TraceMessages { get; set; }
}

/// <summary>Media settings.</summary>
public sealed class MediaHostOptions
{
    internal IReadOnlyList<string> EffectiveDtmf => Dtmf.Count > 0 ? Dtmf : ["rfc4733", "info"];

    /// <summary>The address RTP sockets bind to.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The address written in SDP when it differs from <see cref="Address"/>.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The first RTP port (even).</summary>
    public int RtpPortMin { get; set; } = 20000;

    /// <summary>The last RTP port.</summary>
    public int RtpPortMax { get; set; } = 39999;

    /// <summary>A call whose RTP stops this long is hung up (zero disables).</summary>
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>DTMF methods accepted: <c>rfc4733</c>, <c>info</c>, <c>inband</c> (empty: rfc4733 and info).</summary>
    public List<string> Dtmf { get; set; } = [];

    /// <summary>
    /// Read received RTP on the media clock just before playout instead of as it arrives (default true): about half
    /// the receive cost at hundreds of calls, for up to one ptime more delay on relayed audio and RTCP jitter
    /// measured to the tick (see <c>RtpSessionOptions.ReceiveOnClockTick</c>). False reads each packet as it arrives.
    /// </summary>
    public bool ReceiveOnClockTick { get; set; } = true;

    /// <summary>
    /// Run the media clock's threads under Linux real-time round-robin scheduling at this priority, 1-99 (default 0:
    /// off). Other work on the machine then cannot delay the audio; needs CAP_SYS_NICE (a warning is logged and
    /// ordinary priority kept without it). See <c>MediaClock.RealtimePriority</c> before turning it on: on a machine
    /// near saturation it starves SIP signalling (benchmarks/RESULTS.md: at 200 calls/s on 2 cores most callers timed out).
    /// </summary>
    public int ClockRealtimePriority { get; set; }

    /// <summary>
    /// The nice value of the media clock's threads on Linux, -20 to 19 (default -10). With calls using most of the
    /// cores, the audio then keeps its 20 ms pace while call set-up, storage and the API share what is left, instead
    /// of every thread slowing alike (benchmarks/RESULTS.md: at 200 calls/s on 2 cores, greeting and music frames sent
    /// on time went from 51-77 % with 0 to 95-96 % with -10, with signalling still on time). Unlike <see cref="ClockRealtimePriority"/>
    /// it cannot starve the signalling: the scheduler shares the cores by weight. A negative value needs CAP_SYS_NICE
    /// (or root, or an RLIMIT_NICE allowance); without it the clock logs that once per thread (event 5009) and runs
    /// at the process's priority. 0 leaves the threads at the process's.
    /// </summary>
    public int ClockNice { get; set; } = -10;

    /// <summary>
    /// Refuse new calls with 503 (Retry-After: 5) while the media clock skipped more than this many 10 ms ticks
    /// (summed over its threads) in the last second (default 0: never). The calls in progress then keep their audio and
    /// the signalling its pace instead of every call degrading as more pile up. Emergency numbers are still answered.
    /// On 2 threads, 100 means the clock lost about half of each thread's second.
    /// </summary>
    public int ShedAboveSkippedTicksPerSecond { get; set; }

    /// <summary>
    /// How many threads the media clock spreads the calls over (default 0: the clock's default, the processor count;
    /// see <c>MediaClock.Parallelism</c>). Up to 256. More threads than cores starve the signalling of a busy host
    /// (benchmarks/RESULTS.md: at 200 calls/s on 2 cores, 4 threads left 2,489 of 12,000 callers without an agent,
    /// 2 threads none).
    /// </summary>
    public int ClockThreads { get; set; }
}

/// <summary>A called number bound to a flow.</summary>
public sealed class NumberOptions
{
    /// <summary>The number, E.164 recommended (<c>+18005550100</c>).</summary>
    public string Number { get; set; } = "";

    /// <summary>The flow reference: <c>main-menu@live</c> or <c>main-menu@3</c>; a bare id means <c>@live</c>.</summary>
    public string Flow { get; set; } = "";

    /// <summary>The most concurrent calls on this number (486 beyond); null for no cap of its own.</summary>
    public int? MaxConcurrentCalls { get; set; }
}

/// <summary>Flows and prompts.</summary>
public sealed class FlowHostOptions
{
    /// <summary>
    /// A folder of flow JSON files published at start-up, with the sub-flows they call in its <c>subflows</c> folder (a
    /// changed file becomes a new version and moves the <c>live</c> alias).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Where prompt WAV files named in flows are looked up.</summary>
    public string? PromptDirectory { get; set; }

    /// <summary>Speak <c>text</c> prompts with espeak-ng (cached as WAV under the data folder).</summary>
    public bool TextToSpeech { get; set; } = true;

    /// <summary>The espeak-ng voice.</summary>
    public string Voice { get; set; } = "en-us";

    /// <summary>URL prefixes of flow HTTP nodes sent elsewhere (for example a CRM to a local stub); the longest match wins.</summary>
    public List<HttpRewriteOptions> HttpRewrites { get; set; } = [];
}

/// <summary>One URL rewrite for flow HTTP nodes (a list, because configuration keys cannot hold a URL's colons).</summary>
public sealed class HttpRewriteOptions
{
    /// <summary>The prefix as the flow writes it, for example <c>https://crm.example.com/</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>What replaces it, for example <c>http://127.0.0.1:8080/stubs/crm/</c>.</summary>
    public string To { get; set; } = "";
}

/// <summary>An ACD queue.</summary>
public sealed class QueueOptions
{
    /// <summary>The queue name, as flows name it.</summary>
    public string Name { get; set; } = "";

    /// <summary>The routing strategy (<c>longest-idle</c>, <c>round-robin</c>, <c>ring-all</c>, ...).</summary>
    public string Strategy { get; set; } = "longest-idle";

    /// <summary>Skills required of agents, with the minimum level.</summary>
    public Dictionary<string, int> Skills { get; set; } = [];

    /// <summary>The queue's priority among an agent's queues.</summary>
    public int Priority { get; set; }

    /// <summary>Service-level threshold.</summary>
    public TimeSpan ServiceLevelThreshold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long an agent's phone rings before the call goes back to the queue (ring no answer).</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Wrap-up after each call.</summary>
    public TimeSpan WrapUp { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a caller waits before the flow's overflow branch; null for no limit.</summary>
    public TimeSpan? MaxWait { get; set; }

    /// <summary>The most callers waiting; more are refused (the flow's overflow branch). Null for no limit.</summary>
    public int? MaxSize { get; set; }
}

/// <summary>An agent.</summary>
public sealed class AgentOptions
{
    /// <summary>The agent id.</summary>
    public string Id { get; set; } = "";

    /// <summary>The display name.</summary>
    public string? Name { get; set; }

    /// <summary>The SIP extension (4 to 6 digits) the agent's phone registers as.</summary>
    public string? Extension { get; set; }

    /// <summary>The extension's SIP password.</summary>
    public string? Password { get; set; }

    /// <summary>Skills and levels (1-100).</summary>
    public Dictionary<string, int> Skills { get; set; } = [];

    /// <summary>Queues the agent is a member of (besides those matched by skills).</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Log the agent in (Ready) when the extension registers, out when the registration ends.</summary>
    public bool LogInWhenRegistered { get; set; } = true;
}

/// <summary>Call recording.</summary>
public sealed class RecordingHostOptions
{
    /// <summary>Record calls with agents (two channels: caller left, agent right).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>What queued callers hear.</summary>
public sealed class HoldOptions
{
    /// <summary>
    /// A WAV file looped as hold music (a relative path is taken from <c>Flows:PromptDirectory</c> when set, as every
    /// prompt's); null plays a soft built-in tone pattern.
    /// </summary>
    public string? MusicFile { get; set; }

    /// <summary>How often the caller hears position and expected wait (zero: never).</summary>
    public TimeSpan AnnouncementInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Outbound campaign settings.</summary>
public sealed class DialerHostOptions
{
    /// <summary>The queue whose logged-in members take campaign calls (reserved by the dialer, NotReady "outbound" meanwhile).</summary>
    public string? AgentQueue { get; set; }

    /// <summary>
    /// After a connected campaign call ends, the agent has this long to submit a disposition (API); then
    /// <see cref="DefaultDisposition"/> closes the attempt and the agent is released to the pool.
    /// </summary>
    public TimeSpan DispositionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The final disposition code recorded when the agent gives none in time.</summary>
    public string DefaultDisposition { get; set; } = "completed";

    /// <summary>
    /// Answering-machine detection for campaign calls (section <c>ContactCenter:Dialer:AnsweringMachineDetection</c>);
    /// null (default) connects every answer without analysis. See <see cref="AnsweringMachineDetectionOptions"/>.
    /// </summary>
    public AnsweringMachineDetectionOptions? AnsweringMachineDetection { get; set; }
}
