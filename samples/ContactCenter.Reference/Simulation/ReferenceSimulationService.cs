using System.Globalization;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Events;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactCenter.Reference.Simulation;

/// <summary>Registers the reference simulation.</summary>
internal static class ReferenceSimulationServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ReferenceSimulationOptions"/> from the <c>Reference</c> section (validated at start-up, the error
    /// naming the key) and adds the hosted service that runs the simulated agents, callers, carrier and console summary.
    /// Register it after the contact center so the contact center is listening when the agents register.
    /// </summary>
    public static IServiceCollection AddReferenceSimulation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ReferenceSimulationOptions>()
            .Bind(configuration.GetSection(ReferenceSimulationOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReferenceSimulationOptions>, ReferenceSimulationOptionsValidator>();
        services.AddHostedService<ReferenceSimulationService>();
        return services;
    }
}

/// <summary>Checks <see cref="ReferenceSimulationOptions"/> at start-up; the failure names the bad key.</summary>
internal sealed class ReferenceSimulationOptionsValidator : IValidateOptions<ReferenceSimulationOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ReferenceSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}

/// <summary>
/// Runs the simulated world around the reference contact center: the agents' phones register and answer, the
/// campaign's carrier listens (when <c>Reference:Campaign:Enabled</c>), the caller load starts, and the console
/// summary shows the routing snapshot, the call counts and the simulation's own counters. Everything talks to the
/// contact center over SIP and RTP only; the summary reads the routing engine and the event hub.
/// </summary>
internal sealed class ReferenceSimulationService(
    IOptions<ReferenceSimulationOptions> options,
    RoutingEngine routing,
    ContactCenterEventHub events,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IServiceProvider services) : IHostedService, IAsyncDisposable
{
    private readonly ReferenceSimulationOptions _options = options.Value;
    private SimulationMedia? _media;
    private SimulatedAgents? _agents;
    private SimulatedCarrier? _carrier;
    private SimulatedCallers? _callers;
    private CallActivityCounter? _counter;
    private ConsoleSummary? _summary;

    /// <summary>Starts the parts that are enabled, agents first and callers last.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _media = new SimulationMedia(_options.Media, TimeProvider.System, loggerFactory, services.GetService<ITextToSpeech>());
        if (_options.Agents.Enabled)
        {
            _agents = new SimulatedAgents(_options.Agents, _media, time, loggerFactory);
            await _agents.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Campaign.Enabled)
        {
            _carrier = new SimulatedCarrier(_options.Campaign, _media, time, loggerFactory);
            await _carrier.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Callers.Enabled)
        {
            _callers = new SimulatedCallers(_options.Callers, _media, time, loggerFactory);
            await _callers.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Summary.Enabled)
        {
            _counter = new CallActivityCounter(events, time);
            var calls = services.GetService<ICallControl>();
            _summary = new ConsoleSummary(_options.Summary, async ct =>
            {
                var snapshot = await routing.GetSnapshotAsync(ct).ConfigureAwait(false);
                return ContactCenterSummary.From(snapshot, calls?.ActiveCalls.Count ?? _counter.InProgress, _counter.Today, Notes());
            }, time: time, loggerFactory: loggerFactory);
            _summary.Start();
        }
    }

    /// <summary>Stops the summary and the callers first, then the carrier and the agents.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Stops everything that was started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_summary is not null)
        {
            await _summary.DisposeAsync().ConfigureAwait(false);
            _summary = null;
        }

        if (_counter is not null)
        {
            await _counter.DisposeAsync().ConfigureAwait(false);
            _counter = null;
        }

        if (_callers is not null)
        {
            await _callers.DisposeAsync().ConfigureAwait(false);
            _callers = null;
        }

        if (_carrier is not null)
        {
            await _carrier.DisposeAsync().ConfigureAwait(false);
            _carrier = null;
        }

        if (_agents is not null)
        {
            await _agents.DisposeAsync().ConfigureAwait(false);
            _agents = null;
        }

        _media?.Dispose();
        _media = null;
    }

    /// <summary>The simulation's own line(s) under the contact center's figures.</summary>
    private List<string> Notes()
    {
        var lines = new List<string>();
        if (_agents is { } agents)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"sim phones: {agents.Registered}/{_options.Agents.Count} registered, {agents.ActiveCalls} on a call, {agents.CallsAnswered} answered"));
        }

        if (_callers is { } callers)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"sim callers: {callers.Placed} placed, {callers.ActiveCalls} up, {callers.Connected} talked, {callers.Abandoned} abandoned, {callers.Failed} failed"));
        }

        if (_carrier is { } carrier)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"sim carrier: {carrier.Offered} dialled, {carrier.Count(CarrierOutcome.Human)} human, {carrier.Count(CarrierOutcome.Machine)} machine, {carrier.Count(CarrierOutcome.Busy)} busy, {carrier.Count(CarrierOutcome.NoAnswer)} no answer"));
        }

        return lines;
    }
}
