using System.Globalization;
using ContactCenter.Ivr.Flows;

namespace ContactCenter.Ivr;

/// <summary>
/// What a phone number is bound to: a flow and a version number or alias, written <c>main-menu@live</c> or
/// <c>main-menu@3</c> (<c>main-menu</c> alone means <c>@live</c>). Resolve it with <see cref="FlowLibrary.ResolveAsync(FlowReference, CancellationToken)"/>.
/// </summary>
/// <param name="FlowId">The flow id.</param>
/// <param name="Version">A version number or an alias.</param>
public sealed record FlowReference(string FlowId, string Version)
{
    /// <summary>The alias used when a reference names no version.</summary>
    public const string DefaultAlias = "live";

    /// <summary>Whether <see cref="Version"/> is a version number rather than an alias.</summary>
    public bool IsPinned => int.TryParse(Version, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>Parses <c>flow@version</c>.</summary>
    /// <exception cref="FormatException">The text is not a flow id with an optional <c>@</c> version or alias.</exception>
    public static FlowReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var flowId = at < 0 ? text : text[..at];
        var version = at < 0 ? DefaultAlias : text[(at + 1)..];
        if (!FlowCompiler.IsValidId(flowId) || !FlowCompiler.IsValidId(version))
        {
            throw new FormatException($"'{text}' is not a flow reference such as main-menu@live or main-menu@3");
        }

        return new FlowReference(flowId, version);
    }

    /// <summary><c>flow@version</c>.</summary>
    public override string ToString() => FlowId + "@" + Version;
}
