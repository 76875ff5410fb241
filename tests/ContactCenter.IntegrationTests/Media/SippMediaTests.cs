using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;
using ContactCenter.Sip.Media;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>
/// sipp (Debian package sip-tester) calls our media endpoint and plays RFC 2833 telephone-events from the pcap files
/// sipp ships; our endpoint answers with an SDP answer, plays a prompt and collects the digits. sipp runs with
/// <c>-rtp_echo</c>, so every RTP packet that reaches sipp's media port comes back to us: that is how the test knows
/// sipp received our prompt. A second test has sipp send audio with <c>rtp_stream</c> and compares what we decode with
/// the tone the WAV holds.
/// </summary>
public sealed class SippMediaTests(ITestOutputHelper output)
{
    // The pcap files hold one RFC 2833 event each (payload type 101, volume 10, 7 updates and 3 end packets):
    // dtmf_2833_1.pcap is the digit 1, dtmf_2833_5.pcap the digit 5.
    private const string PcapDigits = """
                  <pause milliseconds="300"/>
                  <nop><action><exec play_pcap_audio="PCAP_DIR/dtmf_2833_1.pcap"/></action></nop>
                  <pause milliseconds="600"/>
                  <nop><action><exec play_pcap_audio="PCAP_DIR/dtmf_2833_5.pcap"/></action></nop>
                  <pause milliseconds="1000"/>
        """;

    private const string Scenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="UAC with media actions">
          <send retrans="500">
            <![CDATA[

              INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP AUDIO_PT 101
              a=rtpmap:AUDIO_PT AUDIO_NAME/8000
              a=rtpmap:101 telephone-event/8000
              a=fmtp:101 0-11,16

            ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="180" optional="true"/>
          <recv response="200" rtd="true"/>
          <send>
            <![CDATA[

              ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          MEDIA_ACTIONS
          <send retrans="500">
            <![CDATA[

              BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 2 BYE
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <recv response="200"/>
        </scenario>
        """;

    [Fact]
    public async Task Sipp_pcap_rfc2833_digits_are_collected_while_our_prompt_reaches_sipp()
    {
        var pcapDirectory = FindSippPcapDirectory();
        var directory = Directory.CreateTempSubdirectory("cc-media-sipp-");
        try
        {
            var promptPath = Path.Combine(directory.FullName, "prompt.wav");
            TestAudio.WriteWav(promptPath, TestAudio.Sine(1000, seconds: 1));
            var prompts = new PromptCache();
            var clip = prompts.Get(promptPath);
            Assert.Equal(8000, clip.Length);

            await using var endpoint = await MediaEndpoint.StartAsync();
            endpoint.Prompt = () => new PromptPlayer([PromptItem.Clip(clip)], loops: 0);
            var scenarioPath = Path.Combine(directory.FullName, "uac_dtmf_pcap.xml");
            await File.WriteAllTextAsync(scenarioPath, ScenarioWith("8", "PCMA", PcapDigits.Replace("PCAP_DIR", pcapDirectory, StringComparison.Ordinal)), Encoding.Latin1);

            var (call, exit, sippOutput) = await RunSippCallCollectingDigitsAsync(directory.FullName, scenarioPath, endpoint, digits: 2);

            var stats = call.Rtp.Statistics;
            var diagnostics = $"digits '{call.Digits}', {stats}, our packets echoed {call.Echoes}, other audio {call.Foreign}, sending to {call.Rtp.RemoteEndPoint}, sipp exit {exit}:\n{sippOutput}";
            output.WriteLine(diagnostics);
            Assert.True(exit == 0, diagnostics);
            Assert.Equal(AudioEncoding.Pcma, call.Audio.Encoding);
            Assert.Equal(101, call.Audio.TelephoneEventPayloadType);
            Assert.True(call.Digits == "15", $"expected the digits 1 then 5 from sipp's pcap files; {diagnostics}");
            // ~1.9 s of call at 20 ms: about 95 packets sent (fewer on a loaded machine); sipp echoed what reached it.
            Assert.True(stats.PacketsSent >= 25, $"we sent too few RTP packets; {diagnostics}");
            Assert.True(call.Echoes >= 25, $"sipp did not echo our RTP back (it did not receive it); {diagnostics}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sipp_rtp_stream_audio_reaches_our_endpoint_sample_for_sample()
    {
        var directory = Directory.CreateTempSubdirectory("cc-media-sipp-");
        try
        {
            // sipp's rtp_stream sends the data chunk of a WAV as payload: a µ-law WAV (format 7) of a 440 Hz tone.
            var tone = TestAudio.Sine(440, seconds: 1);
            var wavPath = Path.Combine(directory.FullName, "tone-pcmu.wav");
            WriteMuLawWav(wavPath, tone);
            await using var endpoint = await MediaEndpoint.StartAsync();
            var heard = new FrameCollector();
            endpoint.OnAnswered = call => call.Rtp.AddSink(heard);
            var scenarioPath = Path.Combine(directory.FullName, "uac_rtp_stream.xml");
            var media = $"""
                          <nop><action><exec rtp_stream="{wavPath},1,0"/></action></nop>
                          <pause milliseconds="1500"/>
                """;
            await File.WriteAllTextAsync(scenarioPath, ScenarioWith("0", "PCMU", media), Encoding.Latin1);

            var (exit, sippOutput) = await RunSippCallAsync(directory.FullName, scenarioPath, endpoint, echo: false);
            var call = await endpoint.FirstIncoming.WaitAsync(TimeSpan.FromSeconds(5));
            await call.Call.Ended.WaitAsync(TimeSpan.FromSeconds(5));

            var frames = heard.AudibleFrames;
            var matching = frames.Count(frame => FrameCollector.MatchesSomewhereIn(frame, tone));
            var diagnostics = $"{frames.Count} audible frames, {matching} match the tone, {call.Rtp.Statistics}, sipp exit {exit}:\n{sippOutput}";
            output.WriteLine(diagnostics);
            Assert.True(exit == 0, diagnostics);
            Assert.Equal(AudioEncoding.Pcmu, call.Audio.Encoding);
            // The 1 s WAV is 50 packets; the frames at the start and end of the stream may hold a partial frame.
            Assert.True(matching >= 40, $"sipp's rtp_stream audio did not arrive as the tone it holds; {diagnostics}");
            Assert.True(matching >= frames.Count * 9 / 10, $"sipp's rtp_stream audio does not decode to the tone it holds; {diagnostics}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sipp_rtp_stream_audio_and_pcap_rfc2833_digits_in_one_call_are_heard_collected_and_answered_with_our_prompt()
    {
        var pcapDirectory = FindSippPcapDirectory();
        var directory = Directory.CreateTempSubdirectory("cc-media-sipp-");
        try
        {
            // sipp streams a 440 Hz tone (µ-law WAV) for the whole call and plays the digits 1 and 5 from its pcap files
            // over it; we play a 1 kHz prompt back, which sipp echoes (-rtp_echo) so the test sees it arrived.
            var tone = TestAudio.Sine(440, seconds: 1);
            var wavPath = Path.Combine(directory.FullName, "tone-pcmu.wav");
            WriteMuLawWav(wavPath, tone);
            var promptPath = Path.Combine(directory.FullName, "prompt.wav");
            TestAudio.WriteWav(promptPath, TestAudio.Sine(1000, seconds: 1));
            var clip = new PromptCache().Get(promptPath);

            await using var endpoint = await MediaEndpoint.StartAsync();
            endpoint.Prompt = () => new PromptPlayer([PromptItem.Clip(clip)], loops: 0);
            var heard = new FrameCollector();
            endpoint.OnAnswered = call => call.Rtp.AddSink(heard);
            var media = $"""
                          <nop><action><exec rtp_stream="{wavPath},-1,0"/></action></nop>
                          {PcapDigits.Replace("PCAP_DIR", pcapDirectory, StringComparison.Ordinal)}
                          <nop><action><exec rtp_stream="pause"/></action></nop>
                """;
            var scenarioPath = Path.Combine(directory.FullName, "uac_rtp_stream_and_dtmf.xml");
            await File.WriteAllTextAsync(scenarioPath, ScenarioWith("0", "PCMU", media), Encoding.Latin1);

            var (call, exit, sippOutput) = await RunSippCallCollectingDigitsAsync(directory.FullName, scenarioPath, endpoint, digits: 2);

            var frames = heard.AudibleFrames;
            var toneFrames = frames.Count(frame => FrameCollector.MatchesSomewhereIn(frame, tone));
            var stats = call.Rtp.Statistics;
            var diagnostics = $"digits '{call.Digits}', {frames.Count} audible frames of which {toneFrames} match sipp's tone, {stats}, our packets echoed {call.Echoes}, other audio {call.Foreign}, sending to {call.Rtp.RemoteEndPoint}, sipp exit {exit}:\n{sippOutput}";
            output.WriteLine(diagnostics);
            Assert.True(exit == 0, diagnostics);
            Assert.Equal(AudioEncoding.Pcmu, call.Audio.Encoding);
            Assert.True(call.Digits == "15", $"expected the digits 1 then 5 from sipp's pcap files while it streamed audio; {diagnostics}");
            // About 1.9 s of tone at 20 ms: ~95 frames; the first and last may be partial, a loaded machine loses some.
            Assert.True(toneFrames >= 40, $"sipp's rtp_stream audio did not arrive as the tone it holds while digits were sent; {diagnostics}");
            Assert.True(call.Echoes >= 25, $"sipp did not echo our prompt back (it did not receive it); {diagnostics}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Runs one sipp call of the scenario against <paramref name="endpoint"/>; with echo, sipp sends every RTP packet it receives back.</summary>
    private static Task<(int Exit, string Output)> RunSippCallAsync(string directory, string scenarioPath, MediaEndpoint endpoint, bool echo)
    {
        string[] media = ["-mi", "127.0.0.1", "-mp", FreeUdpPort(even: true).ToString(CultureInfo.InvariantCulture), .. echo ? ["-rtp_echo"] : Array.Empty<string>()];
        return SippMediaProcess.RunAsync(
            directory,
            ["-sf", scenarioPath, $"127.0.0.1:{endpoint.SipPort.ToString(CultureInfo.InvariantCulture)}", "-i", "127.0.0.1", "-p", FreeUdpPort().ToString(CultureInfo.InvariantCulture), .. media, "-m", "1", "-l", "1"]);
    }

    /// <summary>Runs one echoing sipp call and waits for <paramref name="digits"/> digits (or sipp's end), then for the call's end.</summary>
    private static async Task<(EndpointCall Call, int Exit, string Output)> RunSippCallCollectingDigitsAsync(string directory, string scenarioPath, MediaEndpoint endpoint, int digits)
    {
        var sipp = RunSippCallAsync(directory, scenarioPath, endpoint, echo: true);
        var call = await endpoint.FirstIncoming.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAny(call.WaitForDigitsAsync(digits), sipp);
        var (exit, output) = await sipp;
        await call.Call.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        return (call, exit, output);
    }

    private static string ScenarioWith(string payloadType, string encodingName, string mediaActions) => Scenario
        .Replace("AUDIO_PT", payloadType, StringComparison.Ordinal)
        .Replace("AUDIO_NAME", encodingName, StringComparison.Ordinal)
        .Replace("MEDIA_ACTIONS", mediaActions, StringComparison.Ordinal);

    private static void WriteMuLawWav(string path, short[] samples)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + samples.Length);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)7);      // G.711 µ-law
        writer.Write((short)1);      // mono
        writer.Write(8000);          // sample rate
        writer.Write(8000);          // byte rate
        writer.Write((short)1);      // block align
        writer.Write((short)8);      // bits per sample
        writer.Write("data"u8);
        writer.Write(samples.Length);
        foreach (var sample in samples)
        {
            writer.Write(G711.EncodeMuLaw(sample));
        }
    }

    private static string FindSippPcapDirectory()
    {
        string[] candidates = ["/usr/share/sip-tester", "/usr/share/sip-tester/pcap", "/usr/share/sipp/pcap", "/usr/local/share/sipp/pcap"];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "dtmf_2833_1.pcap")))
            ?? throw new InvalidOperationException($"sipp's dtmf_2833_1.pcap was not found in {string.Join(", ", candidates)} (install the Debian package sip-tester).");
    }

    internal static int FreeUdpPort(bool even = false)
    {
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            if (!even || port % 2 == 0)
            {
                return port;
            }
        }
    }
}

/// <summary>Runs sipp to completion with its output captured, bounded in time.</summary>
internal static class SippMediaProcess
{
    public static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args.Concat(["-nostdin", "-timeout", "15s", "-timeout_error", "-trace_err", "-error_file", Path.Combine(workingDirectory, "sipp-errors.log")]))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start (install the Debian package sip-tester)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(18));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }

        var errors = Path.Combine(workingDirectory, "sipp-errors.log");
        var errorLog = File.Exists(errors) ? await File.ReadAllTextAsync(errors) : "";
        return (process.ExitCode, await stdout + await stderr + errorLog);
    }
}
