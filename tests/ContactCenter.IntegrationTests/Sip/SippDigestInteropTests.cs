using System.Globalization;
using ContactCenter.Sip;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Sip;

/// <summary>sipp registers to our registrar and then calls us, answering our digest challenges both times.</summary>
public sealed class SippDigestInteropTests
{
    private static readonly ReadOnlyMemory<byte> AnswerSdp =
        "v=0\r\no=cc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"u8.ToArray();

    /// <summary>
    /// REGISTER, 401, REGISTER with credentials, 200; INVITE, 401, ACK, INVITE with credentials, 200, ACK, BYE, 200.
    /// The ACK for the 401 reuses the INVITE's Via (same branch) and the 401's To tag, as RFC 3261 §17.1.1.3 asks. sipp
    /// matches responses to a scenario by Call-ID, so the REGISTER and the INVITE share one (with different From tags).
    /// </summary>
    private const string Scenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="register then invite with digest">
          <send retrans="500">
            <![CDATA[
              REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag01[call_number]
              To: <sip:1001@[remote_ip]>
              Call-ID: [call_id]
              CSeq: 1 REGISTER
              Contact: <sip:1001@[local_ip]:[local_port]>
              Max-Forwards: 70
              Expires: 300
              Content-Length: 0

            ]]>
          </send>
          <recv response="401" auth="true"/>
          <send retrans="500">
            <![CDATA[
              REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag01[call_number]
              To: <sip:1001@[remote_ip]>
              Call-ID: [call_id]
              CSeq: 2 REGISTER
              Contact: <sip:1001@[local_ip]:[local_port]>
              [authentication username=1001 password=phone-secret]
              Max-Forwards: 70
              Expires: 300
              Content-Length: 0

            ]]>
          </send>
          <recv response="200"/>
          <send retrans="500">
            <![CDATA[
              INVITE sip:queue@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag02[call_number]
              To: <sip:queue@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: <sip:1001@[local_ip]:[local_port]>
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=sipp 1 1 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0
              a=rtpmap:0 PCMU/8000

            ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="401" auth="true"/>
          <send>
            <![CDATA[
              ACK sip:queue@[remote_ip]:[remote_port] SIP/2.0
              [last_Via:]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag02[call_number]
              [last_To:]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <send retrans="500">
            <![CDATA[
              INVITE sip:queue@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag02[call_number]
              To: <sip:queue@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 2 INVITE
              Contact: <sip:1001@[local_ip]:[local_port]>
              [authentication username=1001 password=phone-secret]
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=sipp 1 1 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0
              a=rtpmap:0 PCMU/8000

            ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="180" optional="true"/>
          <recv response="200" rtd="true"/>
          <send>
            <![CDATA[
              ACK sip:queue@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag02[call_number]
              [last_To:]
              Call-ID: [call_id]
              CSeq: 2 ACK
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <pause milliseconds="200"/>
          <send retrans="500">
            <![CDATA[
              BYE sip:queue@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:1001@[remote_ip]>;tag=[pid]SIPpTag02[call_number]
              [last_To:]
              Call-ID: [call_id]
              CSeq: 3 BYE
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <recv response="200" crlf="true"/>
        </scenario>
        """;

    [Fact]
    public async Task Sipp_registers_with_digest_then_places_a_call_that_answers_our_challenge()
    {
        var authentication = new DigestAuthenticatorOptions { Realm = "cc.test" };
        authentication.Algorithms.Clear();
        authentication.Algorithms.Add(DigestAlgorithm.Md5); // sipp answers MD5 challenges
        var authenticator = new DigestAuthenticator(authentication);
        static string? PasswordOf(string user) => user == "1001" ? "phone-secret" : null;
        var registrar = new SipRegistrar(null, authenticator, PasswordOf);

        var options = new SipUserAgentOptions { ContactUser = "cc" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        await using var agent = new SipUserAgent(options);
        agent.OtherRequest = transaction => registrar.HandleAsync(transaction);
        var challenged = 0;
        var answered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.IncomingCall = async call =>
        {
            var verdict = authenticator.Verify(call.InitialInvite.Headers["Authorization"], "INVITE", PasswordOf);
            if (!verdict.IsAuthenticated)
            {
                Interlocked.Increment(ref challenged);
                await call.RejectAsync(401, null, authenticator.CreateChallenges().Select(c => new SipHeader("WWW-Authenticate", c.ToString())));
                return;
            }

            await call.AnswerAsync(AnswerSdp);
            answered.TrySetResult(call);
        };
        await agent.StartAsync();
        var port = agent.Endpoint.LocalAddresses[0].EndPoint.Port;
        var scenario = SipTestTools.WriteScenario(Scenario);

        try
        {
            var (exit, output) = await SipTestTools.RunSippAsync(
                "-sf", scenario, $"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", SipTestTools.FreeUdpPort().ToString(CultureInfo.InvariantCulture),
                "-m", "1", "-l", "1");

            Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
        }
        finally
        {
            File.Delete(scenario);
        }

        var binding = Assert.Single(registrar.Lookup("1001"));
        Assert.InRange((binding.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds, 240, 300); // the 300 s sipp asked for
        Assert.Equal(1, challenged);
        var call = await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(SipCallEndReason.RemoteHangUp, call.EndReason);
    }
}
