using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>What the <see cref="RetentionJob"/> deletes and keeps, for each database.</summary>
public abstract class RetentionContract : StorageTestBase
{
    protected override void ConfigureOptions(StorageOptions options)
    {
        options.Retention.CallRecordAge = TimeSpan.FromDays(30);
        options.Retention.EventAge = TimeSpan.FromDays(7);
        options.Retention.RecordingAge = TimeSpan.FromDays(90);
        options.Retention.Interval = TimeSpan.FromHours(1);
        options.Retention.BatchSize = 2;
    }

    private CallDetailRecord Cdr() => new()
    {
        Id = Guid.CreateVersion7(Clock.GetUtcNow()),
        CallerNumber = "+1555",
        CalledNumber = "+1800",
        StartedAt = Clock.GetUtcNow(),
        EndedAt = Clock.GetUtcNow(),
        Status = CallStatus.NormalEnd,
    };

    private async Task<RecordingEntry> RecordingAsync(string name)
    {
        var relative = Path.Combine("recordings", name + ".wav");
        var full = Path.Combine(DataDirectory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllBytesAsync(full, new byte[44]);
        var entry = new RecordingEntry(Guid.CreateVersion7(Clock.GetUtcNow()), Guid.CreateVersion7(), relative, 2, TimeSpan.FromSeconds(1), 44, Clock.GetUtcNow());
        await Storage.Recordings.AddAsync(entry);
        return entry;
    }

    [Fact]
    public async Task Records_events_and_recordings_past_their_age_are_deleted_with_their_files()
    {
        var oldCdr = Cdr();
        await Storage.CallRecords.AddAsync(oldCdr);
        await Storage.Events.AppendAsync("old", "{}");
        var oldRecordings = new[] { await RecordingAsync("a"), await RecordingAsync("b"), await RecordingAsync("c") };
        await Storage.Recordings.LogAccessAsync(oldRecordings[0].Id, "ana", "play");
        Clock.Advance(TimeSpan.FromDays(100));
        var newCdr = Cdr();
        await Storage.CallRecords.AddAsync(newCdr);
        var newEvent = await Storage.Events.AppendAsync("new", "{}");
        var newRecording = await RecordingAsync("d");

        var result = await new RetentionJob(Storage, Clock).RunOnceAsync();

        Assert.Equal(new RetentionResult(1, 1, 3, 0), result);
        Assert.Null(await Storage.CallRecords.GetAsync(oldCdr.Id));
        Assert.NotNull(await Storage.CallRecords.GetAsync(newCdr.Id));
        Assert.Equal([newEvent], await Storage.Events.ReadSinceAsync(0, 10));
        Assert.All(oldRecordings, r => Assert.False(File.Exists(Storage.ResolveRecordingPath(r.Path))));
        Assert.Equal(newRecording, await Storage.Recordings.GetAsync(newRecording.Id));
        Assert.True(File.Exists(Storage.ResolveRecordingPath(newRecording.Path)));
        Assert.Empty(await Storage.Recordings.GetAccessLogAsync(oldRecordings[0].Id));
    }

    [Fact]
    public async Task Each_kind_is_kept_until_its_own_age()
    {
        var cdr = Cdr();
        await Storage.CallRecords.AddAsync(cdr);
        await Storage.Events.AppendAsync("old", "{}");
        var recording = await RecordingAsync("a");
        Clock.Advance(TimeSpan.FromDays(10));

        var result = await new RetentionJob(Storage, Clock).RunOnceAsync();

        Assert.Equal(new RetentionResult(0, 1, 0, 0), result);
        Assert.NotNull(await Storage.CallRecords.GetAsync(cdr.Id));
        Assert.NotNull(await Storage.Recordings.GetAsync(recording.Id));
    }

    [Fact]
    public async Task A_recording_whose_file_cannot_be_deleted_stays_indexed_for_the_next_run()
    {
        var stuck = await RecordingAsync("stuck");
        var path = Storage.ResolveRecordingPath(stuck.Path);
        File.Delete(path);
        Directory.CreateDirectory(path); // a folder where the file was: File.Delete fails
        var normal = await RecordingAsync("normal");
        Clock.Advance(TimeSpan.FromDays(91));

        var result = await new RetentionJob(Storage, Clock).RunOnceAsync();

        Assert.Equal((1, 1), (result.Recordings, result.RecordingsKept));
        Assert.NotNull(await Storage.Recordings.GetAsync(stuck.Id));
        Assert.Null(await Storage.Recordings.GetAsync(normal.Id));
    }

    [Fact]
    public async Task A_missing_file_does_not_keep_its_index_entry()
    {
        var recording = await RecordingAsync("gone");
        File.Delete(Storage.ResolveRecordingPath(recording.Path));
        Clock.Advance(TimeSpan.FromDays(91));

        var result = await new RetentionJob(Storage, Clock).RunOnceAsync();

        Assert.Equal(1, result.Recordings);
        Assert.Null(await Storage.Recordings.GetAsync(recording.Id));
    }

    [Fact]
    public async Task Once_started_the_job_runs_every_interval_on_the_clock()
    {
        await Storage.Events.AppendAsync("old", "{}");
        Clock.Advance(TimeSpan.FromDays(8));
        await using var job = new RetentionJob(Storage, Clock);

        await job.StartAsync(default);
        Clock.Advance(TimeSpan.FromMinutes(59));
        await job.CurrentRun;
        Assert.Single(await Storage.Events.ReadSinceAsync(0, 10));

        Clock.Advance(TimeSpan.FromMinutes(1));
        await job.CurrentRun;
        Assert.Empty(await Storage.Events.ReadSinceAsync(0, 10));

        await job.StopAsync(default);
        Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, Clock.ActiveTimers);
    }
}

public sealed class SqliteRetentionTests : RetentionContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresRetentionTests(PostgresServer server) : RetentionContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}
