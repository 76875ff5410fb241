using ContactCenter.Hosting.Calls;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>
/// The host follows the calls it places to agents with <see cref="SipCallStates.Follow"/>. A phone on loopback answers
/// within a millisecond, sometimes before the host has subscribed to the call (seen in benchmarks/load/agent-calls.sh:
/// about 1 call in 80 at 20 calls/s rang its agent forever although the agent's phone had answered). These tests
/// give Follow calls that are already answered or ended, as the placing thread would see them when it loses that race.
/// </summary>
public sealed class SipCallStatesTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly ReadOnlyMemory<byte> Sdp =
        "v=0\r\no=cc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"u8.ToArray();
    private SipUserAgent _host = null!;
    private SipUserAgent _phone = null!;

    public async Task InitializeAsync()
    {
        _host = await StartAsync("contactcenter");
        _phone = await StartAsync("1001");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _phone.DisposeAsync();
    }

    private static async Task<SipUserAgent> StartAsync(string user)
    {
        var options = new SipUserAgentOptions { ContactUser = user };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        await agent.StartAsync();
        return agent;
    }

    private async Task<SipCall> CallPhoneAsync()
    {
        var phone = _phone.Endpoint.LocalAddresses[0].EndPoint;
        using var timeout = new CancellationTokenSource(Wait);
        return await _host.CallAsync(
            new SipCallRequest
            {
                Target = ContactCenter.Sip.SipUri.Parse($"sip:1001@127.0.0.1:{phone.Port}"),
                Destination = new SipDestination(SipTransportProtocol.Udp, phone),
                From = ContactCenter.Sip.SipUri.Parse("sip:contactcenter@127.0.0.1"),
                Sdp = Sdp,
            },
            timeout.Token);
    }

    private static async Task<bool> EndedAsync(SipCall call)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state == SipCallState.Terminated)
            {
                ended.TrySetResult();
            }
        };
        if (call.State == SipCallState.Terminated)
        {
            ended.TrySetResult();
        }

        await ended.Task.WaitAsync(Wait);
        return true;
    }

    [Fact]
    public async Task A_call_the_phone_answered_before_the_host_followed_it_is_reported_answered_once()
    {
        _phone.IncomingCall = async call => await call.AnswerAsync(Sdp);
        var call = await CallPhoneAsync();
        Assert.Equal(SipCallState.Established, call.State);

        var seen = new List<SipCallState>();
        SipCallStates.Follow(call, state =>
        {
            lock (seen)
            {
                seen.Add(state);
            }
        });

        Assert.Equal([SipCallState.Established], seen);

        await call.HangUpAsync();
        await EndedAsync(call);
        lock (seen)
        {
            Assert.Equal([SipCallState.Established, SipCallState.Terminated], seen);
        }
    }

    [Fact]
    public async Task A_call_the_phone_refused_before_the_host_followed_it_is_reported_ended_once_and_never_answered()
    {
        _phone.IncomingCall = async call => await call.RejectAsync(486, "Busy Here");
        var call = await CallPhoneAsync();
        await EndedAsync(call);

        var seen = new List<SipCallState>();
        SipCallStates.Follow(call, seen.Add);

        Assert.Equal([SipCallState.Terminated], seen);
    }
}
