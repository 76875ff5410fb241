namespace ContactCenter.Hosting.Ivr;

/// <summary>Options of <see cref="SipIvrChannel"/>; one instance is shared by every call of a host.</summary>
internal sealed class SipIvrChannelOptions
{
    /// <summary>Where relative prompt paths (<c>{ "audio": "prompts/welcome.wav" }</c>) are resolved (default: the working folder).</summary>
    public string PromptDirectory { get; set; } = ".";

    /// <summary>Silence that ends a voicemail message (default 5 s; zero disables).</summary>
    public TimeSpan VoicemailSilenceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Frames with an RMS below this count as silence in a voicemail (default 300, about -41 dBFS).</summary>
    public double VoicemailSilenceThreshold { get; set; } = 300;

    /// <summary>Keys typed ahead while nothing collects that are kept for the next menu or collection (default 32).</summary>
    public int MaxTypeAheadKeys { get; set; } = 32;

    /// <summary>Hang up (BYE) when no RTP arrives for the session's media timeout, and end the IVR session (default true).</summary>
    public bool HangUpOnMediaTimeout { get; set; } = true;

    /// <summary>Checks the values; the message names the option.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(PromptDirectory))
        {
            throw new ArgumentException("SipIvrChannelOptions.PromptDirectory must name a folder.", nameof(PromptDirectory));
        }

        if (VoicemailSilenceTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(VoicemailSilenceTimeout), VoicemailSilenceTimeout, "SipIvrChannelOptions.VoicemailSilenceTimeout must be zero (off) or positive.");
        }

        if (VoicemailSilenceThreshold < 0 || double.IsNaN(VoicemailSilenceThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(VoicemailSilenceThreshold), VoicemailSilenceThreshold, "SipIvrChannelOptions.VoicemailSilenceThreshold must not be negative.");
        }

        if (MaxTypeAheadKeys is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTypeAheadKeys), MaxTypeAheadKeys, "SipIvrChannelOptions.MaxTypeAheadKeys must be from 1 to 1024.");
        }
    }
}
