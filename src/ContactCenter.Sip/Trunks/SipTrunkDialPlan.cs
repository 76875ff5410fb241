namespace ContactCenter.Sip.Trunks;

/// <summary>Number translation and caller-ID rules of a trunk.</summary>
internal static class SipTrunkDialPlan
{
    /// <summary>Digits, '+', '*' and '#' (visual separators are not allowed: normalize before dialling).</summary>
    public static bool IsDialString(string text, bool allowEmpty = false) =>
        (allowEmpty || text.Length > 0) && text.All(c => c is (>= '0' and <= '9') or '+' or '*' or '#');

    /// <summary>A caller ID: a number or a SIP user name (letters, digits and - . _ + only).</summary>
    public static bool IsCallerId(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.' or '_');

    /// <summary>Removes <paramref name="strip"/> leading characters and adds <paramref name="prefix"/>.</summary>
    /// <exception cref="ArgumentException">The number is not a dial string, or too short to strip.</exception>
    public static string Translate(string trunk, string number, int strip, string prefix)
    {
        if (!IsDialString(number))
        {
            throw new ArgumentException($"Trunk '{trunk}': number '{number}' may hold only digits, '+', '*' and '#'.", nameof(number));
        }

        if (number.Length <= strip)
        {
            throw new ArgumentException($"Trunk '{trunk}': number '{number}' is too short to remove {strip} leading digits (StripDigits).", nameof(number));
        }

        return prefix + number[strip..];
    }

    /// <summary>The caller ID a call presents on the trunk, or null when it is not allowed and there is no default.</summary>
    public static string? CallerId(SipCallerIdOptions rules, string? requested)
    {
        if (requested is null)
        {
            return rules.Default;
        }

        if (rules.Allowed.Count == 0)
        {
            return requested;
        }

        foreach (var pattern in rules.Allowed)
        {
            var matches = pattern.EndsWith('*')
                ? requested.StartsWith(pattern[..^1], StringComparison.Ordinal)
                : string.Equals(requested, pattern, StringComparison.Ordinal);
            if (matches)
            {
                return requested;
            }
        }

        return rules.Default;
    }
}

/// <summary>
/// A token bucket for calls per second: <c>capacity</c> tokens, refilled continuously at <c>rate</c> per second from a
/// <see cref="TimeProvider"/>. A call takes one token or is refused at once; nothing waits.
/// </summary>
internal sealed class SipTokenBucket
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _capacity;
    private double _tokens;
    private long _stamp;

    public SipTokenBucket(TimeProvider time, double rate, int capacity)
    {
        _time = time;
        _rate = rate;
        _capacity = capacity;
        _tokens = capacity;
        _stamp = time.GetTimestamp();
    }

    public bool TryTake()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_stamp, now).TotalSeconds * _rate);
            _stamp = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    /// <summary>Gives back a token taken for a call that was never sent.</summary>
    public void Return()
    {
        lock (_gate)
        {
            _tokens = Math.Min(_capacity, _tokens + 1);
        }
    }
}
