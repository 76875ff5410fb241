using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>
/// A throwaway PostgreSQL server for the test run: initdb into a temporary folder, start on a free loopback port,
/// one fresh database per test, stopped and deleted at the end. Needs the Debian package <c>postgresql</c>. When run
/// as root the server runs as the <c>postgres</c> user (it refuses root). If it cannot start, every PostgreSQL test
/// fails with the reason.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ccpg-" + Guid.NewGuid().ToString("N")[..12]);
    private string? _bin;
    private int _port;
    private int _databases;
    private Exception? _failure;

    private string DataDirectory => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        try
        {
            _bin = FindBinaries();
            Directory.CreateDirectory(_root);
            if (IsRoot)
            {
                Run("chown", ["postgres:postgres", _root]);
            }

            _port = FreePort();
            RunServerTool("initdb", $"-D {DataDirectory} -A trust -U postgres -E UTF8 --no-sync");
            RunServerTool("pg_ctl", $"-D {DataDirectory} -l {_root}/server.log -w -t 60 -o \"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off\" start");
            await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            await connection.OpenAsync();
        }
        catch (Exception ex)
        {
            var log = Path.Combine(_root, "server.log");
            _failure = new InvalidOperationException(
                "PostgreSQL tests need a local PostgreSQL server (Debian package 'postgresql': apt-get install -y postgresql); " +
                "starting one failed: " + ex.Message + (File.Exists(log) ? "\nserver.log:\n" + File.ReadAllText(log) : string.Empty), ex);
        }
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin is not null && Directory.Exists(DataDirectory))
        {
            try
            {
                RunServerTool("pg_ctl", $"-D {DataDirectory} -m immediate -w stop");
            }
            catch (InvalidOperationException)
            {
                // Already stopped or never started; the folder goes anyway.
            }
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (_failure is not null)
        {
            throw _failure;
        }

        var name = "cc_test_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=5";

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException($"no initdb under {Root}/*/bin");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void RunServerTool(string tool, string arguments)
    {
        var command = Path.Combine(_bin!, tool) + " " + arguments;
        if (IsRoot)
        {
            Run("su", ["postgres", "-c", command]);
        }
        else
        {
            Run("/bin/sh", ["-c", command]);
        }
    }

    private static void Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}{output.Result}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
