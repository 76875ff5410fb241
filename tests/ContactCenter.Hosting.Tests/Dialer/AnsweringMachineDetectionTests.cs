using ContactCenter.Dialer;
using Microsoft.Extensions.DependencyInjection;

namespace ContactCenter.Hosting.Tests.Dialer;

/// <summary>Turning on answering-machine detection: option checks at registration and per-campaign machine messages.</summary>
public sealed class AnsweringMachineDetectionTests
{
    private static ContactCenterBuilder Builder() => new ServiceCollection().AddContactCenter(_ => { });

    [Fact]
    public void A_detector_option_out_of_range_fails_the_registration_naming_it()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Builder().UseAnsweringMachineDetection(o => o.Detector.MaximumWords = 0));

        Assert.Equal("MaximumWords", error.ParamName);
        Assert.Contains("AnsweringMachineDetectorOptions.MaximumWords", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_greeting_wait_shorter_than_the_silence_it_waits_for_fails_the_registration_naming_it()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Builder().UseAnsweringMachineDetection(o =>
        {
            o.MessageAfterSilence = TimeSpan.FromSeconds(2);
            o.MaximumGreetingWait = TimeSpan.FromSeconds(1);
        }));

        Assert.Equal(nameof(AnsweringMachineDetectionOptions.MaximumGreetingWait), error.ParamName);
    }

    [Fact]
    public void Detection_replaces_the_dialer_registration_rather_than_adding_a_second_dialer()
    {
        var builder = Builder();
        var before = builder.Services.Single(d => d.ServiceType == typeof(OutboundDialer));

        builder.UseAnsweringMachineDetection();

        var after = builder.Services.Single(d => d.ServiceType == typeof(OutboundDialer));
        Assert.NotSame(before, after);
        Assert.Equal(ServiceLifetime.Singleton, after.Lifetime);
    }

    [Fact]
    public void A_campaign_gets_its_own_machine_message_an_empty_one_hangs_up_and_others_get_the_default()
    {
        var options = new AnsweringMachineDetectionOptions { MachineMessage = "Please call us back." };
        options.CampaignMachineMessages["Renewals"] = "renewals.wav";
        options.CampaignMachineMessages["Surveys"] = "";

        Assert.Equal("renewals.wav", options.MessageFor("Renewals"));
        Assert.Null(options.MessageFor("Surveys"));
        Assert.Equal("Please call us back.", options.MessageFor("Collections"));
        Assert.Equal("Please call us back.", options.MessageFor(null));
        Assert.Null(new AnsweringMachineDetectionOptions().MessageFor("Renewals"));
    }

    [Fact]
    public void Campaigns_listed_without_detection_are_not_analysed_and_every_other_campaign_is()
    {
        var options = new AnsweringMachineDetectionOptions();
        options.CampaignsWithoutDetection.Add("Preview sales");

        Assert.False(options.Detects("Preview sales"));
        Assert.True(options.Detects("Renewals"));
        Assert.True(options.Detects(null));
    }
}
