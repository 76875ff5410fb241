namespace ContactCenter.Ivr;

/// <summary>The JSON Schema (draft 2020-12) of the flow format, for editors and external tooling.</summary>
public static class FlowSchema
{
    /// <summary>The resource name of the embedded schema.</summary>
    public const string ResourceName = "ContactCenter.Ivr.flow.schema.json";

    /// <summary>The schema text (also shipped in the package as <c>schema/flow.schema.json</c>).</summary>
    public static string Json { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(FlowSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
