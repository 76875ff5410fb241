namespace ContactCenter.Hosting.Storage;

/// <summary>A recording known to the contact center (the WAV file lives on disk; this is its index entry).</summary>
/// <param name="Id">The recording id (a version 7 <see cref="Guid"/>).</param>
/// <param name="CallId">The call it belongs to (<see cref="CallDetailRecord.Id"/>).</param>
/// <param name="Path">The WAV file: absolute, or relative to the storage data folder.</param>
/// <param name="Channels">1 (mixed) or 2 (caller and agent on separate channels).</param>
/// <param name="Duration">How long it is.</param>
/// <param name="SizeBytes">The file size.</param>
/// <param name="CreatedAt">When it was made.</param>
public sealed record RecordingEntry(Guid Id, Guid CallId, string Path, int Channels, TimeSpan Duration, long SizeBytes, DateTimeOffset CreatedAt);

/// <summary>One access to a recording, for the audit trail.</summary>
/// <param name="Id">The access id.</param>
/// <param name="RecordingId">The recording.</param>
/// <param name="AccessedBy">Who (a user or agent name).</param>
/// <param name="Action">What they did: <c>play</c>, <c>download</c>, ...</param>
/// <param name="AccessedAt">When.</param>
public sealed record RecordingAccess(Guid Id, Guid RecordingId, string AccessedBy, string Action, DateTimeOffset AccessedAt);

/// <summary>The index of call recordings and the log of who accessed them.</summary>
public interface IRecordingIndex
{
    /// <summary>Indexes a recording; it is on disk when the task completes.</summary>
    /// <exception cref="ArgumentException">The entry is invalid (empty id, no path, channels not 1 or 2, negative size or duration).</exception>
    /// <exception cref="InvalidOperationException">A recording with that id is indexed already.</exception>
    Task AddAsync(RecordingEntry recording, CancellationToken cancellationToken = default);

    /// <summary>One recording, or <see langword="null"/>.</summary>
    Task<RecordingEntry?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The recordings of a call, oldest first.</summary>
    Task<IReadOnlyList<RecordingEntry>> ListByCallAsync(Guid callId, CancellationToken cancellationToken = default);

    /// <summary>Recordings created before <paramref name="cutoff"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RecordingEntry>> ListOlderThanAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default);

    /// <summary>Removes a recording from the index with its access log (not the file); returns whether it was there.</summary>
    Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="accessedBy"/> accessed a recording; returns the entry written.</summary>
    /// <exception cref="KeyNotFoundException">The recording is not indexed.</exception>
    Task<RecordingAccess> LogAccessAsync(Guid recordingId, string accessedBy, string action, CancellationToken cancellationToken = default);

    /// <summary>Who accessed a recording, oldest first.</summary>
    Task<IReadOnlyList<RecordingAccess>> GetAccessLogAsync(Guid recordingId, CancellationToken cancellationToken = default);
}
