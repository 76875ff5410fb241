namespace ContactCenter.Sip.Media;

/// <summary>
/// ITU-T G.711 µ-law and A-law. Audio inside this library is 8 kHz, 16-bit, mono linear PCM;
/// G.711 carries one byte per sample (160 bytes per 20 ms frame). Decoding uses 256-entry tables,
/// encoding uses tables indexed by the 14-bit (µ-law) or 13-bit (A-law) magnitude, all built once.
/// </summary>
public static class G711
{
    /// <summary>Samples per second.</summary>
    public const int SampleRate = 8000;

    private const int MuLawBias = 0x84;
    private const int MuLawClip = 8159;

    private static readonly short[] MuLawToLinear = BuildMuLawDecode();
    private static readonly short[] ALawToLinear = BuildALawDecode();
    private static readonly byte[] LinearToMuLaw = BuildMuLawEncode();
    private static readonly byte[] LinearToALaw = BuildALawEncode();

    /// <summary>Decodes one µ-law byte.</summary>
    public static short DecodeMuLaw(byte value) => MuLawToLinear[value];

    /// <summary>Decodes one A-law byte.</summary>
    public static short DecodeALaw(byte value) => ALawToLinear[value];

    /// <summary>Encodes one linear sample as µ-law.</summary>
    public static byte EncodeMuLaw(short sample) => LinearToMuLaw[(ushort)sample >> 2];

    /// <summary>Encodes one linear sample as A-law.</summary>
    public static byte EncodeALaw(short sample) => LinearToALaw[(ushort)sample >> 3];

    /// <summary>Encodes linear samples; <paramref name="destination"/> needs one byte per sample.</summary>
    public static void Encode(AudioEncoding encoding, ReadOnlySpan<short> samples, Span<byte> destination)
    {
        if (destination.Length < samples.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes but {samples.Length} samples need encoding.", nameof(destination));
        }

        var (table, shift) = encoding == AudioEncoding.Pcma ? (LinearToALaw, 3) : (LinearToMuLaw, 2);
        for (var i = 0; i < samples.Length; i++)
        {
            destination[i] = table[(ushort)samples[i] >> shift];
        }
    }

    /// <summary>Decodes G.711 bytes; <paramref name="destination"/> needs one sample per byte.</summary>
    public static void Decode(AudioEncoding encoding, ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        if (destination.Length < encoded.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} samples but {encoded.Length} bytes need decoding.", nameof(destination));
        }

        var table = encoding == AudioEncoding.Pcma ? ALawToLinear : MuLawToLinear;
        for (var i = 0; i < encoded.Length; i++)
        {
            destination[i] = table[encoded[i]];
        }
    }

    /// <summary>Converts G.711 bytes from one law to the other (through linear PCM).</summary>
    public static void Transcode(AudioEncoding from, AudioEncoding to, ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (destination.Length < encoded.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes but {encoded.Length} need transcoding.", nameof(destination));
        }

        if (from == to)
        {
            encoded.CopyTo(destination);
            return;
        }

        var decode = from == AudioEncoding.Pcma ? ALawToLinear : MuLawToLinear;
        for (var i = 0; i < encoded.Length; i++)
        {
            var s = decode[encoded[i]];
            destination[i] = to == AudioEncoding.Pcma ? LinearToALaw[(ushort)s >> 3] : LinearToMuLaw[(ushort)s >> 2];
        }
    }

    /// <summary>The encoded value of silence (linear 0).</summary>
    public static byte Silence(AudioEncoding encoding) => encoding == AudioEncoding.Pcma ? (byte)0xD5 : (byte)0xFF;

    internal static byte ComputeMuLaw(int sample)
    {
        // G.711 operates on 14-bit magnitudes for µ-law.
        var pcm = sample >> 2;
        int mask;
        if (pcm < 0)
        {
            pcm = -pcm;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        if (pcm > MuLawClip)
        {
            pcm = MuLawClip;
        }

        pcm += MuLawBias >> 2;
        var segment = Segment(pcm, 0x3F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var value = (segment << 4) | ((pcm >> (segment + 1)) & 0x0F);
        return (byte)(value ^ mask);
    }

    internal static byte ComputeALaw(int sample)
    {
        // G.711 operates on 13-bit magnitudes for A-law.
        var pcm = sample >> 3;
        int mask;
        if (pcm >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            pcm = -pcm - 1;
        }

        var segment = Segment(pcm, 0x1F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var value = segment << 4;
        value |= segment < 2 ? (pcm >> 1) & 0x0F : (pcm >> segment) & 0x0F;
        return (byte)(value ^ mask);
    }

    private static int Segment(int magnitude, int firstEnd)
    {
        var end = firstEnd;
        for (var segment = 0; segment < 8; segment++)
        {
            if (magnitude <= end)
            {
                return segment;
            }

            end = (end << 1) | 1;
        }

        return 8;
    }

    private static short[] BuildMuLawDecode()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var u = ~i & 0xFF;
            var t = ((u & 0x0F) << 3) + MuLawBias;
            t <<= (u & 0x70) >> 4;
            table[i] = (short)((u & 0x80) != 0 ? MuLawBias - t : t - MuLawBias);
        }

        return table;
    }

    private static short[] BuildALawDecode()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var a = i ^ 0x55;
            var t = (a & 0x0F) << 4;
            var segment = (a & 0x70) >> 4;
            t = segment switch
            {
                0 => t + 8,
                1 => t + 0x108,
                _ => (t + 0x108) << (segment - 1),
            };
            table[i] = (short)((a & 0x80) != 0 ? t : -t);
        }

        return table;
    }

    private static byte[] BuildMuLawEncode()
    {
        // Index: the unsigned 16-bit sample shifted right by 2 (its 14 significant bits).
        var table = new byte[1 << 14];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = ComputeMuLaw((short)(i << 2));
        }

        return table;
    }

    private static byte[] BuildALawEncode()
    {
        var table = new byte[1 << 13];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = ComputeALaw((short)(i << 3));
        }

        return table;
    }
}
