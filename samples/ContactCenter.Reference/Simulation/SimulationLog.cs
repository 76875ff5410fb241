using Microsoft.Extensions.Logging;

namespace ContactCenter.Reference.Simulation;

/// <summary>Log events of the reference simulation (9100-9199).</summary>
internal static partial class SimulationLog
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Warning, Message = "Speech synthesis is not available ({Reason}); simulated parties play tone sequences instead of spoken prompts.")]
    public static partial void SpeechUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Simulated agents: {Registered} of {Count} extensions registered to {Registrar} ({Extensions}).")]
    public static partial void AgentsRegistered(ILogger logger, int registered, int count, string registrar, string extensions);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Simulated agent {Extension}: registration to {Registrar} failed with status {Status}; retrying.")]
    public static partial void AgentRegistrationFailed(ILogger logger, string extension, string registrar, int? status);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Debug, Message = "Simulated agent {Extension} answered call {CallId} from {From} after {Delay} ms; attached data: {Data}.")]
    public static partial void AgentAnswered(ILogger logger, string extension, string callId, string from, long delay, string data);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "Simulated {Party}: call {CallId} failed: {Reason}")]
    public static partial void CallFailed(ILogger logger, string party, string callId, string reason);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Information, Message = "Simulated callers: calling {Target} at {Rate} calls per minute (at most {Max} at once).")]
    public static partial void CallersStarted(ILogger logger, string target, double rate, int max);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Information, Message = "Simulated carrier listening on {Address}: human {Human}, machine {Machine}, busy {Busy}, no answer {NoAnswer}.")]
    public static partial void CarrierStarted(ILogger logger, string address, double human, double machine, double busy, double noAnswer);

    [LoggerMessage(EventId = 9107, Level = LogLevel.Debug, Message = "Simulated caller: call {CallId} ended as {Outcome} ({Script}).")]
    public static partial void CallerEnded(ILogger logger, string callId, string outcome, string script);

    [LoggerMessage(EventId = 9108, Level = LogLevel.Warning, Message = "Console summary: the data source failed: {Reason}")]
    public static partial void SummarySourceFailed(ILogger logger, string reason);
}
