using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ContactCenter.Cli.Sip;

namespace ContactCenter.Cli.Tests.Sip;

public sealed class SipParseCommandTests
{
    private const string Options =
        "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP client.example.com;branch=z9hG4bK74bf9\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:bob@example.com>\r\n" +
        "From: <sip:alice@example.com>;tag=9fxced76sl\r\n" +
        "i: 3848276298220188511@client.example.com\r\n" +
        "CSeq: 63104 OPTIONS\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "body";

    [Fact]
    public async Task Well_formed_request_from_standard_input_prints_its_summary_and_exits_0()
    {
        var result = await CliRunner.RunAsync(["sip", "parse"], Options);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        Assert.Equal("request", root.GetProperty("kind").GetString());
        Assert.Equal("OPTIONS", root.GetProperty("method").GetString());
        Assert.Equal("sip:bob@example.com", root.GetProperty("requestUri").GetString());
        Assert.Equal("3848276298220188511@client.example.com", root.GetProperty("callId").GetString());
        Assert.Equal("63104 OPTIONS", root.GetProperty("cseq").GetString());
        Assert.Equal(7, root.GetProperty("headerCount").GetInt32());
        Assert.Equal(4, root.GetProperty("bodyLength").GetInt32());
    }

    [Fact]
    public async Task Well_formed_response_from_a_file_prints_its_status()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sip-parse-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, "SIP/2.0 486 Busy Here\r\nCall-ID: x1\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n");
        try
        {
            var result = await CliRunner.RunAsync("sip", "parse", path);

            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.StandardOutput);
            Assert.Equal("response", json.RootElement.GetProperty("kind").GetString());
            Assert.Equal(486, json.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("2 INVITE", json.RootElement.GetProperty("cseq").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Malformed_message_prints_an_error_naming_header_and_line_and_exits_1()
    {
        var result = await CliRunner.RunAsync(["sip", "parse"], Options.Replace("CSeq: 63104 OPTIONS", "CSeq: 63104 INVITE", StringComparison.Ordinal));

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(
            "CSeq header (line 7) names method 'INVITE' but the request method is 'OPTIONS'",
            json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Missing_file_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("sip", "parse", Path.Combine(Path.GetTempPath(), "no-such-sip-message.txt"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot read", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the input holds no SIP message")]
    [InlineData("\r\n\r\n", "the input holds no SIP message")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nTo: \"open <sip:a@b>\r\n\r\n", "To header (line 2) has an unterminated quoted display name")]
    [InlineData("OPTIONS sip:a@b SIP/7.0\r\n\r\n", "line 1: the version 'SIP/7.0' is not SIP/2.0")]
    public void Malformed_or_empty_input_gives_a_precise_error(string input, string error)
    {
        var (json, exitCode) = SipParseCommand.Run(Encoding.UTF8.GetBytes(input));

        Assert.Equal(ExitCodes.Invalid, exitCode);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(error, document.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Rfc4475_torture_corpus_passes_the_conformance_script()
    {
        var script = ContactCenter.Testing.RepositoryPaths.TortureScript;
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "parse", "--", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", CliRunner.ToolPath, "sip", "parse" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);

        Assert.True(output.TrimEnd().EndsWith("50 passed, 0 failed", StringComparison.Ordinal), output + errors);
        Assert.Equal(0, process.ExitCode);
    }
}
