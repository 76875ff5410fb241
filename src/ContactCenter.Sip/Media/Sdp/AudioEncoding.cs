namespace ContactCenter.Sip.Media;

/// <summary>The audio encodings this library sends and receives.</summary>
public enum AudioEncoding
{
    /// <summary>G.711 µ-law (static payload type 0).</summary>
    Pcmu,

    /// <summary>G.711 A-law (static payload type 8).</summary>
    Pcma,
}

/// <summary>Helpers for <see cref="AudioEncoding"/>.</summary>
public static class AudioEncodingExtensions
{
    /// <summary>The RTP/AVP encoding name ("PCMU", "PCMA").</summary>
    public static string EncodingName(this AudioEncoding encoding) => encoding == AudioEncoding.Pcma ? "PCMA" : "PCMU";

    /// <summary>The static RTP payload type (0 or 8).</summary>
    public static int StaticPayloadType(this AudioEncoding encoding) => encoding == AudioEncoding.Pcma ? StaticPayloadTypes.Pcma : StaticPayloadTypes.Pcmu;

    /// <summary>The RTP clock rate in Hz (8000 for G.711).</summary>
    public static int ClockRate(this AudioEncoding encoding) => 8000;

    internal static bool TryFromRtpMap(RtpMap map, out AudioEncoding encoding)
    {
        encoding = AudioEncoding.Pcmu;
        if (map.ClockRate != 8000 || map.Channels is > 1)
        {
            return false;
        }

        if (map.EncodingName.Equals("PCMU", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (map.EncodingName.Equals("PCMA", StringComparison.OrdinalIgnoreCase))
        {
            encoding = AudioEncoding.Pcma;
            return true;
        }

        return false;
    }
}
