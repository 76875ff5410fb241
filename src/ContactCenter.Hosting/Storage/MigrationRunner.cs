using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// Brings a database to the schema this build knows. The versions applied are recorded in <c>schema_version</c>; the
/// pending migrations run in order inside one transaction (all or none), under a lock so nodes starting together do
/// not race. Running it again does nothing. A database whose version is newer than the code is refused.
/// </summary>
internal sealed class MigrationRunner
{
    /// <summary>The advisory-lock key that serialises migrations across nodes (PostgreSQL).</summary>
    internal const long LockKey = 0x43_43_4D_49_47_52_41_54; // "CCMIGRAT"

    private readonly StorageDatabase _database;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public MigrationRunner(StorageDatabase database, TimeProvider time, ILogger logger, IReadOnlyList<Migration>? migrations = null)
    {
        _database = database;
        _time = time;
        _logger = logger;
        _migrations = migrations ?? database.Migrations;
        for (var i = 0; i < _migrations.Count; i++)
        {
            if (_migrations[i].Version != i + 1)
            {
                throw new StorageException($"{database.ProviderName} migration #{i + 1} ('{_migrations[i].Name}') has version {_migrations[i].Version}; versions must be 1, 2, 3, ... in order");
            }
        }
    }

    /// <summary>The version this build brings a database to.</summary>
    public int LatestVersion => _migrations.Count;

    /// <summary>Applies the pending migrations; returns the schema version of the database afterwards.</summary>
    /// <exception cref="StorageException">The database is newer than this build, or a migration failed (nothing was applied).</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await _database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (_database.LockSql(LockKey) is { } lockSql)
        {
            await using var lockCommand = Sql.Command(connection, lockSql, transaction);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """, cancellationToken).ConfigureAwait(false);
        var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (current > LatestVersion)
        {
            throw new StorageException(
                $"the {_database.ProviderName} database is at schema version {current}, newer than this build of ContactCenter supports ({LatestVersion}); " +
                "run a newer ContactCenter, or point storage at a database made by this version");
        }

        foreach (var migration in _migrations.Where(m => m.Version > current))
        {
            try
            {
                await Execute(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex)
            {
                throw new StorageException(
                    $"{_database.ProviderName} migration {migration.Version} ('{migration.Name}') failed; the database is unchanged at version {current}: {ex.Message}", ex);
            }

            await using var record = Sql.Command(connection, "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at);", transaction)
                .With("@version", migration.Version)
                .With("@name", migration.Name)
                .With("@at", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            StorageLog.MigrationApplied(_logger, _database.ProviderName, migration.Version, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Math.Max(current, LatestVersion);
    }

    /// <summary>The schema version recorded in the database (0 when it has none).</summary>
    public async Task<int> GetVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = Sql.Command(connection, _database.ProviderName == "sqlite"
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version';");
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        return await CurrentVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, "SELECT max(version) FROM schema_version;", transaction);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task Execute(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, sql, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
