using System.Diagnostics;

namespace ContactCenter.Cli.Tests;

/// <summary>What one run of the <c>contactcenter</c> tool produced.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything written to standard output.</param>
/// <param name="StandardError">Everything written to standard error.</param>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs the built <c>contactcenter</c> tool as a separate process, exactly as a user would.</summary>
public static class CliRunner
{
    /// <summary>The tool's main assembly, copied beside the tests by the project reference.</summary>
    public static string ToolPath { get; } = Path.Combine(AppContext.BaseDirectory, "contactcenter.dll");

    /// <summary>Runs the tool with <paramref name="args"/>, feeding <paramref name="standardInput"/> when given.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? standardInput = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start contactcenter");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"contactcenter {string.Join(' ', args)} did not exit in time");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the tool with the given arguments.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);
}
