using Microsoft.Win32.SafeHandles;

namespace ContactCenter.Sip.Media;

/// <summary>Where a <see cref="WriteBehindFile"/>'s bytes end up: positioned writes, then one close (called on the writer's thread).</summary>
internal interface IPositionedWriteTarget
{
    void Write(ReadOnlySpan<byte> data, long offset);

    void Close();
}

/// <summary>A file opened for positioned writes (pwrite on Linux): no file position, no seek between the data and the header.</summary>
internal sealed class FileHandleTarget(SafeFileHandle handle) : IPositionedWriteTarget
{
    public static FileHandleTarget CreateNew(string path) =>
        new(File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));

    public void Write(ReadOnlySpan<byte> data, long offset) => RandomAccess.Write(handle, data, offset);

    public void Close() => handle.Dispose();
}

/// <summary>
/// One thread that writes recordings to their files, so a thread that must keep time (the media clock, which hands
/// every call's audio to its recorder) never waits for the disk: a slow volume, a journal commit or a new extent
/// delays this thread only. What is queued and not yet written is bounded (<see cref="MaxQueuedBytes"/>): past the
/// bound the producer waits, which is what it did for every write before; nothing is dropped.
/// </summary>
internal sealed class RecordingFileWriter
{
    /// <summary>The default bound on queued bytes: 32 MiB, one second of two-channel audio for about a thousand calls.</summary>
    public const long DefaultMaxQueuedBytes = 32L * 1024 * 1024;

    private static readonly Lazy<RecordingFileWriter> SharedWriter = new(() => new RecordingFileWriter(DefaultMaxQueuedBytes));
    private readonly object _gate = new();
    private readonly Queue<Operation> _queue = new();
    private long _queuedBytes;
    private Thread? _thread;

    public RecordingFileWriter(long maxQueuedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedBytes, 1);
        MaxQueuedBytes = maxQueuedBytes;
    }

    /// <summary>The writer of the process (its thread starts at the first write).</summary>
    public static RecordingFileWriter Shared => SharedWriter.Value;

    /// <summary>Bytes handed over and not yet written, beyond which a producer waits.</summary>
    public long MaxQueuedBytes { get; }

    /// <summary>Bytes handed over and not yet written.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>Queues <paramref name="length"/> bytes of <paramref name="buffer"/> (rented from <see cref="MediaBuffers.Bytes"/>, returned once written) at <paramref name="offset"/>.</summary>
    internal void Enqueue(WriteBehindFile file, byte[] buffer, int length, long offset) => Add(new Operation(file, buffer, length, offset));

    /// <summary>Queues the close of <paramref name="file"/>, after everything queued for it.</summary>
    internal void EnqueueClose(WriteBehindFile file) => Add(new Operation(file, null, 0, 0));

    private void Add(Operation operation)
    {
        lock (_gate)
        {
            // A full queue makes the producer wait, unless it would wait for nothing (one write larger than the bound).
            while (_queuedBytes > 0 && _queuedBytes + operation.Length > MaxQueuedBytes)
            {
                Monitor.Wait(_gate);
            }

            _queue.Enqueue(operation);
            _queuedBytes += operation.Length;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "Recording writer" };
                _thread.Start();
            }

            Monitor.PulseAll(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            Operation operation;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                operation = _queue.Dequeue();
            }

            operation.File.Execute(operation.Buffer, operation.Length, operation.Offset);
            if (operation.Buffer is { } buffer)
            {
                MediaBuffers.Bytes.Return(buffer);
            }

            lock (_gate)
            {
                _queuedBytes -= operation.Length;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private readonly record struct Operation(WriteBehindFile File, byte[]? Buffer, int Length, long Offset);
}

/// <summary>
/// A write-only, seekable stream whose writes reach the file on the <see cref="RecordingFileWriter"/>'s thread.
/// Contiguous writes collect in a pooled chunk, handed over when it is full, when the writer moves elsewhere (a
/// header rewrite) or on <see cref="Flush"/>. <see cref="Stream.Dispose()"/> does not wait: it queues the close, and
/// <see cref="Completion"/> ends once the file is closed (with the first write error, if any). After an error further
/// writes throw it, so the producer hears of a full disk at its next write, as it would with a file stream.
/// </summary>
internal sealed class WriteBehindFile : Stream
{
    private const int ChunkBytes = 16 * 1024;
    private readonly IPositionedWriteTarget _target;
    private readonly RecordingFileWriter _writer;
    private readonly string _name;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _chunk;
    private int _chunkLength;
    private long _chunkOffset;
    private long _position;
    private long _length;
    private volatile Exception? _failure;
    private bool _closed;

    /// <param name="target">Where the bytes go.</param>
    /// <param name="writer">The thread that writes them.</param>
    /// <param name="name">Names the file in errors.</param>
    public WriteBehindFile(IPositionedWriteTarget target, RecordingFileWriter writer, string name)
    {
        _target = target;
        _writer = writer;
        _name = name;
    }

    /// <summary>Creates the file (fails at once if it exists) and writes it on the shared writer.</summary>
    public static WriteBehindFile CreateNew(string path) => new(FileHandleTarget.CreateNew(path), RecordingFileWriter.Shared, path);

    /// <summary>Ends when the file is written and closed; faulted with the first write error.</summary>
    public Task Completion => _completion.Task;

    public override bool CanRead => false;

    public override bool CanSeek => true;

    public override bool CanWrite => !_closed;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ThrowIfFailed();
        if (_chunk is not null && _position != _chunkOffset + _chunkLength)
        {
            HandOver();
        }

        while (!buffer.IsEmpty)
        {
            if (_chunk is null)
            {
                _chunk = MediaBuffers.Bytes.Rent(ChunkBytes);
                _chunkOffset = _position;
                _chunkLength = 0;
            }

            var n = Math.Min(buffer.Length, ChunkBytes - _chunkLength);
            buffer[..n].CopyTo(_chunk.AsSpan(_chunkLength));
            _chunkLength += n;
            _position += n;
            buffer = buffer[n..];
            if (_chunkLength == ChunkBytes)
            {
                HandOver();
            }
        }

        _length = Math.Max(_length, _position);
    }

    /// <summary>Hands what is collected to the writer (it reaches the operating system shortly after, not before this returns).</summary>
    public override void Flush()
    {
        ThrowIfFailed();
        HandOver();
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A recording file is write-only.");

    public override void SetLength(long value) => throw new NotSupportedException("A recording file only grows.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            HandOver();
            _closed = true;
            _writer.EnqueueClose(this);
        }

        base.Dispose(disposing);
    }

    /// <summary>On the writer's thread: one write, or the close when <paramref name="buffer"/> is null.</summary>
    internal void Execute(byte[]? buffer, int length, long offset)
    {
        if (buffer is null)
        {
            try
            {
                _target.Close();
            }
#pragma warning disable CA1031 // Reported through Completion, to whoever waits for the file.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure ??= Wrap(ex);
            }

            if (_failure is { } failure)
            {
                _completion.TrySetException(failure);
            }
            else
            {
                _completion.TrySetResult();
            }

            return;
        }

        if (_failure is not null)
        {
            return; // the file is already broken: what follows would leave a hole before it
        }

        try
        {
            _target.Write(buffer.AsSpan(0, length), offset);
        }
#pragma warning disable CA1031 // Kept and thrown to the producer at its next write and from Completion.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failure = Wrap(ex);
        }
    }

    private IOException Wrap(Exception ex) => ex as IOException ?? new IOException($"Writing the recording {_name} failed: {ex.Message}", ex);

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new IOException($"Writing the recording {_name} failed: {failure.Message}", failure);
        }
    }

    private void HandOver()
    {
        if (_chunk is null)
        {
            return;
        }

        var chunk = _chunk;
        _chunk = null;
        if (_chunkLength == 0)
        {
            MediaBuffers.Bytes.Return(chunk);
            return;
        }

        _writer.Enqueue(this, chunk, _chunkLength, _chunkOffset);
    }
}
