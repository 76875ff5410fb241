using System.Diagnostics;
using System.Text;

namespace ContactCenter.IntegrationTests.Reference;

/// <summary>The reference deployment runs as a user starts it and stops cleanly on Ctrl+C (SIGINT).</summary>
public sealed class ReferenceDeploymentTests
{
    [Fact]
    public async Task Starts_and_stops_cleanly_on_ctrl_c()
    {
        using var host = StartReference(out var output);

        await WaitForAsync(output, "started", TimeSpan.FromSeconds(60));
        using (var interrupt = Process.Start("kill", ["-INT", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.WaitForExitAsync(cts.Token);
        Assert.Equal(0, host.ExitCode);
        Assert.Contains("stopped", Snapshot(output), StringComparison.Ordinal);
    }

    private static Process StartReference(out StringBuilder output)
    {
        var dll = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "ContactCenter.Reference", "bin", Configuration(), "net10.0", "ContactCenter.Reference.dll");
        Assert.True(File.Exists(dll), $"reference deployment not built: {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        var process = Process.Start(start)!;
        var buffer = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (buffer) { buffer.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (buffer) { buffer.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = buffer;
        return process;
    }

    private static async Task WaitForAsync(StringBuilder output, string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Snapshot(output).Contains(text, StringComparison.Ordinal))
        {
            // Polling a child process's output: real time is what this test is about.
            await Task.Delay(100, cts.Token);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Configuration() =>
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
}
