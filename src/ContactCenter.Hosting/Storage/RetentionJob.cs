using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Hosting.Storage;

/// <summary>What one retention run deleted.</summary>
/// <param name="CallRecords">Call detail records deleted.</param>
/// <param name="Events">Events deleted.</param>
/// <param name="Recordings">Recordings deleted (file and index entry).</param>
/// <param name="RecordingsKept">Recordings past their age whose file could not be deleted; retried next run.</param>
public sealed record RetentionResult(int CallRecords, int Events, int Recordings, int RecordingsKept);

/// <summary>
/// Deletes call detail records, events and recordings (their WAV files, index entries and access logs) older than
/// the ages in <see cref="RetentionOptions"/>. Runs every <see cref="RetentionOptions.Interval"/> on the
/// <see cref="TimeProvider"/>'s clock once started; <see cref="RunOnceAsync"/> runs it at once. A file that cannot be
/// deleted keeps its index entry so the next run tries again.
/// </summary>
public sealed class RetentionJob : IHostedService, IAsyncDisposable
{
    private readonly ContactCenterStorage _storage;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _current = Task.CompletedTask;
    private int _running;

    /// <summary>Creates the job over <paramref name="storage"/> with its <see cref="StorageOptions.Retention"/> settings.</summary>
    public RetentionJob(ContactCenterStorage storage, TimeProvider? timeProvider = null, ILogger<RetentionJob>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _options = storage.Options.Retention;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The run in progress, or the last one (completed).</summary>
    internal Task CurrentRun => Volatile.Read(ref _current);

    /// <summary>Arms the timer: the first run is one <see cref="RetentionOptions.Interval"/> after start.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer ??= _time.CreateTimer(static state => ((RetentionJob)state!).OnTimer(), this, _options.Interval, _options.Interval);
        return Task.CompletedTask;
    }

    /// <summary>Stops the timer and waits for a run in progress to finish or observe cancellation.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await CurrentRun.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes what is past its age now.</summary>
    public async Task<RetentionResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var callRecords = _options.CallRecordAge is { } cdrAge
            ? await _storage.CallRecords.DeleteOlderThanAsync(now - cdrAge, cancellationToken).ConfigureAwait(false)
            : 0;
        var events = _options.EventAge is { } eventAge
            ? await _storage.Events.DeleteOlderThanAsync(now - eventAge, cancellationToken).ConfigureAwait(false)
            : 0;
        var (recordings, kept) = _options.RecordingAge is { } recordingAge
            ? await DeleteRecordingsAsync(now - recordingAge, cancellationToken).ConfigureAwait(false)
            : (0, 0);
        StorageLog.RetentionDeleted(_logger, callRecords, events, recordings);
        return new RetentionResult(callRecords, events, recordings, kept);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task<(int Deleted, int Kept)> DeleteRecordingsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var kept = new HashSet<Guid>();
        while (true)
        {
            var batch = await _storage.Recordings.ListOlderThanAsync(cutoff, _options.BatchSize + kept.Count, cancellationToken).ConfigureAwait(false);
            var progress = 0;
            foreach (var recording in batch)
            {
                if (kept.Contains(recording.Id))
                {
                    continue;
                }

                var path = _storage.ResolveRecordingPath(recording.Path);
                try
                {
                    File.Delete(path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    StorageLog.RecordingFileNotDeleted(_logger, path, ex);
                    kept.Add(recording.Id);
                    continue;
                }

                if (await _storage.Recordings.RemoveAsync(recording.Id, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }

                progress++;
            }

            if (progress == 0 || batch.Count < _options.BatchSize + kept.Count)
            {
                return (deleted, kept.Count);
            }
        }
    }

    private void OnTimer()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return; // The previous run is still going.
        }

        Volatile.Write(ref _current, RunGuardedAsync());
    }

    private async Task RunGuardedAsync()
    {
        try
        {
            await Task.Yield();
            await RunOnceAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            StorageLog.RetentionFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
