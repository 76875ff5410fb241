namespace ContactCenter.Ivr.Flows;

/// <summary>Builds JSON paths such as <c>$.nodes[2].transitions['1']</c>.</summary>
internal static class JsonPaths
{
    public static string Property(string parent, string name) =>
        Template.IsValidName(name) && !name.Contains('.', StringComparison.Ordinal)
            ? parent + "." + name
            : parent + "['" + name.Replace("'", "\\'", StringComparison.Ordinal) + "']";

    public static string Index(string parent, int index) =>
        parent + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}
