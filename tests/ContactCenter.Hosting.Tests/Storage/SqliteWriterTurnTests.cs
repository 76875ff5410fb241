using ContactCenter.Hosting.Storage;
using Microsoft.Data.Sqlite;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// Writers of one SQLite file in one process take turns (<see cref="StorageDatabase.EnterWriteAsync"/>) instead of
/// meeting in SQLite's busy handler. benchmarks/load/agent-calls.sh at 100 calls/s lost call records with "database
/// is locked" after the 5 s busy timeout; with turns a writer waits as long as the writers before it need.
/// </summary>
public sealed class SqliteWriterTurnTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-sqlite-turns-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<SqliteDatabase> MigratedDatabaseAsync()
    {
        var options = new StorageOptions { DataDirectory = _folder };
        await (await ContactCenterStorage.OpenAsync(options)).DisposeAsync();
        // A busy timeout of 1 s: a writer left to SQLite's busy handler behind the transaction below fails after 1 s.
        return new SqliteDatabase(options.SqlitePath, TimeSpan.FromSeconds(1));
    }

    private static CallDetailRecord Record(DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        Direction = CallDirection.Inbound,
        CallerNumber = "+14155550123",
        CalledNumber = "+18005550100",
        StartedAt = at,
        EndedAt = at.AddSeconds(30),
        Status = CallStatus.NormalEnd,
        HangupParty = HangupParty.Caller,
    };

    [Fact]
    public async Task A_call_record_written_while_another_writer_holds_the_file_waits_its_turn_and_is_stored()
    {
        await using var database = await MigratedDatabaseAsync();
        var store = new SqlCallDetailStore(database);
        var record = Record(new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero));

        Task adding;
        using (var turn = await database.EnterWriteAsync(CancellationToken.None))
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var transaction = await database.BeginWriteAsync(connection, CancellationToken.None);
            adding = store.AddAsync(record);

            // Waiting for its turn, not for SQLite's lock (which would fail it after the busy timeout).
            Assert.False(adding.IsCompleted, adding.Exception?.GetBaseException().Message ?? "the write finished while another writer held the file");
            await transaction.CommitAsync();
        }

        await adding;
        Assert.Equal(record.Id, (await store.GetAsync(record.Id))?.Id);
    }

    [Fact]
    public async Task Call_records_that_arrive_during_a_commit_are_committed_together_and_a_duplicate_among_them_fails_alone()
    {
        await using var database = await MigratedDatabaseAsync();
        var store = new SqlCallDetailStore(database);
        var at = new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 20).Select(i => Record(at.AddSeconds(i))).ToList();
        var commitsBefore = database.GroupCommits;

        List<Task> adding;
        Task duplicate;
        using (await database.EnterWriteAsync(CancellationToken.None))
        {
            adding = records.Select(r => store.AddAsync(r)).ToList();
            duplicate = store.AddAsync(records[3]);
        }

        await Task.WhenAll(adding);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => duplicate);
        Assert.Contains(records[3].Id.ToString(), error.Message, StringComparison.Ordinal);
        foreach (var record in records)
        {
            Assert.Equal(record.Id, (await store.GetAsync(record.Id))?.Id);
        }

        // The first write may have started the committer alone; everything queued behind it went in one more commit.
        Assert.InRange(database.GroupCommits - commitsBefore, 1, 2);
    }

    [Fact]
    public async Task A_group_commit_that_fails_as_a_whole_fails_its_writes_and_the_next_commit_works_on_a_fresh_connection()
    {
        await using var database = await MigratedDatabaseAsync();
        var store = new SqlCallDetailStore(database);
        var at = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        var before = Record(at);
        await store.AddAsync(before); // the committer's connection is open from here on

        // A write that closes the connection under the commit: nothing of its batch can be committed.
        var breaking = database.WriteAsync(
            (connection, _, _) =>
            {
                connection.Close();
                return Task.CompletedTask;
            },
            CancellationToken.None);
        await Assert.ThrowsAnyAsync<Exception>(() => breaking);

        var after = Record(at.AddSeconds(1));
        await store.AddAsync(after);
        Assert.Equal(after.Id, (await store.GetAsync(after.Id))?.Id);
        Assert.Equal(at, (await store.GetAsync(before.Id))?.StartedAt);
    }

    [Fact]
    public async Task Writers_take_turns_in_the_order_they_asked_and_a_turn_ends_once_however_often_it_is_disposed()
    {
        await using var database = await MigratedDatabaseAsync();
        var first = await database.EnterWriteAsync(CancellationToken.None);
        var second = database.EnterWriteAsync(CancellationToken.None).AsTask();
        var third = database.EnterWriteAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // a second dispose must not let the third writer in beside the second
        var secondTurn = await second;
        Assert.False(third.IsCompleted);

        secondTurn.Dispose();
        (await third).Dispose();
    }

    [Fact]
    public async Task A_writer_that_gives_up_waiting_leaves_the_queue()
    {
        await using var database = await MigratedDatabaseAsync();
        using var held = await database.EnterWriteAsync(CancellationToken.None);
        using var giveUp = new CancellationTokenSource();
        var waiting = database.EnterWriteAsync(giveUp.Token).AsTask();

        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
