using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Calls;

/// <summary>Log lines of the calls layer (event ids 1300-1399).</summary>
internal static partial class CallLog
{
    [LoggerMessage(1300, LogLevel.Error, "SIP call {CallId}: the application's handler failed on {What}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string callId, string what);

    [LoggerMessage(1301, LogLevel.Debug, "SIP call {CallId}: {Method} could not be answered: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string callId, string method, string reason);
}
