using System.CommandLine;
using System.Net.Sockets;
using ContactCenter.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace ContactCenter.Cli.Commands;

/// <summary><c>contactcenter serve --config FILE</c>: runs the contact center host.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command(
            "serve",
            "Run the contact center (SIP, media, IVR, queues, web API and dashboard) from a configuration file; Ctrl+C drains calls and stops. " +
            "With the reference deployment's file it serves the same numbers and flows, without that program's simulated agents, callers and CRM stub " +
            "(the main menu's account lookup then fails and the caller queues for Sales at normal priority).");
        var config = new Option<FileInfo>("--config")
        {
            Description = "appsettings-style JSON file with a ContactCenter section (see samples/ContactCenter.Reference/appsettings.json); " +
                "relative paths in it (data, flow and prompt folders, hold music) are resolved against its folder. " +
                "Settings such as --ContactCenter:Web:Listen=http://127.0.0.1:9090 after it override the file.",
            Required = true,
        };
        command.Options.Add(config);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                await Console.Error.WriteLineAsync($"serve: configuration file '{file.FullName}' does not exist.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var overrides = parse.UnmatchedTokens.ToArray();
            try
            {
                await using var app = ContactCenterApplication.Build(overrides, file.FullName);
                await app.RunAsync().ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"serve: invalid configuration in '{file.FullName}':").ConfigureAwait(false);
                foreach (var failure in e.Failures)
                {
                    await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
                }

                return ExitCodes.Invalid;
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException or FormatException)
            {
                await Console.Error.WriteLineAsync($"serve: the contact center could not start: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Invalid;
            }
        });
        return command;
    }
}
