using System.Globalization;

namespace ContactCenter.Dialer;

/// <summary>How an outcome is retried: up to <see cref="MaxAttempts"/> attempts in total, <see cref="Interval"/> apart.</summary>
/// <param name="MaxAttempts">The attempts a contact may have in total when its last outcome is this one (0: never retry).</param>
/// <param name="Interval">The time between the end of an attempt and the next one (at least 60 s).</param>
public readonly record struct RetryRule(int MaxAttempts, TimeSpan Interval);

/// <summary>Retry rules per outcome, with the defaults (300 s intervals, at least 60 s).</summary>
public sealed class RetryRules
{
    /// <summary>The smallest interval a rule may have.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(60);

    /// <summary>The interval used when none is given.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(300);

    private readonly Dictionary<CallOutcome, RetryRule> _rules = new()
    {
        [CallOutcome.Busy] = new RetryRule(3, DefaultInterval),
        [CallOutcome.NoAnswer] = new RetryRule(3, DefaultInterval),
        [CallOutcome.AnsweredByMachine] = new RetryRule(2, DefaultInterval),
        [CallOutcome.NetworkError] = new RetryRule(3, DefaultInterval),
        [CallOutcome.Rejected] = new RetryRule(2, DefaultInterval),
        [CallOutcome.Interrupted] = new RetryRule(3, DefaultInterval),
        [CallOutcome.Abandoned] = new RetryRule(3, DefaultInterval),
        [CallOutcome.InvalidNumber] = new RetryRule(0, DefaultInterval),
        [CallOutcome.AnsweredByPerson] = new RetryRule(0, DefaultInterval),
    };

    /// <summary>Sets the rule of one outcome.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is under 60 s or the attempts are negative.</exception>
    public RetryRules Set(CallOutcome outcome, int maxAttempts, TimeSpan? interval = null)
    {
        var value = interval ?? DefaultInterval;
        if (value < MinimumInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), value, string.Create(CultureInfo.InvariantCulture,
                $"The retry interval for {outcome} must be at least {MinimumInterval.TotalSeconds} s."));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        _rules[outcome] = new RetryRule(maxAttempts, value);
        return this;
    }

    /// <summary>The rule of one outcome.</summary>
    public RetryRule For(CallOutcome outcome) => _rules.TryGetValue(outcome, out var rule) ? rule : new RetryRule(0, DefaultInterval);
}
