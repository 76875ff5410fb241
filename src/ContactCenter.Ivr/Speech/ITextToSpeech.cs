namespace ContactCenter.Ivr;

/// <summary>
/// Turns prompt text into audio. The default, <see cref="EspeakNgTextToSpeech"/>, works offline; a cloud engine can replace it.
/// </summary>
public interface ITextToSpeech
{
    /// <summary>Returns the path of an 8 kHz 16-bit mono WAV file speaking <paramref name="text"/> with <paramref name="voice"/>.</summary>
    ValueTask<string> SynthesizeAsync(string text, string voice, CancellationToken cancellationToken);
}
