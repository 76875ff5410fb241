namespace ContactCenter.Cli.Tests.Shell;

public sealed class CommandShellTests
{
    [Fact]
    public async Task Help_lists_every_subcommand()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "serve", "sip parse", "sip serve", "ivr validate", "ivr run", "routing simulate", "dialer simulate" })
        {
            Assert.Contains(name, result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_prints_the_package_version()
    {
        var result = await CliRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error_with_exit_code_2()
    {
        var result = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("frobnicate", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var result = await CliRunner.RunAsync("--no-such-option");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task A_group_without_its_subcommand_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("sip");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Serve_with_a_missing_configuration_file_names_it_with_exit_code_2()
    {
        var result = await CliRunner.RunAsync("serve", "--config", "missing.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.json' does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_an_invalid_configuration_names_each_bad_key_and_exits_1()
    {
        var config = Path.Combine(Path.GetTempPath(), $"cc-serve-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, """
            { "ContactCenter": {
                "Sip": { "Listen": [ "udp:127.0.0.1:0" ] },
                "Web": { "Listen": "http://127.0.0.1:0" },
                "Storage": { "DataDirectory": "/tmp/cc-serve-invalid" },
                "Media": { "ClockRealtimePriority": 120 },
                "Agents": [ { "Id": "ada", "Extension": "12" } ],
                "Queues": [ { "Name": "Sales", "Strategy": "fastest" } ] } }
            """);
        try
        {
            var result = await CliRunner.RunAsync("serve", "--config", config);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("ContactCenter:Agents:0:Extension: '12' is not an extension of 4 to 6 digits", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("ContactCenter:Queues:0:Strategy: 'fastest' is not a routing strategy", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("ContactCenter:Media:ClockRealtimePriority: must be 0 (off) or a real-time priority from 1 to 99", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Api_key_hash_prints_the_sha256_that_configuration_expects_and_new_prints_a_key_with_its_hash()
    {
        var hash = await CliRunner.RunAsync("api-key", "hash", "my-secret-key");
        var created = await CliRunner.RunAsync("api-key", "new");

        Assert.Equal(0, hash.ExitCode);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("my-secret-key")));
        Assert.Contains(expected, hash.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, created.ExitCode);
        Assert.Matches("[0-9a-f]{64}", created.StandardOutput);
    }
}
