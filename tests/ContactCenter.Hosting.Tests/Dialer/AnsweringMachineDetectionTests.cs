using ContactCenter.Dialer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
    public void Detection_is_set_in_the_options_and_the_one_dialer_registration_stays()
    {
        var builder = Builder();

        builder.UseAnsweringMachineDetection(o => o.MachineMessage = "Please call us back.");

        Assert.Single(builder.Services, d => d.ServiceType == typeof(OutboundDialer));
        using var services = builder.Services.BuildServiceProvider();
        var detection = services.GetRequiredService<IOptions<ContactCenterOptions>>().Value.Dialer.AnsweringMachineDetection;
        Assert.Equal("Please call us back.", detection?.MachineMessage);
    }

    [Fact]
    public void Detection_binds_from_the_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ContactCenter:Dialer:AnsweringMachineDetection:Detector:Greeting"] = "00:00:02",
            ["ContactCenter:Dialer:AnsweringMachineDetection:Detector:MaximumWords"] = "4",
            ["ContactCenter:Dialer:AnsweringMachineDetection:NotSureIsMachine"] = "true",
            ["ContactCenter:Dialer:AnsweringMachineDetection:CampaignMachineMessages:Renewals"] = "renewals.wav",
            ["ContactCenter:Dialer:AnsweringMachineDetection:CampaignsWithoutDetection:0"] = "Preview",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddContactCenter(configuration);
        using var services = collection.BuildServiceProvider();

        var detection = services.GetRequiredService<IOptions<ContactCenterOptions>>().Value.Dialer.AnsweringMachineDetection!;

        Assert.Equal(TimeSpan.FromSeconds(2), detection.Detector.Greeting);
        Assert.Equal(4, detection.Detector.MaximumWords);
        Assert.True(detection.NotSureIsMachine);
        Assert.Equal("renewals.wav", detection.MessageFor("Renewals"));
        Assert.False(detection.Detects("Preview"));
        Assert.True(detection.Detects("Renewals"));
    }

    [Fact]
    public void A_configured_detector_option_out_of_range_fails_start_up_naming_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ContactCenter:Dialer:AnsweringMachineDetection:Detector:MaximumWords"] = "0",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddContactCenter(configuration);
        using var services = collection.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ContactCenterOptions>>().Value);

        Assert.Contains("ContactCenter:Dialer:AnsweringMachineDetection:Detector:MaximumWords: AnsweringMachineDetectorOptions.MaximumWords must be at least 1.", error.Message, StringComparison.Ordinal);
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
