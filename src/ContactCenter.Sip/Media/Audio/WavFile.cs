using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ContactCenter.Sip.Media;

/// <summary>
/// Reads WAV files into 8 kHz 16-bit mono clips. Known formats are converted: PCM of 8, 16, 24 or 32 bits,
/// 32/64-bit float, µ-law and A-law, any sample rate (resampled with a windowed-sinc filter), any channel
/// count (mixed down to mono), and WAVE_FORMAT_EXTENSIBLE wrappers of those. Compressed formats (ADPCM,
/// GSM, MP3, ...) are refused with an <see cref="InvalidDataException"/> naming the format.
/// </summary>
public static class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>The largest data chunk accepted by default (64 MiB: over an hour of 8 kHz 16-bit mono).</summary>
    public const long DefaultMaxDataBytes = 64L * 1024 * 1024;

    /// <summary>Reads and converts a WAV file.</summary>
    public static AudioClip Read(string path, long maxDataBytes = DefaultMaxDataBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path, maxDataBytes);
    }

    /// <summary>Reads and converts WAV data from a stream.</summary>
    /// <param name="stream">The WAV bytes.</param>
    /// <param name="name">A name used in errors and as the clip name.</param>
    /// <param name="maxDataBytes">The largest data chunk accepted.</param>
    public static AudioClip Read(Stream stream, string name = "stream", long maxDataBytes = DefaultMaxDataBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return Parse(memory.GetBuffer().AsSpan(0, (int)memory.Length), name, maxDataBytes);
    }

    /// <summary>Writes a clip as an 8 kHz 16-bit mono PCM WAV.</summary>
    public static void Write(Stream stream, AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        using var writer = new WavWriter(stream, channels: 1, leaveOpen: true);
        writer.Write(clip.Samples.Span);
    }

    internal static AudioClip Parse(ReadOnlySpan<byte> data, string name, long maxDataBytes)
    {
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw Error(name, "is not a WAV file (no RIFF/WAVE header)");
        }

        var offset = 12;
        ushort format = 0, channels = 0, bits = 0, blockAlign = 0;
        var rate = 0;
        var haveFormat = false;
        ReadOnlySpan<byte> samples = default;
        var haveData = false;
        while (offset + 8 <= data.Length)
        {
            var id = data.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            var body = offset + 8;
            var available = data.Length - body;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || size > available)
                {
                    throw Error(name, string.Create(CultureInfo.InvariantCulture, $"has a fmt chunk of {size} bytes (16 or more expected, {available} present)"));
                }

                var fmt = data.Slice(body, (int)size);
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (format == FormatExtensible)
                {
                    if (size < 40)
                    {
                        throw Error(name, "uses WAVE_FORMAT_EXTENSIBLE with a fmt chunk shorter than 40 bytes");
                    }

                    format = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
                }

                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                // Streaming writers leave the size at 0 or 0xFFFFFFFF: take what is there.
                var length = size == 0 || size > available ? available : (int)size;
                if (length > maxDataBytes)
                {
                    throw Error(name, string.Create(CultureInfo.InvariantCulture, $"has {length} bytes of audio, more than the limit of {maxDataBytes}"));
                }

                samples = data.Slice(body, length);
                haveData = true;
                break;
            }

            if (size > available)
            {
                break;
            }

            offset = body + (int)size + (int)(size & 1);
        }

        if (!haveFormat)
        {
            throw Error(name, "has no fmt chunk before its data");
        }

        if (!haveData)
        {
            throw Error(name, "has no data chunk");
        }

        if (channels == 0 || rate <= 0 || rate > 384000)
        {
            throw Error(name, string.Create(CultureInfo.InvariantCulture, $"declares {channels} channels at {rate} Hz"));
        }

        var mono = Decode(samples, format, channels, bits, blockAlign, name);
        var converted = rate == G711.SampleRate ? mono : Resample(mono, rate, G711.SampleRate);
        return AudioClip.Wrap(converted, name);
    }

    internal static short[] Resample(short[] input, int fromRate, int toRate)
    {
        if (input.Length == 0)
        {
            return [];
        }

        const int ZeroCrossings = 16;
        var ratio = (double)toRate / fromRate;
        var scale = Math.Min(1.0, ratio) * 0.94; // cutoff just under the lower Nyquist frequency
        var half = (int)Math.Ceiling(ZeroCrossings / scale);
        var outputLength = (int)((long)input.Length * toRate / fromRate);
        var output = new short[outputLength];
        for (var n = 0; n < outputLength; n++)
        {
            var t = n / ratio;
            var center = (int)Math.Floor(t);
            double acc = 0;
            for (var k = center - half + 1; k <= center + half; k++)
            {
                if (k < 0 || k >= input.Length)
                {
                    continue;
                }

                var d = t - k;
                var x = d / half;
                if (x is <= -1 or >= 1)
                {
                    continue;
                }

                var window = 0.42 + (0.5 * Math.Cos(Math.PI * x)) + (0.08 * Math.Cos(2 * Math.PI * x));
                var arg = Math.PI * scale * d;
                var sinc = Math.Abs(arg) < 1e-9 ? 1.0 : Math.Sin(arg) / arg;
                acc += input[k] * scale * sinc * window;
            }

            output[n] = (short)Math.Clamp(Math.Round(acc), short.MinValue, short.MaxValue);
        }

        return output;
    }

    private static short[] Decode(ReadOnlySpan<byte> data, ushort format, int channels, int bits, int blockAlign, string name)
    {
        int bytesPerSample;
        switch (format)
        {
            case FormatPcm when bits is 8 or 16 or 24 or 32:
            case FormatFloat when bits is 32 or 64:
                bytesPerSample = bits / 8;
                break;
            case FormatALaw or FormatMuLaw when bits == 8:
                bytesPerSample = 1;
                break;
            case FormatPcm or FormatFloat or FormatALaw or FormatMuLaw:
                throw Error(name, string.Create(CultureInfo.InvariantCulture, $"uses {FormatName(format)} with {bits} bits per sample, which is not supported; convert it to 8 kHz 16-bit mono PCM"));
            default:
                throw Error(name, string.Create(CultureInfo.InvariantCulture, $"uses WAV format 0x{format:X4} ({FormatName(format)}), which is not supported; convert it to 8 kHz 16-bit mono PCM"));
        }

        var frameSize = Math.Max(blockAlign, bytesPerSample * channels);
        var frames = data.Length / frameSize;
        var output = new short[frames];
        for (var f = 0; f < frames; f++)
        {
            var frame = data.Slice(f * frameSize, frameSize);
            var sum = 0;
            for (var c = 0; c < channels; c++)
            {
                sum += Sample(frame[(c * bytesPerSample)..], format, bytesPerSample);
            }

            output[f] = (short)(sum / channels);
        }

        return output;
    }

    private static short Sample(ReadOnlySpan<byte> b, ushort format, int bytes) => format switch
    {
        FormatALaw => G711.DecodeALaw(b[0]),
        FormatMuLaw => G711.DecodeMuLaw(b[0]),
        FormatFloat when bytes == 4 => FromFloat(BinaryPrimitives.ReadSingleLittleEndian(b)),
        FormatFloat => FromFloat(BinaryPrimitives.ReadDoubleLittleEndian(b)),
        _ => bytes switch
        {
            1 => (short)((b[0] - 128) << 8),
            2 => BinaryPrimitives.ReadInt16LittleEndian(b),
            3 => (short)((b[1] | (b[2] << 8)) & 0xFFFF),
            _ => (short)(BinaryPrimitives.ReadInt32LittleEndian(b) >> 16),
        },
    };

    private static short FromFloat(double v) => (short)Math.Clamp(Math.Round(v * 32767), short.MinValue, short.MaxValue);

    private static string FormatName(ushort format) => format switch
    {
        FormatPcm => "PCM",
        0x0002 => "Microsoft ADPCM",
        FormatFloat => "IEEE float",
        FormatALaw => "A-law",
        FormatMuLaw => "µ-law",
        0x0011 => "IMA ADPCM",
        0x0022 => "DSP Group TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG",
        0x0055 => "MPEG Layer 3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x0083 => "G.729",
        _ => "unknown format",
    };

    private static InvalidDataException Error(string name, string problem) => new($"WAV \"{name}\" {problem}.");
}

/// <summary>
/// Writes an 8 kHz 16-bit PCM WAV (1 or 2 channels) as audio arrives. <see cref="UpdateHeader"/> rewrites the
/// RIFF and data sizes and flushes, so a file cut short by a crash is valid up to the last update.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderLength = 44;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private long _dataBytes;
    private bool _disposed;

    /// <summary>Starts a file: writes a header with empty sizes.</summary>
    /// <param name="stream">A writable, seekable stream positioned at the start.</param>
    /// <param name="channels">1 (mono) or 2 (stereo, interleaved left/right).</param>
    /// <param name="leaveOpen">Leave the stream open on dispose.</param>
    public WavWriter(Stream stream, int channels = 1, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanWrite)
        {
            throw new ArgumentException("A WAV writer needs a writable, seekable stream to update sizes as it goes.", nameof(stream));
        }

        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A WAV writer writes 1 or 2 channels.");
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        Channels = channels;
        Span<byte> header = _header;
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], HeaderLength - 8);
        "WAVEfmt "u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], G711.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(G711.SampleRate * 2 * channels));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)(2 * channels));
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], 0);
        _stream.Write(header);
        header.CopyTo(_header);
    }

    /// <summary>1 or 2.</summary>
    public int Channels { get; }

    /// <summary>The stream written to.</summary>
    internal Stream Stream => _stream;

    /// <summary>Audio bytes written so far.</summary>
    public long DataBytes => _dataBytes;

    /// <summary>How much audio has been written.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(_dataBytes / (2.0 * Channels * G711.SampleRate));

    /// <summary>Appends samples (interleaved left/right for stereo).</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (BitConverter.IsLittleEndian)
        {
            // WAV samples are little-endian: the samples' own bytes, in one write.
            _stream.Write(MemoryMarshal.AsBytes(samples));
            _dataBytes += samples.Length * 2;
            return;
        }

        Span<byte> buffer = stackalloc byte[512];
        while (!samples.IsEmpty)
        {
            var n = Math.Min(samples.Length, buffer.Length / 2);
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(buffer[(i * 2)..], samples[i]);
            }

            _stream.Write(buffer[..(n * 2)]);
            _dataBytes += n * 2;
            samples = samples[n..];
        }
    }

    /// <summary>Rewrites the sizes in the header for what has been written, and flushes to the operating system.</summary>
    /// <param name="flushToDisk">Also force the data to the disk (survives an OS crash; costs an fsync).</param>
    public void UpdateHeader(bool flushToDisk = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var end = _stream.Position;
        // Both sizes in one write (bytes 4 to 43: the RIFF size, the unchanged format chunk, the data size): one
        // system call per update on a buffered file stream instead of one per field.
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)Math.Min(uint.MaxValue, _dataBytes + HeaderLength - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(40), (uint)Math.Min(uint.MaxValue, _dataBytes));
        _stream.Position = 4;
        _stream.Write(_header.AsSpan(4));
        _stream.Position = end;
        if (_stream is FileStream file)
        {
            file.Flush(flushToDisk);
        }
        else
        {
            _stream.Flush();
        }
    }

    /// <summary>Updates the header and closes the stream (unless left open).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            UpdateHeader();
        }
        finally
        {
            // Closed even when the last write fails: the stream's owner learns of the failure, and the file is released.
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }
}
