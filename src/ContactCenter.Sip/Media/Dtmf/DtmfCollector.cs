namespace ContactCenter.Sip.Media;

/// <summary>A digit event.</summary>
/// <param name="digit">The digit received.</param>
public sealed class DtmfDigitEventArgs(DtmfDigit digit) : EventArgs
{
    /// <summary>The digit received.</summary>
    public DtmfDigit Digit { get; } = digit;
}

/// <summary>
/// Collects digits for one call from every active method (set per trunk and per call in
/// <see cref="ActiveMethods"/>) and reports each once: a peer that signals the same key both as
/// RFC 4733 events and as in-band tones (or SIP INFO) is reported once, by the first method to arrive.
/// Thread-safe.
/// </summary>
public sealed class DtmfCollector
{
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private char _lastDigit;
    private DtmfMethod _lastMethod;
    private long _lastAt;
    private bool _hasLast;

    /// <summary>Creates a collector.</summary>
    /// <param name="time">The time source for the double-signalling window.</param>
    /// <param name="activeMethods">The methods accepted (default RFC 4733 and SIP INFO).</param>
    public DtmfCollector(TimeProvider time, DtmfMethod activeMethods = DtmfMethod.Rfc4733 | DtmfMethod.SipInfo)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        ActiveMethods = activeMethods;
    }

    /// <summary>The methods accepted; digits from other methods are ignored.</summary>
    public DtmfMethod ActiveMethods { get; set; }

    /// <summary>How long a digit from a second method counts as a copy of the first (default 300 ms).</summary>
    public TimeSpan DoubleSignallingWindow { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Raised for each accepted digit.</summary>
    public event EventHandler<DtmfDigitEventArgs>? DigitReceived;

    /// <summary>Offers a digit; returns true when it was accepted and reported.</summary>
    public bool Offer(DtmfDigit digit)
    {
        lock (_gate)
        {
            if ((ActiveMethods & digit.Method) == 0)
            {
                return false;
            }

            var now = _time.GetTimestamp();
            if (_hasLast && _lastDigit == digit.Digit && _lastMethod != digit.Method && _time.GetElapsedTime(_lastAt, now) < DoubleSignallingWindow)
            {
                return false;
            }

            _lastDigit = digit.Digit;
            _lastMethod = digit.Method;
            _lastAt = now;
            _hasLast = true;
        }

        DigitReceived?.Invoke(this, new DtmfDigitEventArgs(digit));
        return true;
    }

    /// <summary>Offers the body of a SIP INFO; false with <paramref name="error"/> set when it is not a valid DTMF body.</summary>
    /// <returns>True when the body held a digit (reported if SIP INFO is active and it is not a copy).</returns>
    public bool OfferSipInfo(string contentType, string body, out string? error)
    {
        if (!DtmfRelayBody.TryParse(contentType, body, out var digit, out error))
        {
            return false;
        }

        Offer(digit);
        return true;
    }
}
