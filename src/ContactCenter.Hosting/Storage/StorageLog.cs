using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Storage;

/// <summary>Log messages of the storage layer (event ids 9100-9199).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "Storage {Provider} applied migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, string provider, int version, string name);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Storage {Provider} ready at schema version {Version} ({Location})")]
    public static partial void Ready(ILogger logger, string provider, int version, string location);

    [LoggerMessage(EventId = 9120, Level = LogLevel.Information, Message = "Event log writer stopped: {Written} events written, {Lost} lost")]
    public static partial void EventLogWriterStopped(ILogger logger, long written, long lost);

    [LoggerMessage(EventId = 9121, Level = LogLevel.Warning, Message = "Events not written to the event log since the last report: {QueueFull} dropped because the queue was full (ContactCenter:Storage:EventLog:QueueCapacity; the database fell behind), {Refused} refused ({Lost} lost in all)")]
    public static partial void EventsLost(ILogger logger, long queueFull, long refused, long lost, Exception? lastRefusal);

    [LoggerMessage(EventId = 9122, Level = LogLevel.Error, Message = "{Count} events could not be written to the event log; retrying in {Delay} (newer events wait in the queue)")]
    public static partial void EventLogWriteFailed(ILogger logger, int count, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 9123, Level = LogLevel.Warning, Message = "Shutdown ended before {Count} queued events were written to the event log")]
    public static partial void EventsNotWrittenAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 9110, Level = LogLevel.Information, Message = "Retention deleted {CallRecords} call records, {Events} events and {Recordings} recordings older than their limits")]
    public static partial void RetentionDeleted(ILogger logger, int callRecords, int events, int recordings);

    [LoggerMessage(EventId = 9111, Level = LogLevel.Warning, Message = "Retention could not delete the recording file {Path}; it stays indexed and is retried next run")]
    public static partial void RecordingFileNotDeleted(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 9112, Level = LogLevel.Error, Message = "Retention run failed; it runs again at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
