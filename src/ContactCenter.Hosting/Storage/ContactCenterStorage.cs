using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ContactCenter.Dialer;
using ContactCenter.Ivr;
using Npgsql;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The contact center's database and its stores: flows, call detail records, recordings, the event log and the
/// dialer's campaigns, in SQLite (one file, the default) or PostgreSQL. <see cref="OpenAsync"/> creates and migrates the database; every write is
/// durable when its task completes.
/// </summary>
public sealed class ContactCenterStorage : IAsyncDisposable
{
    private readonly StorageDatabase _database;
    private readonly MigrationRunner _migrations;
    private readonly ILogger _logger;

    private ContactCenterStorage(StorageDatabase database, StorageOptions options, TimeProvider time, ILogger logger)
    {
        _database = database;
        _logger = logger;
        _migrations = new MigrationRunner(database, time, logger);
        Options = options;
        Flows = new SqlFlowStore(database);
        CallRecords = new SqlCallDetailStore(database);
        Recordings = new SqlRecordingIndex(database, time);
        Events = new SqlEventLog(database, time);
        Campaigns = new SqlCampaignStore(database);
        Directory = new SqlDirectoryStore(database, time);
        Location = database is SqliteDatabase sqlite ? sqlite.Path : DescribePostgres(options.ConnectionString!);
    }

    /// <summary>The settings this storage was made with.</summary>
    public StorageOptions Options { get; }

    /// <summary>Where the data is: the SQLite file path, or the PostgreSQL host and database (never the password).</summary>
    public string Location { get; }

    /// <summary>The schema version this build of ContactCenter brings a database to.</summary>
    public int LatestSchemaVersion => _migrations.LatestVersion;

    /// <summary>IVR flow drafts, versions and aliases (the store behind <see cref="FlowLibrary"/>).</summary>
    public IFlowStore Flows { get; }

    /// <summary>Call detail records.</summary>
    public ICallDetailStore CallRecords { get; }

    /// <summary>The recording index and access log.</summary>
    public IRecordingIndex Recordings { get; }

    /// <summary>The event log.</summary>
    public IEventLog Events { get; }

    /// <summary>
    /// The dialer's campaigns, contacts and attempts (give it to <see cref="OutboundDialer"/>). Synchronous, as the
    /// port is: each save is committed when it returns, so a new dialer over the same database resumes without
    /// dialing anyone twice.
    /// </summary>
    public ICampaignStore Campaigns { get; }

    /// <summary>Agents and number bindings made through the API, so they survive a restart.</summary>
    internal SqlDirectoryStore Directory { get; }

    /// <summary>Opens the database, creating it (SQLite) and applying pending migrations.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid (the message names the key).</exception>
    /// <exception cref="StorageException">The database is newer than this build, or a migration failed.</exception>
    public static async Task<ContactCenterStorage> OpenAsync(StorageOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var storage = Create(options, timeProvider, logger);
        try
        {
            await storage.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return storage;
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Makes the stores without touching the database; call <see cref="MigrateAsync"/> before using them.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid (the message names the key).</exception>
    public static ContactCenterStorage Create(StorageOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new StorageOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(StorageOptions), validation.Failures);
        }

        StorageDatabase database = options.Provider == StorageProvider.Sqlite
            ? new SqliteDatabase(options.SqlitePath, options.BusyTimeout)
            : new PostgresDatabase(options.ConnectionString!);
        return new ContactCenterStorage(database, options, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }

    /// <summary>Creates the database if needed and applies pending migrations; returns the schema version. Safe to call again.</summary>
    /// <exception cref="StorageException">The database is newer than this build, or a migration failed (nothing was applied).</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (_database is SqliteDatabase sqlite)
        {
            await sqlite.EnableWriteAheadLogAsync(cancellationToken).ConfigureAwait(false);
        }

        var version = await _migrations.MigrateAsync(cancellationToken).ConfigureAwait(false);
        StorageLog.Ready(_logger, _database.ProviderName, version, Location);
        return version;
    }

    /// <summary>The schema version recorded in the database (0 for an empty database).</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) => _migrations.GetVersionAsync(cancellationToken);

    /// <summary>The full path of a recording file: <paramref name="path"/> itself when absolute, else inside the data folder.</summary>
    public string ResolveRecordingPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Options.DataDirectory, path));
    }

    /// <summary>Closes the connections (the SQLite file is released).</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static string DescribePostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
