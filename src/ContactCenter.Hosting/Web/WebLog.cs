using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Web;

/// <summary>Log messages of the web API, event stream and webhooks (event ids 9300-9399). Keys and secrets are never logged.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 9300, Level = LogLevel.Warning, Message = "Rejected a request to {Path}: the API key is not valid")]
    public static partial void BadApiKey(ILogger logger, string path);

    [LoggerMessage(EventId = 9301, Level = LogLevel.Information, Message = "Recording {RecordingId} downloaded by API key '{KeyName}'")]
    public static partial void RecordingDownloaded(ILogger logger, Guid recordingId, string keyName);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Warning, Message = "API key '{KeyName}' exceeded its rate limit on {Path}")]
    public static partial void RateLimited(ILogger logger, string keyName, string path);

    [LoggerMessage(EventId = 9310, Level = LogLevel.Information, Message = "Event stream opened by API key '{KeyName}'")]
    public static partial void StreamOpened(ILogger logger, string keyName);

    [LoggerMessage(EventId = 9311, Level = LogLevel.Information, Message = "Event stream of API key '{KeyName}' closed after {Events} events ({Dropped} dropped because the client fell behind)")]
    public static partial void StreamClosed(ILogger logger, string keyName, long events, long dropped);

    [LoggerMessage(EventId = 9320, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} ({EventType}) delivered to {Url} at attempt {Attempt}")]
    public static partial void WebhookDelivered(ILogger logger, Guid deliveryId, string eventType, string url, int attempt);

    [LoggerMessage(EventId = 9321, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} ({EventType}) to {Url} failed at attempt {Attempt}: {Error}; next attempt at {NextAttempt:O}")]
    public static partial void WebhookFailed(ILogger logger, Guid deliveryId, string eventType, string url, int attempt, string error, DateTimeOffset nextAttempt);

    [LoggerMessage(EventId = 9322, Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} ({EventType}) to {Url} is a dead letter after {Attempt} attempts: {Error}; it is kept and retried every {RetryInterval}")]
    public static partial void WebhookDeadLetter(ILogger logger, Guid deliveryId, string eventType, string url, int attempt, string error, TimeSpan retryInterval);

    [LoggerMessage(EventId = 9323, Level = LogLevel.Error, Message = "The webhook dispatcher could not reach the delivery store; it retries in {Delay}")]
    public static partial void WebhookStoreFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 9324, Level = LogLevel.Warning, Message = "The webhook dispatcher fell behind and lost {Dropped} events before they were stored")]
    public static partial void WebhookEventsDropped(ILogger logger, long dropped);
}
