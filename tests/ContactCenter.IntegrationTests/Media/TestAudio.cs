using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>Known audio for the media tests.</summary>
internal static class TestAudio
{
    /// <summary>A sine tone, 8 kHz samples; a whole number of cycles per second keeps a looped clip continuous.</summary>
    public static short[] Sine(double frequency, double seconds, double amplitude = 8000)
    {
        var samples = new short[(int)(8000 * seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / 8000));
        }

        return samples;
    }

    /// <summary>Writes <paramref name="samples"/> as an 8 kHz 16-bit mono PCM WAV file.</summary>
    public static void WriteWav(string path, short[] samples)
    {
        using var file = File.Create(path);
        WavFile.Write(file, new AudioClip(samples, Path.GetFileName(path)));
    }
}
