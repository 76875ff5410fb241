using System.Globalization;
using System.Text;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Storage;
using ContactCenter.IntegrationTests.Media;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// sipp as the caller: it calls the main number, walks the IVR menu with an RFC 2833 digit played from sipp's pcap
/// files, is queued, an agent's registered extension answers, they talk (sipp echoes the audio it hears), the call
/// is recorded, and sipp hangs up. The call record and the two-channel recording must say so.
/// </summary>
public sealed class SippEndToEndTests
{
    private const string MenuFlow = """
        {
          "id": "sipp-menu", "name": "sipp menu", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "menu" } },
            { "id": "menu", "type": "menu",
              "parameters": { "prompt": "For sales, press 1. For support, press 2.", "timeoutSeconds": 8, "maxRetries": 1 },
              "transitions": { "1": "sales", "2": "support", "failed": "bye" } },
            { "id": "sales", "type": "queue", "parameters": { "queue": "Sales", "skills": ["sales"] }, "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "support", "type": "queue", "parameters": { "queue": "Support", "skills": ["support"] }, "transitions": { "next": "bye", "overflow": "bye" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } }
          ]
        }
        """;

    private const string Scenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="caller walking the IVR">
          <send retrans="500">
            <![CDATA[

              INVITE sip:+18005550100@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: caller <sip:+14155550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: <sip:+18005550100@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: sip:+14155550123@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0 101
              a=rtpmap:0 PCMU/8000
              a=rtpmap:101 telephone-event/8000
              a=fmtp:101 0-11,16

            ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="180" optional="true"/>
          <recv response="183" optional="true"/>
          <recv response="200" rtd="true"/>
          <send>
            <![CDATA[

              ACK sip:+18005550100@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: caller <sip:+14155550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: <sip:+18005550100@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Contact: sip:+14155550123@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <pause milliseconds="1500"/>
          <nop><action><exec play_pcap_audio="PCAP_DIR/dtmf_2833_1.pcap"/></action></nop>
          <pause milliseconds="1000"/>
          <nop><action><exec rtp_stream="TONE_WAV,-1,0"/></action></nop>
          <pause milliseconds="6000"/>
          <nop><action><exec rtp_stream="pause"/></action></nop>
          <send retrans="500">
            <![CDATA[

              BYE sip:+18005550100@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: caller <sip:+14155550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
              To: <sip:+18005550100@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 2 BYE
              Contact: sip:+14155550123@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <recv response="200"/>
        </scenario>
        """;

    [Fact]
    public async Task Sipp_walks_the_menu_with_an_rfc2833_digit_reaches_an_agent_and_the_call_is_recorded_and_logged()
    {
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["sipp-menu.json"] = MenuFlow },
            options =>
            {
                options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "sipp-menu@live" }];
                options.Queues =
                [
                    new QueueOptions { Name = "Sales", Skills = new() { ["sales"] = 10 } },
                    new QueueOptions { Name = "Support", Skills = new() { ["support"] = 10 } },
                ];
                options.Agents = [new AgentOptions { Id = "ada", Extension = "1001", Password = "pw-1001", Skills = new() { ["sales"] = 50 } }];
            });
        await using var agentPhone = await TestPhone.StartAsync();
        await agentPhone.RegisterAsync("1001", "pw-1001", host.SipEndPoint);

        var directory = Directory.CreateTempSubdirectory("cc-e2e-sipp-");
        try
        {
            var scenarioPath = Path.Combine(directory.FullName, "caller.xml");
            // The caller "speaks" a 440 Hz tone (µ-law WAV streamed by sipp) once the menu choice is made.
            var tonePath = Path.Combine(directory.FullName, "caller-tone.wav");
            WriteMuLawTone(tonePath, 440, seconds: 1);
            await File.WriteAllTextAsync(
                scenarioPath,
                Scenario.Replace("PCAP_DIR", PcapDirectory(), StringComparison.Ordinal).Replace("TONE_WAV", tonePath, StringComparison.Ordinal),
                Encoding.Latin1);
            var sipp = SippMediaProcess.RunAsync(
                directory.FullName,
                "-sf", scenarioPath, $"127.0.0.1:{host.SipEndPoint.Port.ToString(CultureInfo.InvariantCulture)}",
                "-i", "127.0.0.1", "-p", SippMediaTests.FreeUdpPort().ToString(CultureInfo.InvariantCulture),
                "-mi", "127.0.0.1", "-mp", SippMediaTests.FreeUdpPort(even: true).ToString(CultureInfo.InvariantCulture),
                "-m", "1", "-l", "1");

            var agentCall = await agentPhone.NextIncomingAsync(TimeSpan.FromSeconds(15));
            var callId = Guid.Parse(agentCall.Call.InitialInvite.Headers["X-CC-Call-Id"]!);
            var (exit, output) = await sipp;
            Assert.True(exit == 0, $"sipp exit {exit}:\n{output}");
            await agentCall.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10)); // the caller's BYE ends the agent leg too

            CallDetailRecord? record = null;
            for (var i = 0; i < 100 && record is null; i++)
            {
                record = await host.Storage.CallRecords.GetAsync(callId);
                await Task.Delay(100);
            }

            Assert.NotNull(record);
            Assert.Equal(CallStatus.NormalEnd, record!.Status);
            Assert.Equal(HangupParty.Caller, record.HangupParty);
            Assert.Equal("+14155550123", record.CallerNumber);
            Assert.Equal("Sales", record.QueueId);
            Assert.Equal("ada", record.AgentId);
            Assert.Contains("\"input\":\"1\"", record.IvrTrace, StringComparison.Ordinal);

            var recording = await host.Storage.Recordings.GetAsync(record.RecordingId!.Value);
            Assert.Equal(2, recording!.Channels);
            Assert.True(recording.Duration > TimeSpan.FromSeconds(2), $"recording lasts {recording.Duration}");
            var wav = await File.ReadAllBytesAsync(host.Storage.ResolveRecordingPath(recording.Path));
            long caller = 0, agent = 0;
            for (var i = 44; i + 3 < wav.Length; i += 4)
            {
                caller += Math.Abs((int)BitConverter.ToInt16(wav, i));
                agent += Math.Abs((int)BitConverter.ToInt16(wav, i + 2));
            }

            Assert.True(agent > 0, "the agent channel (right) carries the agent's tone");
            Assert.True(caller > 0, "the caller channel (left) carries the tone sipp streamed");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void WriteMuLawTone(string path, double hertz, int seconds)
    {
        var samples = seconds * 8000;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + samples);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)7); // G.711 µ-law
        writer.Write((short)1);
        writer.Write(8000);
        writer.Write(8000);
        writer.Write((short)1);
        writer.Write((short)8);
        writer.Write("data"u8);
        writer.Write(samples);
        for (var i = 0; i < samples; i++)
        {
            writer.Write(ContactCenter.Sip.Media.G711.EncodeMuLaw((short)(6000 * Math.Sin(2 * Math.PI * hertz * i / 8000))));
        }
    }

    private static string PcapDirectory()
    {
        string[] candidates = ["/usr/share/sip-tester", "/usr/share/sip-tester/pcap", "/usr/share/sipp/pcap"];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "dtmf_2833_1.pcap")))
            ?? throw new InvalidOperationException($"sipp's dtmf_2833_1.pcap is not in {string.Join(", ", candidates)}: run ./build.sh test, which installs sip-tester.");
    }
}
