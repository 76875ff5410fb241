using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the IVR package in a service collection.</summary>
public static class IvrServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ContactCenter.Ivr.IvrInterpreter"/>, <see cref="ContactCenter.Ivr.FlowLibrary"/> (also the sub-flow
    /// resolver), an in-memory <see cref="ContactCenter.Ivr.IFlowStore"/> and an <see cref="HttpClient"/>-based
    /// <see cref="ContactCenter.Ivr.IIvrHttpRequester"/> unless others were registered first. Options are validated on start.
    /// </summary>
    public static IServiceCollection AddContactCenterIvr(this IServiceCollection services, Action<ContactCenter.Ivr.IvrInterpreterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ContactCenter.Ivr.IvrInterpreterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o =>
            {
                try
                {
                    o.Validate();
                    return true;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            },
            "ContactCenter:Ivr options are invalid: MaxStepsPerSession >= 1, MaxSubflowDepth >= 0, MaxTraceEntries >= 0, DefaultVoice and DefaultLanguage non-empty")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ContactCenter.Ivr.IFlowStore, ContactCenter.Ivr.InMemoryFlowStore>();
        services.TryAddSingleton(sp => new ContactCenter.Ivr.FlowLibrary(sp.GetRequiredService<ContactCenter.Ivr.IFlowStore>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ContactCenter.Ivr.IFlowResolver>(sp => sp.GetRequiredService<ContactCenter.Ivr.FlowLibrary>());
        services.TryAddSingleton<ContactCenter.Ivr.IIvrHttpRequester>(_ => new ContactCenter.Ivr.HttpClientIvrRequester(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }));
        services.TryAddSingleton(sp => new ContactCenter.Ivr.IvrInterpreter(
            sp.GetRequiredService<IOptions<ContactCenter.Ivr.IvrInterpreterOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ContactCenter.Ivr.IIvrHttpRequester>(),
            sp.GetService<ContactCenter.Ivr.ITextToSpeech>(),
            sp.GetService<ContactCenter.Ivr.IFlowResolver>(),
            sp.GetService<ILogger<ContactCenter.Ivr.IvrInterpreter>>(),
            sp.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>Uses offline espeak-ng text-to-speech (8 kHz WAV, cached on disk) for text prompts.</summary>
    public static IServiceCollection AddEspeakNgTextToSpeech(this IServiceCollection services, Action<ContactCenter.Ivr.EspeakNgOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ContactCenter.Ivr.EspeakNgOptions();
        configure?.Invoke(options);
        services.TryAddSingleton<ContactCenter.Ivr.ITextToSpeech>(new ContactCenter.Ivr.EspeakNgTextToSpeech(options));
        return services;
    }
}
