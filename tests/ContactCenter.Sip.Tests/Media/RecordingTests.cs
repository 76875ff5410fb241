using System.Buffers.Binary;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Media;

public sealed class RecordingTests
{
    private static short[] Frame(short value) => Enumerable.Repeat(value, 160).ToArray();

    private static short[] Speech(int n = 160) => Enumerable.Range(0, n).Select(i => (short)(3000 * Math.Sin(i * 0.3))).ToArray();

    private static uint DataSize(MemoryStream ms) => BinaryPrimitives.ReadUInt32LittleEndian(ms.GetBuffer().AsSpan(40));

    [Fact]
    public void Caller_is_on_the_left_and_agent_on_the_right()
    {
        var ms = new MemoryStream();
        using (var recorder = new CallRecorder(ms))
        {
            for (var i = 0; i < 10; i++)
            {
                recorder.Caller.Write(Frame(100));
                recorder.Agent.Write(Frame(-200));
            }
        }

        var bytes = ms.ToArray();
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)));
        Assert.Equal(6400u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        for (var i = 44; i < bytes.Length; i += 4)
        {
            Assert.Equal(100, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i)));
            Assert.Equal(-200, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i + 2)));
        }
    }

    [Fact]
    public void Header_is_updated_every_second_so_a_crash_loses_at_most_one_second()
    {
        var ms = new MemoryStream();
        var recorder = new CallRecorder(ms);
        for (var i = 0; i < 125; i++)
        {
            recorder.Caller.Write(Frame(1));
            recorder.Agent.Write(Frame(2));
            var written = (i + 1) * 160;
            var declared = DataSize(ms) / 4;
            Assert.True(written - declared <= 8000, $"after {written} samples the header declares only {declared}");
        }

        // The process dies here: no Dispose. The file as it is still reads as a valid WAV of at least 2 s.
        var clip = WavFile.Read(new MemoryStream(ms.ToArray()));
        Assert.True(clip.Duration >= TimeSpan.FromSeconds(2));
        Assert.Equal(1, clip.Samples.Span[0]); // (1 + 2) / 2 mixed down
    }

    [Fact]
    public void Paused_audio_is_not_recorded_and_recording_resumes()
    {
        var ms = new MemoryStream();
        var recorder = new CallRecorder(ms);
        recorder.Caller.Write(Frame(5));
        recorder.Agent.Write(Frame(5));

        recorder.Pause();
        Assert.True(recorder.IsPaused);
        for (var i = 0; i < 50; i++)
        {
            recorder.Caller.Write(Frame(999));
            recorder.Agent.Write(Frame(999));
        }

        recorder.Resume();
        recorder.Caller.Write(Frame(6));
        recorder.Agent.Write(Frame(6));
        recorder.Dispose();

        var clip = WavFile.Read(new MemoryStream(ms.ToArray()));
        Assert.Equal(320, clip.Length);
        Assert.DoesNotContain((short)999, clip.Samples.ToArray());
    }

    [Fact]
    public void Pause_can_keep_the_timeline_with_silence()
    {
        var ms = new MemoryStream();
        var recorder = new CallRecorder(ms) { SilenceWhilePaused = true };
        recorder.Pause();
        for (var i = 0; i < 5; i++)
        {
            recorder.Caller.Write(Frame(999));
            recorder.Agent.Write(Frame(999));
        }

        recorder.Dispose();

        var clip = WavFile.Read(new MemoryStream(ms.ToArray()));
        Assert.Equal(800, clip.Length);
        Assert.All(clip.Samples.ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void A_leg_that_stops_delivering_audio_is_padded_with_silence()
    {
        var ms = new MemoryStream();
        var recorder = new CallRecorder(ms);
        for (var i = 0; i < 100; i++)
        {
            recorder.Caller.Write(Frame(10));
        }

        Assert.True(recorder.Duration >= TimeSpan.FromSeconds(0.9));
        recorder.Dispose();
        Assert.Equal(TimeSpan.FromSeconds(2), WavFile.Read(new MemoryStream(ms.ToArray())).Duration);
    }

    [Fact]
    public void Recording_to_an_existing_file_is_refused()
    {
        var path = Path.GetTempFileName();
        try
        {
            Assert.Throws<IOException>(() => new CallRecorder(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Voicemail_ends_on_the_hash_key()
    {
        var ms = new MemoryStream();
        var vm = new VoicemailRecorder(ms);
        for (var i = 0; i < 50; i++)
        {
            vm.Write(Speech());
        }

        Assert.False(vm.OnDigit('1'));
        Assert.True(vm.OnDigit('#'));
        var result = await vm.Completion;

        Assert.Equal(VoicemailEnd.Digit, result.End);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Duration);
        Assert.True(result.HeardSpeech);
        Assert.Equal(8000, WavFile.Read(new MemoryStream(ms.ToArray())).Length);
    }

    [Fact]
    public async Task Voicemail_ends_on_silence_without_keeping_the_trailing_silence()
    {
        var ms = new MemoryStream();
        var vm = new VoicemailRecorder(ms, new VoicemailOptions { SilenceTimeout = TimeSpan.FromSeconds(3) });
        for (var i = 0; i < 50; i++)
        {
            vm.Write(Speech());
        }

        for (var i = 0; i < 25; i++)
        {
            vm.Write(Frame(0)); // a pause inside the message is kept
        }

        for (var i = 0; i < 50; i++)
        {
            vm.Write(Speech());
        }

        for (var i = 0; i < 200 && !vm.Completion.IsCompleted; i++)
        {
            vm.Write(Frame(20));
        }

        var result = await vm.Completion;
        Assert.Equal(VoicemailEnd.Silence, result.End);
        Assert.Equal(TimeSpan.FromSeconds(2.5), result.Duration);
    }

    [Fact]
    public async Task Voicemail_stops_at_the_maximum_length()
    {
        var vm = new VoicemailRecorder(new MemoryStream(), new VoicemailOptions { MaxLength = TimeSpan.FromSeconds(2) });
        for (var i = 0; i < 200; i++)
        {
            vm.Write(Speech());
        }

        var result = await vm.Completion;
        Assert.Equal(VoicemailEnd.MaxLength, result.End);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Duration);
    }

    [Fact]
    public async Task Voicemail_with_no_speech_reports_it()
    {
        var vm = new VoicemailRecorder(new MemoryStream(), new VoicemailOptions { SilenceTimeout = TimeSpan.FromSeconds(1) });
        for (var i = 0; i < 100; i++)
        {
            vm.Write(Frame(0));
        }

        var result = await vm.Completion;
        Assert.Equal(VoicemailEnd.Silence, result.End);
        Assert.False(result.HeardSpeech);
        Assert.Equal(TimeSpan.Zero, result.Duration);
    }

    [Fact]
    public async Task Voicemail_stop_on_hang_up_keeps_what_was_said()
    {
        var vm = new VoicemailRecorder(new MemoryStream());
        vm.Write(Speech(800));
        vm.Stop();

        var result = await vm.Completion;
        Assert.Equal(VoicemailEnd.Stopped, result.End);
        Assert.Equal(TimeSpan.FromMilliseconds(100), result.Duration);
    }

    [Fact]
    public void Invalid_voicemail_options_are_refused_naming_the_option()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new VoicemailRecorder(new MemoryStream(), new VoicemailOptions { MaxLength = TimeSpan.Zero }));

        Assert.Contains("VoicemailOptions.MaxLength", error.Message, StringComparison.Ordinal);
    }
}
