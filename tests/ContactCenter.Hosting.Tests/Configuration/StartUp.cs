using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactCenter.Hosting.Tests.Configuration;

/// <summary>Start-up of a host from configuration keys, for tests of option validation.</summary>
internal static class StartUp
{
    /// <summary>The validation error a host configured with <paramref name="settings"/> fails to start with.</summary>
    public static string Error(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var collection = new ServiceCollection();
        collection.AddContactCenter(configuration);
        using var services = collection.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ContactCenterOptions>>().Value).Message;
    }
}
