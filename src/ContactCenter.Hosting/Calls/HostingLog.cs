using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Calls;

/// <summary>Log events of the running contact center (6000-6099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(6000, LogLevel.Information, "Contact center started: SIP on {Endpoints}; {Numbers} numbers, {Queues} queues, {Agents} agents")]
    public static partial void Started(ILogger logger, string endpoints, int numbers, int queues, int agents);

    [LoggerMessage(6001, LogLevel.Information, "Draining: {Calls} calls in progress may continue for up to {Timeout}; new calls get 503")]
    public static partial void Draining(ILogger logger, int calls, TimeSpan timeout);

    [LoggerMessage(6002, LogLevel.Information, "Contact center stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(6003, LogLevel.Warning, "{Count} call tasks were still running at shutdown")]
    public static partial void CallsStillRunning(ILogger logger, int count);

    [LoggerMessage(6004, LogLevel.Error, "A background task of the contact center failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(6005, LogLevel.Information, "Flow {FlowId} version {Version} published from {File} and made live")]
    public static partial void FlowPublished(ILogger logger, string flowId, int version, string file);

    [LoggerMessage(6006, LogLevel.Debug, "SIP {Direction} {Protocol} {Remote}: {Message}")]
    public static partial void SipMessage(ILogger logger, string direction, string protocol, string remote, string message);

    [LoggerMessage(6010, LogLevel.Information, "Call {CallId} from {From} to {To} refused with {Status}: {Reason}")]
    public static partial void CallRefused(ILogger logger, string callId, string from, string to, int status, string reason);

    [LoggerMessage(6011, LogLevel.Information, "Call {CallId} from {From} to {To} started (flow {Flow})")]
    public static partial void CallStarted(ILogger logger, Guid callId, string from, string to, string flow);

    [LoggerMessage(6012, LogLevel.Information, "Call {CallId} ended: {Status}, hung up by {Party}")]
    public static partial void CallEnded(ILogger logger, Guid callId, string status, string party);

    [LoggerMessage(6013, LogLevel.Error, "Call {CallId} failed")]
    public static partial void CallFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(6014, LogLevel.Information, "Call {CallId}: ringing agent {AgentId} at {Target}")]
    public static partial void RingingAgent(ILogger logger, Guid callId, string agentId, string target);

    [LoggerMessage(6015, LogLevel.Warning, "Call {CallId}: agent {AgentId} cannot be reached: {Reason}")]
    public static partial void AgentUnreachable(ILogger logger, Guid callId, string agentId, string reason);

    [LoggerMessage(6016, LogLevel.Information, "Call {CallId}: agent {AgentId} answered; caller connected")]
    public static partial void AgentConnected(ILogger logger, Guid callId, string agentId);

    [LoggerMessage(6017, LogLevel.Error, "Call {CallId}: the call record could not be written")]
    public static partial void RecordFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(6018, LogLevel.Warning, "Call {CallId}: announcement could not be synthesized")]
    public static partial void AnnouncementFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(6019, LogLevel.Error, "Call {CallId}: no trunk can take a call to {Number}: {Reason}")]
    public static partial void NoTrunk(ILogger logger, Guid callId, string number, string reason);

    [LoggerMessage(6020, LogLevel.Error, "Campaign {CampaignId} call {CallId}: agentless flow {Flow} cannot run: {Problem}; the call is ended")]
    public static partial void AgentlessFlowUnavailable(ILogger logger, Guid campaignId, Guid callId, string flow, string problem);

    [LoggerMessage(6021, LogLevel.Warning, "Stored {Kind} {Id} was not applied: {Problem}")]
    public static partial void StoredEntrySkipped(ILogger logger, string kind, string id, string problem);

    [LoggerMessage(6022, LogLevel.Information, "Campaign {CampaignId} call {CallId}: the customer answered; flow {Flow} runs")]
    public static partial void AgentlessFlowStarted(ILogger logger, Guid campaignId, Guid callId, string flow);

    [LoggerMessage(6023, LogLevel.Information, "Campaign call {CallId}: answering-machine detection says {Verdict} ({Reason}, {Words} words, {Speech} ms of speech, after {Analysed} ms); reported as {Reported}")]
    public static partial void MachineDetected(ILogger logger, Guid callId, string verdict, string reason, int words, long speech, long analysed, string reported);

    [LoggerMessage(6024, LogLevel.Warning, "Campaign call {CallId}: answering-machine detection reached no verdict ({Problem})")]
    public static partial void MachineDetectionUnavailable(ILogger logger, Guid callId, string problem);

    [LoggerMessage(6025, LogLevel.Information, "Campaign call {CallId}: a {Duration} ms message was left on the answering machine ({Waited} ms after the detection)")]
    public static partial void MachineMessageLeft(ILogger logger, Guid callId, long duration, long waited);

    [LoggerMessage(6026, LogLevel.Warning, "Campaign call {CallId}: the answering-machine message ({Length} characters) cannot be played; the call is hung up without it")]
    public static partial void MachineMessageUnavailable(ILogger logger, Guid callId, int length);
}
