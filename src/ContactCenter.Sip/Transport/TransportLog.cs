using System.Net;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Transport;

/// <summary>Log lines of the SIP transport layer (event ids 1100-1199).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(1100, LogLevel.Information, "SIP listening on {Address}")]
    public static partial void Listening(ILogger logger, SipListenAddress address);

    [LoggerMessage(1101, LogLevel.Debug, "SIP {Protocol} connection {ConnectionId} with {Remote} opened ({Direction})")]
    public static partial void ConnectionOpened(ILogger logger, SipTransportProtocol protocol, long connectionId, IPEndPoint remote, string direction);

    [LoggerMessage(1102, LogLevel.Debug, "SIP {Protocol} connection {ConnectionId} with {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, SipTransportProtocol protocol, long connectionId, IPEndPoint remote, string reason);

    [LoggerMessage(1103, LogLevel.Warning, "SIP connection from {Remote} refused: {Count} connections are open, the limit")]
    public static partial void ConnectionLimit(ILogger logger, IPEndPoint remote, int count);

    [LoggerMessage(1104, LogLevel.Information, "Malformed SIP message from {Protocol}:{Remote}: {Error}")]
    public static partial void Malformed(ILogger logger, SipTransportProtocol protocol, IPEndPoint remote, SipParseError error);

    [LoggerMessage(1105, LogLevel.Error, "SIP message handler failed for a message from {Remote}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, IPEndPoint remote);

    [LoggerMessage(1106, LogLevel.Warning, "SIP {Protocol} receive loop on {Local} ended: {Reason}")]
    public static partial void ReceiveLoopEnded(ILogger logger, SipTransportProtocol protocol, IPEndPoint local, string reason);

    [LoggerMessage(1107, LogLevel.Debug, "SIP send to {Protocol}:{Remote} failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, SipTransportProtocol protocol, IPEndPoint remote, string reason);
}
