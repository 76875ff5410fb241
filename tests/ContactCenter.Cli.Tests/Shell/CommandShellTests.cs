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
    public async Task A_command_not_built_yet_says_so_plainly_with_exit_code_2()
    {
        var result = await CliRunner.RunAsync("serve", "--config", "missing.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not available", result.StandardError, StringComparison.Ordinal);
    }
}
