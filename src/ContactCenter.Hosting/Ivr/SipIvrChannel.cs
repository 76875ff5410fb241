using System.Text;
using ContactCenter.Hosting.Media;
using ContactCenter.Ivr;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Ivr;

/// <summary>
/// The IVR port over one incoming SIP call (or an answered outgoing one, for agentless campaigns) and its media: the <see cref="IvrInterpreter"/> drives it.
/// Answers with the SDP answer (488 when nothing in the offer is acceptable), plays WAV prompts (or text through
/// the text-to-speech engine) on the call's RTP session with barge-in, collects DTMF from RFC 4733 events, SIP
/// INFO (<c>application/dtmf-relay</c>, <c>application/dtmf</c>) and in-band tones when the session enables them,
/// records voicemail into <see cref="VoicemailStore"/>, and hands queue and number transfers to the host's
/// <see cref="IIvrCallRouter"/>. Once the caller hangs up (or RTP stops for the media timeout) the pending
/// operation and every later one throw <see cref="CallerHungUpException"/>; a voicemail in progress is kept
/// and returned with <see cref="RecordingResult.CallerHungUp"/> set.
/// Digit timeouts run on the <see cref="TimeProvider"/> given here; media (prompt length, recording length,
/// silence) runs on the media clock of <see cref="MediaResources"/>. Disposing detaches the channel from the call
/// and its media; it neither hangs up nor disposes <see cref="Media"/>, which the host owns.
/// </summary>
internal sealed class SipIvrChannel : IIvrChannel, IAsyncDisposable
{
    private static readonly TimeSpan MaxRecordingLength = TimeSpan.FromHours(1);

    private readonly MediaResources _resources;
    private readonly IIvrCallRouter _router;
    private readonly VoicemailStore _voicemail;
    private readonly SipIvrChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITextToSpeech? _textToSpeech;
    private readonly DtmfDigitCollector _digits;
    private readonly CancellationTokenSource _ended = new();
    private readonly SemaphoreSlim _answerGate = new(1, 1);
    private readonly object _gate = new();
    private readonly Func<SipCall, SipRequest, ValueTask<SipResponse?>>? _previousRequestHandler;
    private readonly Func<SipCall, SipRequest, ValueTask<SipResponse?>> _requestHandler;
    private byte[]? _localSdp;
    private bool _answered;
    private DateTimeOffset? _answeredAt;
    private bool _earlyMedia;
    private bool _localHangUp;
    private string? _endedBecause;
    private Action<char>? _keyHandler;
    private PromptPlayer? _playing;
    private Task? _timeoutHangUp;
    private bool _disposed;

    /// <summary>
    /// Attaches a channel to an incoming call (state <see cref="SipCallState.Calling"/>, the offer in <see cref="SipCall.RemoteSdp"/>),
    /// or to an outgoing call the far end answered (an agentless campaign call: media already negotiated, answering is a no-op).
    /// </summary>
    /// <param name="call">The incoming call, or an answered outgoing one.</param>
    /// <param name="media">The call's media (opened by the host on its port range; owned by the host).</param>
    /// <param name="resources">The host's media resources (prompt cache, clock).</param>
    /// <param name="router">Queues and transfers the call when the flow hands the caller on.</param>
    /// <param name="voicemail">Where voicemail messages are written and indexed.</param>
    /// <param name="callId">The call's id (the call detail record's id; recordings are indexed under it).</param>
    /// <param name="options">Prompt folder, voicemail silence, type-ahead; <see langword="null"/> for the defaults.</param>
    /// <param name="time">The clock of digit timeouts and recording timestamps.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="textToSpeech">Speaks text prompts the interpreter did not synthesize; without one they are skipped with a log entry.</param>
    public SipIvrChannel(
        SipCall call,
        CallMedia media,
        MediaResources resources,
        IIvrCallRouter router,
        VoicemailStore voicemail,
        Guid callId,
        SipIvrChannelOptions? options,
        TimeProvider time,
        ILogger logger,
        ITextToSpeech? textToSpeech = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(voicemail);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (call.Direction != SipCallDirection.Incoming && call.State is not (SipCallState.Answered or SipCallState.Established))
        {
            throw new ArgumentException($"Call {call.CallId} is outgoing and not answered ({call.State}); an IVR channel takes incoming calls and answered outgoing ones.", nameof(call));
        }

        _options = options ?? new SipIvrChannelOptions();
        _options.Validate();
        Call = call;
        Media = media;
        CallId = callId;
        _resources = resources;
        _router = router;
        _voicemail = voicemail;
        _time = time;
        _logger = logger;
        _textToSpeech = textToSpeech;
        _digits = new DtmfDigitCollector(time, _options.MaxTypeAheadKeys);
        media.Rtp.Dtmf.DigitReceived += OnDigit;
        media.Rtp.MediaTimedOut += OnMediaTimedOut;
        _previousRequestHandler = call.RequestReceived;
        _requestHandler = OnRequestAsync;
        call.RequestReceived = _requestHandler;
        call.Ended.ContinueWith(static (_, state) => ((SipIvrChannel)state!).OnCallEnded(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The SIP call.</summary>
    public SipCall Call { get; }

    /// <summary>The call's media (RTP session and SDP side).</summary>
    public CallMedia Media { get; }

    /// <summary>The call's id.</summary>
    public Guid CallId { get; }

    /// <summary>Whether this channel answered the call (or found it answered).</summary>
    public bool IsAnswered
    {
        get
        {
            lock (_gate)
            {
                return _answered;
            }
        }
    }

    /// <summary>Cancelled when the call is over (caller hang-up, our hang-up, media timeout).</summary>
    public CancellationToken CallEnded => _ended.Token;

    /// <inheritdoc />
    public async ValueTask AnswerAsync(CancellationToken cancellationToken)
    {
        using var scope = Begin(cancellationToken);
        try
        {
            await _answerGate.WaitAsync(scope.Token).ConfigureAwait(false);
            try
            {
                await AnswerLockedAsync().ConfigureAwait(false);
            }
            finally
            {
                _answerGate.Release();
            }
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }
    }

    /// <inheritdoc />
    public async ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        using var scope = Begin(cancellationToken);
        try
        {
            await EnsureMediaAsync(scope.Token).ConfigureAwait(false);
            if (prompt.Interruptible && _digits.BufferedKeys > 0)
            {
                // Typed ahead during an earlier prompt: the key interrupts this one before it starts.
                return new PlayResult(await _digits.NextKeyAsync(scope.Token).ConfigureAwait(false));
            }

            var clip = await ResolvePromptAsync(prompt, scope.Token).ConfigureAwait(false);
            if (clip is null)
            {
                return PlayResult.Completed;
            }

            return await PlayItemsAsync([PromptItem.Clip(clip)], prompt.Interruptible, scope.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }
    }

    /// <inheritdoc />
    public async ValueTask<DigitsResult> CollectDigitsAsync(DigitsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = Begin(cancellationToken);
        try
        {
            await EnsureMediaAsync(scope.Token).ConfigureAwait(false);
            return await _digits.CollectAsync(request, scope.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }
    }

    /// <inheritdoc />
    public async ValueTask<RecordingResult> RecordAsync(RecordingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MaxLength <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxLength, "RecordingRequest.MaxLength must be positive.");
        }

        using var scope = Begin(cancellationToken);
        try
        {
            await EnsureMediaAsync(scope.Token).ConfigureAwait(false);
            // Keys typed before the message (for example during "press # when done") must not end it, nor leak into later menus.
            _digits.Clear();
            if (request.Beep)
            {
                await PlayItemsAsync([PromptItem.Tone(ToneSpec.Beep)], interruptible: false, scope.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }

        return await RecordMessageAsync(request, scope.Token, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<QueueTransferResult> TransferToQueueAsync(QueueTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = Begin(cancellationToken);
        try
        {
            IvrChannelLog.Queued(_logger, CallId, request.Queue);
            return await _router.QueueAsync(this, request, scope.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }
        finally
        {
            // Keys pressed while queued or talking to the agent are not answers to the IVR's next question.
            _digits.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = Begin(cancellationToken);
        try
        {
            IvrChannelLog.Transferring(_logger, CallId, request.Target, request.Destination);
            return await _router.TransferAsync(this, request, scope.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (HungUp(cancellationToken))
        {
            throw EndedException();
        }
        finally
        {
            _digits.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask HangUpAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _localHangUp = _endedBecause is null;
        }

        StopPlaying();
        if (Call.State == SipCallState.Terminated)
        {
            return;
        }

        try
        {
            await Call.HangUpAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (Call.State == SipCallState.Terminated)
        {
            // The caller hung up at the same moment.
        }
    }

    /// <summary>
    /// Decodes the audio of a prompt as <see cref="PlayAsync"/> would play it: the WAV file (relative paths from
    /// <see cref="SipIvrChannelOptions.PromptDirectory"/>), or the text spoken by the text-to-speech engine;
    /// <see langword="null"/> (logged) when it cannot be played. For the router's hold announcements.
    /// </summary>
    public async ValueTask<AudioClip?> ResolvePromptAsync(IvrPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        string? path;
        if (prompt.AudioFile is { Length: > 0 } file)
        {
            path = PromptPath(file);
            if (path is null)
            {
                IvrChannelLog.PromptUnavailable(_logger, CallId, file, "only local files and file: URIs can be played");
                return null;
            }
        }
        else if (prompt.Text is { Length: > 0 } text)
        {
            if (_textToSpeech is null)
            {
                IvrChannelLog.TextPromptSkipped(_logger, CallId, text.Length, prompt.Voice);
                return null;
            }

            try
            {
                path = await _textToSpeech.SynthesizeAsync(text, prompt.Voice, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any failure of the speech engine skips the prompt; the call goes on.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                IvrChannelLog.SpeechFailed(_logger, CallId, text.Length, prompt.Voice, ex);
                return null;
            }
        }
        else
        {
            IvrChannelLog.EmptyPrompt(_logger, CallId);
            return null;
        }

        try
        {
            return _resources.Prompts.Get(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            IvrChannelLog.PromptUnavailable(_logger, CallId, path, ex.Message);
            return null;
        }
    }

    /// <summary>Detaches from the call and its media (events, the INFO handler); neither hangs up nor disposes the media.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? timeoutHangUp;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            timeoutHangUp = _timeoutHangUp;
        }

        Media.Rtp.Dtmf.DigitReceived -= OnDigit;
        Media.Rtp.MediaTimedOut -= OnMediaTimedOut;
        if (Call.RequestReceived == _requestHandler)
        {
            Call.RequestReceived = _previousRequestHandler;
        }

        StopPlaying();
        _digits.Dispose();
        if (timeoutHangUp is not null)
        {
            await timeoutHangUp.ConfigureAwait(false);
        }

        _answerGate.Dispose();
        _ended.Dispose();
    }

    private async ValueTask AnswerLockedAsync()
    {
        lock (_gate)
        {
            if (_answered)
            {
                return;
            }
        }

        if (Call.State is SipCallState.Answered or SipCallState.Established)
        {
            // The host answered before handing the call over.
            MarkAnswered();
            return;
        }

        var sdp = await NegotiateAsync().ConfigureAwait(false);
        try
        {
            await Call.AnswerAsync(sdp).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (Call.State == SipCallState.Terminated)
        {
            throw EndedException();
        }

        MarkAnswered();
        IvrChannelLog.Answered(_logger, CallId, Call.CallId);
    }

    private void MarkAnswered()
    {
        lock (_gate)
        {
            _answered = true;
            _answeredAt ??= _time.GetUtcNow();
        }
    }

    /// <summary>When the call was answered (by this channel, or by the host before it handed the call over); null while it is not.</summary>
    internal DateTimeOffset? AnsweredAt
    {
        get
        {
            lock (_gate)
            {
                return _answeredAt;
            }
        }
    }

    /// <summary>Before the answer, a prompt or a collection plays as early media (183 with our SDP answer).</summary>
    private async ValueTask EnsureMediaAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_answered || _earlyMedia)
            {
                return;
            }
        }

        await _answerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_answered || _earlyMedia)
                {
                    return;
                }
            }

            if (Call.State is SipCallState.Answered or SipCallState.Established)
            {
                MarkAnswered();
                return;
            }

            var sdp = await NegotiateAsync().ConfigureAwait(false);
            try
            {
                await Call.RingAsync(183, sdp).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (Call.State == SipCallState.Terminated)
            {
                throw EndedException();
            }

            lock (_gate)
            {
                _earlyMedia = true;
            }

            IvrChannelLog.EarlyMedia(_logger, CallId);
        }
        finally
        {
            _answerGate.Release();
        }
    }

    /// <summary>Answers the offer once (starting RTP); an unacceptable offer is rejected with 488 and the error thrown.</summary>
    private async ValueTask<byte[]> NegotiateAsync()
    {
        if (_localSdp is { } done)
        {
            return done;
        }

        Exception failure;
        string warning;
        if (Call.RemoteSdp.IsEmpty)
        {
            failure = new SdpNegotiationException($"The INVITE of call {Call.CallId} has no SDP offer; offerless INVITEs are not supported by the IVR.");
            warning = "399";
        }
        else
        {
            try
            {
                _localSdp = Media.Answer(Call.RemoteSdp);
                return _localSdp;
            }
            catch (SdpNegotiationException ex)
            {
                failure = ex;
                warning = "304";
            }
            catch (Exception ex) when (ex is SdpFormatException or ArgumentException)
            {
                failure = ex;
                warning = "399";
            }
        }

        IvrChannelLog.OfferRejected(_logger, CallId, failure.Message);
        try
        {
            await Call.RejectAsync(488, "Not Acceptable Here", [new SipHeader("Warning", $"{warning} contactcenter \"{WarningText(failure.Message)}\"")]).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (Call.State == SipCallState.Terminated)
        {
            throw EndedException();
        }

        throw failure is SdpNegotiationException or SdpFormatException
            ? failure
            : new SdpNegotiationException($"The SDP offer of call {Call.CallId} cannot be applied: {failure.Message}");
    }

    private async ValueTask<PlayResult> PlayItemsAsync(IReadOnlyList<PromptItem> items, bool interruptible, CancellationToken cancellationToken)
    {
        var player = new PromptPlayer(items, loops: 1, bargeIn: interruptible);
        using var keyWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var key = interruptible ? _digits.NextKeyAsync(keyWait.Token) : null;
        if (key is { IsCompletedSuccessfully: true })
        {
            return new PlayResult(key.Result);
        }

        StartPlaying(player);
        try
        {
            if (key is null)
            {
                await player.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                ThrowIfStopped(player, cancellationToken);
                return PlayResult.Completed;
            }

            await Task.WhenAny(player.Completion, key).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!key.IsCompleted)
            {
                ThrowIfStopped(player, cancellationToken);
                // The prompt played to the end: stop waiting for a key (one pressed at that very moment still counts).
                await keyWait.CancelAsync().ConfigureAwait(false);
                try
                {
                    await key.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return PlayResult.Completed;
                }
            }

            var digit = await key.ConfigureAwait(false);
            player.OnDigit(digit);
            return new PlayResult(digit);
        }
        finally
        {
            StopPlaying(player);
        }
    }

    /// <summary>Only the end of the call (or of the channel) stops a prompt this channel plays: that is no completed prompt.</summary>
    private void ThrowIfStopped(PromptPlayer player, CancellationToken cancellationToken)
    {
        if (player.Completion.Result.End == PromptEnd.Stopped)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw EndedException();
        }
    }

    private async ValueTask<RecordingResult> RecordMessageAsync(RecordingRequest request, CancellationToken token, CancellationToken callerToken)
    {
        var maxLength = request.MaxLength < MaxRecordingLength ? request.MaxLength : MaxRecordingLength;
        var file = _voicemail.Create(CallId, request.Mailbox, _time.GetUtcNow());
        var recorder = new VoicemailRecorder(file.FullPath, new VoicemailOptions
        {
            MaxLength = maxLength,
            SilenceTimeout = _options.VoicemailSilenceTimeout,
            SilenceThreshold = _options.VoicemailSilenceThreshold,
            TerminationDigit = null,
        });
        var endedByKey = false;
        lock (_gate)
        {
            _keyHandler = key =>
            {
                if (request.EndKeys.Contains(key, StringComparison.Ordinal))
                {
                    endedByKey = true;
                    recorder.Stop();
                }
            };
        }

        var hungUp = false;
        Media.Rtp.AddSink(recorder);
        try
        {
            await recorder.Completion.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (HungUp(callerToken))
        {
            hungUp = true;
        }
        catch (OperationCanceledException)
        {
            recorder.Stop();
            DeleteQuietly(file.FullPath);
            throw;
        }
        finally
        {
            Media.Rtp.RemoveSink(recorder);
            lock (_gate)
            {
                _keyHandler = null;
            }

            recorder.Stop();
        }

        var result = await recorder.Completion.ConfigureAwait(false);
        var end = hungUp ? "caller hang-up" : endedByKey ? "end key" : result.End.ToString();
        if (result.Duration <= TimeSpan.Zero)
        {
            DeleteQuietly(file.FullPath);
            IvrChannelLog.VoicemailEmpty(_logger, CallId, request.Mailbox, end);
            return new RecordingResult(string.Empty, TimeSpan.Zero, hungUp);
        }

        // Indexed even when the caller has gone: the message is what the caller left.
        var entry = await _voicemail.IndexAsync(file, result.Duration, CancellationToken.None).ConfigureAwait(false);
        IvrChannelLog.VoicemailRecorded(_logger, CallId, entry.Id, request.Mailbox, result.Duration, end);
        return new RecordingResult(entry.Id.ToString(), result.Duration, hungUp);
    }

    private void StartPlaying(PromptPlayer player)
    {
        PromptPlayer? previous;
        lock (_gate)
        {
            previous = _playing;
            _playing = player;
            Media.Rtp.Source = player;
        }

        previous?.Stop();
    }

    private void StopPlaying(PromptPlayer? player = null)
    {
        lock (_gate)
        {
            player ??= _playing;
            if (player is null)
            {
                return;
            }

            if (ReferenceEquals(_playing, player))
            {
                _playing = null;
                if (ReferenceEquals(Media.Rtp.Source, player))
                {
                    Media.Rtp.Source = null;
                }
            }
        }

        player.Stop();
    }

    private void OnDigit(object? sender, DtmfDigitEventArgs e)
    {
        var key = char.ToUpperInvariant(e.Digit.Digit);
        if (!DtmfDigits.IsDigit(key))
        {
            return;
        }

        Action<char>? handler;
        lock (_gate)
        {
            handler = _keyHandler;
        }

        if (handler is not null)
        {
            handler(key);
            return;
        }

        _digits.Press(key);
    }

    private ValueTask<SipResponse?> OnRequestAsync(SipCall call, SipRequest request)
    {
        if (request.Method == SipMethod.Info && request.ContentType is { } type
            && (type.Is(DtmfRelayBody.RelayContentType) || type.Is(DtmfRelayBody.DtmfContentType)))
        {
            var body = Encoding.UTF8.GetString(request.Body.Span);
            if (!Media.Rtp.Dtmf.OfferSipInfo(type.MediaType, body, out var error))
            {
                IvrChannelLog.InvalidDtmfInfo(_logger, CallId, error ?? "unreadable body");
                return ValueTask.FromResult<SipResponse?>(request.CreateResponse(400, "Invalid DTMF Body"));
            }

            return ValueTask.FromResult<SipResponse?>(null);
        }

        return _previousRequestHandler is { } previous ? previous(call, request) : ValueTask.FromResult<SipResponse?>(null);
    }

    private void OnMediaTimedOut(object? sender, EventArgs e)
    {
        if (!_options.HangUpOnMediaTimeout)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || _endedBecause is not null)
            {
                return;
            }

            _endedBecause = "no RTP from the caller for the media timeout";
            IvrChannelLog.MediaTimedOut(_logger, CallId);
            _timeoutHangUp = HangUpAfterTimeoutAsync();
        }
    }

    private async Task HangUpAfterTimeoutAsync()
    {
        // Off the media clock's thread: the session's continuations must not run on a tick.
        await Task.Yield();
        Cancel();
        try
        {
            StopPlaying();
            await Call.HangUpAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed BYE to a peer that stopped sending must not escape; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            IvrChannelLog.HangUpFailed(_logger, CallId, ex);
        }
    }

    private void OnCallEnded()
    {
        bool local;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            local = _localHangUp;
            _endedBecause ??= Call.EndReason.ToString();
        }

        if (!local && Call.EndReason != SipCallEndReason.LocalHangUp)
        {
            IvrChannelLog.CallerHungUp(_logger, CallId, Call.EndReason);
        }

        // Cancel first: a prompt stopped by the hang-up must not look like a prompt that played to the end.
        Cancel();
        StopPlaying();
    }

    private void Cancel()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
        }

        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: nobody waits any more.
        }
    }

    private CancellationTokenSource Begin(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        if (_ended.IsCancellationRequested || Call.State == SipCallState.Terminated)
        {
            throw EndedException();
        }

        return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
    }

    /// <summary>True when an operation was cancelled because the call ended, not by its caller's token.</summary>
    private bool HungUp(CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && (_ended.IsCancellationRequested || Call.State == SipCallState.Terminated);

    private CallerHungUpException EndedException()
    {
        lock (_gate)
        {
            if (_localHangUp)
            {
                return new CallerHungUpException($"Call {CallId} was hung up by the IVR.");
            }

            return new CallerHungUpException($"The caller of call {CallId} hung up ({_endedBecause ?? Call.EndReason.ToString()}).");
        }
    }

    private string? PromptPath(string file)
    {
        if (Uri.TryCreate(file, UriKind.Absolute, out var uri) && !Path.IsPathRooted(file))
        {
            return uri.IsFile ? uri.LocalPath : null;
        }

        return Path.GetFullPath(Path.IsPathRooted(file) ? file : Path.Combine(_options.PromptDirectory, file));
    }

    private void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IvrChannelLog.VoicemailFileNotDeleted(_logger, CallId, path, ex);
        }
    }

    private static string WarningText(string message)
    {
        var builder = new StringBuilder(Math.Min(message.Length, 200));
        foreach (var c in message.AsSpan(0, Math.Min(message.Length, 200)))
        {
            builder.Append(c is '"' or '\\' || char.IsControl(c) ? '\'' : c);
        }

        return builder.ToString();
    }
}
