using System.Net;
using BenchmarkDotNet.Attributes;
using ContactCenter.Sip.Media;

namespace ContactCenter.Benchmarks.Media;

/// <summary>
/// The library's own work for one 20 ms frame of a recorded call, without the kernel: two sessions wired back to back
/// (what one sends is handed to the other's receive path), each playing a looped prompt; the answering side decodes
/// what it receives through its jitter buffer and records both directions into a two-channel WAV (written to a
/// stream that discards the bytes). One operation = one frame each way: prompt read, G.711 encode, packet build,
/// receive (parse, statistics, jitter buffer), playout decode, recording. Compare with the load script, where the
/// socket calls come on top.
/// </summary>
[MemoryDiagnoser]
public class RtpSessionFrameBenchmarks
{
    private MediaClock? _clock;
    private RtpSession? _caller;
    private RtpSession? _callee;
    private CallRecorder? _recorder;
    private long _tick;
    private AudioClip? _clip;
    private NegotiatedAudio? _calleeAudio;
    private NegotiatedAudio? _callerAudio;

    [GlobalSetup]
    public void Setup()
    {
        _clock = new MediaClock(TimeProvider.System);
        var callerTransport = new BackToBackTransport(new IPEndPoint(IPAddress.Loopback, 20000));
        var calleeTransport = new BackToBackTransport(new IPEndPoint(IPAddress.Loopback, 30000));
        var options = new RtpSessionOptions { MediaTimeout = TimeSpan.Zero };
        _caller = new RtpSession(callerTransport, _clock, TimeProvider.System, options, null);
        _callee = new RtpSession(calleeTransport, _clock, TimeProvider.System, options, null);
        callerTransport.Peer = calleeTransport;
        calleeTransport.Peer = callerTransport;

        var callerSdp = new SdpSession(IPAddress.Loopback, 20000);
        var calleeSdp = new SdpSession(IPAddress.Loopback, 30000);
        var answer = calleeSdp.CreateAnswer(SessionDescription.Parse(callerSdp.CreateOffer().ToString()));
        _callee.Apply(answer.Audio);
        _caller.Apply(callerSdp.AcceptAnswer(SessionDescription.Parse(answer.Answer.ToString())));

        var tone = new short[8000];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
        }

        var clip = new AudioClip(tone, "tone");
        _clip = clip;
        _calleeAudio = answer.Audio;
        _callerAudio = callerSdp.AcceptAnswer(SessionDescription.Parse(answer.Answer.ToString()));
        _recorder = new CallRecorder(new DiscardingSeekableStream());
        _caller.Source = PromptPlayer.HoldMusic(clip);
        _callee.Source = new CopyingSource(PromptPlayer.HoldMusic(clip), _recorder.Agent);
        _callee.AddSink(_recorder.Caller);
        _caller.Start();
        _callee.Start();
        _clock.Unsubscribe(_caller);
        _clock.Unsubscribe(_callee);

        // Fill the jitter buffer so playout decodes real frames.
        for (var i = 0; i < 20; i++)
        {
            OneFrameEachWay();
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _caller!.DisposeAsync();
        await _callee!.DisposeAsync();
        _recorder!.Dispose();
        _clock!.Dispose();
    }

    [Benchmark]
    public void OneFrameEachWay()
    {
        // Two 10 ms ticks: each 20 ms session acts on one of them, whatever its random phase.
        for (var i = 0; i < 2; i++)
        {
            ((IMediaClockSubscriber)_caller!).OnTick(_tick);
            ((IMediaClockSubscriber)_callee!).OnTick(_tick);
            _tick++;
        }
    }

    /// <summary>
    /// What one recorded call's media objects cost from start to end, beyond its packets: two sessions negotiated and
    /// started, half a second of audio each way (so the jitter buffer and the recorder hold audio), a two-channel
    /// recording, then both sessions ended. The allocated bytes per operation are what a busy host's garbage collector
    /// has to move for every call that lasts longer than a collection or two.
    /// </summary>
    [Benchmark]
    public async Task OneRecordedCallLifetime()
    {
        var callerTransport = new BackToBackTransport(new IPEndPoint(IPAddress.Loopback, 20000));
        var calleeTransport = new BackToBackTransport(new IPEndPoint(IPAddress.Loopback, 30000));
        var options = new RtpSessionOptions { MediaTimeout = TimeSpan.Zero };
        var caller = new RtpSession(callerTransport, _clock!, TimeProvider.System, options, null);
        var callee = new RtpSession(calleeTransport, _clock!, TimeProvider.System, options, null);
        callerTransport.Peer = calleeTransport;
        calleeTransport.Peer = callerTransport;
        callee.Apply(_calleeAudio!);
        caller.Apply(_callerAudio!);
        using var recorder = new CallRecorder(new DiscardingSeekableStream());
        caller.Source = PromptPlayer.HoldMusic(_clip!);
        callee.Source = new CopyingSource(PromptPlayer.HoldMusic(_clip!), recorder.Agent);
        callee.AddSink(recorder.Caller);
        caller.Start();
        callee.Start();
        _clock!.Unsubscribe(caller);
        _clock.Unsubscribe(callee);
        for (var tick = 0; tick < 50; tick++)
        {
            ((IMediaClockSubscriber)caller).OnTick(tick);
            ((IMediaClockSubscriber)callee).OnTick(tick);
        }

        await caller.DisposeAsync();
        await callee.DisposeAsync();
    }

    private sealed class BackToBackTransport(IPEndPoint local) : IRtpTransport
    {
        private DatagramHandler? _onRtp;

        public BackToBackTransport? Peer { get; set; }

        public IPEndPoint LocalRtpEndPoint { get; } = local;

        public IPEndPoint LocalRtcpEndPoint { get; } = new(local.Address, local.Port + 1);

        public void Start(DatagramHandler onRtp, DatagramHandler onRtcp) => _onRtp = onRtp;

        public void Poll()
        {
            // Delivery is synchronous on send: nothing waits to be read.
        }

        public void SendRtp(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Peer?._onRtp?.Invoke(datagram, LocalRtpEndPoint);

        public void SendRtcp(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class CopyingSource(IAudioSource inner, IAudioSink copy) : IAudioSource
    {
        public int Read(Span<short> frame)
        {
            var produced = inner.Read(frame);
            copy.Write(frame[..produced]);
            return produced;
        }
    }

    /// <summary>A writable, seekable stream that keeps only its length and position.</summary>
    private sealed class DiscardingSeekableStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };

        public override void SetLength(long value) => _length = value;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Position += buffer.Length;
            _length = Math.Max(_length, Position);
        }
    }
}
