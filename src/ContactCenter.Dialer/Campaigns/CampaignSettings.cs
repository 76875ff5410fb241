namespace ContactCenter.Dialer;

/// <summary>Everything that defines a campaign. <see cref="Validate"/> names the first bad setting.</summary>
public sealed record CampaignSettings
{
    /// <summary>A name for people.</summary>
    public required string Name { get; init; }

    /// <summary>How calls are paced.</summary>
    public DialingMode Mode { get; init; } = DialingMode.Predictive;

    /// <summary>1 (highest) to 5 (lowest): campaigns sharing agents are served in priority order.</summary>
    public int Priority { get; init; } = 3;

    /// <summary>When the campaign may start (null: as soon as it is started).</summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>When the campaign completes even if contacts remain (null: never).</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>Local calling windows, evaluated in each contact's time zone (default 08:00-21:00 every day).</summary>
    public CallingWindows CallingWindows { get; init; } = CallingWindows.Default;

    /// <summary>The time zone of contacts that have none (IANA id).</summary>
    public string DefaultTimeZoneId { get; init; } = "UTC";

    /// <summary>The ISO country used to read national phone numbers (see <see cref="PhoneNumbers.SupportedCountries"/>).</summary>
    public string DefaultCountry { get; init; } = "US";

    /// <summary>The order fresh contacts are dialed in.</summary>
    public ContactOrder Order { get; init; } = ContactOrder.AsUploaded;

    /// <summary>Retry rules per outcome.</summary>
    public RetryRules RetryRules { get; init; } = new();

    /// <summary>How long a contact whose call was abandoned is not dialed again (default 72 h).</summary>
    public TimeSpan AbandonedRedialBlock { get; init; } = TimeSpan.FromHours(72);

    /// <summary>Allow redialing an abandoned contact within the block when an agent is reserved for the call first.</summary>
    public bool RedialAbandonedWithGuaranteedAgent { get; init; }

    /// <summary>The hard cap on abandoned / answered-by-a-person over the compliance window (default 3%).</summary>
    public double AbandonCap { get; init; } = 0.03;

    /// <summary>The fraction of the cap the pacing controller aims at, leaving headroom (default 0.8).</summary>
    public double AbandonAim { get; init; } = 0.8;

    /// <summary>The window the cap is measured over.</summary>
    public ComplianceWindowKind ComplianceWindow { get; init; } = ComplianceWindowKind.CampaignLife;

    /// <summary>The longest campaign-life window (default and maximum 30 days; older events roll out).</summary>
    public TimeSpan CampaignLifeWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long an answered person may wait for an agent before the call is abandoned (default 2 s).</summary>
    public TimeSpan ConnectDeadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The audio prompt played to an abandoned call.</summary>
    public string ComplianceMessagePrompt { get; init; } = "compliance-message";

    /// <summary>How long an unanswered call rings before the dialer gives up (default 25 s).</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Refuse a ring timeout under <see cref="MinimumRing"/> (default on).</summary>
    public bool EnforceMinimumRing { get; init; } = true;

    /// <summary>The shortest ring when <see cref="EnforceMinimumRing"/> is on (default 15 s).</summary>
    public TimeSpan MinimumRing { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The caller IDs presented (default: none, the trunk's own).</summary>
    public CallerIdPool? CallerIds { get; init; }

    /// <summary>How long an agent has to accept or skip a preview (default 30 s).</summary>
    public TimeSpan PreviewTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What happens when a preview times out.</summary>
    public PreviewTimeoutAction PreviewTimeoutAction { get; init; } = PreviewTimeoutAction.Dial;

    /// <summary>For agentless campaigns: the IVR flow an answered call is handed to.</summary>
    public string? AgentlessFlowId { get; init; }

    /// <summary>For agentless campaigns: the most calls in progress at once (default 10).</summary>
    public int MaxConcurrentCalls { get; init; } = 10;

    /// <summary>Predictive pacing falls back to progressive until this many live answers are measured (default 50).</summary>
    public int MinimumLiveAnswersForPredictive { get; init; } = 50;

    /// <summary>Predictive pacing falls back to progressive with fewer agents logged in than this (default 3).</summary>
    public int MinimumAgentsForPredictive { get; init; } = 3;

    /// <summary>The most calls in progress per logged-in agent (default 4).</summary>
    public double MaxLinesPerAgent { get; init; } = 4;

    /// <summary>The number of recent samples the pacing statistics keep (default 500).</summary>
    public int StatisticsWindow { get; init; } = 500;

    /// <summary>Complete the campaign when every contact is finished (default on).</summary>
    public bool CompleteWhenExhausted { get; init; } = true;

    /// <summary>Checks every setting; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        static void Fail(string name, string message) => throw new ArgumentException($"Campaign setting {name}: {message}", name);
        if (string.IsNullOrWhiteSpace(Name))
        {
            Fail(nameof(Name), "must not be empty.");
        }

        if (Priority is < 1 or > 5)
        {
            Fail(nameof(Priority), $"must be 1 (highest) to 5 (lowest), not {Priority}.");
        }

        if (StartAt is { } s && EndAt is { } e && e <= s)
        {
            Fail(nameof(EndAt), "must be after StartAt.");
        }

        if (FindZone(DefaultTimeZoneId) is null)
        {
            Fail(nameof(DefaultTimeZoneId), $"'{DefaultTimeZoneId}' is not a known time zone id.");
        }

        if (!PhoneNumbers.SupportedCountries.Contains(DefaultCountry, StringComparer.OrdinalIgnoreCase))
        {
            Fail(nameof(DefaultCountry), $"'{DefaultCountry}' is not supported ({string.Join(", ", PhoneNumbers.SupportedCountries)}).");
        }

        if (AbandonCap is <= 0 or >= 1)
        {
            Fail(nameof(AbandonCap), $"must be between 0 and 1, not {AbandonCap}.");
        }

        if (AbandonAim is <= 0 or > 1)
        {
            Fail(nameof(AbandonAim), $"must be in (0, 1], not {AbandonAim}.");
        }

        if (CampaignLifeWindow <= TimeSpan.Zero || CampaignLifeWindow > TimeSpan.FromDays(30))
        {
            Fail(nameof(CampaignLifeWindow), "must be more than 0 and at most 30 days.");
        }

        if (ConnectDeadline <= TimeSpan.Zero)
        {
            Fail(nameof(ConnectDeadline), "must be positive.");
        }

        if (RingTimeout <= TimeSpan.Zero)
        {
            Fail(nameof(RingTimeout), "must be positive.");
        }

        if (EnforceMinimumRing && RingTimeout < MinimumRing)
        {
            Fail(nameof(RingTimeout), $"{RingTimeout.TotalSeconds} s is under the minimum ring of {MinimumRing.TotalSeconds} s (set EnforceMinimumRing to false to allow it).");
        }

        if (PreviewTimeout <= TimeSpan.Zero)
        {
            Fail(nameof(PreviewTimeout), "must be positive.");
        }

        if (Mode == DialingMode.Agentless && string.IsNullOrWhiteSpace(AgentlessFlowId))
        {
            Fail(nameof(AgentlessFlowId), "an agentless campaign needs the IVR flow to run.");
        }

        if (MaxConcurrentCalls < 1)
        {
            Fail(nameof(MaxConcurrentCalls), "must be at least 1.");
        }

        if (MinimumLiveAnswersForPredictive < 0 || MinimumAgentsForPredictive < 1)
        {
            Fail(nameof(MinimumAgentsForPredictive), "thresholds must be positive.");
        }

        if (MaxLinesPerAgent < 1)
        {
            Fail(nameof(MaxLinesPerAgent), "must be at least 1.");
        }

        if (StatisticsWindow is < 50 or > 100_000)
        {
            Fail(nameof(StatisticsWindow), "must be 50 to 100000 samples.");
        }
    }

    internal static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    }
}

/// <summary>An operation the campaign's current state does not allow.</summary>
public sealed class CampaignStateException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CampaignStateException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CampaignStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CampaignStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
