using System.Globalization;

namespace ContactCenter.Ivr.Simulation;

/// <summary>
/// An <see cref="IIvrChannel"/> driven by a script of caller events, for tests and <c>contactcenter ivr run</c>.
/// The script is comma-separated: a group of keys such as <c>1</c> or <c>12345#</c> (typed together, then the caller
/// pauses), <c>timeout</c> or an empty item (the caller says nothing), <c>hangup</c> (the caller hangs up),
/// <c>overflow</c> (the next queue transfer overflows), <c>busy</c> (the next transfer fails). Items are used in order
/// by the operations that listen to the caller: a prompt keys can interrupt, a digit collection, a recording, a queue
/// wait, a transfer ring. A <c>hangup</c> ends the call in the first of these the script reaches: during an
/// interruptible prompt, while digits are awaited, at the end of a voicemail message (the message is kept), while
/// waiting in a queue or while a transfer rings. Answering and prompts that cannot be interrupted play through.
/// Every wait happens on a <see cref="SimulationClock"/>, so timeouts cost no real time. Interruptible prompts take the
/// first key of the next group (barge-in). Once the script is used up the caller stays silent.
/// </summary>
public sealed class ScriptedChannel : IIvrChannel
{
    private const string DtmfKeys = "0123456789*#ABCD";

    private readonly List<(EventKind Kind, string Keys)> _events = [];
    private readonly List<string> _log = [];
    private readonly List<QueueTransferRequest> _queueTransfers = [];
    private readonly List<TransferRequest> _transfers = [];
    private int _event;
    private int _offset;
    private bool _hungUp;

    /// <summary>Creates a channel for <paramref name="script"/> on <paramref name="clock"/>.</summary>
    /// <exception cref="FormatException">An item of the script is not a key group or a known word.</exception>
    public ScriptedChannel(string script, SimulationClock clock)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        if (script.Trim().Length == 0)
        {
            return;
        }

        var items = script.Split(',');
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            _events.Add(item switch
            {
                "" or "timeout" or "-" => (EventKind.Silence, string.Empty),
                "hangup" => (EventKind.HangUp, string.Empty),
                "overflow" => (EventKind.Overflow, string.Empty),
                "busy" => (EventKind.Busy, string.Empty),
                _ when item.All(c => DtmfKeys.Contains(c, StringComparison.Ordinal)) => (EventKind.Keys, item),
                _ => throw new FormatException(
                    $"script item {i + 1} '{item}' is not DTMF keys (0-9, *, #) nor one of timeout, hangup, overflow, busy"),
            });
        }
    }

    private enum EventKind
    {
        Keys,
        Silence,
        HangUp,
        Overflow,
        Busy,
    }

    /// <summary>The virtual clock the channel advances.</summary>
    public SimulationClock Clock { get; }

    /// <summary>What the flow did to the call, one line per action (<c>play text: Welcome</c>, <c>collect</c>, ...).</summary>
    public IReadOnlyList<string> Log => _log;

    /// <summary>Every queue transfer the flow asked for, in order.</summary>
    public IReadOnlyList<QueueTransferRequest> QueueTransfers => _queueTransfers;

    /// <summary>Every number or extension transfer the flow asked for, in order.</summary>
    public IReadOnlyList<TransferRequest> Transfers => _transfers;

    /// <summary>Whether the call has ended (either side hung up).</summary>
    public bool IsHungUp => _hungUp;

    /// <summary>The virtual time a prompt takes per character of text (default 60 ms; audio files take <see cref="AudioPromptDuration"/>).</summary>
    public TimeSpan TimePerCharacter { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>The virtual time an audio-file prompt takes (default 3 s).</summary>
    public TimeSpan AudioPromptDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The agent who answers queue transfers (default <c>agent-1</c>).</summary>
    public string AgentId { get; init; } = "agent-1";

    /// <summary>How long the caller talks to the agent (default 60 s).</summary>
    public TimeSpan TalkDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a voicemail message lasts when the caller does not end it (default 10 s).</summary>
    public TimeSpan MessageDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public ValueTask AnswerAsync(CancellationToken cancellationToken)
    {
        Begin(cancellationToken);
        _log.Add("answer");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Begin(cancellationToken);
        var duration = prompt.Text is { } text && prompt.AudioFile is null
            ? TimePerCharacter * Math.Max(10, text.Length)
            : AudioPromptDuration;
        _log.Add(prompt.Text is not null ? "play text: " + prompt.Text : "play audio: " + prompt.AudioFile);
        if (prompt.Interruptible)
        {
            HangUpIfScripted(duration / 2);
        }

        if (prompt.Interruptible && Current is { Kind: EventKind.Keys } keys)
        {
            var key = keys.Keys[_offset++];
            Clock.Advance(duration / 2);
            _log.Add("barge-in " + key);
            return ValueTask.FromResult(new PlayResult(key));
        }

        Clock.Advance(duration);
        return ValueTask.FromResult(PlayResult.Completed);
    }

    /// <inheritdoc />
    public ValueTask<DigitsResult> CollectDigitsAsync(DigitsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Begin(cancellationToken);
        HangUpIfScripted(TimeSpan.Zero);
        if (Current is not { Kind: EventKind.Keys } keys)
        {
            if (Current is { Kind: EventKind.Silence })
            {
                Consume();
            }

            Clock.Advance(request.FirstDigitTimeout);
            _log.Add("collect: no input");
            return ValueTask.FromResult(new DigitsResult(string.Empty, DigitsTermination.NoInput));
        }

        var digits = new System.Text.StringBuilder();
        while (_offset < keys.Keys.Length)
        {
            var key = keys.Keys[_offset++];
            Clock.Advance(TimeSpan.FromMilliseconds(300));
            if (request.Terminators.Contains(key, StringComparison.Ordinal))
            {
                _log.Add("collect: " + digits + key);
                return ValueTask.FromResult(new DigitsResult(digits.ToString(), DigitsTermination.Terminator, key));
            }

            digits.Append(key);
            if (digits.Length >= request.MaxLength)
            {
                _log.Add("collect: " + digits);
                return ValueTask.FromResult(new DigitsResult(digits.ToString(), DigitsTermination.MaxLength));
            }
        }

        Clock.Advance(digits.Length == 0 ? request.FirstDigitTimeout : request.InterDigitTimeout);
        _log.Add("collect: " + digits + " (timeout)");
        return ValueTask.FromResult(new DigitsResult(
            digits.ToString(),
            digits.Length == 0 ? DigitsTermination.NoInput : DigitsTermination.InterDigitTimeout));
    }

    /// <inheritdoc />
    public ValueTask<RecordingResult> RecordAsync(RecordingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Begin(cancellationToken);
        var id = "rec-" + Clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var duration = request.MaxLength < MessageDuration ? request.MaxLength : MessageDuration;
        Clock.Advance(duration);
        var hungUp = false;
        if (Current is { Kind: EventKind.HangUp })
        {
            Consume();
            _hungUp = true;
            hungUp = true;
            _log.Add("caller hung up");
        }
        else if (Current is { Kind: EventKind.Keys } keys && request.EndKeys.Contains(keys.Keys[_offset], StringComparison.Ordinal))
        {
            _offset++;
        }

        _log.Add("record " + request.Mailbox + (request.Beep ? " (beep)" : string.Empty));
        return ValueTask.FromResult(new RecordingResult(id, duration, hungUp));
    }

    /// <inheritdoc />
    public ValueTask<QueueTransferResult> TransferToQueueAsync(QueueTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Begin(cancellationToken);
        _log.Add("queue " + request.Queue);
        _queueTransfers.Add(request);
        HangUpIfScripted(TimeSpan.FromSeconds(30));
        if (Current is { Kind: EventKind.Overflow })
        {
            Consume();
            Clock.Advance(request.OverflowAfter ?? TimeSpan.FromSeconds(60));
            return ValueTask.FromResult(new QueueTransferResult(
                QueueTransferStatus.Overflow, request.OverflowQueue ?? request.Queue, null, 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.Zero));
        }

        var ring = TimeSpan.FromSeconds(5);
        Clock.Advance(TimeSpan.FromSeconds(30) + ring + TalkDuration);
        _log.Add("agent " + AgentId + " hung up");
        return ValueTask.FromResult(new QueueTransferResult(
            QueueTransferStatus.Completed, request.Queue, AgentId, 1, TimeSpan.FromSeconds(30), ring, TalkDuration));
    }

    /// <inheritdoc />
    public ValueTask<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Begin(cancellationToken);
        _transfers.Add(request);
        _log.Add("transfer " + request.Target.ToString().ToUpperInvariant() + " " + request.Destination);
        HangUpIfScripted(TimeSpan.FromSeconds(2));
        if (Current is { Kind: EventKind.Busy })
        {
            Consume();
            Clock.Advance(TimeSpan.FromSeconds(5));
            return ValueTask.FromResult(new TransferResult(false, "busy"));
        }

        Clock.Advance(TimeSpan.FromSeconds(5));
        return ValueTask.FromResult(new TransferResult(true, null));
    }

    /// <inheritdoc />
    public ValueTask HangUpAsync(CancellationToken cancellationToken)
    {
        _log.Add("hangup");
        _hungUp = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>The current event, skipping key groups that are used up; null when the script is over.</summary>
    private (EventKind Kind, string Keys)? Current
    {
        get
        {
            while (_event < _events.Count && _events[_event].Kind == EventKind.Keys && _offset >= _events[_event].Keys.Length)
            {
                _event++;
                _offset = 0;
            }

            return _event < _events.Count ? _events[_event] : null;
        }
    }

    private void Consume()
    {
        _event++;
        _offset = 0;
    }

    /// <summary>Starts an operation; throws when the call has already ended.</summary>
    private void Begin(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_hungUp)
        {
            throw new CallerHungUpException("The call has already ended.");
        }
    }

    /// <summary>In an operation that listens to the caller: when the script has reached <c>hangup</c>, the caller hangs up after <paramref name="after"/>.</summary>
    private void HangUpIfScripted(TimeSpan after)
    {
        if (Current is { Kind: EventKind.HangUp })
        {
            Consume();
            Clock.Advance(after);
            _hungUp = true;
            _log.Add("caller hung up");
            throw new CallerHungUpException();
        }
    }
}
