using System.Text.Json;

namespace ContactCenter.Cli.Tests.Dialer;

public sealed class DialerSimulateCommandTests
{
    private static readonly string[] Fields =
        ["dials", "liveAnswers", "machineAnswers", "abandoned", "abandonRate", "maxWindowAbandonRate", "occupancy", "talkMinutesPerAgentHour", "contactsCompleted"];

    [Fact]
    public async Task Simulate_prints_one_json_object_with_every_result_field_and_exits_0()
    {
        var result = await CliRunner.RunAsync(
            "dialer", "simulate", "--agents", "10", "--contacts", "5000", "--answer-rate", "0.3", "--machine-rate", "0.15", "--busy-rate", "0.1",
            "--ring-time", "10", "--ring-timeout", "25", "--talk", "120", "--wrap", "15", "--mode", "predictive", "--target-abandon", "0.03",
            "--duration", "2", "--seed", "7");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        foreach (var field in Fields)
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.True(root.GetProperty("dials").GetInt64() > 100);
        Assert.True(root.GetProperty("liveAnswers").GetInt64() <= root.GetProperty("dials").GetInt64());
        Assert.InRange(root.GetProperty("maxWindowAbandonRate").GetDouble(), 0, 0.03);
        Assert.InRange(root.GetProperty("occupancy").GetDouble(), 0.3, 1);
        Assert.Equal("predictive", root.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task The_same_seed_prints_the_same_result()
    {
        string[] args = ["dialer", "simulate", "--agents", "5", "--duration", "1", "--mode", "progressive", "--seed", "3"];
        var first = await CliRunner.RunAsync(args);
        var second = await CliRunner.RunAsync(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.StandardOutput, second.StandardOutput);
        using var json = JsonDocument.Parse(first.StandardOutput);
        Assert.Equal(0, json.RootElement.GetProperty("abandoned").GetInt64());
    }

    [Fact]
    public async Task Rates_adding_up_to_more_than_one_are_invalid_input_with_exit_code_1()
    {
        var result = await CliRunner.RunAsync("dialer", "simulate", "--answer-rate", "0.8", "--machine-rate", "0.3");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--answer-rate", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task A_ring_timeout_under_the_minimum_ring_is_invalid_input()
    {
        var result = await CliRunner.RunAsync("dialer", "simulate", "--ring-timeout", "10");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--ring-timeout", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("15 s minimum ring", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Persons_classified_as_machines_are_counted_as_abandoned_and_a_bad_rate_names_the_option()
    {
        var result = await CliRunner.RunAsync("dialer", "simulate", "--agents", "5", "--duration", "1", "--mode", "progressive", "--amd-false-positive", "0.1", "--seed", "3");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.True(json.RootElement.GetProperty("abandoned").GetInt64() > 0);

        var bad = await CliRunner.RunAsync("dialer", "simulate", "--amd-false-positive", "1.5");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--amd-false-positive", bad.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mode", "turbo")]
    [InlineData("--agents", "many")]
    [InlineData("--no-such-option", "1")]
    public async Task A_malformed_command_line_is_a_usage_error_with_exit_code_2(string option, string value)
    {
        var result = await CliRunner.RunAsync("dialer", "simulate", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEmpty(result.StandardError);
    }

    [Fact]
    public async Task Help_lists_every_option_of_the_issue()
    {
        var result = await CliRunner.RunAsync("dialer", "simulate", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--agents", "--contacts", "--answer-rate", "--machine-rate", "--busy-rate", "--ring-time", "--ring-timeout", "--talk", "--wrap", "--mode", "--target-abandon", "--duration", "--seed" })
        {
            Assert.Contains(option, result.StandardOutput, StringComparison.Ordinal);
        }
    }
}
