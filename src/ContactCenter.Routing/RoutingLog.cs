using Microsoft.Extensions.Logging;

namespace ContactCenter.Routing;

/// <summary>The routing engine's log messages (source generated, stable event ids).</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Routing command {Command} refused: {Error} ({Detail})")]
    public static partial void CommandRefused(ILogger logger, string command, RoutingError error, string? detail);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Routing command {Command} failed unexpectedly")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "A routing event handler threw while handling {EventType}")]
    public static partial void HandlerFailed(ILogger logger, string eventType, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Routing engine started ({Dispatch} dispatch)")]
    public static partial void Started(ILogger logger, RoutingDispatch dispatch);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Routing engine stopped after {Decisions} decisions")]
    public static partial void Stopped(ILogger logger, long decisions);
}
