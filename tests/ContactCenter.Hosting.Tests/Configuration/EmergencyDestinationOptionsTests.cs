namespace ContactCenter.Hosting.Tests.Configuration;

/// <summary>An emergency destination that could not be dialled fails start-up, not the first emergency call.</summary>
public sealed class EmergencyDestinationOptionsTests
{
    [Theory]
    [InlineData("+15551234567", "is neither trunk:NAME nor a SIP URI")]
    [InlineData("sip:911@psap.example.net", "must name its host by IP address")]
    [InlineData("trunk:missing", "no trunk or trunk group is named 'missing'")]
    public void A_destination_that_cannot_be_dialled_fails_start_up_naming_the_key(string destination, string problem)
    {
        var error = StartUp.Error(
            ("ContactCenter:EmergencyDestination", destination),
            ("ContactCenter:Trunks:0:Name", "carrier"),
            ("ContactCenter:Trunks:0:Proxy", "127.0.0.1:5070"));

        Assert.Contains("ContactCenter:EmergencyDestination: ", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trunk:carrier")]
    [InlineData("sip:911@192.0.2.10:5060")]
    [InlineData("sip:911@[2001:db8::10]")]
    public void A_named_trunk_or_a_SIP_URI_with_an_address_is_accepted(string destination)
    {
        var options = new ContactCenterOptions
        {
            EmergencyDestination = destination,
            Trunks = [new ContactCenter.Sip.Trunks.SipTrunkOptions { Name = "carrier", Proxy = "127.0.0.1:5070" }],
        };

        Assert.DoesNotContain(new ContactCenterOptionsValidator().Validate(null, options).Failures ?? [], f => f.Contains("EmergencyDestination", StringComparison.Ordinal));
    }
}
