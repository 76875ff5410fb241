using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The reference deployment: a complete contact center on loopback with embedded defaults.
// It grows with ContactCenter.Hosting; today it starts, logs where it runs and stops cleanly on Ctrl+C.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
using var host = builder.Build();

var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ContactCenter.Reference");
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStarted.Register(() => log.LogInformation("ContactCenter reference deployment started; press Ctrl+C to stop."));
lifetime.ApplicationStopped.Register(() => log.LogInformation("ContactCenter reference deployment stopped."));

await host.RunAsync().ConfigureAwait(false);
