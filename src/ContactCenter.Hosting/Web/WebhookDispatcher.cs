using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContactCenter.Hosting.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Web;

/// <summary>
/// The signature of a webhook delivery. Each POST carries <c>X-ContactCenter-Timestamp</c> (Unix seconds) and
/// <c>X-ContactCenter-Signature: sha256=HEX</c>, the HMAC-SHA256 with the webhook's secret of
/// <c>TIMESTAMP + "." + BODY</c> (the raw body bytes). A receiver recomputes it, compares in constant time, and
/// refuses timestamps too far from its clock (replays).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header holding the signature.</summary>
    public const string SignatureHeader = "X-ContactCenter-Signature";

    /// <summary>The header holding the timestamp (Unix seconds) that is part of the signed text.</summary>
    public const string TimestampHeader = "X-ContactCenter-Timestamp";

    /// <summary>The header holding the event type.</summary>
    public const string EventHeader = "X-ContactCenter-Event";

    /// <summary>The header holding the delivery id (the same on every retry: use it to ignore duplicates).</summary>
    public const string DeliveryHeader = "X-ContactCenter-Delivery";

    /// <summary>The signature header value for <paramref name="body"/> sent at <paramref name="timestamp"/>: <c>sha256=HEX</c>.</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is the signature of <paramref name="body"/> at <paramref name="timestamp"/>, and the
    /// timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>. Compares in constant time.
    /// </summary>
    public static bool Verify(string secret, string? signature, long timestamp, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (signature is null || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>
/// Delivers events to the configured webhooks. Each event a webhook wants is first written to
/// <see cref="WebhookDeliveryStore"/> (one row per receiver), then POSTed; a receiver answering other than 2xx (or not
/// at all) is retried with exponential backoff (<see cref="WebOptions.WebhookInitialBackoff"/>, doubling, at most
/// <see cref="WebOptions.WebhookMaxBackoff"/>). After <see cref="WebOptions.WebhookMaxAttempts"/> the delivery becomes a
/// dead letter: kept, listed by the API, and still retried every <see cref="WebOptions.WebhookMaxBackoff"/>, so
/// nothing is lost while a receiver is down or the host restarts.
/// </summary>
internal sealed class WebhookDispatcher : BackgroundService
{
    /// <summary>The named HTTP client used for deliveries.</summary>
    public const string HttpClientName = "ContactCenter.Webhooks";

    private static readonly string[] DefaultEvents = [ContactCenterEventTypes.CallRecordWritten, ContactCenterEventTypes.RecordingReady];
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(5);

    private readonly ContactCenterEventHub _hub;
    private readonly WebhookDeliveryStore _store;
    private readonly IHttpClientFactory _http;
    private readonly WebOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JsonSerializerOptions _json;
    private readonly SemaphoreSlim _wake = new(0);
    private EventSubscription? _subscription;

    public WebhookDispatcher(
        ContactCenterEventHub hub, WebhookDeliveryStore store, IHttpClientFactory http, IOptions<WebOptions> options, TimeProvider time,
        ILogger<WebhookDispatcher> logger, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(json);
        _hub = hub;
        _store = store;
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _json = json.Value.SerializerOptions;
    }

    /// <summary>Wakes the delivery loop (a delivery was made due by hand).</summary>
    public void Wake() => _wake.Release();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe before the host reports started, so no event published after start-up is missed.
        if (_options.Webhooks.Count > 0)
        {
            _subscription = _hub.Subscribe(e => _options.Webhooks.Any(w => Wants(w, e.Type)), capacity: 65536);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _subscription?.Dispose();
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_subscription is null)
        {
            return;
        }

        var intake = Task.Run(() => IntakeAsync(_subscription, stoppingToken), CancellationToken.None);
        try
        {
            await DeliverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        try
        {
            await intake.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool Wants(WebhookOptions webhook, string type) =>
        (webhook.Events.Count == 0 ? DefaultEvents : (IEnumerable<string>)webhook.Events).Contains(type, StringComparer.Ordinal);

    private async Task IntakeAsync(EventSubscription subscription, CancellationToken cancellationToken)
    {
        long reportedDrops = 0;
        await foreach (var @event in subscription.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var payload = ContactCenterEventJson.Serialize(@event, _json);
            var now = _time.GetUtcNow();
            var deliveries = _options.Webhooks
                .Where(w => Wants(w, @event.Type))
                .Select(w => w.Url)
                .Distinct(StringComparer.Ordinal)
                .Select(url => new WebhookDelivery(Guid.CreateVersion7(now), url, @event.Id, @event.Type, payload, 0, now, false, null, now))
                .ToList();
            while (true)
            {
                try
                {
                    await _store.AddAsync(deliveries, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    WebLog.WebhookStoreFailed(_logger, ex, StoreRetryDelay);
                    await Task.Delay(StoreRetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            if (subscription.Dropped > reportedDrops)
            {
                WebLog.WebhookEventsDropped(_logger, subscription.Dropped - reportedDrops);
                reportedDrops = subscription.Dropped;
            }

            Wake();
        }
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            DateTimeOffset? nextAt = null;
            try
            {
                var due = await _store.DueAsync(_time.GetUtcNow(), 100, cancellationToken).ConfigureAwait(false);
                foreach (var delivery in due)
                {
                    if (await _store.TryClaimAsync(delivery, _time.GetUtcNow() + _options.WebhookTimeout + _options.WebhookTimeout, cancellationToken).ConfigureAwait(false))
                    {
                        await AttemptAsync(delivery, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (due.Count == 100)
                {
                    continue;
                }

                nextAt = await _store.NextDueAsync(cancellationToken).ConfigureAwait(false);
                wait = nextAt is { } at ? at - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
                if (nextAt is not null && wait <= TimeSpan.Zero)
                {
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                WebLog.WebhookStoreFailed(_logger, ex, StoreRetryDelay);
                wait = StoreRetryDelay;
            }

            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var woken = _wake.WaitAsync(stopWaiting.Token);
            var timer = Task.Delay(wait, _time, stopWaiting.Token);

            // The clock may have passed the due time between reading it and arming the timer.
            if (nextAt is null || _time.GetUtcNow() < nextAt)
            {
                await Task.WhenAny(woken, timer).ConfigureAwait(false);
            }

            await stopWaiting.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(woken, timer).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task AttemptAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var attempt = delivery.Attempts + 1;
        var webhook = _options.Webhooks.FirstOrDefault(w => string.Equals(w.Url, delivery.WebhookUrl, StringComparison.Ordinal));
        string error;
        if (webhook is null)
        {
            error = "the webhook is no longer configured (ContactCenter:Web:Webhooks); kept as a dead letter";
        }
        else
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.WebhookUrl) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(WebhookSignature.EventHeader, delivery.EventType);
            request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(webhook.Secret, timestamp, body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.WebhookTimeout);
            try
            {
                using var response = await _http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    await _store.DeleteAsync(delivery.Id, cancellationToken).ConfigureAwait(false);
                    WebLog.WebhookDelivered(_logger, delivery.Id, delivery.EventType, delivery.WebhookUrl, attempt);
                    return;
                }

                error = string.Create(CultureInfo.InvariantCulture, $"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"no answer within {_options.WebhookTimeout}";
            }
            catch (HttpRequestException ex)
            {
                error = ex.Message;
            }
        }

        var dead = webhook is null || attempt >= _options.WebhookMaxAttempts;
        var backoff = dead ? _options.WebhookMaxBackoff : Backoff(attempt);
        var next = _time.GetUtcNow() + backoff;
        await _store.RescheduleAsync(delivery.Id, attempt, next, dead, error, cancellationToken).ConfigureAwait(false);
        if (dead && !delivery.Dead)
        {
            WebLog.WebhookDeadLetter(_logger, delivery.Id, delivery.EventType, delivery.WebhookUrl, attempt, error, _options.WebhookMaxBackoff);
        }
        else
        {
            WebLog.WebhookFailed(_logger, delivery.Id, delivery.EventType, delivery.WebhookUrl, attempt, error, next);
        }
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: initial x 2^(attempt-1), at most the maximum.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(_options.WebhookInitialBackoff.Ticks * factor, _options.WebhookMaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
