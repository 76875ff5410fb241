using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ContactCenter.Ivr.Flows;

/// <summary>Canonical form and content hash of a flow document (whitespace and property order do not change the hash).</summary>
internal static class FlowContent
{
    public static string Canonicalize(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, element);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Hash(JsonElement element)
    {
        var canonical = Canonicalize(element);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string Hash(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Hash(document.RootElement);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
