using ContactCenter.Hosting.Storage;
using ContactCenter.Testing;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// The base of every storage contract test: a fresh, migrated database per test (a temporary SQLite file, or a new
/// PostgreSQL database), a manual clock, and a way to reopen the same database as after a restart.
/// </summary>
public abstract class StorageTestBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; } = new(Start);

    protected ContactCenterStorage Storage { get; private set; } = null!;

    protected StorageOptions Options { get; private set; } = null!;

    protected string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cc-storage-" + Guid.NewGuid().ToString("N"));

    /// <summary>Options for a new empty database of the provider under test.</summary>
    protected abstract Task<StorageOptions> CreateOptionsAsync();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Options = await CreateOptionsAsync();
        Options.DataDirectory = DataDirectory;
        ConfigureOptions(Options);
        Storage = await ContactCenterStorage.OpenAsync(Options, Clock);
    }

    public async Task DisposeAsync()
    {
        await Storage.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Adjusts the options before the database is opened.</summary>
    protected virtual void ConfigureOptions(StorageOptions options)
    {
    }

    /// <summary>Closes the database and opens it again, as a restarted process would.</summary>
    protected async Task ReopenAsync()
    {
        await Storage.DisposeAsync();
        Storage = await ContactCenterStorage.OpenAsync(Options, Clock);
    }
}

/// <summary>How each provider makes a fresh database.</summary>
internal static class Databases
{
    public static Task<StorageOptions> Sqlite() =>
        Task.FromResult(new StorageOptions { Provider = StorageProvider.Sqlite, SqliteFileName = "test.db" });

    public static async Task<StorageOptions> Postgres(PostgresServer server) =>
        new() { Provider = StorageProvider.PostgreSql, ConnectionString = await server.CreateDatabaseAsync() };
}
