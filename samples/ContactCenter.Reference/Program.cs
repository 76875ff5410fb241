using System.Text.Json;
using ContactCenter.Hosting;
using ContactCenter.Reference.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// The reference deployment: a complete contact center on loopback with embedded defaults (appsettings.json):
// SIP on 127.0.0.1:5060 (UDP and TCP), web on http://127.0.0.1:8080, data in ./data, the sample flows, two queues and
// ten agents. Ctrl+C drains calls and stops.
var app = ContactCenterApplication.Build(args, configure: builder =>
{
    // appsettings.json names the sample flows as they lie beside it in the source tree ("../flows", for
    // `contactcenter serve --config samples/ContactCenter.Reference/appsettings.json`). This program runs from its build
    // output, which carries its own copy in flows/; environment variables and the command line (Flows:Directory) still
    // point elsewhere to use your own.
    var sources = builder.Configuration.Sources;
    var appSettings = sources.ToList().FindIndex(s => s is JsonConfigurationSource { Path: "appsettings.json" });
    sources.Insert(appSettings + 1, new MemoryConfigurationSource
    {
        InitialData = [new("ContactCenter:Flows:Directory", Path.Combine(AppContext.BaseDirectory, "flows"))],
    });

    // Ten agents' phones, a trickle of callers and (when enabled) a carrier for campaigns, over loopback SIP and RTP,
    // plus the live console summary. Section "Reference" of appsettings.json.
    builder.Services.AddReferenceSimulation(builder.Configuration);

    // With Reference:Campaign:Enabled, a predictive campaign against the simulated carrier (Sales agents answer).
    builder.Services.AddHostedService<ContactCenter.Reference.ReferenceCampaign>();
});

// A local stand-in for the CRM that the main menu's account lookup calls (Flows:HttpRewrites points it here). Like the
// simulation, it is this program's: under `contactcenter serve` the lookup fails and the caller queues for Sales.
var stubs = CrmStub.Load(Path.Combine(AppContext.BaseDirectory, "flows", "stubs", "crm.json"));
app.MapGet("/stubs/crm/api/accounts/{account}", (string account) => stubs.Answer(account));

var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ContactCenter.Reference");
var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStarted.Register(() =>
{
    if (!log.IsEnabled(LogLevel.Information))
    {
        return;
    }

    var urls = string.Join(", ", app.Urls);
    log.LogInformation("ContactCenter reference deployment started: call sip:+18005550100@127.0.0.1:5060, dashboard {Urls}; press Ctrl+C to stop.", urls);
});
lifetime.ApplicationStopped.Register(() => log.LogInformation("ContactCenter reference deployment stopped."));

try
{
    await app.RunAsync().ConfigureAwait(false);
}
catch (Exception e) when (e is OptionsValidationException or System.Net.Sockets.SocketException)
{
    // A bad setting or a taken port: say which, without a stack trace.
    Console.Error.WriteLine($"The reference deployment could not start: {e.Message}");
    Environment.ExitCode = 1;
}

/// <summary>Answers account lookups from the sample stub file (<c>samples/flows/stubs/crm.json</c>).</summary>
internal sealed class CrmStub(IReadOnlyList<CrmStub.Entry> entries)
{
    public static CrmStub Load(string path)
    {
        if (!File.Exists(path))
        {
            return new CrmStub([]);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var entries = document.RootElement.EnumerateArray()
            .Select(e => new Entry(e.GetProperty("url").GetString()!, e.GetProperty("status").GetInt32(), e.GetProperty("body").GetRawText()))
            .ToList();
        return new CrmStub(entries);
    }

    public IResult Answer(string account)
    {
        foreach (var entry in entries)
        {
            var last = entry.Url[(entry.Url.LastIndexOf('/') + 1)..];
            if (last == account || last == "*")
            {
                return Results.Content(entry.Body, "application/json", statusCode: entry.Status);
            }
        }

        return Results.NotFound();
    }

    internal sealed record Entry(string Url, int Status, string Body);
}
