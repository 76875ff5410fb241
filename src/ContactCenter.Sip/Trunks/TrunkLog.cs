using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Trunks;

/// <summary>Log lines of the trunks (event ids 1400-1499). Credentials never appear.</summary>
internal static partial class TrunkLog
{
    [LoggerMessage(1400, LogLevel.Warning, "SIP trunk {Trunk}: proxy {Proxy} is down after {Failures} unanswered OPTIONS (last status {Status})")]
    public static partial void ProxyDown(ILogger logger, string trunk, string proxy, int failures, int status);

    [LoggerMessage(1401, LogLevel.Information, "SIP trunk {Trunk}: proxy {Proxy} is up")]
    public static partial void ProxyUp(ILogger logger, string trunk, string proxy);

    [LoggerMessage(1402, LogLevel.Warning, "SIP trunk {Trunk}: call to {Number} failed with {Status} ({EndReason}); failing over")]
    public static partial void FailingOver(ILogger logger, string trunk, string number, int? status, Calls.SipCallEndReason endReason);

    [LoggerMessage(1403, LogLevel.Information, "SIP call to {Number} through {Target} refused: {Reasons}")]
    public static partial void Refused(ILogger logger, string target, string number, string reasons);

    [LoggerMessage(1404, LogLevel.Information, "Incoming SIP call {CallId} from {Source} matches no trunk; refused with 403")]
    public static partial void UnknownSource(ILogger logger, string callId, string source);

    [LoggerMessage(1405, LogLevel.Warning, "SIP trunk {Trunk}: proxy host {Host} did not resolve: {Reason}")]
    public static partial void ResolveFailed(ILogger logger, string trunk, string host, string reason);

    [LoggerMessage(1406, LogLevel.Information, "SIP trunk {Trunk}: registration {State} (last status {Status})")]
    public static partial void RegistrationChanged(ILogger logger, string trunk, Registrar.SipRegistrationState state, int? status);

    [LoggerMessage(1407, LogLevel.Information, "Incoming SIP call {CallId} on trunk {Trunk} refused with 503: {Active} calls are up, the limit")]
    public static partial void IncomingLimit(ILogger logger, string callId, string trunk, int active);
}
