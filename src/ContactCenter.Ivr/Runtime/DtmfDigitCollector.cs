namespace ContactCenter.Ivr;

/// <summary>
/// Digit collection for <see cref="IIvrChannel"/> implementations: feed DTMF keys as they arrive with
/// <see cref="Press"/> (from RFC 4733 events or SIP INFO) and await <see cref="CollectAsync"/>, which applies the
/// terminators, the maximum length, and the first-digit and inter-digit timeouts on the given
/// <see cref="TimeProvider"/>. Keys pressed while nobody collects are kept (type-ahead, bounded) for the next
/// collection or for <see cref="NextKeyAsync"/> (barge-in during a prompt). Thread-safe; one per call.
/// </summary>
public sealed class DtmfDigitCollector : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly int _maxBufferedKeys;
    private readonly Queue<char> _buffer = new();
    private Collection? _collection;
    private TaskCompletionSource<char>? _keyWaiter;

    /// <summary>Creates a collector.</summary>
    /// <param name="timeProvider">The clock for timeouts.</param>
    /// <param name="maxBufferedKeys">Type-ahead keys kept while nobody collects; older keys are dropped (default 32).</param>
    public DtmfDigitCollector(TimeProvider timeProvider, int maxBufferedKeys = 32)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedKeys, 1);
        _time = timeProvider;
        _maxBufferedKeys = maxBufferedKeys;
    }

    /// <summary>The number of keys waiting in the type-ahead buffer.</summary>
    public int BufferedKeys
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Count;
            }
        }
    }

    /// <summary>A key was pressed.</summary>
    /// <exception cref="ArgumentException">The key is not 0-9, *, # or A-D.</exception>
    public void Press(char key)
    {
        if (!"0123456789*#ABCD".Contains(key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not a DTMF key", nameof(key));
        }

        TaskCompletionSource<char>? waiter;
        lock (_gate)
        {
            waiter = _keyWaiter;
            _keyWaiter = null;
            if (waiter is null)
            {
                if (_collection is { } collection)
                {
                    collection.Accept(key);
                    return;
                }

                if (_buffer.Count == _maxBufferedKeys)
                {
                    _buffer.Dequeue();
                }

                _buffer.Enqueue(key);
                return;
            }
        }

        waiter.TrySetResult(key);
    }

    /// <summary>Forgets the type-ahead keys.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _buffer.Clear();
        }
    }

    /// <summary>Waits for the next key (a buffered one at once), for barge-in while a prompt plays.</summary>
    public Task<char> NextKeyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_buffer.TryDequeue(out var key))
            {
                return Task.FromResult(key);
            }

            if (_keyWaiter is not null || _collection is not null)
            {
                throw new InvalidOperationException("a key wait or a collection is already in progress");
            }

            var waiter = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
            _keyWaiter = waiter;
            if (cancellationToken.CanBeCanceled)
            {
                cancellationToken.Register(() =>
                {
                    lock (_gate)
                    {
                        if (_keyWaiter == waiter)
                        {
                            _keyWaiter = null;
                        }
                    }

                    waiter.TrySetCanceled(cancellationToken);
                });
            }

            return waiter.Task;
        }
    }

    /// <summary>Collects digits as <paramref name="request"/> says, starting with the type-ahead keys.</summary>
    public Task<DigitsResult> CollectAsync(DigitsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (_collection is not null || _keyWaiter is not null)
            {
                throw new InvalidOperationException("a key wait or a collection is already in progress");
            }

            var collection = new Collection(this, request);
            while (!collection.IsDone && _buffer.TryDequeue(out var key))
            {
                collection.Accept(key);
            }

            if (collection.IsDone)
            {
                return collection.Task;
            }

            _collection = collection;
            collection.Arm(request.FirstDigitTimeout);
            if (cancellationToken.CanBeCanceled)
            {
                collection.Registration = cancellationToken.Register(() => collection.Cancel(cancellationToken));
            }

            return collection.Task;
        }
    }

    /// <summary>Stops any timer of a running collection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _collection?.Cancel(CancellationToken.None);
        }
    }

    /// <summary>One running collection; every method runs under the collector's lock except the timer callback, which takes it.</summary>
    private sealed class Collection(DtmfDigitCollector owner, DigitsRequest request)
    {
        private readonly TaskCompletionSource<DigitsResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder _digits = new();
        private ITimer? _timer;

        public Task<DigitsResult> Task => _result.Task;

        public bool IsDone => _result.Task.IsCompleted;

        public CancellationTokenRegistration Registration { get; set; }

        public void Accept(char key)
        {
            if (request.Terminators.Contains(key, StringComparison.Ordinal))
            {
                Finish(new DigitsResult(_digits.ToString(), DigitsTermination.Terminator, key));
                return;
            }

            _digits.Append(key);
            if (_digits.Length >= request.MaxLength)
            {
                Finish(new DigitsResult(_digits.ToString(), DigitsTermination.MaxLength));
                return;
            }

            if (owner._collection == this)
            {
                Arm(request.InterDigitTimeout);
            }
        }

        public void Arm(TimeSpan timeout)
        {
            if (_timer is null)
            {
                _timer = owner._time.CreateTimer(static state => ((Collection)state!).TimedOut(), this, timeout, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(timeout, Timeout.InfiniteTimeSpan);
            }
        }

        public void Cancel(CancellationToken cancellationToken)
        {
            lock (owner._gate)
            {
                Release();
            }

            _result.TrySetCanceled(cancellationToken);
        }

        private void TimedOut()
        {
            lock (owner._gate)
            {
                if (IsDone)
                {
                    return;
                }

                Finish(new DigitsResult(_digits.ToString(), _digits.Length == 0 ? DigitsTermination.NoInput : DigitsTermination.InterDigitTimeout));
            }
        }

        private void Finish(DigitsResult result)
        {
            Release();
            _result.TrySetResult(result);
        }

        private void Release()
        {
            _timer?.Dispose();
            _timer = null;
            Registration.Unregister();
            if (owner._collection == this)
            {
                owner._collection = null;
            }
        }
    }
}
