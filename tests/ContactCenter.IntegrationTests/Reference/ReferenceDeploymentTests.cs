using System.Diagnostics;
using System.Text;

namespace ContactCenter.IntegrationTests.Reference;

/// <summary>
/// The reference deployment runs as a user starts it: agents register, simulated callers reach them through the IVR
/// within a minute, the web API is ready, and Ctrl+C (SIGINT) stops it cleanly. Ports are moved off the defaults so
/// the test never collides with a developer's own running copy.
/// </summary>
public sealed class ReferenceDeploymentTests
{
    private const int SipPort = 25060;
    private const int WebPort = 28080;

    [Fact]
    public async Task Starts_shows_live_traffic_within_a_minute_and_stops_cleanly_on_ctrl_c()
    {
        using var host = StartReference(out var output);

        await WaitForAsync(output, "reference deployment started", TimeSpan.FromSeconds(60));
        using (var http = new HttpClient())
        {
            var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{WebPort}/health/ready"));
            Assert.True(ready.IsSuccessStatusCode, $"/health/ready answered {(int)ready.StatusCode}");
        }

        await WaitForAsync(output, "sim phones: 10/10 registered", TimeSpan.FromSeconds(30));
        await WaitForAsync(output, "caller connected", TimeSpan.FromSeconds(60));
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
        foreach (var setting in new[]
        {
            $"--ContactCenter:Sip:Listen:0=udp:127.0.0.1:{SipPort}",
            $"--ContactCenter:Sip:Listen:1=tcp:127.0.0.1:{SipPort}",
            $"--ContactCenter:Web:Listen=http://127.0.0.1:{WebPort}",
            $"--ContactCenter:Storage:DataDirectory={Path.Combine(Path.GetTempPath(), "cc-reference-" + Guid.NewGuid().ToString("N"))}",
            $"--Reference:Agents:Registrar=udp:127.0.0.1:{SipPort}",
            $"--Reference:Callers:Target=sip:+18005550100@127.0.0.1:{SipPort}",
            "--Reference:Callers:CallsPerMinute=20",
            $"--ContactCenter:Flows:HttpRewrites:0:To=http://127.0.0.1:{WebPort}/stubs/crm/",
        })
        {
            start.ArgumentList.Add(setting);
        }

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
        var any = text.Split('|');
        while (!any.Any(t => Snapshot(output).Contains(t, StringComparison.Ordinal)))
        {
            // Polling a child process's output: real time is what this test is about.
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{text}' did not appear within {timeout}; output:\n{Snapshot(output)}");
            }
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
