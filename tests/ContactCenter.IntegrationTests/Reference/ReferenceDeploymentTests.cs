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
        using var host = StartReference();

        await host.WaitForAsync("reference deployment started", TimeSpan.FromSeconds(60));
        using (var http = new HttpClient())
        {
            var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{WebPort}/health/ready"));
            Assert.True(ready.IsSuccessStatusCode, $"/health/ready answered {(int)ready.StatusCode}");
        }

        await host.WaitForAsync("sim phones: 10/10 registered", TimeSpan.FromSeconds(30));
        await host.WaitForAsync("caller connected", TimeSpan.FromSeconds(60));

        Assert.Equal(0, await host.InterruptAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped", host.Output, StringComparison.Ordinal);
    }

    private static HostProcess StartReference()
    {
        var dll = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "ContactCenter.Reference", "bin", Configuration(), "net10.0", "ContactCenter.Reference.dll");
        return HostProcess.Start(dll, Path.GetDirectoryName(dll)!,
        [
            $"--ContactCenter:Sip:Listen:0=udp:127.0.0.1:{SipPort}",
            $"--ContactCenter:Sip:Listen:1=tcp:127.0.0.1:{SipPort}",
            $"--ContactCenter:Web:Listen=http://127.0.0.1:{WebPort}",
            $"--ContactCenter:Storage:DataDirectory={Path.Combine(Path.GetTempPath(), "cc-reference-" + Guid.NewGuid().ToString("N"))}",
            $"--Reference:Agents:Registrar=udp:127.0.0.1:{SipPort}",
            $"--Reference:Callers:Target=sip:+18005550100@127.0.0.1:{SipPort}",
            "--Reference:Callers:CallsPerMinute=20",
            $"--ContactCenter:Flows:HttpRewrites:0:To=http://127.0.0.1:{WebPort}/stubs/crm/",
        ]);
    }

    private static string Configuration() =>
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
}
