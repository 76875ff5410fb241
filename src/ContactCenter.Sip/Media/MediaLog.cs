using System.Net;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Media;

/// <summary>Log messages of the media layer (event ids 5000-5099).</summary>
internal static partial class MediaLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning, Message = "Media clock fell behind and skipped {Ticks} ticks (reported at most once a second; media.clock.skipped_ticks counts them all); the garbage collector paused the process for {GcPauseMilliseconds} ms since the previous report")]
    public static partial void ClockSkipped(ILogger logger, long ticks, long gcPauseMilliseconds);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "A media clock subscriber failed")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "RTP session {Session} dropped a malformed packet from {Source}: {Reason}")]
    public static partial void MalformedPacket(ILogger logger, string session, IPEndPoint source, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "RTP session {Session} latched to {Source}")]
    public static partial void Latched(ILogger logger, string session, IPEndPoint source);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "RTP session {Session} received no media for {Timeout}")]
    public static partial void MediaTimedOut(ILogger logger, string session, TimeSpan timeout);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "RTP session {Session} receive loop ended: {Reason}")]
    public static partial void ReceiveLoopEnded(ILogger logger, string session, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "RTP session {Session} failed to send to {Destination}: {Error}")]
    public static partial void SendFailed(ILogger logger, string session, IPEndPoint destination, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "SRTP session {Session} dropped a packet: {Reason}")]
    public static partial void SrtpRejected(ILogger logger, string session, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Media clock thread keeps the process's nice value: {Nice} was refused (errno {Error}; a lower value needs CAP_SYS_NICE or an RLIMIT_NICE allowance)")]
    public static partial void NiceRefused(ILogger logger, int nice, int error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Media clock thread runs at ordinary priority: real-time priority {Priority} was refused (errno {Error}; it needs CAP_SYS_NICE or an RLIMIT_RTPRIO allowance)")]
    public static partial void RealtimePriorityRefused(ILogger logger, int priority, int error);
}
