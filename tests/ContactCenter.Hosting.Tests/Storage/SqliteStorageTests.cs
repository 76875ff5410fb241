using ContactCenter.Dialer;
using ContactCenter.Hosting.Storage;
using ContactCenter.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>The embedded default: one SQLite file under the data folder, and the settings and registration around it.</summary>
public sealed class SqliteStorageTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-sqlite-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task<string> PragmaAsync(string path, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma + ";";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task First_start_creates_the_data_folder_and_a_write_ahead_logged_file()
    {
        var options = new StorageOptions { DataDirectory = Path.Combine(_folder, "nested", "data") };

        await using (var storage = await ContactCenterStorage.OpenAsync(options))
        {
            Assert.Equal(Path.Combine(_folder, "nested", "data", "contactcenter.db"), storage.Location);
        }

        Assert.True(File.Exists(options.SqlitePath));
        Assert.Equal("wal", await PragmaAsync(options.SqlitePath, "journal_mode"));
    }

    [Fact]
    public async Task Connections_enforce_foreign_keys_and_commit_synchronously()
    {
        var database = new SqliteDatabase(Path.Combine(_folder, "x.db"), TimeSpan.FromSeconds(3));
        await using var connection = await database.OpenAsync(default);
        await using var command = Sql.Command(connection, "PRAGMA foreign_keys;");
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(2L, await command.ExecuteScalarAsync()); // FULL
        command.CommandText = "PRAGMA busy_timeout;";
        Assert.Equal(3000L, await command.ExecuteScalarAsync());
        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_write_is_in_the_file_when_it_returns_even_if_the_process_never_closes_cleanly()
    {
        var options = new StorageOptions { DataDirectory = _folder };
        var storage = await ContactCenterStorage.OpenAsync(options);
        var appended = await storage.Events.AppendAsync("call.ended", "{}");

        // A second, independent connection (as another process would) sees the committed write at once.
        await using var connection = new SqliteConnection($"Data Source={options.SqlitePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type FROM events WHERE sequence = " + appended.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("call.ended", await command.ExecuteScalarAsync());
        await storage.DisposeAsync();
    }

    [Fact]
    public void Migrations_out_of_order_are_a_programming_error()
    {
        var database = new SqliteDatabase(Path.Combine(_folder, "x.db"), TimeSpan.FromSeconds(1));

        var error = Assert.Throws<StorageException>(() => new MigrationRunner(database, TimeProvider.System, NullLogger.Instance, [new Migration(2, "two", "")]));

        Assert.Contains("versions must be 1, 2, 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_released_schemas_of_both_providers_have_the_same_versions_and_names()
    {
        Assert.Equal(SqliteSchema.Migrations.Select(m => (m.Version, m.Name)), PostgresSchema.Migrations.Select(m => (m.Version, m.Name)));
    }

    [Theory]
    [InlineData(StorageProvider.PostgreSql, null, "ContactCenter:Storage:ConnectionString")]
    [InlineData(StorageProvider.Sqlite, "", "ContactCenter:Storage:DataDirectory")]
    public void Invalid_settings_fail_naming_the_key(StorageProvider provider, string? dataDirectory, string key)
    {
        var options = new StorageOptions { Provider = provider, DataDirectory = dataDirectory ?? "data" };

        var error = Assert.Throws<OptionsValidationException>(() => ContactCenterStorage.Create(options));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_retention_settings_fail_naming_the_key()
    {
        var options = new StorageOptions { Retention = { CallRecordAge = TimeSpan.Zero, BatchSize = 0 } };

        var error = Assert.Throws<OptionsValidationException>(() => ContactCenterStorage.Create(options));

        Assert.Contains("ContactCenter:Storage:Retention:CallRecordAge", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContactCenter:Storage:Retention:BatchSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_binds_the_storage_section_and_migrates_at_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ContactCenter:Storage:DataDirectory"] = _folder,
            ["ContactCenter:Storage:Retention:EventAge"] = "7.00:00:00",
        });
        builder.Services.AddSingleton<TimeProvider>(new ManualTimeProvider());
        builder.Services.AddContactCenterStorage(builder.Configuration.GetSection(StorageOptions.Section));
        using var host = builder.Build();

        await host.StartAsync();
        var flows = host.Services.GetRequiredService<IFlowStore>();
        await flows.SaveDraftAsync(new FlowDraft("main", "{}", "ana", DateTimeOffset.UnixEpoch), default);
        await host.StopAsync();

        Assert.True(File.Exists(Path.Combine(_folder, "contactcenter.db")));
        Assert.Equal(TimeSpan.FromDays(7), host.Services.GetRequiredService<ContactCenterStorage>().Options.Retention.EventAge);
        Assert.NotNull(await flows.GetDraftAsync("main", default));
    }

    [Fact]
    public async Task A_host_gives_the_dialer_the_database_campaign_store_unless_one_is_registered_first()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddContactCenterStorage(options => options.DataDirectory = _folder);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var store = host.Services.GetRequiredService<ICampaignStore>();
            store.SaveCampaign(new CampaignRecord(Guid.CreateVersion7(), new CampaignSettings { Name = "spring" }, CampaignState.Draft, null, 0));

            Assert.Same(host.Services.GetRequiredService<ContactCenterStorage>().Campaigns, store);
            Assert.Equal("spring", Assert.Single(store.LoadCampaigns()).Settings.Name);
            await host.StopAsync();
        }

        var own = new InMemoryCampaignStore();
        var replaced = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        replaced.Services.AddSingleton<ICampaignStore>(own);
        replaced.Services.AddContactCenterStorage(options => options.DataDirectory = _folder);
        using var second = replaced.Build();
        Assert.Same(own, second.Services.GetRequiredService<ICampaignStore>());
    }

    [Theory]
    [InlineData("Provider", "PostgreSql", "ContactCenter:Storage:ConnectionString: required when Provider is PostgreSql")]
    [InlineData("ConnectionString", "Host=db;Database=cc", "ContactCenter:Storage:Provider: is Sqlite (the default) but a ConnectionString is set")]
    public async Task A_host_with_a_bad_storage_section_fails_to_start_naming_the_key(string key, string value, string problem)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ContactCenter:Storage:" + key] = value });
        builder.Services.AddContactCenterStorage(builder.Configuration.GetSection(StorageOptions.Section));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
