using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ContactCenter.Sip.Media;

/// <summary>The SRTP crypto suites supported (RFC 4568 §6.2).</summary>
public enum SrtpSuite
{
    /// <summary>AES-128 counter mode, HMAC-SHA1 with an 80-bit tag.</summary>
    AesCm128HmacSha1Tag80,

    /// <summary>AES-128 counter mode, HMAC-SHA1 with a 32-bit tag on SRTP (80-bit on SRTCP).</summary>
    AesCm128HmacSha1Tag32,
}

/// <summary>Helpers for <see cref="SrtpSuite"/>.</summary>
public static class SrtpSuiteExtensions
{
    /// <summary>The SDES suite name ("AES_CM_128_HMAC_SHA1_80").</summary>
    public static string ToSdesName(this SrtpSuite suite) => suite == SrtpSuite.AesCm128HmacSha1Tag32 ? "AES_CM_128_HMAC_SHA1_32" : "AES_CM_128_HMAC_SHA1_80";

    /// <summary>Parses an SDES suite name; false for suites this library does not implement.</summary>
    public static bool TryParseSdesName(string name, out SrtpSuite suite)
    {
        switch (name)
        {
            case "AES_CM_128_HMAC_SHA1_80":
                suite = SrtpSuite.AesCm128HmacSha1Tag80;
                return true;
            case "AES_CM_128_HMAC_SHA1_32":
                suite = SrtpSuite.AesCm128HmacSha1Tag32;
                return true;
            default:
                suite = default;
                return false;
        }
    }

    internal static int RtpTagLength(this SrtpSuite suite) => suite == SrtpSuite.AesCm128HmacSha1Tag32 ? 4 : 10;
}

/// <summary>An SRTP master key (16 bytes) and master salt (14 bytes) for one suite.</summary>
public sealed class SrtpKeys
{
    /// <summary>Master key length in bytes.</summary>
    public const int KeyLength = 16;

    /// <summary>Master salt length in bytes.</summary>
    public const int SaltLength = 14;

    private readonly byte[] _key;
    private readonly byte[] _salt;

    /// <summary>Creates keys; throws naming the wrong length.</summary>
    public SrtpKeys(SrtpSuite suite, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != KeyLength)
        {
            throw new ArgumentException($"An SRTP master key for {suite.ToSdesName()} is {KeyLength} bytes, not {masterKey.Length}.", nameof(masterKey));
        }

        if (masterSalt.Length != SaltLength)
        {
            throw new ArgumentException($"An SRTP master salt for {suite.ToSdesName()} is {SaltLength} bytes, not {masterSalt.Length}.", nameof(masterSalt));
        }

        Suite = suite;
        _key = masterKey.ToArray();
        _salt = masterSalt.ToArray();
    }

    /// <summary>The suite.</summary>
    public SrtpSuite Suite { get; }

    /// <summary>The master key.</summary>
    public ReadOnlySpan<byte> MasterKey => _key;

    /// <summary>The master salt.</summary>
    public ReadOnlySpan<byte> MasterSalt => _salt;

    /// <summary>New random keys.</summary>
    public static SrtpKeys Generate(SrtpSuite suite)
    {
        Span<byte> material = stackalloc byte[KeyLength + SaltLength];
        RandomNumberGenerator.Fill(material);
        return new SrtpKeys(suite, material[..KeyLength], material[KeyLength..]);
    }

    /// <summary>The key and salt concatenated, base64-encoded, as in an SDES inline parameter.</summary>
    public string ToInline()
    {
        var material = new byte[KeyLength + SaltLength];
        _key.CopyTo(material, 0);
        _salt.CopyTo(material, KeyLength);
        return Convert.ToBase64String(material);
    }

    /// <inheritdoc />
    public override string ToString() => $"SrtpKeys({Suite.ToSdesName()}, key hidden)";
}

/// <summary>
/// One direction of an SRTP/SRTCP stream (RFC 3711): protects what we send, or authenticates, checks for
/// replay and decrypts what we receive. AES-128 counter mode is built from .NET's AES-ECB; the tag is
/// HMAC-SHA1. Session keys are derived once (key derivation rate 0). The rollover counter is tracked per
/// stream; replays are refused with a 64-packet window. Not thread-safe: the owning session serializes use.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    /// <summary>Bytes <see cref="ProtectRtp"/> may add (the tag).</summary>
    public const int MaxRtpOverhead = 10;

    /// <summary>Bytes <see cref="ProtectRtcp"/> adds (index and tag).</summary>
    public const int RtcpOverhead = 4 + 10;

    private const int ReplayWindow = 64;
    private const int RtcpTagLength = 10;

    private readonly Aes _rtpAes;
    private readonly Aes _rtcpAes;
    private readonly ICryptoTransform _rtpCipher;
    private readonly ICryptoTransform _rtcpCipher;
    private readonly IncrementalHash _rtpAuth;
    private readonly IncrementalHash _rtcpAuth;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly int _tagLength;
    private readonly byte[] _keystream = new byte[2048];
    private readonly byte[] _counters = new byte[2048];
    private readonly byte[] _hash = new byte[20];

    // Sending state.
    private uint _sendRoc;
    private ushort _lastSentSequence;
    private bool _sentAny;
    private uint _rtcpIndex;

    // Receiving state.
    private uint _roc;
    private ushort _highestSequence;
    private bool _receivedAny;
    private ulong _replayMask;
    private ulong _highestIndex;
    private uint _highestRtcpIndex;
    private ulong _rtcpReplayMask;
    private bool _receivedRtcp;

    /// <summary>Derives the session keys from the master keys.</summary>
    public SrtpContext(SrtpKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Suite = keys.Suite;
        _tagLength = keys.Suite.RtpTagLength();
        using var master = Aes.Create();
        master.Key = keys.MasterKey.ToArray();
        _rtpAes = CreateAes(Derive(master, keys.MasterSalt, 0x00, 16));
        _rtpCipher = _rtpAes.CreateEncryptor();
        _rtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(master, keys.MasterSalt, 0x01, 20));
        _rtpSalt = Derive(master, keys.MasterSalt, 0x02, 14);
        _rtcpAes = CreateAes(Derive(master, keys.MasterSalt, 0x03, 16));
        _rtcpCipher = _rtcpAes.CreateEncryptor();
        _rtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(master, keys.MasterSalt, 0x04, 20));
        _rtcpSalt = Derive(master, keys.MasterSalt, 0x05, 14);
    }

    /// <summary>The suite.</summary>
    public SrtpSuite Suite { get; }

    /// <summary>The RTP tag length in bytes (10 or 4).</summary>
    public int TagLength => _tagLength;

    /// <summary>
    /// Encrypts an RTP packet in place and appends the tag. <paramref name="buffer"/> must have
    /// <see cref="MaxRtpOverhead"/> spare bytes after <paramref name="length"/>. Returns the new length.
    /// </summary>
    public int ProtectRtp(byte[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!RtpPacket.TryParse(buffer.AsSpan(0, length), out var header, out var error))
        {
            throw new ArgumentException("Cannot protect an invalid RTP packet: " + error, nameof(buffer));
        }

        if (buffer.Length < length + _tagLength)
        {
            throw new ArgumentException($"The buffer needs {_tagLength} spare bytes for the SRTP tag.", nameof(buffer));
        }

        if (_sentAny && header.SequenceNumber < _lastSentSequence && _lastSentSequence - header.SequenceNumber > 32768)
        {
            _sendRoc++;
        }

        _sentAny = true;
        _lastSentSequence = header.SequenceNumber;
        var index = ((ulong)_sendRoc << 16) | header.SequenceNumber;
        var payload = buffer.AsSpan(header.HeaderLength, length - header.HeaderLength);
        ApplyKeystream(_rtpCipher, _rtpSalt, header.Ssrc, index, payload);
        Tag(_rtpAuth, buffer.AsSpan(0, length), _sendRoc, buffer.AsSpan(length, _tagLength));
        return length + _tagLength;
    }

    /// <summary>
    /// Authenticates, checks for replay and decrypts an SRTP packet in place. Returns the RTP length, or -1 with
    /// <paramref name="error"/> set (bad tag, replay, too short).
    /// </summary>
    public int UnprotectRtp(Span<byte> packet, out string? error)
    {
        if (packet.Length < RtpPacket.FixedHeaderLength + _tagLength)
        {
            error = $"SRTP packet of {packet.Length} bytes is too short for a header and a {_tagLength}-byte tag";
            return -1;
        }

        var length = packet.Length - _tagLength;
        if (!RtpPacket.TryParse(packet[..length], out var header, out error))
        {
            return -1;
        }

        var sequence = header.SequenceNumber;
        var roc = EstimateRoc(sequence);
        var index = ((ulong)roc << 16) | sequence;
        if (_receivedAny && IsReplay(index, _highestIndex, _replayMask))
        {
            error = $"SRTP packet {sequence} (index {index}) is a replay or too old";
            return -1;
        }

        Span<byte> expected = stackalloc byte[_tagLength];
        Tag(_rtpAuth, packet[..length], roc, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(length, _tagLength)))
        {
            error = $"SRTP packet {sequence} failed authentication";
            return -1;
        }

        ApplyKeystream(_rtpCipher, _rtpSalt, header.Ssrc, index, packet[header.HeaderLength..length]);
        if (!_receivedAny)
        {
            _receivedAny = true;
            _highestIndex = index;
            _replayMask = 1;
            _roc = roc;
            _highestSequence = sequence;
        }
        else
        {
            (_highestIndex, _replayMask) = Accept(index, _highestIndex, _replayMask);
            if (index == _highestIndex)
            {
                _roc = roc;
                _highestSequence = sequence;
            }
        }

        error = null;
        return length;
    }

    /// <summary>Encrypts a compound RTCP packet in place, appending the SRTCP index and tag. Returns the new length.</summary>
    public int ProtectRtcp(byte[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (length < 8 || buffer.Length < length + RtcpOverhead)
        {
            throw new ArgumentException($"Cannot protect an RTCP packet of {length} bytes in a {buffer.Length}-byte buffer (needs {RtcpOverhead} spare).", nameof(buffer));
        }

        var index = _rtcpIndex;
        _rtcpIndex = (_rtcpIndex + 1) & 0x7FFFFFFF;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4));
        ApplyKeystream(_rtcpCipher, _rtcpSalt, ssrc, index, buffer.AsSpan(8, length - 8));
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(length), 0x80000000 | index);
        Tag(_rtcpAuth, buffer.AsSpan(0, length + 4), null, buffer.AsSpan(length + 4, RtcpTagLength));
        return length + RtcpOverhead;
    }

    /// <summary>Authenticates and decrypts an SRTCP packet in place. Returns the RTCP length, or -1 with <paramref name="error"/>.</summary>
    public int UnprotectRtcp(Span<byte> packet, out string? error)
    {
        if (packet.Length < 8 + RtcpOverhead)
        {
            error = $"SRTCP packet of {packet.Length} bytes is too short";
            return -1;
        }

        var authenticated = packet.Length - RtcpTagLength;
        Span<byte> expected = stackalloc byte[RtcpTagLength];
        Tag(_rtcpAuth, packet[..authenticated], null, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(authenticated, RtcpTagLength)))
        {
            error = "SRTCP packet failed authentication";
            return -1;
        }

        var word = BinaryPrimitives.ReadUInt32BigEndian(packet[(authenticated - 4)..]);
        var index = word & 0x7FFFFFFF;
        if (_receivedRtcp && IsReplay(index, _highestRtcpIndex, _rtcpReplayMask))
        {
            error = $"SRTCP packet index {index} is a replay or too old";
            return -1;
        }

        var length = authenticated - 4;
        if ((word & 0x80000000) != 0)
        {
            var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
            ApplyKeystream(_rtcpCipher, _rtcpSalt, ssrc, index, packet[8..length]);
        }

        if (!_receivedRtcp)
        {
            _receivedRtcp = true;
            _highestRtcpIndex = index;
            _rtcpReplayMask = 1;
        }
        else
        {
            var (highest, mask) = Accept(index, _highestRtcpIndex, _rtcpReplayMask);
            _highestRtcpIndex = (uint)highest;
            _rtcpReplayMask = mask;
        }

        error = null;
        return length;
    }

    /// <summary>Releases the ciphers.</summary>
    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpAes.Dispose();
        _rtcpAes.Dispose();
        _rtpAuth.Dispose();
        _rtcpAuth.Dispose();
    }

    /// <summary>The key derivation function of RFC 3711 §4.3.1 with a key derivation rate of 0.</summary>
    internal static byte[] Derive(Aes master, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        Span<byte> iv = stackalloc byte[16];
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        var output = new byte[length];
        KeystreamInto(master, iv, output);
        return output;
    }

    /// <summary>The AES-CM keystream of RFC 3711 §4.1.1 for an initial counter block.</summary>
    internal static void KeystreamInto(Aes aes, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        var blocks = (output.Length + 15) / 16;
        var counters = new byte[blocks * 16];
        for (var b = 0; b < blocks; b++)
        {
            var block = counters.AsSpan(b * 16, 16);
            iv.CopyTo(block);
            var low = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(iv[14..]) + b);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], low);
        }

        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        stream.AsSpan(0, output.Length).CopyTo(output);
    }

    /// <summary>The counter-mode IV of RFC 3711 §4.1.1: (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).</summary>
    internal static void BuildIv(ReadOnlySpan<byte> sessionSalt, uint ssrc, ulong index, Span<byte> iv)
    {
        iv.Clear();
        sessionSalt.CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (var i = 0; i < 6; i++)
        {
            iv[13 - i] ^= (byte)(index >> (8 * i));
        }
    }

    private static Aes CreateAes(byte[] key)
    {
        // Counter mode is built from single-block ECB encryptions; one transform is kept per key.
        var aes = Aes.Create();
        aes.Key = key;
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        return aes;
    }

    private static bool IsReplay(ulong index, ulong highest, ulong mask)
    {
        if (index > highest)
        {
            return false;
        }

        var delta = highest - index;
        return delta >= ReplayWindow || (mask & (1UL << (int)delta)) != 0;
    }

    private static (ulong Highest, ulong Mask) Accept(ulong index, ulong highest, ulong mask)
    {
        if (index > highest)
        {
            var shift = index - highest;
            mask = shift >= ReplayWindow ? 1 : (mask << (int)shift) | 1;
            return (index, mask);
        }

        return (highest, mask | (1UL << (int)(highest - index)));
    }

    private uint EstimateRoc(ushort sequence)
    {
        if (!_receivedAny)
        {
            return 0;
        }

        // RFC 3711 §3.3.1: guess the rollover counter from the highest sequence number seen.
        if (_highestSequence < 32768)
        {
            return sequence - _highestSequence > 32768 && _roc > 0 ? _roc - 1 : _roc;
        }

        return _highestSequence - 32768 > sequence ? _roc + 1 : _roc;
    }

    private void ApplyKeystream(ICryptoTransform cipher, byte[] salt, uint ssrc, ulong index, Span<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Span<byte> iv = stackalloc byte[16];
        BuildIv(salt, ssrc, index, iv);

        var blocks = (data.Length + 15) / 16;
        var counterBytes = blocks * 16;
        var counters = counterBytes <= _counters.Length ? _counters : new byte[counterBytes];
        var keystream = counterBytes <= _keystream.Length ? _keystream : new byte[counterBytes];
        var low = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        for (var b = 0; b < blocks; b++)
        {
            var block = counters.AsSpan(b * 16, 16);
            iv.CopyTo(block);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)(low + b));
        }

        cipher.TransformBlock(counters, 0, counterBytes, keystream, 0);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    private void Tag(IncrementalHash hmac, ReadOnlySpan<byte> authenticated, uint? roc, Span<byte> tag)
    {
        hmac.AppendData(authenticated);
        if (roc is { } r)
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, r);
            hmac.AppendData(rocBytes);
        }

        hmac.GetHashAndReset(_hash);
        _hash.AsSpan(0, tag.Length).CopyTo(tag);
    }
}
