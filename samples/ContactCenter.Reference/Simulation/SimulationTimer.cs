namespace ContactCenter.Reference.Simulation;

/// <summary>
/// A wait on the simulation clock that is started before the action it follows is made visible (a 180, a 200, a
/// progress event), so whoever drives a manual clock can advance it as soon as it sees that action.
/// </summary>
internal sealed class SimulationTimer : IDisposable
{
    private readonly CancellationTokenSource _cancel;

    private SimulationTimer(TimeSpan delay, TimeProvider time, CancellationToken stopping)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Elapsed = delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, time, _cancel.Token);
    }

    /// <summary>Completes when the delay has elapsed (cancelled when stopped first).</summary>
    public Task Elapsed { get; }

    /// <summary>Starts a wait of <paramref name="delay"/>.</summary>
    public static SimulationTimer Start(TimeSpan delay, TimeProvider time, CancellationToken stopping) => new(delay, time, stopping);

    /// <summary>Waits for the delay or any of <paramref name="others"/>; true when the delay elapsed first.</summary>
    public async Task<bool> WaitAsync(params Task[] others)
    {
        if (others.Any(t => t.IsCompleted))
        {
            return false;
        }

        var first = await Task.WhenAny([Elapsed, .. others]).ConfigureAwait(false);
        return first == Elapsed && Elapsed.IsCompletedSuccessfully;
    }

    /// <summary>Cancels the wait.</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }
}
