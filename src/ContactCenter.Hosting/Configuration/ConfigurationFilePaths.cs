using ContactCenter.Hosting.Storage;
using Microsoft.Extensions.Configuration;

namespace ContactCenter.Hosting;

/// <summary>
/// Relative paths written in a configuration file (<c>contactcenter serve --config FILE</c>) name places beside that
/// file, wherever the command is started from: the data folder, the flow folder, the prompt folder and the hold
/// music. A relative <c>Hold:MusicFile</c> stays relative when the file names a prompt folder too, where the runtime
/// looks it up. Later sources (the command line) keep their values as given.
/// </summary>
internal static class ConfigurationFilePaths
{
    private const string PromptDirectory = ContactCenterOptions.Section + ":Flows:PromptDirectory";
    private const string MusicFile = ContactCenterOptions.Section + ":Hold:MusicFile";

    private static readonly string[] Folders =
    [
        StorageOptions.Section + ":DataDirectory",
        ContactCenterOptions.Section + ":Flows:Directory",
        PromptDirectory,
    ];

    /// <summary>Adds the JSON file at <paramref name="path"/>, its relative paths resolved against its folder.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    public static IConfigurationBuilder AddConfigurationFile(this IConfigurationBuilder builder, string path)
    {
        var full = Path.GetFullPath(path);
        var file = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        return builder
            .AddConfiguration(file, shouldDisposeConfiguration: true)
            .AddInMemoryCollection(Resolve(file, Path.GetDirectoryName(full)!));
    }

    /// <summary>The settings of <paramref name="file"/> that are relative paths, as full paths under <paramref name="folder"/>.</summary>
    public static Dictionary<string, string?> Resolve(IConfiguration file, string folder)
    {
        var resolved = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in Folders)
        {
            Add(key);
        }

        if (string.IsNullOrEmpty(file[PromptDirectory]))
        {
            Add(MusicFile);
        }

        return resolved;

        void Add(string key)
        {
            if (file[key] is { Length: > 0 } value && !Path.IsPathRooted(value))
            {
                resolved[key] = Path.GetFullPath(Path.Combine(folder, value));
            }
        }
    }
}
