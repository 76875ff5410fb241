using System.Data.Common;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// One database (a SQLite file or a PostgreSQL server): opens connections and hides what differs between the two
/// providers (how times and ids are stored, the schema scripts, locking). The stores run the same SQL on both.
/// </summary>
internal abstract class StorageDatabase : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", for messages and logs.</summary>
    public abstract string ProviderName { get; }

    /// <summary>The schema scripts of this provider, ordered by version.</summary>
    public abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>Opens a connection ready for use.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins a transaction that serialises writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: read committed).</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Opens a connection synchronously, for stores behind synchronous ports (the dialer's campaign store).</summary>
    public abstract DbConnection Open();

    /// <summary>The synchronous form of <see cref="BeginWriteAsync"/>.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>
    /// Waits for this process's turn to write and returns it; disposing it ends the turn. Stores that write once per
    /// call (call records, recordings, events, webhook deliveries) take a turn before they open their connection.
    /// SQLite (one writer at a time per file): the writers of this process queue here in order, without holding a
    /// thread, instead of in SQLite's busy handler, which sleeps on a thread and lets a newcomer overtake a writer
    /// that has waited long (at a few hundred writes a second some writers waited past the busy timeout and failed
    /// with "database is locked"). Another process still meets the busy timeout. PostgreSQL: no wait.
    /// </summary>
    public virtual ValueTask<IDisposable> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult(NoTurn.Instance);

    /// <summary>
    /// Runs <paramref name="write"/> (commands on the connection and transaction it is given) and commits it; the task
    /// completes once the write is committed, or fails with what <paramref name="write"/> threw (nothing of it is
    /// kept). PostgreSQL: one transaction per write. SQLite: writes that arrive while another commit is under way are
    /// committed together in one transaction, each inside its own savepoint (group commit): one synchronous commit
    /// costs a few milliseconds whatever it holds, so one per write caps the file at a few hundred writes a second.
    /// </summary>
    public virtual async Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var turn = await EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await write(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A turn that does not wait and ends nothing (providers whose writers need no queue).</summary>
    private protected sealed class NoTurn : IDisposable
    {
        public static readonly IDisposable Instance = new NoTurn();

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// SQL run inside a transaction to serialise the writers of one resource across all nodes (PostgreSQL advisory
    /// lock), or <see langword="null"/> where writers are serialised anyway (SQLite).
    /// </summary>
    public abstract string? LockSql(long key);

    /// <summary>The parameter value for a time (microsecond precision).</summary>
    public abstract object Time(DateTimeOffset value);

    /// <summary>Reads a time written with <see cref="Time"/>.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>The parameter value for an id.</summary>
    public abstract object Id(Guid value);

    /// <summary>Reads an id written with <see cref="Id"/>.</summary>
    public abstract Guid ReadId(DbDataReader reader, int ordinal);

    /// <summary>The parameter value for an optional time.</summary>
    public object TimeOrNull(DateTimeOffset? value) => value is { } v ? Time(v) : DBNull.Value;

    /// <summary>The parameter value for an optional id.</summary>
    public object IdOrNull(Guid? value) => value is { } v ? Id(v) : DBNull.Value;

    /// <summary>Reads an optional time.</summary>
    public DateTimeOffset? ReadTimeOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    /// <summary>Reads an optional id.</summary>
    public Guid? ReadIdOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadId(reader, ordinal);

    /// <summary>Truncates to the microsecond, the precision both providers keep.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}

/// <summary>One schema step: applied once, in order, inside the start-up transaction.</summary>
/// <param name="Version">1, 2, 3, ... (the value recorded in <c>schema_version</c>).</param>
/// <param name="Name">What it does.</param>
/// <param name="Sql">The statements.</param>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>Small helpers to build commands.</summary>
internal static class Sql
{
    /// <summary>A command on <paramref name="connection"/> with <paramref name="text"/>.</summary>
    public static DbCommand Command(DbConnection connection, string text, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // All SQL in Storage is constant text; values always go through parameters.
        command.CommandText = text;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds a parameter (<see langword="null"/> becomes SQL NULL).</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
