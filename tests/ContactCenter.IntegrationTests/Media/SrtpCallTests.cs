using ContactCenter.Sip.Media;
using Xunit.Abstractions;

namespace ContactCenter.IntegrationTests.Media;

/// <summary>
/// Two of our endpoints (each a SipUserAgent with its own clock and RTP sessions) call each other over loopback with
/// SRTP required (RTP/SAVP, SDES a=crypto keys in the SDP): the audio one side plays arrives decrypted on the other,
/// sample for sample within G.711's quantisation, and an RFC 4733 digit arrives.
/// </summary>
public sealed class SrtpCallTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1Tag80)]
    [InlineData(SrtpSuite.AesCm128HmacSha1Tag32)]
    public async Task Srtp_call_between_two_endpoints_carries_the_tone_and_a_digit(SrtpSuite suite)
    {
        var capabilities = new MediaCapabilities { SrtpSuites = [suite] };
        await using var caller = await MediaEndpoint.StartAsync(capabilities);
        await using var callee = await MediaEndpoint.StartAsync(capabilities);

        // The callee plays a 440 Hz tone (a whole number of cycles per second, so the looped clip is continuous).
        var tone = TestAudio.Sine(440, seconds: 1);
        var clip = new AudioClip(tone, "tone-440");
        callee.Prompt = () => new PromptPlayer([PromptItem.Clip(clip)], loops: 0);

        var placed = await caller.CallAsync(callee.SipPort);
        var heard = new FrameCollector();
        placed.Rtp.AddSink(heard);
        var answered = await callee.FirstIncoming.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("RTP/SAVP", placed.Audio.Protocol);
        Assert.Equal("RTP/SAVP", answered.Audio.Protocol);
        Assert.NotNull(placed.Audio.SendKeys);
        Assert.NotNull(placed.Audio.ReceiveKeys);

        await WithinAsync(heard.WaitForAudibleFramesAsync(25), () => $"the caller heard {heard.AudibleFrames.Count} audible frames in 5 s; caller {placed.Rtp.Statistics}");
        placed.Rtp.SendDtmf("7");
        await WithinAsync(answered.WaitForDigitsAsync(1), () => $"the digit 7 sent with RFC 4733 did not arrive in 5 s; callee {answered.Rtp.Statistics}");
        await placed.Call.HangUpAsync();
        await answered.Call.Ended.WaitAsync(TimeSpan.FromSeconds(5));

        var frames = heard.AudibleFrames;
        var matching = frames.Count(frame => FrameCollector.MatchesSomewhereIn(frame, tone));
        output.WriteLine($"{suite}: caller {placed.Rtp.Statistics}; callee {answered.Rtp.Statistics}; {frames.Count} audible frames, {matching} match the tone; digits '{answered.Digits}'");
        Assert.Equal("7", answered.Digits);
        Assert.True(matching >= frames.Count - 1, $"{frames.Count - matching} of {frames.Count} decrypted frames differ from the tone that was sent (SRTP decryption or decoding is wrong)");
        Assert.Equal(0, answered.Rtp.Statistics.PacketsRefused);
        Assert.Equal(0, placed.Rtp.Statistics.PacketsRefused);
    }

    private static async Task WithinAsync(Task task, Func<string> failure)
    {
        if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(5))) != task)
        {
            Assert.Fail(failure());
        }
    }
}
