using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Transactions;

/// <summary>What the client and server transactions share: identity, state, two timers, termination.</summary>
public abstract class SipTransaction
{
    private protected readonly object Gate = new();
    private ITimer? _retransmitTimer;
    private ITimer? _timeoutTimer;

    private protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request, bool reliable, SipTransactionState initial)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Reliable = reliable;
        State = initial;
    }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }

    /// <summary>The current state.</summary>
    public SipTransactionState State { get; private set; }

    /// <summary>The top Via branch that identifies the transaction.</summary>
    public string Branch => Request.TopVia?.Branch ?? "";

    internal string Key { get; }

    internal bool Reliable { get; }

    private protected SipTransactionLayer Layer { get; }

    private protected TimeProvider Time => Layer.Time;

    private protected SipTransactionOptions Options => Layer.Options;

    /// <summary>Moves to <paramref name="state"/>; call with <see cref="Gate"/> held.</summary>
    private protected void MoveTo(SipTransactionState state)
    {
        State = state;
        if (state == SipTransactionState.Terminated)
        {
            StopTimers();
            Layer.Remove(this);
        }
    }

    /// <summary>(Re)arms the retransmission timer (A, E or G); call with <see cref="Gate"/> held.</summary>
    private protected void ArmRetransmit(TimeSpan due)
    {
        _retransmitTimer ??= Time.CreateTimer(static s => ((SipTransaction)s!).FireRetransmit(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _retransmitTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the retransmission timer; call with <see cref="Gate"/> held.</summary>
    private protected void StopRetransmit() => _retransmitTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>(Re)arms the timeout timer (B, D, F, H, I, J, K, L or M); zero terminates at once. Call with <see cref="Gate"/> held.</summary>
    private protected void ArmTimeout(TimeSpan due)
    {
        if (due <= TimeSpan.Zero)
        {
            MoveTo(SipTransactionState.Terminated);
            return;
        }

        _timeoutTimer ??= Time.CreateTimer(static s => ((SipTransaction)s!).FireTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timeoutTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the timeout timer; call with <see cref="Gate"/> held.</summary>
    private protected void StopTimeout() => _timeoutTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Ends the transaction without further messages (the layer is shutting down).</summary>
    internal void TerminateForShutdown()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Terminated)
            {
                MoveTo(SipTransactionState.Terminated);
            }
        }
    }

    private protected abstract void OnRetransmitTimer();

    private protected abstract void OnTimeoutTimer();

    private void FireRetransmit()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Terminated)
            {
                OnRetransmitTimer();
            }
        }
    }

    private void FireTimeout()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Terminated)
            {
                OnTimeoutTimer();
            }
        }
    }

    private void StopTimers()
    {
        _retransmitTimer?.Dispose();
        _timeoutTimer?.Dispose();
        _retransmitTimer = null;
        _timeoutTimer = null;
    }

    /// <summary>Sends without waiting; a failure is reported to <paramref name="onError"/>.</summary>
    private protected void SendInBackground(Func<ValueTask> send, Action<Exception>? onError = null)
    {
        _ = Run();

        async Task Run()
        {
            try
            {
                await send();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                Layer.SendFailed(this, e);
                onError?.Invoke(e);
            }
        }
    }

    internal static bool IsReliable(SipTransportProtocol protocol) => protocol.IsReliable();
}
