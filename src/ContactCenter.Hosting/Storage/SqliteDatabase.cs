using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// A SQLite file: write-ahead log, foreign keys on, full synchronous commits (a write is on disk before it returns),
/// a busy timeout so writers of other processes wait instead of failing. The writers of this process take turns
/// (<see cref="EnterWriteAsync"/>), and writes through <see cref="WriteAsync"/> are committed in groups. Times are stored as microseconds since the Unix
/// epoch (UTC), ids as lowercase text.
/// </summary>
internal sealed class SqliteDatabase : StorageDatabase
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SemaphoreSlim _writers = new(1, 1);
    private readonly ConcurrentQueue<PendingWrite> _pending = new();
    private int _committing;
    private long _commits;
    // The committer's connection, kept open from one group commit to the next (touched only during a writer's turn).
    private SqliteConnection? _committer;
    private bool _disposed;

    public SqliteDatabase(string path, TimeSpan busyTimeout)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;");
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The most writes <see cref="WriteAsync"/> commits in one transaction.</summary>
    public int MaxWritesPerCommit { get; init; } = 256;

    /// <summary>How many transactions <see cref="WriteAsync"/> has committed (each holds one or more writes).</summary>
    public long GroupCommits => Interlocked.Read(ref _commits);

    public override string ProviderName => "sqlite";

    public override IReadOnlyList<Migration> Migrations => SqliteSchema.Migrations;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(connection, _pragmas);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = Sql.Command(connection, _pragmas);
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Switches the file to write-ahead logging (persistent; done once at start-up, outside a transaction).</summary>
    public async Task EnableWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "PRAGMA journal_mode = WAL;");
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException($"the SQLite file '{Path}' could not switch to write-ahead logging (journal mode is '{mode}')");
        }
    }

    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override async ValueTask<IDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writers.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_writers);
    }

    public override string? LockSql(long key) => null;

    public override object Time(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(ordinal) * 10);

    public override object Id(Guid value) => value.ToString("D", CultureInfo.InvariantCulture);

    public override Guid ReadId(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture);

    public override async ValueTask DisposeAsync()
    {
        // A commit under way finishes on its connection before that is closed.
        var turn = await _writers.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_committer is { } committer)
            {
                _committer = null;
                await committer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (turn)
            {
                _writers.Release();
            }
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public override Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var pending = new PendingWrite(write, cancellationToken);
        _pending.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _committing, 1, 0) == 0)
        {
            _ = Task.Run(CommitPendingAsync, CancellationToken.None);
        }

        return pending.Done.Task;
    }

    /// <summary>The one committer: takes what is queued, commits it in one transaction, until the queue stays empty.</summary>
    private async Task CommitPendingAsync()
    {
        var batch = new List<PendingWrite>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxWritesPerCommit && _pending.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
                continue;
            }

            Volatile.Write(ref _committing, 0);
            // A write queued after the last TryDequeue and before the flag cleared found the committer running.
            if (_pending.IsEmpty || Interlocked.CompareExchange(ref _committing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var committed = new List<PendingWrite>(batch.Count);
        try
        {
            using var turn = await EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
            var connection = await CommitterConnectionAsync().ConfigureAwait(false);
            var failed = true;
            try
            {
                await CommitBatchAsync(connection, batch, committed).ConfigureAwait(false);
                failed = false;
            }
            finally
            {
                // A connection a commit failed on is not trusted with the next one; after disposal none is kept.
                if (failed || !ReferenceEquals(connection, _committer))
                {
                    if (ReferenceEquals(connection, _committer))
                    {
                        _committer = null;
                    }

                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of the batch was committed: every write still waiting learns why.
            foreach (var pending in batch)
            {
                Fail(pending, e);
            }

            return;
        }

        foreach (var pending in committed)
        {
            pending.Done.TrySetResult();
        }
    }

    /// <summary>The committer's open connection: opened (with the pragmas) once, then kept between commits.</summary>
    private async Task<SqliteConnection> CommitterConnectionAsync()
    {
        if (_committer is { } open)
        {
            return open;
        }

        var opened = (SqliteConnection)await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        if (!_disposed)
        {
            _committer = opened;
        }

        return opened;
    }

    private async Task CommitBatchAsync(SqliteConnection connection, List<PendingWrite> batch, List<PendingWrite> committed)
    {
        await using var transaction = await BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            if (pending.Cancellation.IsCancellationRequested)
            {
                pending.Done.TrySetCanceled(pending.Cancellation);
                continue;
            }

            // Each write in a savepoint of its own: one that fails is undone alone and the others are still committed.
            var savepoint = string.Create(CultureInfo.InvariantCulture, $"write{i}");
            await transaction.SaveAsync(savepoint, CancellationToken.None).ConfigureAwait(false);
            try
            {
                await pending.Write(connection, transaction, pending.Cancellation).ConfigureAwait(false);
                await transaction.ReleaseAsync(savepoint, CancellationToken.None).ConfigureAwait(false);
                committed.Add(pending);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await transaction.RollbackAsync(savepoint, CancellationToken.None).ConfigureAwait(false);
                Fail(pending, e);
            }
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _commits);
    }

    private static void Fail(PendingWrite pending, Exception e)
    {
        if (e is OperationCanceledException && pending.Cancellation.IsCancellationRequested)
        {
            pending.Done.TrySetCanceled(pending.Cancellation);
        }
        else
        {
            pending.Done.TrySetException(e);
        }
    }

    /// <summary>A write waiting for the committer.</summary>
    private sealed class PendingWrite(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellation)
    {
        public Func<DbConnection, DbTransaction, CancellationToken, Task> Write { get; } = write;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One writer's turn: ends once, however often it is disposed.</summary>
    private sealed class Turn(SemaphoreSlim writers) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                writers.Release();
            }
        }
    }
}
