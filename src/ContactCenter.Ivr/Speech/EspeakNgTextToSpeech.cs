using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ContactCenter.Ivr;

/// <summary>Options of <see cref="EspeakNgTextToSpeech"/>.</summary>
public sealed class EspeakNgOptions
{
    /// <summary>Where synthesized WAV files are cached (default: <c>contactcenter-tts</c> under the temp folder).</summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "contactcenter-tts");

    /// <summary>The espeak-ng executable (default <c>espeak-ng</c> on the PATH).</summary>
    public string EspeakPath { get; set; } = "espeak-ng";

    /// <summary>The sox executable used to resample to 8 kHz (default <c>sox</c> on the PATH).</summary>
    public string SoxPath { get; set; } = "sox";

    /// <summary>The longest text accepted (default 4,000 characters).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>How long one synthesis may take (default 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Offline text-to-speech with espeak-ng (Debian package <c>espeak-ng</c>) resampled by sox (package <c>sox</c>)
/// to 8 kHz 16-bit mono WAV, the format telephony prompts use. Files are cached on disk by text and voice, so a
/// prompt is synthesized once.
/// </summary>
public sealed class EspeakNgTextToSpeech : ITextToSpeech
{
    private readonly EspeakNgOptions _options;

    /// <summary>Creates the engine.</summary>
    public EspeakNgTextToSpeech(EspeakNgOptions? options = null)
    {
        _options = options ?? new EspeakNgOptions();
    }

    /// <inheritdoc />
    public async ValueTask<string> SynthesizeAsync(string text, string voice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(voice);
        if (text.Length > _options.MaxTextLength)
        {
            throw new ArgumentException($"the text has {text.Length} characters; the limit is {_options.MaxTextLength}", nameof(text));
        }

        if (voice.Length == 0 || !voice.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+'))
        {
            throw new ArgumentException($"'{voice}' is not a valid espeak-ng voice name", nameof(voice));
        }

        Directory.CreateDirectory(_options.CacheDirectory);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(voice + "\n" + text)));
        var target = Path.Combine(_options.CacheDirectory, key + ".wav");
        if (File.Exists(target))
        {
            return target;
        }

        var unique = Guid.NewGuid().ToString("N");
        var raw = Path.Combine(_options.CacheDirectory, key + "." + unique + ".raw.wav");
        var resampled = Path.Combine(_options.CacheDirectory, key + "." + unique + ".8k.wav");
        try
        {
            await RunAsync(_options.EspeakPath, ["-v", voice, "-w", raw, "--stdin"], text, "espeak-ng", cancellationToken).ConfigureAwait(false);
            await RunAsync(_options.SoxPath, [raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", resampled], null, "sox", cancellationToken).ConfigureAwait(false);
            File.Move(resampled, target, overwrite: true);
            return target;
        }
        finally
        {
            File.Delete(raw);
            File.Delete(resampled);
        }
    }

    private async Task RunAsync(string executable, string[] arguments, string? input, string package, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"{executable} was not found: install the Debian package '{package}' (apt-get install {package}) or set its path in EspeakNgOptions", ex);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            await output.ConfigureAwait(false);
            var message = await errors.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{executable} failed with exit code {process.ExitCode}: {message.Trim()}");
            }
        }
    }
}
