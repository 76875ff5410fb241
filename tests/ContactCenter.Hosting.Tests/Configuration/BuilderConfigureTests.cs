using ContactCenter.Hosting.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Configuration;

public sealed class BuilderConfigureTests
{
    [Fact]
    public void Storage_settings_changed_by_the_builder_reach_the_storage_on_top_of_the_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ContactCenter:Storage:DataDirectory"] = "from-configuration",
            ["ContactCenter:Storage:SqliteFileName"] = "configured.db",
        }).Build();
        var collection = new ServiceCollection();

        collection.AddContactCenter(configuration).Configure(options => options.Storage.DataDirectory = "from-code");

        using var services = collection.BuildServiceProvider();
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        Assert.Equal("from-code", storage.DataDirectory);
        Assert.Equal("configured.db", storage.SqliteFileName);
    }
}
