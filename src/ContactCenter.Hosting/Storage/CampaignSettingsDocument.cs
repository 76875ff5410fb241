using System.Text.Json;
using System.Text.Json.Serialization;
using ContactCenter.Dialer;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// <see cref="CampaignSettings"/> as stored: a JSON document with one property per setting (enums as names, times
/// as ISO 8601, durations as <c>[-][d.]hh:mm:ss[.fffffff]</c>). Calling windows, retry rules and caller IDs, which
/// are classes without a JSON shape of their own, are written as plain lists.
/// </summary>
internal sealed record CampaignSettingsDocument
{
    public required string Name { get; init; }

    public DialingMode Mode { get; init; }

    public int Priority { get; init; }

    public DateTimeOffset? StartAt { get; init; }

    public DateTimeOffset? EndAt { get; init; }

    public required List<CallingWindowDocument> CallingWindows { get; init; }

    public required string DefaultTimeZoneId { get; init; }

    public required string DefaultCountry { get; init; }

    public ContactOrder Order { get; init; }

    public required List<RetryRuleDocument> RetryRules { get; init; }

    public TimeSpan AbandonedRedialBlock { get; init; }

    public bool RedialAbandonedWithGuaranteedAgent { get; init; }

    public double AbandonCap { get; init; }

    public double AbandonAim { get; init; }

    public ComplianceWindowKind ComplianceWindow { get; init; }

    public TimeSpan CampaignLifeWindow { get; init; }

    public TimeSpan ConnectDeadline { get; init; }

    public required string ComplianceMessagePrompt { get; init; }

    public TimeSpan RingTimeout { get; init; }

    public bool EnforceMinimumRing { get; init; }

    public TimeSpan MinimumRing { get; init; }

    public CallerIdsDocument? CallerIds { get; init; }

    public TimeSpan PreviewTimeout { get; init; }

    public PreviewTimeoutAction PreviewTimeoutAction { get; init; }

    public string? AgentlessFlowId { get; init; }

    public int MaxConcurrentCalls { get; init; }

    public int MinimumLiveAnswersForPredictive { get; init; }

    public int MinimumAgentsForPredictive { get; init; }

    public double MaxLinesPerAgent { get; init; }

    public int StatisticsWindow { get; init; }

    public bool CompleteWhenExhausted { get; init; }

    /// <summary>The JSON text of <paramref name="settings"/>.</summary>
    public static string Serialize(CampaignSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var document = new CampaignSettingsDocument
        {
            Name = settings.Name,
            Mode = settings.Mode,
            Priority = settings.Priority,
            StartAt = settings.StartAt,
            EndAt = settings.EndAt,
            CallingWindows = [.. Enum.GetValues<DayOfWeek>().SelectMany(day => settings.CallingWindows.For(day).Select(r => new CallingWindowDocument(day, r.Start, r.End)))],
            DefaultTimeZoneId = settings.DefaultTimeZoneId,
            DefaultCountry = settings.DefaultCountry,
            Order = settings.Order,
            RetryRules = [.. Enum.GetValues<CallOutcome>().Select(o => (Outcome: o, Rule: settings.RetryRules.For(o))).Select(x => new RetryRuleDocument(x.Outcome, x.Rule.MaxAttempts, x.Rule.Interval))],
            AbandonedRedialBlock = settings.AbandonedRedialBlock,
            RedialAbandonedWithGuaranteedAgent = settings.RedialAbandonedWithGuaranteedAgent,
            AbandonCap = settings.AbandonCap,
            AbandonAim = settings.AbandonAim,
            ComplianceWindow = settings.ComplianceWindow,
            CampaignLifeWindow = settings.CampaignLifeWindow,
            ConnectDeadline = settings.ConnectDeadline,
            ComplianceMessagePrompt = settings.ComplianceMessagePrompt,
            RingTimeout = settings.RingTimeout,
            EnforceMinimumRing = settings.EnforceMinimumRing,
            MinimumRing = settings.MinimumRing,
            CallerIds = settings.CallerIds is { } pool ? new CallerIdsDocument(pool.Mode, [.. pool.Numbers]) : null,
            PreviewTimeout = settings.PreviewTimeout,
            PreviewTimeoutAction = settings.PreviewTimeoutAction,
            AgentlessFlowId = settings.AgentlessFlowId,
            MaxConcurrentCalls = settings.MaxConcurrentCalls,
            MinimumLiveAnswersForPredictive = settings.MinimumLiveAnswersForPredictive,
            MinimumAgentsForPredictive = settings.MinimumAgentsForPredictive,
            MaxLinesPerAgent = settings.MaxLinesPerAgent,
            StatisticsWindow = settings.StatisticsWindow,
            CompleteWhenExhausted = settings.CompleteWhenExhausted,
        };
        return JsonSerializer.Serialize(document, StorageJson.Default.CampaignSettingsDocument);
    }

    /// <summary>The settings stored as <paramref name="json"/> for campaign <paramref name="campaignId"/>.</summary>
    /// <exception cref="StorageException">The document cannot be read.</exception>
    public static CampaignSettings Deserialize(string json, Guid campaignId)
    {
        try
        {
            var document = JsonSerializer.Deserialize(json, StorageJson.Default.CampaignSettingsDocument)
                ?? throw new StorageException($"the settings of campaign {campaignId} are null");
            return document.ToSettings();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new StorageException($"the stored settings of campaign {campaignId} cannot be read: {ex.Message}", ex);
        }
    }

    private CampaignSettings ToSettings()
    {
        var windows = new CallingWindows.Builder();
        foreach (var window in CallingWindows)
        {
            windows.Add(window.Day, new TimeRange(window.Start, window.End));
        }

        var rules = new RetryRules();
        foreach (var rule in RetryRules)
        {
            rules.Set(rule.Outcome, rule.MaxAttempts, rule.Interval);
        }

        return new CampaignSettings
        {
            Name = Name,
            Mode = Mode,
            Priority = Priority,
            StartAt = StartAt,
            EndAt = EndAt,
            CallingWindows = windows.Build(),
            DefaultTimeZoneId = DefaultTimeZoneId,
            DefaultCountry = DefaultCountry,
            Order = Order,
            RetryRules = rules,
            AbandonedRedialBlock = AbandonedRedialBlock,
            RedialAbandonedWithGuaranteedAgent = RedialAbandonedWithGuaranteedAgent,
            AbandonCap = AbandonCap,
            AbandonAim = AbandonAim,
            ComplianceWindow = ComplianceWindow,
            CampaignLifeWindow = CampaignLifeWindow,
            ConnectDeadline = ConnectDeadline,
            ComplianceMessagePrompt = ComplianceMessagePrompt,
            RingTimeout = RingTimeout,
            EnforceMinimumRing = EnforceMinimumRing,
            MinimumRing = MinimumRing,
            CallerIds = CallerIds is { } ids ? new CallerIdPool(ids.Mode, [.. ids.Numbers]) : null,
            PreviewTimeout = PreviewTimeout,
            PreviewTimeoutAction = PreviewTimeoutAction,
            AgentlessFlowId = AgentlessFlowId,
            MaxConcurrentCalls = MaxConcurrentCalls,
            MinimumLiveAnswersForPredictive = MinimumLiveAnswersForPredictive,
            MinimumAgentsForPredictive = MinimumAgentsForPredictive,
            MaxLinesPerAgent = MaxLinesPerAgent,
            StatisticsWindow = StatisticsWindow,
            CompleteWhenExhausted = CompleteWhenExhausted,
        };
    }
}

/// <summary>One calling window of one day.</summary>
internal sealed record CallingWindowDocument(DayOfWeek Day, TimeOnly Start, TimeOnly End);

/// <summary>The retry rule of one outcome.</summary>
internal sealed record RetryRuleDocument(CallOutcome Outcome, int MaxAttempts, TimeSpan Interval);

/// <summary>A caller ID pool.</summary>
internal sealed record CallerIdsDocument(CallerIdMode Mode, List<string> Numbers);

/// <summary>The JSON shapes Storage writes (source generated: no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CampaignSettingsDocument))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJson : JsonSerializerContext;
