using ContactCenter.Hosting.Events;
using ContactCenter.Routing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;
using Xunit.Abstractions;

namespace ContactCenter.Hosting.Tests.Web;

/// <summary>
/// Opens the dashboard in headless Chromium (Debian's <c>chromium</c> and <c>chromium-driver</c>) while a call flows
/// through the real routing engine, and checks the page follows: the caller waits in the queue, then the agent
/// answers and turns Busy. The screenshot is kept in TestResults/dashboard.png.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_dashboard_follows_a_call_from_the_queue_to_a_busy_agent()
    {
        Assert.True(
            File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"This test drives {Chromium} through {ChromeDriver}; install them with ./build.sh test (apt-get install chromium chromium-driver).");

        await using var host = await WebTestHost.StartAsync();
        using var admin = host.Client(WebTestHost.AdminKey);
        (await admin.PostAsync("/api/v1/agents", WebTestHost.Json("""{ "id": "alice", "name": "Alice", "extension": "1001" }"""))).EnsureSuccessStatusCode();
        await host.Routing.SendAsync(new ConfigureQueue(new QueueDefinition { Name = "sales", Members = [new QueueMember("alice")] }));
        (await admin.PostAsync("/api/v1/agents/alice/login", WebTestHost.Json("""{ "kind": "extension", "address": "1001", "notReadyReason": "briefing" }"""))).EnsureSuccessStatusCode();
        var offers = new TaskCompletionSource<ItemOffered>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var routingEvents = host.Routing.Subscribe(e =>
        {
            if (e is ItemOffered offered)
            {
                offers.TrySetResult(offered);
            }
        });

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver), Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        using var browser = new ChromeDriver(service, options, Patience);
        try
        {
            browser.Navigate().GoToUrl(new Uri(host.BaseAddress, "/?key=" + WebTestHost.SupervisorKey));
            var wait = new WebDriverWait(browser, Patience);
            wait.Until(d => Text(d, "#connection") == "live");
            wait.Until(d => Text(d, "tr[data-agent='alice'] .state").StartsWith("NotReady", StringComparison.Ordinal));
            Assert.Equal("0", Text(browser, "tr[data-queue='sales'] .waiting"));
            Assert.DoesNotContain("key=", browser.Url, StringComparison.Ordinal);

            // A caller arrives: the queue has no ready agent, so the call waits.
            var callId = Guid.CreateVersion7();
            host.Hub.Publish(Event(host, ContactCenterEventTypes.CallStarted, ContactCenterEventCategory.Call, ("callId", callId), ("direction", "inbound"), ("from", "+15550101"), ("to", "+18005550100")));
            await host.Routing.SendAsync(new Enqueue(new WorkItem { Id = callId.ToString("N"), Queue = "sales" }));
            host.Hub.Publish(Event(host, ContactCenterEventTypes.CallQueued, ContactCenterEventCategory.Call, ("callId", callId), ("queue", "sales"), ("position", 1)));
            wait.Until(d => Text(d, "tr[data-queue='sales'] .waiting") == "1");
            wait.Until(d => d.FindElements(By.CssSelector($"tr[data-call='{callId}']")).Count == 1);

            // The agent becomes ready, is offered the call and answers.
            (await admin.PostAsync("/api/v1/agents/alice/state", WebTestHost.Json("""{ "state": "ready" }"""))).EnsureSuccessStatusCode();
            var offer = await offers.Task.WaitAsync(Patience);
            await host.Routing.SendAsync(new Accept(offer.OfferId, "alice"));
            host.Hub.Publish(Event(host, ContactCenterEventTypes.CallConnected, ContactCenterEventCategory.Call, ("callId", callId), ("agentId", "alice"), ("queue", "sales")));

            wait.Until(d => Text(d, "tr[data-agent='alice'] .state") == "Busy");
            wait.Until(d => Text(d, "tr[data-queue='sales'] .waiting") == "0");
            wait.Until(d => Text(d, $"tr[data-call='{callId}']").Contains("talking", StringComparison.Ordinal));
        }
        finally
        {
            var path = Path.Combine(ResultsDirectory(), "dashboard.png");
            browser.GetScreenshot().SaveAsFile(path);
            output.WriteLine($"screenshot: {path}");
        }
    }

    private static ContactCenterEvent Event(WebTestHost host, string type, ContactCenterEventCategory category, params (string Key, object? Value)[] data) =>
        ContactCenterEvent.Create(type, category, host.Time.GetUtcNow(), data.ToDictionary(d => d.Key, d => d.Value));

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

    /// <summary>The test project's TestResults folder (where dotnet test puts its results), created if needed.</summary>
    private static string ResultsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !directory.EnumerateFiles("*.csproj").Any())
        {
            directory = directory.Parent;
        }

        var results = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(results);
        return results;
    }
}
