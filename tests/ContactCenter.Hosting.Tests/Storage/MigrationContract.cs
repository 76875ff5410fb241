using ContactCenter.Hosting.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>What the migration runner promises, for each database.</summary>
public abstract class MigrationContract : StorageTestBase
{
    /// <summary>A database with nothing in it, of the provider under test.</summary>
    private protected abstract Task<StorageDatabase> CreateEmptyDatabaseAsync();

    private static async Task<int> CountAsync(StorageDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(default);
        await using var command = Sql.Command(connection, sql);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private MigrationRunner Runner(StorageDatabase database, IReadOnlyList<Migration>? migrations = null) =>
        new(database, Clock, NullLogger.Instance, migrations);

    [Fact]
    public async Task A_new_database_is_brought_to_the_latest_version()
    {
        Assert.Equal(Storage.LatestSchemaVersion, await Storage.GetSchemaVersionAsync());
        Assert.True(Storage.LatestSchemaVersion >= 1);
    }

    [Fact]
    public async Task Migrating_again_changes_nothing_and_keeps_the_data()
    {
        var record = await Storage.Events.AppendAsync("kept", "{}");

        Assert.Equal(Storage.LatestSchemaVersion, await Storage.MigrateAsync());
        await ReopenAsync();

        Assert.Equal([record], await Storage.Events.ReadSinceAsync(0, 10));
    }

    [Fact]
    public async Task A_database_newer_than_the_code_is_refused_with_a_clear_error()
    {
        await using (var database = await CreateEmptyDatabaseAsync())
        {
            await Runner(database, [.. database.Migrations, new Migration(database.Migrations.Count + 1, "from the future", "CREATE TABLE future (id INTEGER);")]).MigrateAsync(default);

            var error = await Assert.ThrowsAsync<StorageException>(() => Runner(database).MigrateAsync(default));

            Assert.Contains($"schema version {database.Migrations.Count + 1}", error.Message, StringComparison.Ordinal);
            Assert.Contains("newer than this build", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Pending_migrations_apply_in_order_and_a_failure_applies_none()
    {
        await using var database = await CreateEmptyDatabaseAsync();
        Migration[] steps =
        [
            new(1, "create", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
            new(2, "fill", "INSERT INTO t (id) VALUES (1);"),
        ];
        Assert.Equal(1, await Runner(database, steps[..1]).MigrateAsync(default));

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            Runner(database, [.. steps, new Migration(3, "broken", "INSERT INTO missing_table VALUES (1);")]).MigrateAsync(default));

        Assert.Contains("migration 3 ('broken')", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Runner(database, steps[..1]).GetVersionAsync(default));
        Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM t;"));
        Assert.Equal(2, await Runner(database, steps).MigrateAsync(default));
        Assert.Equal(1, await CountAsync(database, "SELECT count(*) FROM t;"));
    }

    [Fact]
    public async Task Nodes_migrating_at_once_apply_each_step_once()
    {
        await using var database = await CreateEmptyDatabaseAsync();

        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Runner(database).MigrateAsync(default)));

        Assert.All(versions, v => Assert.Equal(database.Migrations.Count, v));
        Assert.Equal(database.Migrations.Count, await CountAsync(database, "SELECT count(*) FROM schema_version;"));
    }
}

public sealed class SqliteMigrationTests : MigrationContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();

    private protected override Task<StorageDatabase> CreateEmptyDatabaseAsync() =>
        Task.FromResult<StorageDatabase>(new SqliteDatabase(Path.Combine(DataDirectory, Guid.NewGuid().ToString("N") + ".db"), TimeSpan.FromSeconds(10)));
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresMigrationTests(PostgresServer server) : MigrationContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);

    private protected override async Task<StorageDatabase> CreateEmptyDatabaseAsync() =>
        new PostgresDatabase(await server.CreateDatabaseAsync());
}
