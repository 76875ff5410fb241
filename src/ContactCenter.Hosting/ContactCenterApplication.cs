using ContactCenter.Hosting.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Hosting;

/// <summary>
/// A complete contact center as one ASP.NET Core application: the SIP/media runtime, storage, the web API, event
/// stream, dashboard and health endpoints, configured from <c>appsettings.json</c>, an optional configuration file,
/// environment variables (<c>ContactCenter__Sip__Listen__0</c>) and the command line. What
/// <c>contactcenter serve --config FILE</c> and the reference deployment run.
/// </summary>
public static class ContactCenterApplication
{
    /// <summary>Builds the application; <paramref name="configure"/> may add services or configuration before it is built.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--ContactCenter:Web:Listen=http://127.0.0.1:9090</c>).</param>
    /// <param name="configFile">
    /// A JSON configuration file layered over appsettings.json, or null. Relative paths it sets
    /// (<c>Storage:DataDirectory</c>, <c>Flows:Directory</c>, <c>Flows:PromptDirectory</c>, <c>Hold:MusicFile</c>) are
    /// resolved against its folder, not the working directory; <paramref name="args"/> override it as given.
    /// </param>
    /// <param name="configure">Extra registrations, for example simulations.</param>
    /// <param name="contentRoot">Where appsettings.json is looked for; the program's own folder when null.</param>
    public static WebApplication Build(string[] args, string? configFile = null, Action<WebApplicationBuilder>? configure = null, string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot ?? AppContext.BaseDirectory });
        if (configFile is not null)
        {
            builder.Configuration.AddConfigurationFile(configFile);
            builder.Configuration.AddCommandLine(args);
        }

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.AddContactCenter(builder.Configuration);
        builder.Services.AddContactCenterApi();
        var web = new WebOptions();
        builder.Configuration.GetSection(ContactCenterOptions.Section + ":Web").Bind(web);
        builder.WebHost.UseUrls(web.Listen);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapContactCenterApi();
        return app;
    }
}
