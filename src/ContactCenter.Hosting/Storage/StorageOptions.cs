using ContactCenter.Hosting.Events;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Storage;

/// <summary>Which database holds the contact center's data.</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file under <see cref="StorageOptions.DataDirectory"/> (the default; one node).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database reached by <see cref="StorageOptions.ConnectionString"/> (shared by several nodes).</summary>
    PostgreSql,
}

/// <summary>Storage settings, bound from <c>ContactCenter:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "ContactCenter:Storage";

    /// <summary>SQLite (default) or PostgreSQL.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The data folder: the SQLite file and, by default, recordings live here. Created on first start.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string SqliteFileName { get; set; } = "contactcenter.db";

    /// <summary>The PostgreSQL connection string: required when <see cref="Provider"/> is PostgreSQL, refused otherwise.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a SQLite writer waits for another one before failing (default 5 s).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long records are kept.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Whether and how the host's events are written to the event log (section <c>EventLog</c>).</summary>
    public EventLogOptions EventLog { get; set; } = new();

    /// <summary>The full path of the SQLite file.</summary>
    public string SqlitePath => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));
}

/// <summary>
/// How long records are kept; an age left empty keeps them forever. The retention job runs every <see cref="Interval"/>.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Call detail records older than this (by start time) are deleted.</summary>
    public TimeSpan? CallRecordAge { get; set; }

    /// <summary>Events older than this are deleted.</summary>
    public TimeSpan? EventAge { get; set; }

    /// <summary>Recordings older than this are deleted: the WAV file, its index entry and its access log.</summary>
    public TimeSpan? RecordingAge { get; set; }

    /// <summary>How often the job runs (default 1 hour).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many recordings one step deletes before reading the next batch (default 500).</summary>
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Whether and how the events the host publishes on <see cref="ContactCenterEventHub"/> (call queued, offered,
/// connected, ended, call record written, recording ready, agent state changed, ...) are appended to
/// <see cref="IEventLog"/>, so they can be read after a restart. A background writer takes them from a queue of its own
/// and appends them in order, in batches; publishing never waits for the database. When the database falls so far
/// behind that the queue is full, the oldest queued events are dropped, counted and logged (event 9121), rather than
/// slowing calls down.
/// </summary>
public sealed class EventLogOptions
{
    /// <summary>The largest <see cref="QueueCapacity"/> accepted.</summary>
    public const int MaxQueueCapacity = 1_048_576;

    /// <summary>Whether the host's events are written to the event log (default <see langword="true"/>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How many events may wait for the database (default 65,536: about half a minute at 200 calls a second and ten
    /// events a call, a few tens of megabytes at most); 1 to <see cref="MaxQueueCapacity"/>.
    /// </summary>
    public int QueueCapacity { get; set; } = 65_536;
}

/// <summary>Checks <see cref="StorageOptions"/> at start-up; each error names the configuration key.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string P = StorageOptions.Section + ":";
        if (!Enum.IsDefined(options.Provider))
        {
            errors.Add($"{P}Provider: '{options.Provider}' is not Sqlite or PostgreSql");
        }

        if (options.Provider == StorageProvider.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(options.DataDirectory))
            {
                errors.Add($"{P}DataDirectory: a folder is required for the SQLite file");
            }

            if (string.IsNullOrWhiteSpace(options.SqliteFileName) || options.SqliteFileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                errors.Add($"{P}SqliteFileName: '{options.SqliteFileName}' is not a file name");
            }
        }

        if (options.Provider == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"{P}ConnectionString: required when Provider is PostgreSql");
        }

        if (options.Provider == StorageProvider.Sqlite && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            // Not silently ignored: a user who gave a PostgreSQL connection string would otherwise run on a SQLite file.
            errors.Add($"{P}Provider: is Sqlite (the default) but a ConnectionString is set; set Provider to PostgreSql to use it, or remove it");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{P}BusyTimeout: {options.BusyTimeout} must be more than 0 and at most 10 minutes");
        }

        var retention = options.Retention;
        if (retention is null)
        {
            errors.Add($"{P}Retention: must not be null");
            return ValidateOptionsResult.Fail(errors);
        }

        foreach (var (key, age) in new[] { ("CallRecordAge", retention.CallRecordAge), ("EventAge", retention.EventAge), ("RecordingAge", retention.RecordingAge) })
        {
            if (age is { } a && a <= TimeSpan.Zero)
            {
                errors.Add($"{P}Retention:{key}: {a} must be positive (leave it empty to keep records forever)");
            }
        }

        if (retention.Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{P}Retention:Interval: {retention.Interval} must be at least 1 second");
        }

        if (retention.BatchSize is < 1 or > 100_000)
        {
            errors.Add($"{P}Retention:BatchSize: {retention.BatchSize} must be between 1 and 100000");
        }

        if (options.EventLog is null)
        {
            errors.Add($"{P}EventLog: must not be null");
        }
        else if (options.EventLog.QueueCapacity is < 1 or > EventLogOptions.MaxQueueCapacity)
        {
            errors.Add($"{P}EventLog:QueueCapacity: {options.EventLog.QueueCapacity} must be between 1 and {EventLogOptions.MaxQueueCapacity}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
