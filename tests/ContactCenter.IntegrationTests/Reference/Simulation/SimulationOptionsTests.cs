using ContactCenter.Reference.Simulation;
using Microsoft.Extensions.Configuration;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>The simulation's options bind from the <c>Reference</c> configuration section and name a bad key.</summary>
public sealed class SimulationOptionsTests
{
    [Fact]
    public void Options_bind_from_the_reference_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reference:Agents:Count"] = "3",
            ["Reference:Agents:AnswerDelay:Distribution"] = "Fixed",
            ["Reference:Agents:AnswerDelay:Mean"] = "00:00:01.5",
            ["Reference:Callers:CallsPerMinute"] = "12",
            ["Reference:Callers:Scripts:0:Name"] = "support-only",
            ["Reference:Callers:Scripts:0:Steps:0:After"] = "00:00:03",
            ["Reference:Callers:Scripts:0:Steps:0:Digits"] = "2",
            ["Reference:Campaign:Enabled"] = "true",
            ["Reference:Campaign:Busy"] = "0.5",
            ["Reference:Summary:Mode"] = "Lines",
        }).Build();

        var options = configuration.GetSection(ReferenceSimulationOptions.SectionName).Get<ReferenceSimulationOptions>()!;
        options.Validate();

        Assert.Equal(3, options.Agents.Count);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Agents.AnswerDelay.Next(new Random(1)));
        Assert.Equal("secret1003", options.Agents.PasswordOf(options.Agents.ExtensionAt(2)));
        Assert.Equal(12, options.Callers.CallsPerMinute);
        var script = Assert.Single(options.Callers.EffectiveScripts);
        Assert.Equal("support-only", script.Name);
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(script.Steps).After);
        Assert.True(options.Campaign.Enabled);
        Assert.Equal(0.5, options.Campaign.Busy);
        Assert.Equal(ConsoleSummaryMode.Lines, options.Summary.Mode);
    }

    [Fact]
    public void Durations_stay_within_their_bounds()
    {
        var random = new Random(5);
        var uniform = SimulatedDuration.Uniform(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var exponential = SimulatedDuration.Exponential(TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(300));
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(uniform.Next(random), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            Assert.InRange(exponential.Next(random), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(300));
        }
    }

    [Fact]
    public void A_bad_value_is_refused_naming_its_key()
    {
        var options = new ReferenceSimulationOptions();
        options.Validate();
        options.Campaign.Human = -1;
        Assert.Contains("Reference:Campaign:Human", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        options.Campaign.Human = 1;
        options.Callers.Patience = SimulatedDuration.Uniform(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
        Assert.Contains("Reference:Callers:Patience:Max", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        options.Callers.Patience = SimulatedDuration.Fixed(TimeSpan.FromSeconds(10));
        options.Media.RtpPortMax = 100;
        Assert.Contains("Reference:Media:RtpPortMin/RtpPortMax", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        options.Media.RtpPortMax = 44999;
        options.Summary.Width = 10;
        Assert.Contains("Reference:Summary:Width", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }
}
