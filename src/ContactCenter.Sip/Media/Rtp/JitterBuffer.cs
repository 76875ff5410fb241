namespace ContactCenter.Sip.Media;

/// <summary>What <see cref="JitterBuffer.Insert"/> did with a packet.</summary>
public enum JitterInsertResult
{
    /// <summary>Stored for playout.</summary>
    Accepted,

    /// <summary>Already stored (or already played): dropped.</summary>
    Duplicate,

    /// <summary>Arrived after its playout time: dropped.</summary>
    Late,

    /// <summary>So far ahead that the buffer restarted on it (the sender jumped).</summary>
    Resynchronized,

    /// <summary>Larger than a slot: dropped.</summary>
    TooLarge,
}

/// <summary>What <see cref="JitterBuffer.Pop"/> produced for one playout interval.</summary>
public enum JitterPopResult
{
    /// <summary>A frame was copied out.</summary>
    Frame,

    /// <summary>The frame due now never arrived: play concealment or silence.</summary>
    Missing,

    /// <summary>Nothing to play yet (filling up at the start or after running dry).</summary>
    Buffering,
}

/// <summary>
/// A fixed-depth jitter buffer for one received RTP stream. Packets go in by sequence number (16-bit,
/// extended across wraparound), come out in order one per playout interval; duplicates and packets that
/// arrive after their playout time are dropped; a gap is reported as <see cref="JitterPopResult.Missing"/>.
/// The slots' storage is one array taken from the media buffer pool at the first packet (a session that never
/// receives holds none) and handed back when an owning session ends. Its slots fit the largest payload seen so far
/// (a 20 ms G.711 stream needs 160 bytes, not the 480 of the largest payload allowed) and are widened, keeping what is
/// held, when a larger one arrives. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class JitterBuffer
{
    private readonly int _capacity;
    private readonly int _maxPayload;
    private byte[]? _storage;
    // The bytes each slot holds in _storage: the largest payload seen so far, in steps of MinSlot.
    private int _slot;
    private const int MinSlot = 160;
    private readonly int[] _lengths;
    private readonly long[] _sequence;
    private readonly uint[] _timestamps;
    private long _nextPlay = -1;
    private long _highest = -1;
    private int _count;
    private bool _filling = true;
    private bool _played;

    /// <summary>Creates a buffer.</summary>
    /// <param name="depth">Frames held before playout starts (default 3: 60 ms at 20 ms ptime).</param>
    /// <param name="capacity">The most frames held (default 50).</param>
    /// <param name="maxPayload">The largest payload in bytes (default 480: 60 ms of G.711).</param>
    public JitterBuffer(int depth = 3, int capacity = 50, int maxPayload = 480)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, depth + 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, 1);
        if ((long)capacity * maxPayload > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A jitter buffer holds at most {Array.MaxLength} bytes: {capacity} frames of {maxPayload} bytes is more.");
        }

        Depth = depth;
        _capacity = capacity;
        _maxPayload = maxPayload;
        _lengths = new int[capacity];
        _sequence = new long[capacity];
        Array.Fill(_sequence, -1);
        _timestamps = new uint[capacity];
    }

    /// <summary>Frames held before playout starts.</summary>
    public int Depth { get; }

    /// <summary>Frames currently held.</summary>
    public int Count => _count;

    /// <summary>Duplicates dropped.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Late packets dropped.</summary>
    public long LatePackets { get; private set; }

    /// <summary>Frames reported missing at playout.</summary>
    public long Missing { get; private set; }

    /// <summary>Stores a packet's payload.</summary>
    public JitterInsertResult Insert(ushort sequenceNumber, uint timestamp, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _maxPayload)
        {
            return JitterInsertResult.TooLarge;
        }

        var result = JitterInsertResult.Accepted;
        long ext;
        if (_nextPlay < 0)
        {
            ext = sequenceNumber + 65536L;
            _nextPlay = ext;
            _highest = ext;
        }
        else
        {
            ext = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
            if (ext < _nextPlay)
            {
                if (!_played && _highest - ext < _capacity - 1)
                {
                    // Reordered before playout ever started: move the start back.
                    _nextPlay = ext;
                }
                else
                {
                    LatePackets++;
                    return JitterInsertResult.Late;
                }
            }
            else if (ext >= _nextPlay + _capacity)
            {
                Reset();
                _nextPlay = ext;
                _highest = ext;
                result = JitterInsertResult.Resynchronized;
            }
        }

        var index = (int)(ext % _capacity);
        if (_sequence[index] == ext)
        {
            Duplicates++;
            return JitterInsertResult.Duplicate;
        }

        if (_storage is null || payload.Length > _slot)
        {
            Widen(payload.Length);
        }

        payload.CopyTo(_storage.AsSpan(index * _slot, _slot));
        _lengths[index] = payload.Length;
        _timestamps[index] = timestamp;
        _sequence[index] = ext;
        _count++;
        if (ext > _highest)
        {
            _highest = ext;
        }

        return result;
    }

    /// <summary>Takes the frame due now.</summary>
    /// <param name="destination">Receives the payload.</param>
    /// <param name="length">The payload length when <see cref="JitterPopResult.Frame"/>.</param>
    public JitterPopResult Pop(Span<byte> destination, out int length)
    {
        length = 0;
        if (_filling)
        {
            if (_count < Depth)
            {
                return JitterPopResult.Buffering;
            }

            _filling = false;
        }

        if (_count == 0)
        {
            _filling = true;
            return JitterPopResult.Buffering;
        }

        _played = true;
        var index = (int)(_nextPlay % _capacity);
        _nextPlay++;
        if (_sequence[index] != _nextPlay - 1)
        {
            Missing++;
            return JitterPopResult.Missing;
        }

        length = _lengths[index];
        _storage.AsSpan(index * _slot, length).CopyTo(destination);
        _sequence[index] = -1;
        _count--;
        return JitterPopResult.Frame;
    }

    /// <summary>Empties the buffer (a new stream starts).</summary>
    public void Reset()
    {
        Array.Fill(_sequence, -1);
        _count = 0;
        _nextPlay = -1;
        _highest = -1;
        _filling = true;
        _played = false;
    }

    /// <summary>Empties the buffer and hands its storage back to the pool (the owner stops using it).</summary>
    internal void Release()
    {
        Reset();
        if (_storage is { } storage)
        {
            _storage = null;
            _slot = 0;
            MediaBuffers.Bytes.Return(storage);
        }
    }

    /// <summary>Takes storage whose slots hold <paramref name="payload"/> bytes, moving the frames held into it.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_storage))]
    private void Widen(int payload)
    {
        var slot = Math.Min(_maxPayload, Math.Max(MinSlot, (payload + MinSlot - 1) / MinSlot * MinSlot));
        var storage = MediaBuffers.Bytes.Rent(_capacity * slot);
        if (_storage is { } old)
        {
            for (var i = 0; i < _capacity; i++)
            {
                if (_sequence[i] >= 0)
                {
                    old.AsSpan(i * _slot, _lengths[i]).CopyTo(storage.AsSpan(i * slot));
                }
            }

            MediaBuffers.Bytes.Return(old);
        }

        _storage = storage;
        _slot = slot;
    }
}

/// <summary>
/// Decides when a call's media has stopped: the owner records every received packet and asks, on its
/// pacing tick, whether more than <see cref="Timeout"/> has passed since the last one. Suspended while
/// the peer legitimately sends nothing (hold).
/// </summary>
public sealed class MediaTimeoutDetector
{
    private readonly TimeProvider _time;
    private long _last;
    private bool _fired;

    /// <summary>Creates a detector; the clock starts now.</summary>
    public MediaTimeoutDetector(TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _time = time;
        Timeout = timeout;
        _last = time.GetTimestamp();
    }

    /// <summary>How long without packets ends the call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>When true, no timeout is reported (the peer has put the call on hold).</summary>
    public bool Suspended { get; set; }

    /// <summary>Records a received packet.</summary>
    public void RecordPacket()
    {
        _last = _time.GetTimestamp();
        _fired = false;
    }

    /// <summary>Returns true exactly once when the timeout has passed without a packet.</summary>
    public bool CheckTimedOut()
    {
        if (Suspended)
        {
            _last = _time.GetTimestamp();
            return false;
        }

        if (_fired || _time.GetElapsedTime(_last) < Timeout)
        {
            return false;
        }

        _fired = true;
        return true;
    }
}
