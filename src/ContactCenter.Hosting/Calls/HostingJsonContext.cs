using System.Text.Json.Serialization;

namespace ContactCenter.Hosting.Calls;

/// <summary>Source-generated JSON for what the runtime stores (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<IvrTraceLine>))]
internal sealed partial class HostingJsonContext : JsonSerializerContext
{
}
