using System.Globalization;
using ContactCenter.IntegrationTests.Sip.Baresip;
using ContactCenter.Sip.Media;
using Xunit.Abstractions;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>
/// baresip (a real softphone) calls our media endpoint and sends DTMF with its <c>sndcode</c> command, which baresip
/// sends as RFC 4733 telephone-events when the answer negotiated them: our endpoint collects the digits while it plays
/// its prompt and hears baresip's microphone (a 440 Hz tone).
/// </summary>
public sealed class BaresipDtmfTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Baresip_sends_rfc4733_digits_that_our_endpoint_collects_during_its_prompt()
    {
        await using var endpoint = await MediaEndpoint.StartAsync();
        endpoint.Prompt = () => new PromptPlayer([PromptItem.Clip(new AudioClip(TestAudio.Sine(1000, seconds: 1), "prompt"))], loops: 0);
        var heard = new FrameCollector();
        endpoint.OnAnswered = call => call.Rtp.AddSink(heard);

        await using var baresip = BaresipProcess.Start(
            "sip:1003@127.0.0.1",
            ";regint=0;audio_codecs=PCMU",
            $"/dial sip:media@127.0.0.1:{endpoint.SipPort.ToString(CultureInfo.InvariantCulture)}");
        var call = await endpoint.FirstIncoming.WaitAsync(Wait);
        await baresip.WaitForOutputAsync("Call established", Wait);
        await heard.WaitForAudibleFramesAsync(5).WaitAsync(Wait);

        var response = await baresip.SendCommandAsync("sndcode", "4#7*");
        try
        {
            await call.WaitForDigitsAsync(4).WaitAsync(Wait);
        }
        catch (TimeoutException)
        {
            // Reported below with what did arrive.
        }

        var diagnostics = $"digits '{call.Digits}', {call.Rtp.Statistics}, telephone-event payload type {call.Audio.TelephoneEventPayloadType}, sndcode answered {response}; baresip:\n{baresip.Output}";
        output.WriteLine(diagnostics);
        Assert.True(call.Audio.TelephoneEventPayloadType is not null, $"baresip did not offer telephone-event; {diagnostics}");
        Assert.True(call.Digits == "4#7*", $"expected the digits 4 # 7 * from baresip; {diagnostics}");
        Assert.Equal(0, call.Rtp.Statistics.PacketsRefused);
        Assert.True(heard.AudibleFrames.Count >= 5, $"baresip's microphone did not reach us; {diagnostics}");
    }
}
