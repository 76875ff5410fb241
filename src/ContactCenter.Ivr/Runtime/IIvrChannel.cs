namespace ContactCenter.Ivr;

/// <summary>
/// The call an IVR session acts on. Hosting implements it over a SIP call; tests and the simulator use
/// <see cref="Simulation.ScriptedChannel"/>. Every method may throw <see cref="CallerHungUpException"/> when the
/// caller has gone; the interpreter then ends the session cleanly wherever it is.
/// Timeouts (first digit, inter-digit, recording length) are the channel's to enforce, with its own TimeProvider.
/// </summary>
public interface IIvrChannel
{
    /// <summary>Answers the call (idempotent: a second call does nothing).</summary>
    ValueTask AnswerAsync(CancellationToken cancellationToken);

    /// <summary>Plays one prompt once. When <see cref="IvrPrompt.Interruptible"/> is set, the first DTMF digit stops it and is returned.</summary>
    ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken);

    /// <summary>Collects DTMF digits with first-digit and inter-digit timeouts and terminator keys.</summary>
    ValueTask<DigitsResult> CollectDigitsAsync(DigitsRequest request, CancellationToken cancellationToken);

    /// <summary>Records the caller (voicemail), with an optional beep, a maximum length and keys that end it.</summary>
    ValueTask<RecordingResult> RecordAsync(RecordingRequest request, CancellationToken cancellationToken);

    /// <summary>Puts the caller in a queue and returns when the queued call ends (agent leg over, overflow or failure).</summary>
    ValueTask<QueueTransferResult> TransferToQueueAsync(QueueTransferRequest request, CancellationToken cancellationToken);

    /// <summary>Transfers the call to an external number or an extension; returns when it is connected or failed.</summary>
    ValueTask<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken);

    /// <summary>Hangs up the call.</summary>
    ValueTask HangUpAsync(CancellationToken cancellationToken);
}

/// <summary>Thrown by an <see cref="IIvrChannel"/> operation when the caller has hung up.</summary>
public sealed class CallerHungUpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallerHungUpException()
        : base("The caller hung up.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CallerHungUpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public CallerHungUpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A prompt to play: an audio file, or text to speak (already synthesized into <see cref="AudioFile"/> when a text-to-speech engine is configured).</summary>
/// <param name="AudioFile">Path or URI of a WAV file, or <see langword="null"/>.</param>
/// <param name="Text">Text to speak, or <see langword="null"/>.</param>
/// <param name="Voice">The voice for text, for example <c>en-us</c>.</param>
/// <param name="Language">The session language, for example <c>en-US</c>.</param>
/// <param name="Interruptible">Whether a DTMF digit stops the prompt (barge-in).</param>
public sealed record IvrPrompt(string? AudioFile, string? Text, string Voice, string Language, bool Interruptible);

/// <summary>How a prompt ended.</summary>
/// <param name="InterruptedBy">The digit that interrupted the prompt, or <see langword="null"/> when it played to the end.</param>
public readonly record struct PlayResult(char? InterruptedBy)
{
    /// <summary>The prompt played to the end.</summary>
    public static PlayResult Completed => default;
}

/// <summary>What to collect.</summary>
/// <param name="MinLength">Fewest digits for a valid entry.</param>
/// <param name="MaxLength">Collection stops once this many digits were entered.</param>
/// <param name="Terminators">Keys that end the entry (not included in the digits), for example <c>#</c>.</param>
/// <param name="FirstDigitTimeout">How long to wait for the first digit.</param>
/// <param name="InterDigitTimeout">How long to wait between digits.</param>
public sealed record DigitsRequest(int MinLength, int MaxLength, string Terminators, TimeSpan FirstDigitTimeout, TimeSpan InterDigitTimeout);

/// <summary>Why a digit collection ended.</summary>
public enum DigitsTermination
{
    /// <summary>A terminator key was pressed.</summary>
    Terminator,

    /// <summary>The maximum length was reached.</summary>
    MaxLength,

    /// <summary>No digit came before the first-digit timeout.</summary>
    NoInput,

    /// <summary>The caller stopped typing (inter-digit timeout) after at least one digit.</summary>
    InterDigitTimeout,
}

/// <summary>The digits collected.</summary>
/// <param name="Digits">The digits entered, without the terminator.</param>
/// <param name="Termination">Why the collection ended.</param>
/// <param name="Terminator">The terminator key pressed, when <paramref name="Termination"/> is <see cref="DigitsTermination.Terminator"/>.</param>
public sealed record DigitsResult(string Digits, DigitsTermination Termination, char? Terminator = null);

/// <summary>A recording to make.</summary>
/// <param name="Beep">Whether to play a beep first.</param>
/// <param name="MaxLength">The longest recording.</param>
/// <param name="EndKeys">Keys that end the recording, for example <c>#</c>.</param>
/// <param name="Mailbox">The mailbox the message is for.</param>
public sealed record RecordingRequest(bool Beep, TimeSpan MaxLength, string EndKeys, string Mailbox);

/// <summary>A finished recording.</summary>
/// <param name="RecordingId">The id (or path) of the stored recording.</param>
/// <param name="Duration">How long it is.</param>
/// <param name="CallerHungUp">Whether it ended because the caller hung up (usual for voicemail).</param>
public sealed record RecordingResult(string RecordingId, TimeSpan Duration, bool CallerHungUp);

/// <summary>A transfer to an ACD queue.</summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Priority">The priority (higher first).</param>
/// <param name="Skills">Skills required of the agent.</param>
/// <param name="OverflowQueue">A queue to move to when <paramref name="OverflowAfter"/> passes, or <see langword="null"/>.</param>
/// <param name="OverflowAfter">How long to wait before overflowing, or <see langword="null"/> to wait as long as the queue allows.</param>
/// <param name="Prompt">Played while transferring (hold message), or <see langword="null"/>.</param>
/// <param name="AttachedData">Data attached to the call for the agent (screen pop).</param>
public sealed record QueueTransferRequest(
    string Queue,
    int Priority,
    IReadOnlyList<string> Skills,
    string? OverflowQueue,
    TimeSpan? OverflowAfter,
    IvrPrompt? Prompt,
    IReadOnlyDictionary<string, string> AttachedData);

/// <summary>How a queued call ended.</summary>
public enum QueueTransferStatus
{
    /// <summary>An agent answered and the agent leg has ended; the caller is still on the line.</summary>
    Completed,

    /// <summary>No agent took the call in time (or the queue refused it); the caller is still in the IVR.</summary>
    Overflow,

    /// <summary>The transfer failed (unknown queue, routing unavailable).</summary>
    Failed,
}

/// <summary>The result of a queue transfer.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="ServedByQueue">The queue that served the call (the overflow queue if it moved).</param>
/// <param name="AgentId">The agent who answered, if any.</param>
/// <param name="InitialPosition">The caller's position when queued.</param>
/// <param name="ExpectedWait">The expected wait announced when queued.</param>
/// <param name="RingDuration">How long the agent's phone rang.</param>
/// <param name="TalkDuration">How long the caller talked to the agent.</param>
public sealed record QueueTransferResult(
    QueueTransferStatus Status,
    string ServedByQueue,
    string? AgentId,
    int InitialPosition,
    TimeSpan ExpectedWait,
    TimeSpan RingDuration,
    TimeSpan TalkDuration);

/// <summary>Where a blind transfer goes.</summary>
public enum TransferTarget
{
    /// <summary>An external number through a trunk.</summary>
    Number,

    /// <summary>An internal extension.</summary>
    Extension,
}

/// <summary>A transfer to a number or an extension.</summary>
/// <param name="Target">Number or extension.</param>
/// <param name="Destination">The number (E.164 recommended) or extension.</param>
/// <param name="CallerId">The caller id to present, or <see langword="null"/> for the caller's own.</param>
/// <param name="RingTimeout">How long to ring before giving up.</param>
public sealed record TransferRequest(TransferTarget Target, string Destination, string? CallerId, TimeSpan RingTimeout);

/// <summary>The result of a transfer.</summary>
/// <param name="Connected">Whether the destination answered and the call was handed over.</param>
/// <param name="Reason">Why it failed (busy, no answer, rejected), when it did.</param>
public sealed record TransferResult(bool Connected, string? Reason);
