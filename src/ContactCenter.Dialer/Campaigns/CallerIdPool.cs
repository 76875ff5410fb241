namespace ContactCenter.Dialer;

/// <summary>The numbers a campaign presents as caller ID, and how one is chosen per call.</summary>
public sealed class CallerIdPool
{
    private readonly string[] _numbers;
    private long _next;

    /// <summary>Creates a pool of E.164 numbers.</summary>
    /// <exception cref="ArgumentException">The pool is empty or a number is not E.164.</exception>
    public CallerIdPool(CallerIdMode mode, params string[] numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Length == 0)
        {
            throw new ArgumentException("A caller ID pool needs at least one number.", nameof(numbers));
        }

        foreach (var n in numbers)
        {
            if (!PhoneNumbers.IsE164(n))
            {
                throw new ArgumentException($"Caller ID '{n}' is not an E.164 number (+ and 8 to 15 digits).", nameof(numbers));
            }
        }

        Mode = mode;
        _numbers = [.. numbers];
    }

    /// <summary>How a number is chosen.</summary>
    public CallerIdMode Mode { get; }

    /// <summary>The numbers of the pool.</summary>
    public IReadOnlyList<string> Numbers => _numbers;

    /// <summary>The caller ID for a call to <paramref name="calledNumber"/> (E.164).</summary>
    public string Choose(string calledNumber)
    {
        ArgumentNullException.ThrowIfNull(calledNumber);
        switch (Mode)
        {
            case CallerIdMode.Fixed:
                return _numbers[0];
            case CallerIdMode.SameAreaCode:
                var area = PhoneNumbers.AreaPrefix(calledNumber);
                if (area.Length > 0)
                {
                    foreach (var n in _numbers)
                    {
                        if (n.StartsWith(area, StringComparison.Ordinal))
                        {
                            return n;
                        }
                    }
                }

                goto default;
            default:
                var i = (int)(_next++ % _numbers.Length);
                return _numbers[i];
        }
    }
}
