using System.Collections.Concurrent;
using System.Net;
using ContactCenter.Hosting.Ivr;
using ContactCenter.Hosting.Media;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Hosting.Tests.Ivr;

/// <summary>
/// A contact center side (a SIP user agent whose incoming calls run a compiled flow through <see cref="SipIvrChannel"/>)
/// and a caller side (another user agent with its own RTP session), on real loopback sockets. Media runs on the
/// system clock (real RTP); the channel's digit timers run on <see cref="DigitClock"/>, a manual clock.
/// </summary>
internal sealed class IvrCallHarness : IAsyncDisposable
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(20);

    private readonly ConcurrentStack<IAsyncDisposable> _disposables = new();
    private readonly ConcurrentQueue<SipIvrChannel> _channels = new();
    private readonly TaskCompletionSource<(SipIvrChannel Channel, IvrSessionResult Result)> _session = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SipIvrChannel> _channel = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MediaResources _serverMedia = null!;
    private MediaResources _callerMedia = null!;
    private SipUserAgent _server = null!;
    private SipUserAgent _caller = null!;

    private IvrCallHarness(string folder)
    {
        Folder = folder;
    }

    /// <summary>A temporary folder: prompts, the storage data folder.</summary>
    public string Folder { get; }

    public ContactCenterStorage Storage { get; private set; } = null!;

    public ObservedClock DigitClock { get; } = new(new ManualTimeProvider());

    public FakeCallRouter Router { get; } = new();

    /// <summary>What the channel logged (event ids).</summary>
    public CapturingLogger Log { get; } = new();

    public Guid CallId { get; } = Guid.CreateVersion7();

    /// <summary>The channel of the call in progress, once the INVITE arrived.</summary>
    public Task<SipIvrChannel> Channel => _channel.Task;

    /// <summary>The interpreter's result, once the session ended.</summary>
    public Task<(SipIvrChannel Channel, IvrSessionResult Result)> Session => _session.Task;

    /// <summary>The channel's text-to-speech engine (speaks every text as a 4 s tone), when started with speech.</summary>
    public FakeTextToSpeech? Speech { get; private set; }

    /// <summary>Starts both sides; <paramref name="withSpeech"/> gives the channel a (fake) text-to-speech engine.</summary>
    /// <param name="flowJson">The flow every incoming call runs.</param>
    /// <param name="withSpeech">Give the channel a (fake) text-to-speech engine.</param>
    /// <param name="session">The RTP options of the contact center's calls (DTMF methods, media timeout).</param>
    public static async Task<IvrCallHarness> StartAsync(string flowJson, bool withSpeech = false, RtpSessionOptions? session = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cc-ivr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var harness = new IvrCallHarness(folder);
        if (withSpeech)
        {
            harness.Speech = new FakeTextToSpeech(harness.WritePrompt("speech.wav", TimeSpan.FromSeconds(4), 600));
        }

        await harness.InitializeAsync(CompiledFlow.Compile(flowJson), harness.Speech, session);
        return harness;
    }

    private async Task InitializeAsync(CompiledFlow flow, ITextToSpeech? textToSpeech, RtpSessionOptions? session)
    {
        Storage = await ContactCenterStorage.OpenAsync(new StorageOptions { DataDirectory = Path.Combine(Folder, "data") });
        _disposables.Push(Storage);
        _serverMedia = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 42000, 42999, TimeProvider.System, NullLoggerFactory.Instance, sessionOptions: session);
        _callerMedia = new MediaResources(IPAddress.Loopback, IPAddress.Loopback, 43000, 43999, TimeProvider.System, NullLoggerFactory.Instance);
        _serverMedia.Start();
        _callerMedia.Start();
        _server = await StartAgentAsync("ivr");
        _caller = await StartAgentAsync("caller");
        var interpreter = new IvrInterpreter();
        var options = new SipIvrChannelOptions { PromptDirectory = Folder };
        var voicemail = VoicemailStore.For(Storage);
        _server.IncomingCall = call =>
        {
            var media = CallMedia.Open(_serverMedia);
            var channel = new SipIvrChannel(call, media, _serverMedia, Router, voicemail, CallId, options, DigitClock, Log, textToSpeech);
            _channels.Enqueue(channel);
            _disposables.Push(media);
            _channel.TrySetResult(channel);
            _ = Task.Run(async () =>
            {
                try
                {
                    var result = await interpreter.RunAsync(flow, channel, new IvrCallInfo { CallerNumber = "+15551230000", CalledNumber = "+18005550100", SessionId = CallId });
                    _session.TrySetResult((channel, result));
                }
                catch (Exception ex)
                {
                    _session.TrySetException(ex);
                }
            });
            return ValueTask.CompletedTask;
        };
    }

    private async Task<SipUserAgent> StartAgentAsync(string user)
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        _disposables.Push(agent);
        await agent.StartAsync();
        return agent;
    }

    /// <summary>Calls the IVR with an offer from the caller's own SDP side (or <paramref name="offerOverride"/>) and waits for the answer.</summary>
    public async Task<TestCaller> CallAsync(Func<int, string>? offerOverride = null)
    {
        var media = CallMedia.Open(_callerMedia);
        _disposables.Push(media);
        var offer = offerOverride is null ? media.Offer() : System.Text.Encoding.UTF8.GetBytes(offerOverride(media.Rtp.LocalRtpEndPoint.Port));
        var call = await _caller.CallAsync(Request(offer)).WaitAsync(Safety);
        var meter = new AudioMeter();
        if (call.State == SipCallState.Established)
        {
            media.AcceptAnswer(call.RemoteSdp);
            media.Rtp.AddSink(meter);
        }

        return new TestCaller(call, media, meter);
    }

    /// <summary>Calls the IVR and takes the early media of its first provisional response with SDP (183).</summary>
    public async Task<TestCaller> CallForEarlyMediaAsync()
    {
        var media = CallMedia.Open(_callerMedia);
        _disposables.Push(media);
        var call = _caller.Call(Request(media.Offer()));
        var early = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (c, state) =>
        {
            if (state is SipCallState.Ringing or SipCallState.Terminated)
            {
                early.TrySetResult();
            }
        };
        if (call.State is SipCallState.Ringing or SipCallState.Terminated)
        {
            early.TrySetResult();
        }

        await early.Task.WaitAsync(Safety);
        var meter = new AudioMeter();
        media.AcceptAnswer(call.RemoteSdp);
        media.Rtp.AddSink(meter);
        return new TestCaller(call, media, meter);
    }

    private SipCallRequest Request(ReadOnlyMemory<byte> offer)
    {
        var address = _server.Endpoint.LocalAddresses[0];
        return new SipCallRequest
        {
            Target = SipUri.Parse($"sip:+18005550100@127.0.0.1:{address.EndPoint.Port}"),
            Destination = new SipDestination(address.Protocol, address.EndPoint),
            Sdp = offer,
        };
    }

    /// <summary>Writes a WAV prompt of a steady tone into <see cref="Folder"/>.</summary>
    public string WritePrompt(string name, TimeSpan length, double frequency = 440)
    {
        var samples = new short[(int)(length.TotalSeconds * 8000)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(6000 * Math.Sin(2 * Math.PI * frequency * i / 8000));
        }

        var path = Path.Combine(Folder, name);
        using var stream = File.Create(path);
        WavFile.Write(stream, new AudioClip(samples, name));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        while (_channels.TryDequeue(out var channel))
        {
            await channel.DisposeAsync();
        }

        while (_disposables.TryPop(out var disposable))
        {
            await disposable.DisposeAsync();
        }

        _serverMedia?.Dispose();
        _callerMedia?.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A logger that keeps the event ids it was given.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, LogLevel Level)> _entries = new();

    public IReadOnlyCollection<(int EventId, LogLevel Level)> Entries => _entries;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId.Id, logLevel));
}

/// <summary>The caller's side of a test call.</summary>
internal sealed record TestCaller(SipCall Call, CallMedia Media, AudioMeter Heard);

/// <summary>Counts the audio a caller hears (frames louder than a whisper) and tells when enough was heard.</summary>
internal sealed class AudioMeter : IAudioSink
{
    private readonly object _gate = new();
    private readonly List<(long Samples, TaskCompletionSource Done)> _waiters = [];
    private long _loud;

    /// <summary>How much audible audio arrived.</summary>
    public TimeSpan Heard
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromSeconds(_loud / 8000.0);
            }
        }
    }

    /// <summary>Completes once <paramref name="amount"/> of audible audio more than now has arrived.</summary>
    public Task HearAsync(TimeSpan amount)
    {
        lock (_gate)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((_loud + (long)(amount.TotalSeconds * 8000), done));
            return done.Task;
        }
    }

    public void Write(ReadOnlySpan<short> frame)
    {
        double energy = 0;
        foreach (var s in frame)
        {
            energy += (double)s * s;
        }

        if (frame.Length == 0 || Math.Sqrt(energy / frame.Length) < 500)
        {
            return;
        }

        lock (_gate)
        {
            _loud += frame.Length;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Samples <= _loud)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

/// <summary>A manual clock that says when a timer is created (a digit collection armed its first timeout).</summary>
internal sealed class ObservedClock(ManualTimeProvider inner) : TimeProvider
{
    private readonly SemaphoreSlim _created = new(0);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        _created.Release();
        return timer;
    }

    /// <summary>Waits until the next timer not yet waited for is created.</summary>
    public Task TimerCreatedAsync() => _created.WaitAsync(IvrCallHarness.Safety);

    public void Advance(TimeSpan delta) => inner.Advance(delta);
}

/// <summary>The host's router, faked: records what the flow asked and answers as told.</summary>
internal sealed class FakeCallRouter : IIvrCallRouter
{
    public List<(SipIvrChannel Channel, QueueTransferRequest Request)> Queued { get; } = [];

    public List<(SipIvrChannel Channel, TransferRequest Request)> Transfers { get; } = [];

    /// <summary>What the caller had heard when the call was queued.</summary>
    public TimeSpan HeardWhenQueued { get; private set; }

    public AudioMeter? CallerMeter { get; set; }

    public QueueTransferResult QueueResult { get; set; } =
        new(QueueTransferStatus.Completed, "Sales", "agent-7", 1, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    public TransferResult TransferResult { get; set; } = new(true, null);

    public ValueTask<QueueTransferResult> QueueAsync(SipIvrChannel channel, QueueTransferRequest request, CancellationToken cancellationToken)
    {
        lock (Queued)
        {
            Queued.Add((channel, request));
            HeardWhenQueued = CallerMeter?.Heard ?? TimeSpan.Zero;
        }

        return ValueTask.FromResult(QueueResult);
    }

    public ValueTask<TransferResult> TransferAsync(SipIvrChannel channel, TransferRequest request, CancellationToken cancellationToken)
    {
        lock (Transfers)
        {
            Transfers.Add((channel, request));
        }

        return ValueTask.FromResult(TransferResult);
    }
}

/// <summary>A text-to-speech engine that answers with a prepared WAV file and remembers what it was asked.</summary>
internal sealed class FakeTextToSpeech(string wavPath) : ITextToSpeech
{
    private readonly TaskCompletionSource<string> _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Texts { get; } = new();

    public Task<string> FirstRequest => _firstRequest.Task;

    public ValueTask<string> SynthesizeAsync(string text, string voice, CancellationToken cancellationToken)
    {
        Texts.Enqueue(text);
        _firstRequest.TrySetResult(text);
        return ValueTask.FromResult(wavPath);
    }
}
