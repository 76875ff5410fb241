using System.Text.Json;

namespace ContactCenter.Hosting.Events;

/// <summary>
/// The JSON document of a <see cref="ContactCenterEvent"/> as the Server-Sent Events stream, webhooks and the event log
/// carry it: <c>id</c>, <c>type</c>, <c>category</c> (lowercase), <c>time</c> and <c>data</c> (names as the
/// serializer options write them; camelCase with the web defaults).
/// </summary>
internal static class ContactCenterEventJson
{
    public static string Serialize(ContactCenterEvent @event, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(@event);
        return JsonSerializer.Serialize(
            new Document(@event.Id, @event.Type, @event.Category.ToString().ToLowerInvariant(), @event.Time, @event.Data), options);
    }

    private sealed record Document(Guid Id, string Type, string Category, DateTimeOffset Time, IReadOnlyDictionary<string, object?> Data);
}
