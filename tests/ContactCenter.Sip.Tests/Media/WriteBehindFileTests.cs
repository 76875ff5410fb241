using ContactCenter.Sip.Media;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Sip.Tests.Media;

public sealed class WriteBehindFileTests
{
    private static short[] Tone(int n, int seed) => Enumerable.Range(0, n).Select(i => (short)(2000 * Math.Sin((i + seed) * 0.2))).ToArray();

    /// <summary>Collects positioned writes in memory, like a file would; can fail its writes, or hold them until released.</summary>
    private sealed class MemoryTarget : IPositionedWriteTarget
    {
        private readonly MemoryStream _bytes = new();

        public ManualResetEventSlim Released { get; } = new(initialState: true);

        public Exception? FailWith { get; set; }

        public bool Closed { get; private set; }

        public byte[] Bytes
        {
            get
            {
                lock (_bytes)
                {
                    return _bytes.ToArray();
                }
            }
        }

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            Released.Wait();
            if (FailWith is { } failure)
            {
                throw failure;
            }

            lock (_bytes)
            {
                _bytes.Position = offset;
                _bytes.Write(data);
            }
        }

        public void Close() => Closed = true;
    }

    [Fact]
    public void Any_sequence_of_writes_seeks_and_flushes_gives_the_bytes_a_file_stream_would()
    {
        // Operation: (seek to, or -1 to append; byte count; flush after).
        var operation =
            from seek in Gen.Choose(-3, 70_000)
            from count in Gen.Choose(0, 40_000)
            from flush in Gen.Elements(false, true)
            select (Seek: seek, Count: count, Flush: flush);
        var writer = new RecordingFileWriter(RecordingFileWriter.DefaultMaxQueuedBytes); // one writer thread for every case
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(
            Gen.ArrayOf(operation).ToArbitrary(),
            operations =>
            {
                var target = new MemoryTarget();
                var expected = new MemoryStream();
                var file = new WriteBehindFile(target, writer, "test.wav");
                var value = (byte)1;
                foreach (var (seek, count, flush) in operations)
                {
                    if (seek >= 0)
                    {
                        file.Position = seek;
                        expected.Position = seek;
                    }

                    var data = Enumerable.Range(0, count).Select(i => (byte)(value + i)).ToArray();
                    value++;
                    file.Write(data);
                    expected.Write(data);
                    if (flush)
                    {
                        file.Flush();
                    }
                }

                Assert.Equal(expected.Length, file.Length);
                Assert.Equal(expected.Position, file.Position);
                file.Dispose();
                Assert.True(file.Completion.Wait(TimeSpan.FromSeconds(30)));
                Assert.True(target.Closed);
                Assert.Equal(expected.ToArray(), target.Bytes);
            }));
    }

    [Fact]
    public void A_recording_to_a_path_is_complete_when_dispose_returns_and_equals_one_made_in_memory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-{Guid.NewGuid():N}.wav");
        try
        {
            var memory = new MemoryStream();
            var inMemory = new CallRecorder(memory);
            var onDisk = new CallRecorder(path);
            for (var i = 0; i < 250; i++)
            {
                // 5 s of both sides: several chunks and header rewrites on the writer's thread.
                foreach (var recorder in new[] { inMemory, onDisk })
                {
                    recorder.Caller.Write(Tone(160, i));
                    recorder.Agent.Write(Tone(160, 1000 + i));
                }
            }

            inMemory.Dispose();
            onDisk.Dispose();

            Assert.Equal(memory.ToArray(), File.ReadAllBytes(path));
            Assert.Equal(TimeSpan.FromSeconds(5), WavFile.Read(path).Duration);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Dispose_async_returns_once_the_file_is_complete()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-{Guid.NewGuid():N}.wav");
        try
        {
            var recorder = new CallRecorder(path);
            for (var i = 0; i < 100; i++)
            {
                recorder.Caller.Write(Tone(160, i));
                recorder.Agent.Write(Tone(160, i));
            }

            await recorder.DisposeAsync();

            Assert.Equal(44 + (100 * 160 * 4), new FileInfo(path).Length);
            Assert.Equal(TimeSpan.FromSeconds(2), WavFile.Read(path).Duration);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_write_error_reaches_the_producer_at_its_next_write_and_the_file_is_still_closed()
    {
        var target = new MemoryTarget { FailWith = new IOException("No space left on device") };
        var file = new WriteBehindFile(target, new RecordingFileWriter(RecordingFileWriter.DefaultMaxQueuedBytes), "calls/x.wav");
        file.Write(new byte[100]);
        file.Flush();

        // The failure is seen by the writer's thread; the producer learns of it at a later write, as with a file stream.
        var error = Assert.Throws<IOException>(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                file.Write(new byte[100]);
                file.Flush();
                Thread.Sleep(10);
            }
        });
        Assert.Contains("calls/x.wav", error.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);

        file.Dispose();
        await Assert.ThrowsAsync<IOException>(() => file.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(target.Closed);
    }

    [Fact]
    public async Task A_voicemail_whose_file_cannot_be_written_ends_with_the_error()
    {
        var target = new MemoryTarget { FailWith = new IOException("No space left on device") };
        var file = new WriteBehindFile(target, new RecordingFileWriter(RecordingFileWriter.DefaultMaxQueuedBytes), "x.wav");
        var vm = new VoicemailRecorder(file);
        vm.Write(Tone(160, 0));
        vm.Stop();

        await Assert.ThrowsAsync<IOException>(() => vm.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_producer_waits_when_the_queue_is_at_its_bound_and_nothing_is_lost()
    {
        var target = new MemoryTarget();
        target.Released.Reset(); // the disk stalls
        var writer = new RecordingFileWriter(maxQueuedBytes: 40 * 1024);
        var file = new WriteBehindFile(target, writer, "x.wav");
        var data = Enumerable.Range(0, 100 * 1024).Select(i => (byte)i).ToArray();

        var producer = Task.Run(() =>
        {
            file.Write(data); // six 16 KiB chunks, more than the bound
            file.Dispose();
        });

        // While the disk stalls, the producer cannot have handed over everything: it waits at the bound.
        await Task.Delay(300);
        Assert.False(producer.IsCompleted);
        Assert.True(writer.QueuedBytes <= writer.MaxQueuedBytes);

        target.Released.Set();
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        await file.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data, target.Bytes);
    }
}
