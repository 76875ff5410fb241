using ContactCenter.Hosting.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Configuration;

/// <summary>Relative paths in a <c>serve --config</c> file name places beside the file, not the working directory.</summary>
public sealed class ConfigurationFilePathsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-config-paths-" + Guid.NewGuid().ToString("N"));

    public ConfigurationFilePathsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Relative_data_flow_and_prompt_folders_and_hold_music_resolve_against_the_file_folder()
    {
        var file = Configuration(new()
        {
            ["ContactCenter:Storage:DataDirectory"] = "data",
            ["ContactCenter:Flows:Directory"] = "../flows",
            ["ContactCenter:Hold:MusicFile"] = "audio/hold.wav",
        });

        var resolved = ConfigurationFilePaths.Resolve(file, "/srv/cc/config");

        Assert.Equal("/srv/cc/config/data", resolved["ContactCenter:Storage:DataDirectory"]);
        Assert.Equal("/srv/cc/flows", resolved["ContactCenter:Flows:Directory"]);
        Assert.Equal("/srv/cc/config/audio/hold.wav", resolved["ContactCenter:Hold:MusicFile"]);
        Assert.Equal(3, resolved.Count);
    }

    [Fact]
    public void Absolute_paths_and_other_settings_are_left_as_written()
    {
        var file = Configuration(new()
        {
            ["ContactCenter:Storage:DataDirectory"] = "/var/lib/contactcenter",
            ["ContactCenter:Flows:Directory"] = "",
            ["ContactCenter:Web:Listen"] = "http://127.0.0.1:8080",
            ["ContactCenter:Numbers:0:Flow"] = "main-menu@live",
        });

        Assert.Empty(ConfigurationFilePaths.Resolve(file, "/srv/cc"));
    }

    [Fact]
    public void A_relative_hold_music_file_stays_relative_to_the_prompt_folder_the_file_names()
    {
        var file = Configuration(new()
        {
            ["ContactCenter:Flows:PromptDirectory"] = "prompts",
            ["ContactCenter:Hold:MusicFile"] = "hold.wav",
        });

        var resolved = ConfigurationFilePaths.Resolve(file, "/srv/cc");

        Assert.Equal("/srv/cc/prompts", resolved["ContactCenter:Flows:PromptDirectory"]);
        Assert.False(resolved.ContainsKey("ContactCenter:Hold:MusicFile"));
    }

    [Fact]
    public async Task The_host_built_from_a_file_gets_paths_under_its_folder_and_command_line_values_as_given()
    {
        var config = Path.Combine(_folder, "site", "contactcenter.json");
        Directory.CreateDirectory(Path.Combine(_folder, "site", "flows"));
        await File.WriteAllTextAsync(config, """
            { "ContactCenter": {
                "Storage": { "DataDirectory": "data" },
                "Flows": { "Directory": "flows", "PromptDirectory": "prompts" },
                "Web": { "Listen": "http://127.0.0.1:0" } } }
            """);

        await using var app = ContactCenterApplication.Build(["--ContactCenter:Flows:PromptDirectory=."], config);
        var options = app.Services.GetRequiredService<IOptions<ContactCenterOptions>>().Value;
        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;

        Assert.Equal(Path.Combine(_folder, "site", "data"), storage.DataDirectory);
        Assert.Equal(Path.Combine(_folder, "site", "data", "contactcenter.db"), storage.SqlitePath);
        Assert.Equal(Path.Combine(_folder, "site", "flows"), options.Flows.Directory);
        Assert.Equal(".", options.Flows.PromptDirectory); // the working directory, as before
    }

    [Fact]
    public async Task The_reference_configuration_names_the_sample_flows_for_serve()
    {
        var reference = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "ContactCenter.Reference", "appsettings.json");

        await using var app = ContactCenterApplication.Build([], reference);
        var options = app.Services.GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        Assert.Equal(Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "flows"), options.Flows.Directory);
        foreach (var number in options.Numbers)
        {
            var flow = number.Flow.Split('@')[0];
            Assert.True(File.Exists(Path.Combine(options.Flows.Directory!, flow + ".json")), $"{number.Number} runs {number.Flow}, which is not in {options.Flows.Directory}");
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
