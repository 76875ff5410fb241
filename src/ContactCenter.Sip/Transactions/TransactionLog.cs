using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Transactions;

/// <summary>Log lines of the SIP transaction layer (event ids 1200-1299).</summary>
internal static partial class TransactionLog
{
    [LoggerMessage(1200, LogLevel.Debug, "SIP {Method} transaction {Branch}: send failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, string method, string branch, string reason);

    [LoggerMessage(1201, LogLevel.Debug, "Stray SIP response {Status} for {Method} {Branch} dropped")]
    public static partial void StrayResponse(ILogger logger, int status, string method, string branch);

    [LoggerMessage(1202, LogLevel.Warning, "SIP transaction limit of {Limit} reached: {Method} from {Remote} answered 503")]
    public static partial void Overloaded(ILogger logger, int limit, string method, System.Net.IPEndPoint remote);

    [LoggerMessage(1203, LogLevel.Error, "SIP transaction user failed on {Method} {Branch}")]
    public static partial void UserFailed(ILogger logger, Exception exception, string method, string branch);
}
