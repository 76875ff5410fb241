using ContactCenter.Dialer;
using ContactCenter.Hosting.Storage;
using ContactCenter.Testing;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// The base of every storage contract test: a fresh, migrated database per test (a temporary SQLite file, or a new
/// PostgreSQL database) or fresh in-memory stores, a manual clock, and a way to reopen the same database as after a
/// restart. Contracts use the store properties (<see cref="CallRecords"/>, ...), so the same test runs on every target.
/// </summary>
public abstract class StorageTestBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; } = new(Start);

    private InMemoryStores? _memory;

    /// <summary>The opened database (not set for in-memory targets).</summary>
    protected ContactCenterStorage Storage { get; private set; } = null!;

    protected ICallDetailStore CallRecords => _memory?.CallRecords ?? Storage.CallRecords;

    protected IRecordingIndex Recordings => _memory?.Recordings ?? Storage.Recordings;

    protected IEventLog Events => _memory?.Events ?? Storage.Events;

    protected ICampaignStore Campaigns => _memory?.Campaigns ?? Storage.Campaigns;

    protected StorageOptions Options { get; private set; } = null!;

    protected string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cc-storage-" + Guid.NewGuid().ToString("N"));

    /// <summary>Options for a new empty database of the provider under test; null for the in-memory stores.</summary>
    protected abstract Task<StorageOptions?> CreateOptionsAsync();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        if (await CreateOptionsAsync() is not { } options)
        {
            _memory = new InMemoryStores(Clock);
            return;
        }

        Options = options;
        Options.DataDirectory = DataDirectory;
        ConfigureOptions(Options);
        Storage = await ContactCenterStorage.OpenAsync(Options, Clock);
    }

    public async Task DisposeAsync()
    {
        if (_memory is null)
        {
            await Storage.DisposeAsync();
        }

        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Adjusts the options before the database is opened.</summary>
    protected virtual void ConfigureOptions(StorageOptions options)
    {
    }

    /// <summary>
    /// Closes the database and opens it again, as a restarted process would. In-memory stores live as long as the
    /// process, so there the same stores are handed to the next user (a new dialer, a new reader).
    /// </summary>
    protected async Task ReopenAsync()
    {
        if (_memory is not null)
        {
            return;
        }

        await Storage.DisposeAsync();
        Storage = await ContactCenterStorage.OpenAsync(Options, Clock);
    }
}

/// <summary>How each provider makes a fresh database.</summary>
internal static class Databases
{
    public static Task<StorageOptions?> Sqlite() =>
        Task.FromResult<StorageOptions?>(new StorageOptions { Provider = StorageProvider.Sqlite, SqliteFileName = "test.db" });

    public static async Task<StorageOptions?> Postgres(PostgresServer server) =>
        new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = await server.CreateDatabaseAsync() };

    /// <summary>No database: the in-memory stores.</summary>
    public static Task<StorageOptions?> InMemory() => Task.FromResult<StorageOptions?>(null);
}

/// <summary>The in-memory implementation of each store.</summary>
internal sealed class InMemoryStores(TimeProvider time)
{
    public ICallDetailStore CallRecords { get; } = new InMemoryCallDetailStore();

    public IRecordingIndex Recordings { get; } = new InMemoryRecordingIndex(time);

    public IEventLog Events { get; } = new InMemoryEventLog(time);

    public ICampaignStore Campaigns { get; } = new InMemoryCampaignStore();
}
