using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Web;
using ContactCenter.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace ContactCenter.Hosting.Tests.Web;

public sealed class EventsAndWebhooksTests
{
    private const string Secret = "webhook-secret-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_event_stream_sends_published_events_that_pass_its_filter_and_heartbeats()
    {
        await using var host = await WebTestHost.StartAsync(o => o.EventStreamHeartbeat = TimeSpan.FromSeconds(15));
        using var client = host.Client(WebTestHost.SupervisorKey);
        using var response = await client.GetAsync("/api/v1/events?category=agent,queue&queue=sales", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync().WaitAsync(Patience));

        var now = host.Time.GetUtcNow();
        host.Hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, now, Data(("callId", "c1"))));
        host.Hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.QueueStatistics, ContactCenterEventCategory.Queue, now, Data(("queue", "support"), ("waiting", 1))));
        var wanted = ContactCenterEvent.Create(ContactCenterEventTypes.QueueStatistics, ContactCenterEventCategory.Queue, now, Data(("queue", "sales"), ("waiting", 3)));
        host.Hub.Publish(wanted);

        var frame = await ReadFrameAsync(reader);
        Assert.Equal(wanted.Id.ToString(), frame["id"]);
        Assert.Equal("queue.statistics", frame["event"]);
        using (var data = JsonDocument.Parse(frame["data"]))
        {
            Assert.Equal(3, data.RootElement.GetProperty("data").GetProperty("waiting").GetInt32());
            Assert.Equal("queue", data.RootElement.GetProperty("category").GetString());
        }

        host.Time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(": heartbeat", await ReadNonEmptyLineAsync(reader));
    }

    [Fact]
    public async Task An_open_event_stream_ends_when_the_host_begins_stopping_and_does_not_hold_up_the_shutdown()
    {
        await using var host = await WebTestHost.StartAsync();
        using var client = host.Client(WebTestHost.SupervisorKey);
        using var response = await client.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync().WaitAsync(Patience));

        // Kestrel waits for requests in progress until the host's shutdown timeout (30 s): an endless stream would spend
        // it all before the contact center's drain begins.
        var stopping = Stopwatch.StartNew();
        await host.App.StopAsync().WaitAsync(Patience);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
        while (await reader.ReadLineAsync().WaitAsync(Patience) is not null)
        {
        }
    }

    [Fact]
    public async Task The_event_stream_refuses_an_unknown_category_and_a_key_outside_the_headers()
    {
        await using var host = await WebTestHost.StartAsync();
        using var bad = await host.Client(WebTestHost.SupervisorKey).GetAsync("/api/v1/events?category=weather");
        using var anonymous = await host.Client(null).GetAsync("/api/v1/events");
        using var keyInUrl = await host.Client(null).GetAsync($"/api/v1/events?key={WebTestHost.SupervisorKey}");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("weather", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, keyInUrl.StatusCode);
    }

    [Fact]
    public async Task A_webhook_is_delivered_with_a_valid_signature()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var host = await WebTestHost.StartAsync(o => o.Webhooks = [new() { Url = receiver.Url, Secret = Secret }]);
        var record = ContactCenterEvent.Create(ContactCenterEventTypes.CallRecordWritten, ContactCenterEventCategory.Call, host.Time.GetUtcNow(), Data(("callId", "c1"), ("status", "NormalEnd")));
        host.Hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, host.Time.GetUtcNow(), Data(("callId", "c1"))));
        host.Hub.Publish(record);

        var delivery = await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        Assert.Equal("call.record_written", delivery.Headers[WebhookSignature.EventHeader]);
        var timestamp = long.Parse(delivery.Headers[WebhookSignature.TimestampHeader], CultureInfo.InvariantCulture);
        Assert.Equal(host.Time.GetUtcNow().ToUnixTimeSeconds(), timestamp);
        Assert.True(WebhookSignature.Verify(Secret, delivery.Headers[WebhookSignature.SignatureHeader], timestamp, delivery.Body, host.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("another-secret-0123456789", delivery.Headers[WebhookSignature.SignatureHeader], timestamp, delivery.Body, host.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal(record.Id, body.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("NormalEnd", body.RootElement.GetProperty("data").GetProperty("status").GetString());
        await host.Logs.WaitForAsync(e => e.EventId == 9320, Patience);
        Assert.Empty(await host.App.Services.GetRequiredService<WebhookDeliveryStore>().ListAsync(null, 10, default));
        Assert.False(receiver.Requests.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_until_it_recovers()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Status = 500;
        await using var host = await WebTestHost.StartAsync(o =>
        {
            o.Webhooks = [new() { Url = receiver.Url, Secret = Secret, Events = ["recording.ready"] }];
            o.WebhookInitialBackoff = TimeSpan.FromSeconds(2);
        });
        host.Hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.RecordingReady, ContactCenterEventCategory.Recording, host.Time.GetUtcNow(), Data(("recordingId", "r1"))));

        var first = await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        var store = host.App.Services.GetRequiredService<WebhookDeliveryStore>();
        await host.Logs.WaitForAsync(e => e.EventId == 9321 && e.Message.Contains("attempt 1", StringComparison.Ordinal), Patience);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        await host.Logs.WaitForAsync(e => e.EventId == 9321 && e.Message.Contains("attempt 2", StringComparison.Ordinal), Patience);
        var pending = Assert.Single(await store.ListAsync(null, 10, default));
        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromSeconds(4), pending.NextAttemptAt);
        Assert.Contains("500", pending.LastError, StringComparison.Ordinal);

        receiver.Status = 204;
        host.Time.Advance(TimeSpan.FromSeconds(4));
        var third = await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        await host.Logs.WaitForAsync(e => e.EventId == 9320, Patience);

        Assert.Empty(await store.ListAsync(null, 10, default));
        Assert.Equal(first.Headers[WebhookSignature.DeliveryHeader], third.Headers[WebhookSignature.DeliveryHeader]);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Body, third.Body);
        Assert.Contains(host.Logs.Entries, e => e.EventId == 9320 && e.Message.Contains("attempt 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dead_letters_survive_a_restart_and_are_delivered_when_the_receiver_is_back()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Status = 503;
        var directory = Path.Combine(Path.GetTempPath(), "cc-web-" + Guid.NewGuid().ToString("N"));
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        void Configure(WebOptions o)
        {
            o.Webhooks = [new() { Url = receiver.Url, Secret = Secret }];
            o.WebhookMaxAttempts = 1;
            o.WebhookMaxBackoff = TimeSpan.FromMinutes(10);
        }

        Guid deliveryId;
        await using (var host = await WebTestHost.StartAsync(Configure, directory, time))
        {
            host.Hub.Publish(ContactCenterEvent.Create(ContactCenterEventTypes.CallRecordWritten, ContactCenterEventCategory.Call, time.GetUtcNow(), Data(("callId", "c9"))));
            await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            var store = host.App.Services.GetRequiredService<WebhookDeliveryStore>();
            await host.Logs.WaitForAsync(e => e.EventId == 9322, Patience);
            deliveryId = (await store.ListAsync(dead: true, 10, default))[0].Id;
            using var listed = await host.Client(WebTestHost.AdminKey).GetAsync("/api/v1/webhooks/deliveries?dead=true");
            Assert.Contains(deliveryId.ToString(), await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        receiver.Status = 200;
        await using (var host = await WebTestHost.StartAsync(Configure, directory, time))
        {
            var store = host.App.Services.GetRequiredService<WebhookDeliveryStore>();
            Assert.Equal(deliveryId, Assert.Single(await store.ListAsync(dead: true, 10, default)).Id);
            using var retried = await host.Client(WebTestHost.AdminKey).PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/retry", null);
            Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);

            var delivered = await receiver.Requests.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(deliveryId.ToString(), delivered.Headers[WebhookSignature.DeliveryHeader]);
            await host.Logs.WaitForAsync(e => e.EventId == 9320, Patience);
            Assert.Empty(await store.ListAsync(null, 10, default));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static Dictionary<string, object?> Data(params (string Key, object? Value)[] fields) => fields.ToDictionary(f => f.Key, f => f.Value);

    private static async Task<Dictionary<string, string>> ReadFrameAsync(StreamReader reader)
    {
        var frame = new Dictionary<string, string>();
        while (true)
        {
            var line = await reader.ReadLineAsync().WaitAsync(Patience) ?? throw new EndOfStreamException();
            if (line.Length == 0 && frame.ContainsKey("event"))
            {
                return frame;
            }

            if (line.Length > 0 && line[0] != ':')
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                frame[line[..colon]] = line[(colon + 1)..].TrimStart();
            }
        }
    }

    private static async Task<string> ReadNonEmptyLineAsync(StreamReader reader)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync().WaitAsync(Patience) ?? throw new EndOfStreamException();
            if (line.Length > 0)
            {
                return line;
            }
        }
    }

    /// <summary>A webhook receiver on a real Kestrel: answers <see cref="Status"/> and records every request.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public volatile int Status = 200;

        public Channel<(Dictionary<string, string> Headers, byte[] Body)> Requests { get; } = Channel.CreateUnbounded<(Dictionary<string, string>, byte[])>();

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            Receiver? receiver = null;
            app.MapPost("/hook", async (HttpContext http) =>
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer);
                var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                var status = receiver!.Status;
                await receiver.Requests.Writer.WriteAsync((headers, buffer.ToArray()));
                return Results.StatusCode(status);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver = new Receiver(app, address + "/hook");
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
