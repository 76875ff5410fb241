using Microsoft.Extensions.Logging;

namespace ContactCenter.Ivr.Diagnostics;

/// <summary>Log messages of the interpreter (event ids 7000-7099).</summary>
internal static partial class IvrLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Debug, Message = "IVR session {SessionId} started in flow {FlowId}")]
    public static partial void SessionStarted(ILogger logger, Guid sessionId, string flowId);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "IVR session {SessionId} ended with {Outcome} after {Steps} steps")]
    public static partial void SessionEnded(ILogger logger, Guid sessionId, IvrOutcome outcome, int steps);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "IVR session {SessionId}: node {NodeId} failed: {Error}")]
    public static partial void NodeFailed(ILogger logger, Guid sessionId, string nodeId, string error);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "HTTP node {NodeId}: {Method} {Url} attempt {Attempt} failed: {Reason}")]
    public static partial void HttpRequestFailed(ILogger logger, string nodeId, string method, string url, int attempt, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "IVR session {SessionId}: caller hung up at node {NodeId}")]
    public static partial void CallerHungUp(ILogger logger, Guid sessionId, string nodeId);
}
