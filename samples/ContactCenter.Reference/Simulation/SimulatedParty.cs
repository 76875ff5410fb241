using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Reference.Simulation;

/// <summary>
/// What the simulated parties share: the simulation clock, a seeded random source behind a lock, a logger, the
/// calls in flight (tracked so stopping waits for them) and the stop signal.
/// </summary>
internal abstract class SimulatedParty : IAsyncDisposable
{
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the shared state.</summary>
    /// <param name="media">The shared media.</param>
    /// <param name="seed">The random seed; null for a different run each time.</param>
    /// <param name="time">The simulation clock (the system clock when null).</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="category">The log category.</param>
    protected SimulatedParty(SimulationMedia media, int? seed, TimeProvider? time, ILoggerFactory? loggerFactory, string category)
    {
        ArgumentNullException.ThrowIfNull(media);
        Media = media;
        Time = time ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger(category);
        _random = seed is { } value ? new Random(value) : new Random();
    }

    /// <summary>The shared media.</summary>
    protected SimulationMedia Media { get; }

    /// <summary>The simulation clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>For the user agents this party creates.</summary>
    protected ILoggerFactory LoggerFactory { get; }

    /// <summary>This party's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Cancelled when the party stops.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>True once the party is stopping.</summary>
    protected bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Stops: cancels every wait, gives the calls in flight 2 s to end, then releases what the party holds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A call still tearing down is dropped with the sockets.
        }

        await ReleaseAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Releases the sockets and timers once the calls have ended.</summary>
    protected abstract ValueTask ReleaseAsync();

    /// <summary>Draws one duration.</summary>
    protected TimeSpan Draw(SimulatedDuration duration)
    {
        lock (_randomGate)
        {
            return duration.Next(_random);
        }
    }

    /// <summary>Runs <paramref name="draw"/> with the random source (under its lock).</summary>
    protected T Random<T>(Func<Random, T> draw)
    {
        ArgumentNullException.ThrowIfNull(draw);
        lock (_randomGate)
        {
            return draw(_random);
        }
    }

    /// <summary>Starts a wait on the simulation clock that ends early when the party stops.</summary>
    protected SimulationTimer StartWait(TimeSpan delay) => SimulationTimer.Start(delay, Time, _stopping.Token);

    /// <summary>Keeps <paramref name="task"/> (a call) so stopping waits for it.</summary>
    protected void Track(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _running[task] = 0;
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
