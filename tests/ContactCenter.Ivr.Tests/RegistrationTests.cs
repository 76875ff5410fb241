using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ContactCenter.Ivr.Tests.TestSupport;

namespace ContactCenter.Ivr.Tests;

public class RegistrationTests
{
    [Fact]
    public void AddContactCenterIvr_registers_interpreter_library_store_and_resolver()
    {
        var services = new ServiceCollection().AddContactCenterIvr(o => o.MaxStepsPerSession = 123);
        using var provider = services.BuildServiceProvider();
        var interpreter = provider.GetRequiredService<IvrInterpreter>();
        Assert.Equal(123, interpreter.Options.MaxStepsPerSession);
        Assert.IsType<InMemoryFlowStore>(provider.GetRequiredService<IFlowStore>());
        Assert.Same(provider.GetRequiredService<FlowLibrary>(), provider.GetRequiredService<IFlowResolver>());
        Assert.IsType<HttpClientIvrRequester>(provider.GetRequiredService<IIvrHttpRequester>());
    }

    [Fact]
    public void A_store_registered_first_is_kept()
    {
        var store = new InMemoryFlowStore();
        using var provider = new ServiceCollection().AddSingleton<IFlowStore>(store).AddContactCenterIvr().BuildServiceProvider();
        Assert.Same(store, provider.GetRequiredService<IFlowStore>());
    }

    [Fact]
    public void Invalid_options_fail_validation_with_a_message()
    {
        using var provider = new ServiceCollection().AddContactCenterIvr(o => o.MaxStepsPerSession = 0).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<IvrInterpreterOptions>>().Value);
        Assert.Contains("MaxStepsPerSession", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interpreter_rejects_invalid_options_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new IvrInterpreter(new IvrInterpreterOptions { MaxTraceEntries = -1 }));
        Assert.Equal(nameof(IvrInterpreterOptions.MaxTraceEntries), ex.ParamName);
    }

    [Fact]
    public void Unknown_language_tag_is_a_validation_error()
    {
        var result = FlowValidator.Validate(Flow("""
            { "id": "start", "type": "language", "parameters": { "language": "xx-NOPE-zz" }, "transitions": { "next": "end" } },
            { "id": "end", "type": "hangup" }
            """));
        Assert.Contains(result.Errors, e => e.JsonPath == "$.nodes[0].parameters.language");
    }
}
