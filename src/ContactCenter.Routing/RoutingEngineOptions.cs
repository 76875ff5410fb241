namespace ContactCenter.Routing;

/// <summary>How the engine's single writer runs.</summary>
public enum RoutingDispatch
{
    /// <summary>Commands go into a bounded channel drained by one background loop (for servers).</summary>
    Background = 0,

    /// <summary>
    /// Commands are applied on the caller's thread, one at a time, in call order (for simulators and tests that
    /// drive a virtual clock). Event handlers may send further commands; they are applied after the current one.
    /// </summary>
    Inline = 1,
}

/// <summary>Engine-wide options. Queue and agent settings live in their definitions.</summary>
public sealed class RoutingEngineOptions
{
    /// <summary>The engine's name, set as the <c>routing.engine</c> tag of its Meter (to tell several engines apart).</summary>
    public string Name { get; set; } = "default";

    /// <summary>How commands are applied.</summary>
    public RoutingDispatch Dispatch { get; set; } = RoutingDispatch.Background;

    /// <summary>When an offer rings without answer, the agents go not ready (true, the default) or stay available.</summary>
    public bool NotReadyOnOfferTimeout { get; set; } = true;

    /// <summary>The not-ready reason code used after a ring-no-answer.</summary>
    public string OfferTimeoutReason { get; set; } = "ring-no-answer";

    /// <summary>The seed of the random source used by the random strategies; <see langword="null"/> for a random seed.</summary>
    public int? RandomSeed { get; set; }

    /// <summary>The most items (waiting, ringing or assigned) the engine holds; further enqueues are refused.</summary>
    public int MaxItems { get; set; } = 1_000_000;

    /// <summary>The most commands waiting for the background writer; senders wait when it is full.</summary>
    public int CommandQueueCapacity { get; set; } = 65_536;

    /// <summary>The most waiting items examined per priority level of a queue when looking for one an agent may take.</summary>
    public int MaxScanPerPriority { get; set; } = 256;

    /// <summary>How old the published metrics snapshot (read by the <c>Meter</c> instruments) may get.</summary>
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How strongly the latest handle time moves the per-queue average used for the expected wait (0 to 1).</summary>
    public double HandleTimeSmoothing { get; set; } = 0.1;

    /// <summary>Strategies beyond the built-in ones, by <see cref="IRoutingStrategy.Name"/>.</summary>
    public IList<IRoutingStrategy> CustomStrategies { get; } = [];

    internal void Validate()
    {
        if (MaxItems < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItems), MaxItems, "RoutingEngineOptions.MaxItems must be at least 1.");
        }

        if (CommandQueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandQueueCapacity), CommandQueueCapacity, "RoutingEngineOptions.CommandQueueCapacity must be at least 1.");
        }

        if (MaxScanPerPriority < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxScanPerPriority), MaxScanPerPriority, "RoutingEngineOptions.MaxScanPerPriority must be at least 1.");
        }

        if (HandleTimeSmoothing is <= 0 or > 1 || double.IsNaN(HandleTimeSmoothing))
        {
            throw new ArgumentOutOfRangeException(nameof(HandleTimeSmoothing), HandleTimeSmoothing, "RoutingEngineOptions.HandleTimeSmoothing must be in (0, 1].");
        }

        if (MetricsRefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MetricsRefreshInterval), MetricsRefreshInterval, "RoutingEngineOptions.MetricsRefreshInterval must be positive.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("RoutingEngineOptions.Name must not be empty.", nameof(Name));
        }

        if (string.IsNullOrWhiteSpace(OfferTimeoutReason))
        {
            throw new ArgumentException("RoutingEngineOptions.OfferTimeoutReason must not be empty.", nameof(OfferTimeoutReason));
        }
    }
}
