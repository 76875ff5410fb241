using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ContactCenter.Sip.Media;

/// <summary>
/// An SDP <c>a=crypto</c> attribute (RFC 4568 SDES):
/// <c>a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:&lt;base64 key||salt&gt;[|lifetime][|MKI:length]</c>.
/// Only suites this library implements parse; MKI is not supported (refused with a reason).
/// </summary>
public sealed class SdesCrypto
{
    /// <summary>Creates an attribute.</summary>
    public SdesCrypto(int tag, SrtpKeys keys, string? lifetime = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tag, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tag, 999_999_999);
        ArgumentNullException.ThrowIfNull(keys);
        Tag = tag;
        Keys = keys;
        Lifetime = lifetime;
    }

    /// <summary>The tag that pairs an answer's line with the offer's.</summary>
    public int Tag { get; }

    /// <summary>The suite and the master key and salt.</summary>
    public SrtpKeys Keys { get; }

    /// <summary>The key lifetime as written (e.g. "2^31"), or null.</summary>
    public string? Lifetime { get; }

    /// <summary>Parses the attribute value (what follows "a=crypto:").</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out SdesCrypto? crypto, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        crypto = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            error = $"a=crypto \"{value}\" needs a tag, a suite and key parameters";
            return false;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var tag) || parts[0].Length > 9)
        {
            error = $"a=crypto tag \"{parts[0]}\" is not a number of 1 to 9 digits";
            return false;
        }

        if (!SrtpSuiteExtensions.TryParseSdesName(parts[1], out var suite))
        {
            error = $"a=crypto suite \"{parts[1]}\" is not supported (AES_CM_128_HMAC_SHA1_80 or _32)";
            return false;
        }

        // Several key parameters may be separated by ';' - the first is used.
        var keyParam = parts[2].Split(';')[0];
        if (!keyParam.StartsWith("inline:", StringComparison.Ordinal))
        {
            error = $"a=crypto key parameter \"{keyParam}\" does not start with inline:";
            return false;
        }

        var fields = keyParam["inline:".Length..].Split('|');
        byte[] material;
        try
        {
            material = Convert.FromBase64String(fields[0]);
        }
        catch (FormatException)
        {
            error = "a=crypto inline key is not valid base64";
            return false;
        }

        if (material.Length != SrtpKeys.KeyLength + SrtpKeys.SaltLength)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"a=crypto inline key is {material.Length} bytes; {suite.ToSdesName()} needs {SrtpKeys.KeyLength + SrtpKeys.SaltLength} (key and salt)");
            return false;
        }

        string? lifetime = null;
        foreach (var field in fields.Skip(1))
        {
            if (field.Contains(':', StringComparison.Ordinal))
            {
                error = $"a=crypto MKI \"{field}\" is not supported";
                return false;
            }

            lifetime = field;
        }

        crypto = new SdesCrypto(tag, new SrtpKeys(suite, material.AsSpan(0, SrtpKeys.KeyLength), material.AsSpan(SrtpKeys.KeyLength)), lifetime);
        error = null;
        return true;
    }

    /// <summary>The attribute value (what follows "a=crypto:").</summary>
    public string ToAttributeValue() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Tag} {Keys.Suite.ToSdesName()} inline:{Keys.ToInline()}{(Lifetime is null ? string.Empty : "|" + Lifetime)}");

    /// <summary>The SDP attribute line.</summary>
    public SdpAttributeLine ToAttribute() => new("crypto", ToAttributeValue());

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"a=crypto:{Tag} {Keys.Suite.ToSdesName()} (key hidden)");
}
