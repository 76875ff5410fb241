using ContactCenter.Sip.Media;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Sip.Tests.Media;

public sealed class G711Tests
{
    // Entries of the G.711 decoding tables (the 16-bit scaling used by the ITU-T reference and most stacks).
    [Theory]
    [InlineData(0x00, -32124)]
    [InlineData(0x01, -31100)]
    [InlineData(0x02, -30076)]
    [InlineData(0x80, 32124)]
    [InlineData(0xF0, 120)]
    [InlineData(0xFE, 8)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x7E, -8)]
    [InlineData(0x70, -120)]
    public void MuLaw_decode_matches_the_reference_table(int code, int linear)
    {
        Assert.Equal(linear, G711.DecodeMuLaw((byte)code));
    }

    [Theory]
    [InlineData(0x00, -5504)]
    [InlineData(0x01, -5248)]
    [InlineData(0x02, -6016)]
    [InlineData(0x03, -5760)]
    [InlineData(0xD5, 8)]
    [InlineData(0xD4, 24)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0x80, 5504)]
    public void ALaw_decode_matches_the_reference_table(int code, int linear)
    {
        Assert.Equal(linear, G711.DecodeALaw((byte)code));
    }

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(100, 0xF2)]
    [InlineData(1000, 0xCE)]
    [InlineData(-1000, 0x4E)]
    public void MuLaw_encode_matches_known_values(int linear, int code)
    {
        Assert.Equal(code, G711.EncodeMuLaw((short)linear));
    }

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    [InlineData(-1, 0x55)]
    [InlineData(1000, 0xFA)]
    [InlineData(-1000, 0x7A)]
    public void ALaw_encode_matches_known_values(int linear, int code)
    {
        Assert.Equal(code, G711.EncodeALaw((short)linear));
    }

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (var c = 0; c < 256; c++)
        {
            Assert.Equal((byte)c, G711.EncodeALaw(G711.DecodeALaw((byte)c)));
            if (c != 0x7F)
            {
                // 0x7F is µ-law's negative zero; it encodes back as positive zero 0xFF.
                Assert.Equal((byte)c, G711.EncodeMuLaw(G711.DecodeMuLaw((byte)c)));
            }
        }
    }

    [Fact]
    public void Quantization_is_monotonic_and_error_stays_within_the_segment_step()
    {
        var previousMu = int.MinValue;
        var previousA = int.MinValue;
        for (var x = short.MinValue; x < short.MaxValue; x++)
        {
            int mu = G711.DecodeMuLaw(G711.EncodeMuLaw(x));
            int a = G711.DecodeALaw(G711.EncodeALaw(x));
            Assert.True(mu >= previousMu, $"µ-law not monotonic at {x}");
            Assert.True(a >= previousA, $"A-law not monotonic at {x}");
            previousMu = mu;
            previousA = a;
            if (Math.Abs((int)x) < 32000)
            {
                // The largest step is 1024 (µ-law) / 1024 (A-law) in the top segment: error under half a step plus rounding.
                Assert.True(Math.Abs(mu - x) <= Math.Max(8, Math.Abs((int)x) / 16 + 8), $"µ-law error too large at {x}: {mu}");
                Assert.True(Math.Abs(a - x) <= Math.Max(16, Math.Abs((int)x) / 16 + 16), $"A-law error too large at {x}: {a}");
            }
        }
    }

    [Fact]
    public void Span_encode_and_decode_of_a_frame_match_the_single_sample_functions()
    {
        Prop.ForAll<short[]>(samples =>
        {
            foreach (var encoding in new[] { AudioEncoding.Pcmu, AudioEncoding.Pcma })
            {
                var encoded = new byte[samples.Length];
                G711.Encode(encoding, samples, encoded);
                var decoded = new short[samples.Length];
                G711.Decode(encoding, encoded, decoded);
                for (var i = 0; i < samples.Length; i++)
                {
                    var single = encoding == AudioEncoding.Pcmu ? G711.EncodeMuLaw(samples[i]) : G711.EncodeALaw(samples[i]);
                    var back = encoding == AudioEncoding.Pcmu ? G711.DecodeMuLaw(single) : G711.DecodeALaw(single);
                    if (encoded[i] != single || decoded[i] != back)
                    {
                        return false;
                    }
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Transcoding_mu_law_to_a_law_equals_decode_then_encode()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var transcoded = new byte[256];

        G711.Transcode(AudioEncoding.Pcmu, AudioEncoding.Pcma, all, transcoded);

        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(G711.EncodeALaw(G711.DecodeMuLaw((byte)i)), transcoded[i]);
        }
    }

    [Fact]
    public void Too_small_destination_is_refused_with_the_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => G711.Encode(AudioEncoding.Pcmu, new short[160], new byte[80]));

        Assert.Contains("80 bytes but 160 samples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silence_byte_decodes_to_zero()
    {
        Assert.Equal(0, G711.DecodeMuLaw(G711.Silence(AudioEncoding.Pcmu)));
        Assert.Equal(8, G711.DecodeALaw(G711.Silence(AudioEncoding.Pcma)));
    }
}
