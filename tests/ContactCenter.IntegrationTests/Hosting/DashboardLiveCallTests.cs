using System.Net;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// The whole host (ContactCenterApplication: SIP, media, routing, IVR, web API, dashboard) with a real call: the
/// dashboard in headless Chromium sees the caller wait in the queue, then the agent whose phone registers take it.
/// </summary>
public sealed class DashboardLiveCallTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private const string SupervisorKey = "live-dashboard-supervisor-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_dashboard_shows_a_real_call_waiting_then_taken_by_the_agent_whose_phone_registers()
    {
        Assert.True(
            File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"This test drives {Chromium} through {ChromeDriver}; install them with ./build.sh test (apt-get install chromium chromium-driver).");
        var root = Directory.CreateTempSubdirectory("cc-dashboard-live-");
        Directory.CreateDirectory(Path.Combine(root.FullName, "flows"));
        await File.WriteAllTextAsync(Path.Combine(root.FullName, "flows", "queue.json"), """
            { "id": "queue", "name": "Queue", "start": "start", "nodes": [
                { "id": "start", "type": "start", "transitions": { "next": "queue" } },
                { "id": "queue", "type": "queue", "parameters": { "queue": "Support" }, "transitions": { "next": "bye", "overflow": "bye" } },
                { "id": "bye", "type": "hangup" } ] }
            """);
        string[] args =
        [
            "--ContactCenter:Sip:Listen:0=udp:127.0.0.1:0",
            "--ContactCenter:Web:Listen=http://127.0.0.1:0",
            $"--ContactCenter:Storage:DataDirectory={Path.Combine(root.FullName, "data")}",
            $"--ContactCenter:Flows:Directory={Path.Combine(root.FullName, "flows")}",
            "--ContactCenter:Flows:TextToSpeech=false",
            "--ContactCenter:Media:RtpPortMin=36000",
            "--ContactCenter:Media:RtpPortMax=36999",
            "--ContactCenter:Numbers:0:Number=+18005550100",
            "--ContactCenter:Numbers:0:Flow=queue@live",
            "--ContactCenter:Queues:0:Name=Support",
            "--ContactCenter:Agents:0:Id=ada",
            "--ContactCenter:Agents:0:Extension=1001",
            "--ContactCenter:Agents:0:Password=pw-1001",
            "--ContactCenter:Agents:0:Queues:0=Support",
            "--ContactCenter:Web:ApiKeys:0:Name=supervisor",
            $"--ContactCenter:Web:ApiKeys:0:Hash={ApiKeyHasher.Hash(SupervisorKey)}",
            "--ContactCenter:Web:ApiKeys:0:Roles:0=supervisor",
            "--Logging:LogLevel:Default=Warning",
        ];
        // The content root is the temporary folder: no appsettings.json of another program leaks in.
        await using var app = ContactCenterApplication.Build(args, contentRoot: root.FullName);
        await app.StartAsync();
        try
        {
            var web = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var runtime = app.Services.GetRequiredService<ContactCenterRuntime>();
            var sip = runtime.SipEndPoints[0].EndPoint;

            var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver), Path.GetFileName(ChromeDriver));
            service.HideCommandPromptWindow = true;
            service.SuppressInitialDiagnosticInformation = true;
            var options = new ChromeOptions { BinaryLocation = Chromium };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
            using var browser = new ChromeDriver(service, options, Patience);
            try
            {
                browser.Navigate().GoToUrl(new Uri(web, "/#key=" + SupervisorKey));
                var wait = new WebDriverWait(browser, Patience);
                wait.Until(d => Text(d, "#connection") == "live");
                wait.Until(d => Text(d, "tr[data-agent='ada'] .state").StartsWith("Offline", StringComparison.Ordinal));

                // A caller arrives while nobody is logged in: the dashboard shows one waiting in Support.
                await using var caller = await TestPhone.StartAsync();
                var call = await caller.CallAsync("+18005550100", sip);
                wait.Until(d => Text(d, "tr[data-queue='Support'] .waiting") == "1");

                // Ada's phone registers: she is logged in, rung, answers; the dashboard shows her busy and the queue empty.
                await using var phone = await TestPhone.StartAsync();
                await phone.RegisterAsync("1001", "pw-1001", sip);
                var agentCall = await phone.NextIncomingAsync(Patience);
                wait.Until(d => Text(d, "tr[data-agent='ada'] .state") == "Busy");
                wait.Until(d => Text(d, "tr[data-queue='Support'] .waiting") == "0");

                await call.Call.HangUpAsync();
                await agentCall.Call.Ended.WaitAsync(Patience);
            }
            finally
            {
                var path = Path.Combine(Path.GetTempPath(), "dashboard-live-call.png");
                browser.GetScreenshot().SaveAsFile(path);
                output.WriteLine($"screenshot: {path}");
            }
        }
        finally
        {
            await app.StopAsync();
            root.Delete(recursive: true);
        }
    }

    private static string Text(IWebDriver driver, string css)
    {
        try
        {
            var found = driver.FindElements(By.CssSelector(css));
            return found.Count == 0 ? "" : found[0].Text.Trim();
        }
        catch (StaleElementReferenceException)
        {
            return "";
        }
    }
}
