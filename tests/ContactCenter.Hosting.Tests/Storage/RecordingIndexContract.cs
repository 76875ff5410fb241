using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>What <see cref="IRecordingIndex"/> promises, for each database.</summary>
public abstract class RecordingIndexContract : StorageTestBase
{
    private static readonly Guid Call = Guid.CreateVersion7(Start);

    private static RecordingEntry Entry(int minute, Guid? call = null) =>
        new(Guid.CreateVersion7(Start.AddMinutes(minute)), call ?? Call, $"recordings/{minute}.wav", 2, TimeSpan.FromSeconds(95.5), 1_528_044, Start.AddMinutes(minute));

    [Fact]
    public async Task An_indexed_recording_reads_back_and_is_listed_by_call()
    {
        var first = Entry(0);
        var second = Entry(1);
        var other = Entry(2, Guid.CreateVersion7());
        await Recordings.AddAsync(second);
        await Recordings.AddAsync(first);
        await Recordings.AddAsync(other);

        Assert.Equal(first, await Recordings.GetAsync(first.Id));
        Assert.Equal([first, second], await Recordings.ListByCallAsync(Call));
        Assert.Null(await Recordings.GetAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task An_invalid_or_duplicate_entry_is_refused()
    {
        var entry = Entry(0);
        await Recordings.AddAsync(entry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Recordings.AddAsync(entry));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Recordings.AddAsync(Entry(1) with { Channels = 3 }));
        Assert.Contains("Channels", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Recordings.AddAsync(Entry(1) with { Path = " " }));
    }

    [Fact]
    public async Task Every_access_is_logged_with_who_what_and_when()
    {
        var entry = Entry(0);
        await Recordings.AddAsync(entry);

        var first = await Recordings.LogAccessAsync(entry.Id, "supervisor.ana", "play");
        Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Recordings.LogAccessAsync(entry.Id, "auditor.bob", "download");

        var log = await Recordings.GetAccessLogAsync(entry.Id);
        Assert.Equal([first, second], log);
        Assert.Equal(("auditor.bob", "download", Start.AddMinutes(5)), (log[1].AccessedBy, log[1].Action, log[1].AccessedAt));
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task Logging_access_to_an_unknown_recording_is_refused()
    {
        var missing = Guid.CreateVersion7();

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => Recordings.LogAccessAsync(missing, "ana", "play"));

        Assert.Contains(missing.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_a_recording_removes_its_access_log()
    {
        var entry = Entry(0);
        await Recordings.AddAsync(entry);
        await Recordings.LogAccessAsync(entry.Id, "ana", "play");

        Assert.True(await Recordings.RemoveAsync(entry.Id));
        Assert.False(await Recordings.RemoveAsync(entry.Id));

        Assert.Null(await Recordings.GetAsync(entry.Id));
        Assert.Empty(await Recordings.GetAccessLogAsync(entry.Id));
    }

    [Fact]
    public async Task Older_recordings_are_listed_oldest_first_up_to_the_limit()
    {
        for (var minute = 0; minute < 5; minute++)
        {
            await Recordings.AddAsync(Entry(minute));
        }

        var older = await Recordings.ListOlderThanAsync(Start.AddMinutes(4), 3);

        Assert.Equal([Start, Start.AddMinutes(1), Start.AddMinutes(2)], older.Select(r => r.CreatedAt));
    }

    [Fact]
    public async Task The_index_and_access_log_survive_a_restart()
    {
        var entry = Entry(0);
        await Recordings.AddAsync(entry);
        var access = await Recordings.LogAccessAsync(entry.Id, "ana", "play");

        await ReopenAsync();

        Assert.Equal(entry, await Recordings.GetAsync(entry.Id));
        Assert.Equal([access], await Recordings.GetAccessLogAsync(entry.Id));
    }
}

public sealed class SqliteRecordingIndexTests : RecordingIndexContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresRecordingIndexTests(PostgresServer server) : RecordingIndexContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}

public sealed class InMemoryRecordingIndexTests : RecordingIndexContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.InMemory();
}
