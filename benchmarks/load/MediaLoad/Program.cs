using System.Diagnostics;
using System.Globalization;
using System.Net;
using ContactCenter.Load.Media;
using ContactCenter.Sip;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;

// Two roles, one per process:
//   callee <sip-port> <calls> <lifetime-seconds> <recordings-dir>
//     answers calls, plays a looped prompt, records both directions of each call to a two-channel WAV;
//     measures from the moment <calls> calls are up until the first one is hung up; exits when all ended.
//   caller <callee-sip-port> <calls> <seconds> <setup-concurrency>
//     places <calls> calls, plays a looped prompt on each, holds them <seconds>, hangs up.
// Each prints one line of figures: the gap between consecutive packets each call sends (p50/p99/max, 20 ms ptime),
// the gap between arrivals, CPU and memory over the measured window.
if (args.Length < 1 || args[0] is not ("callee" or "caller"))
{
    Console.Error.WriteLine("usage: MediaLoad callee <sip-port> <calls> <lifetime-s> <recordings-dir> | caller <callee-port> <calls> <seconds> <setup-concurrency>");
    return 2;
}

var role = args[0];
var sipPort = int.Parse(args[1], CultureInfo.InvariantCulture);
var calls = int.Parse(args[2], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[3], CultureInfo.InvariantCulture);

var time = TimeProvider.System;
// MEDIA_RECEIVE=tick reads RTP on the media clock (RtpSessionOptions.ReceiveOnClockTick); anything else as it arrives.
var receiveOnTick = Environment.GetEnvironmentVariable("MEDIA_RECEIVE") == "tick";
var realtimePriority = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_RT_PRIORITY"), CultureInfo.InvariantCulture, out var priority) ? priority : 0;
// MEDIA_PARALLELISM sets the clock's threads; unset, the clock's own default applies.
using var clock = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_PARALLELISM"), CultureInfo.InvariantCulture, out var parallelism)
    ? new MediaClock(time) { RealtimePriority = realtimePriority, Parallelism = parallelism }
    : new MediaClock(time) { RealtimePriority = realtimePriority };
clock.Start();
var ports = role == "callee" ? new RtpPortAllocator(IPAddress.Loopback, 30000, 39999) : new RtpPortAllocator(IPAddress.Loopback, 20000, 29999);
var sendGaps = new GapHistogram();
var arrivalGaps = new GapHistogram();
var clockLateness = new GapHistogram();
var work = Directory.CreateTempSubdirectory("cc-media-load-");
var promptPath = Path.Combine(work.FullName, "prompt.wav");
var tone = new short[8000 * 3];
for (var i = 0; i < tone.Length; i++)
{
    tone[i] = (short)(6000 * Math.Sin(2 * Math.PI * 425 * i / 8000.0) * (i % 8000 < 4000 ? 1 : 0.3));
}

using (var file = File.Create(promptPath))
{
    WavFile.Write(file, new AudioClip(tone, "prompt"));
}

var prompts = new PromptCache();
var options = new SipUserAgentOptions { ContactUser = role };
options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse($"udp:127.0.0.1:{(role == "callee" ? sipPort : 0).ToString(CultureInfo.InvariantCulture)}"));
await using var agent = new SipUserAgent(options);
var window = new MeasureWindow();
using var latenessListener = new ClockLatenessListener(clockLateness, window);
var sessions = new List<(SipCall Call, RtpSession Rtp, CallRecorder? Recorder)>();
var gate = new Lock();

int result;
if (role == "callee")
{
    var recordings = args.Length > 4 ? args[4] : work.FullName;
    Directory.CreateDirectory(recordings);
    var established = 0;
    var ended = 0;
    var allEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    agent.IncomingCall = async call =>
    {
        await call.RingAsync();
        var rtp = RtpSession.Open(ports, clock, time, new RtpSessionOptions { MediaTimeout = TimeSpan.Zero, ReceiveOnClockTick = receiveOnTick });
        var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
        var answer = sdp.CreateAnswer(SessionDescription.Parse(call.RemoteSdp.Span));
        rtp.Apply(answer.Audio);
        var recorder = new CallRecorder(Path.Combine(recordings, call.CallId + ".wav"));
        rtp.AddSink(recorder.Caller);
        rtp.Source = new MeteredSource(new PromptPlayer([PromptItem.Clip(prompts.Get(promptPath))], loops: 0), sendGaps, window, recorder.Agent, () => rtp.Statistics.PacketsSent);
        rtp.PayloadObserver = new ArrivalMeter(arrivalGaps, window);
        lock (gate)
        {
            sessions.Add((call, rtp, recorder));
        }

        rtp.Start();
        _ = call.Ended.ContinueWith(
            async _ =>
            {
                window.Stop();
                await rtp.DisposeAsync();
                recorder.Dispose();
                if (Interlocked.Increment(ref ended) == calls)
                {
                    allEnded.TrySetResult();
                }
            },
            TaskScheduler.Default);
        await call.AnswerAsync(answer.Answer.ToUtf8());
        if (Interlocked.Increment(ref established) == calls)
        {
            window.Start();
        }
    };
    await agent.StartAsync();
    Console.WriteLine($"callee ready on {sipPort}");
    await Task.WhenAny(allEnded.Task, Task.Delay(TimeSpan.FromSeconds(seconds)));
    var recorded = Directory.EnumerateFiles(recordings, "*.wav").Sum(f => new FileInfo(f).Length);
    var figures = window.Report("callee", sendGaps, arrivalGaps, clockLateness, clock, established, Volatile.Read(ref ended));
    Console.WriteLine($"{figures} recordings={Directory.EnumerateFiles(recordings, "*.wav").Count()} files/{recorded / 1048576.0:F1} MiB");
    result = allEnded.Task.IsCompleted ? 0 : 1;
}
else
{
    var concurrency = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 50;
    await agent.StartAsync();
    var setup = Stopwatch.StartNew();
    using var limiter = new SemaphoreSlim(concurrency);
    var failures = 0;
    var placing = Enumerable.Range(0, calls).Select(async _ =>
    {
        await limiter.WaitAsync();
        try
        {
            var rtp = RtpSession.Open(ports, clock, time, new RtpSessionOptions { MediaTimeout = TimeSpan.Zero, ReceiveOnClockTick = receiveOnTick });
            var sdp = new SdpSession(IPAddress.Loopback, rtp.LocalRtpEndPoint.Port);
            var call = await agent.CallAsync(new SipCallRequest
            {
                Target = SipUri.Parse($"sip:load@127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}"),
                Destination = new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, sipPort)),
                Sdp = sdp.CreateOffer().ToUtf8(),
            });
            if (call.State != SipCallState.Established)
            {
                Interlocked.Increment(ref failures);
                await rtp.DisposeAsync();
                return;
            }

            rtp.Apply(sdp.AcceptAnswer(SessionDescription.Parse(call.RemoteSdp.Span)));
            rtp.Source = new MeteredSource(new PromptPlayer([PromptItem.Clip(prompts.Get(promptPath))], loops: 0), sendGaps, window, null, () => rtp.Statistics.PacketsSent);
            rtp.PayloadObserver = new ArrivalMeter(arrivalGaps, window);
            rtp.Start();
            lock (gate)
            {
                sessions.Add((call, rtp, null));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"call failed: {e.Message}");
        }
        finally
        {
            limiter.Release();
        }
    });
    await Task.WhenAll(placing);
    Console.WriteLine($"caller: {sessions.Count} calls up in {setup.Elapsed.TotalSeconds:F1} s, {failures} failed");
    await Task.Delay(TimeSpan.FromSeconds(1)); // let the callee start its window too
    window.Start();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    window.Stop();
    var figures = window.Report("caller", sendGaps, arrivalGaps, clockLateness, clock, sessions.Count, 0);
    var sent = sessions.Sum(s => s.Rtp.Statistics.PacketsSent);
    var received = sessions.Sum(s => s.Rtp.Statistics.PacketsReceived);
    Console.WriteLine($"{figures} rtp.sent={sent} rtp.received={received}");
    foreach (var (call, rtp, _) in sessions)
    {
        await call.HangUpAsync();
        await rtp.DisposeAsync();
    }

    result = failures == 0 ? 0 : 1;
}

work.Delete(recursive: true);
return result;
