using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Ivr;

/// <summary>Log messages of the IVR channel over SIP calls (event ids 9600-9699).</summary>
internal static partial class IvrChannelLog
{
    [LoggerMessage(EventId = 9600, Level = LogLevel.Information, Message = "IVR call {CallId} answered (SIP Call-ID {SipCallId})")]
    public static partial void Answered(ILogger logger, Guid callId, string sipCallId);

    [LoggerMessage(EventId = 9601, Level = LogLevel.Warning, Message = "IVR call {CallId} rejected with 488: {Reason}")]
    public static partial void OfferRejected(ILogger logger, Guid callId, string reason);

    [LoggerMessage(EventId = 9602, Level = LogLevel.Information, Message = "IVR call {CallId} plays early media (183) before the answer")]
    public static partial void EarlyMedia(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 9603, Level = LogLevel.Information, Message = "IVR call {CallId} ended by the caller ({Reason})")]
    public static partial void CallerHungUp(ILogger logger, Guid callId, ContactCenter.Sip.Calls.SipCallEndReason reason);

    [LoggerMessage(EventId = 9604, Level = LogLevel.Warning, Message = "IVR call {CallId} received no RTP for the media timeout; hanging up")]
    public static partial void MediaTimedOut(ILogger logger, Guid callId);

    // Prompt text is not logged: flows render caller data (names, account numbers) into it.
    [LoggerMessage(EventId = 9610, Level = LogLevel.Warning, Message = "IVR call {CallId}: a text prompt ({Length} characters, voice {Voice}) is skipped because no text-to-speech engine is configured")]
    public static partial void TextPromptSkipped(ILogger logger, Guid callId, int length, string voice);

    [LoggerMessage(EventId = 9611, Level = LogLevel.Error, Message = "IVR call {CallId}: text-to-speech failed for a text prompt ({Length} characters, voice {Voice}); the prompt is skipped")]
    public static partial void SpeechFailed(ILogger logger, Guid callId, int length, string voice, Exception exception);

    [LoggerMessage(EventId = 9612, Level = LogLevel.Error, Message = "IVR call {CallId}: prompt {Path} cannot be played and is skipped: {Error}")]
    public static partial void PromptUnavailable(ILogger logger, Guid callId, string path, string error);

    [LoggerMessage(EventId = 9613, Level = LogLevel.Error, Message = "IVR call {CallId}: a prompt with neither audio nor text is skipped")]
    public static partial void EmptyPrompt(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 9620, Level = LogLevel.Warning, Message = "IVR call {CallId}: SIP INFO with an invalid DTMF body refused: {Error}")]
    public static partial void InvalidDtmfInfo(ILogger logger, Guid callId, string error);

    [LoggerMessage(EventId = 9630, Level = LogLevel.Information, Message = "IVR call {CallId}: voicemail {RecordingId} for mailbox '{Mailbox}' recorded ({Duration}, ended by {End})")]
    public static partial void VoicemailRecorded(ILogger logger, Guid callId, Guid recordingId, string mailbox, TimeSpan duration, string end);

    [LoggerMessage(EventId = 9631, Level = LogLevel.Information, Message = "IVR call {CallId}: voicemail for mailbox '{Mailbox}' is empty (ended by {End}); nothing kept")]
    public static partial void VoicemailEmpty(ILogger logger, Guid callId, string mailbox, string end);

    [LoggerMessage(EventId = 9632, Level = LogLevel.Warning, Message = "IVR call {CallId}: the voicemail file {Path} could not be deleted")]
    public static partial void VoicemailFileNotDeleted(ILogger logger, Guid callId, string path, Exception exception);

    [LoggerMessage(EventId = 9640, Level = LogLevel.Information, Message = "IVR call {CallId} handed to queue '{Queue}'")]
    public static partial void Queued(ILogger logger, Guid callId, string queue);

    [LoggerMessage(EventId = 9641, Level = LogLevel.Information, Message = "IVR call {CallId} transferred to {Target} {Destination}")]
    public static partial void Transferring(ILogger logger, Guid callId, ContactCenter.Ivr.TransferTarget target, string destination);

    [LoggerMessage(EventId = 9650, Level = LogLevel.Warning, Message = "IVR call {CallId}: hanging up failed")]
    public static partial void HangUpFailed(ILogger logger, Guid callId, Exception exception);
}
