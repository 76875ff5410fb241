using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;

namespace ContactCenter.Sip.Tests.Calls;

/// <summary>INFO: DTMF relay both ways, other bodies refused.</summary>
public sealed class InfoTests : CallHarness
{
    [Fact]
    public async Task DTMF_sent_in_INFO_is_raised_as_a_digit_with_its_duration()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, callee) = await ConnectAsync(alice, bob);
        var received = new TaskCompletionSource<DtmfDigit>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.DtmfReceived += (_, digit) => received.TrySetResult(digit);

        var response = await Within(caller.SendDtmfAsync('#', TimeSpan.FromMilliseconds(250)));
        var digit = await Within(received.Task);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal('#', digit.Digit);
        Assert.Equal(TimeSpan.FromMilliseconds(250), digit.Duration);
        Assert.Equal(DtmfMethod.SipInfo, digit.Method);
    }

    [Fact]
    public async Task Bare_application_dtmf_body_is_understood()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, callee) = await ConnectAsync(alice, bob);
        var received = new TaskCompletionSource<DtmfDigit>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.DtmfReceived += (_, digit) => received.TrySetResult(digit);

        var response = await Within(caller.SendRequestAsync(SipMethod.Info, "7"u8.ToArray(), "application/dtmf"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal('7', (await Within(received.Task)).Digit);
    }

    [Fact]
    public async Task INFO_with_a_malformed_DTMF_body_gets_400_naming_the_problem_and_other_bodies_415()
    {
        var alice = await StartAsync("alice");
        var bob = await StartAsync("bob");
        var (caller, _) = await ConnectAsync(alice, bob);

        var malformed = await Within(caller.SendRequestAsync(SipMethod.Info, "Signal=X\r\n"u8.ToArray(), "application/dtmf-relay"));
        var other = await Within(caller.SendRequestAsync(SipMethod.Info, "hello"u8.ToArray(), "text/plain"));

        Assert.Equal(400, malformed.StatusCode);
        Assert.Contains("\"X\"", malformed.ReasonPhrase, StringComparison.Ordinal);
        Assert.Equal(415, other.StatusCode);
        Assert.Contains("application/dtmf-relay", other.Headers["Accept"], StringComparison.Ordinal);
    }
}
