using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContactCenter.Hosting.Storage;
using ContactCenter.IntegrationTests.Hosting;
using ContactCenter.Sip.Calls;

namespace ContactCenter.IntegrationTests.Reference;

/// <summary>
/// <c>contactcenter serve --config</c> with the reference deployment's appsettings.json runs the same numbers and flows
/// as the reference program: a copy of the file and of the sample flows, laid out as in the repository, with free
/// ports; the tool started from another folder, as a user would.
/// </summary>
public sealed partial class ServeReferenceConfigurationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "cc-serve-reference-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_with_the_reference_configuration_answers_the_main_number_with_the_main_menu_and_the_after_hours_number()
    {
        var config = CopyReferenceLayout();
        var workingDirectory = Directory.CreateDirectory(Path.Combine(_root, "somewhere", "else")).FullName; // where "../flows" is not
        using var host = HostProcess.Start(ToolPath(), workingDirectory, ["serve", "--config", config]);
        await host.WaitForAsync("Contact center started", Patience);
        var sip = new IPEndPoint(IPAddress.Loopback, int.Parse(SipUdpPort().Match(host.Output).Groups[1].Value, CultureInfo.InvariantCulture));
        await using var phone = await TestPhone.StartAsync();

        // The main menu: sales, an account number, the CRM lookup (no stub under serve: 404), then the Sales queue.
        var main = await phone.CallAsync("+18005550100", sip);
        Assert.Equal(SipCallState.Established, main.Call.State);
        await main.WaitForAudioAsync(10, Patience); // "Welcome to Contoso."
        main.Rtp.SendDtmf("1#12345#"); // kept as type-ahead by the greeting and the menus
        await Task.Delay(TimeSpan.FromSeconds(5)); // the keys, the lookup, then "Please hold" and hold music
        await main.Call.HangUpAsync();

        var closed = await phone.CallAsync("+18005550199", sip);
        Assert.Equal(SipCallState.Established, closed.Call.State);
        await closed.WaitForAudioAsync(10, Patience); // "We are closed..."
        await closed.Call.HangUpAsync();

        Assert.Equal(0, await host.InterruptAsync(Patience));
        var flows = Path.Combine(_root, "flows");
        Assert.Contains($"published from {Path.Combine(flows, "main-menu.json")}", host.Output, StringComparison.Ordinal);
        Assert.Contains($"published from {Path.Combine(flows, "after-hours.json")}", host.Output, StringComparison.Ordinal);
        Assert.Contains("to +18005550100 started (flow main-menu@live)", host.Output, StringComparison.Ordinal);
        Assert.Contains("to +18005550199 started (flow after-hours@live)", host.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(workingDirectory, "data")), "nothing is written in the working directory");

        // The data folder is the one beside the configuration file.
        await using var storage = await ContactCenterStorage.OpenAsync(new StorageOptions { DataDirectory = Path.Combine(_root, "ContactCenter.Reference", "data") });
        var sales = Assert.Single((await storage.CallRecords.QueryAsync(new CallDetailQuery { Number = "+18005550100" })).Items);
        var trace = JsonNode.Parse(sales.IvrTrace!)!.AsArray().Select(step => (Node: (string?)step!["node"], Outcome: (string?)step["outcome"])).ToList();
        Assert.Contains(("lookup", "error"), trace);
        Assert.Equal("Sales", sales.QueueId);
        var afterHours = Assert.Single((await storage.CallRecords.QueryAsync(new CallDetailQuery { Number = "+18005550199" })).Items);
        Assert.Equal(CallStatus.OutsideHours, afterHours.Status);
    }

    /// <summary>
    /// Copies samples/ContactCenter.Reference/appsettings.json and samples/flows under a temporary folder (so "../flows"
    /// and "data" resolve there), with SIP and web on ports the system picks.
    /// </summary>
    private string CopyReferenceLayout()
    {
        var samples = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(samples, "flows"), "*.json", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(_root, Path.GetRelativePath(samples, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(samples, "ContactCenter.Reference", "appsettings.json")))!;
        var contactCenter = settings["ContactCenter"]!;
        contactCenter["Sip"]!["Listen"] = new JsonArray("udp:127.0.0.1:0", "tcp:127.0.0.1:0");
        contactCenter["Web"]!["Listen"] = "http://127.0.0.1:0";
        var config = Path.Combine(_root, "ContactCenter.Reference", "appsettings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, settings.ToJsonString());
        return config;
    }

    /// <summary>The tool as built, outside this test project's folder (which holds the reference program's appsettings.json).</summary>
    private static string ToolPath() =>
        Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "src", "ContactCenter.Cli", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "contactcenter.dll");

    [GeneratedRegex(@"Contact center started: SIP on udp:127\.0\.0\.1:([0-9]+)")]
    private static partial Regex SipUdpPort();
}
