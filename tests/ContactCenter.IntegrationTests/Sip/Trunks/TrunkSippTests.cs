using System.Diagnostics.Metrics;
using System.Globalization;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Transport;
using ContactCenter.Sip.Trunks;

namespace ContactCenter.IntegrationTests.Sip.Trunks;

/// <summary>A trunk group whose first trunk cannot be reached fails over to a sipp carrier.</summary>
public sealed class TrunkSippTests
{
    private static readonly ReadOnlyMemory<byte> OfferSdp =
        "v=0\r\no=cc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"u8.ToArray();

    [Fact]
    public async Task Call_fails_over_from_a_trunk_refusing_connections_to_a_sipp_carrier()
    {
        var options = new SipUserAgentOptions { ContactUser = "cc" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("tcp:127.0.0.1:0"));
        await using var agent = new SipUserAgent(options);
        await agent.StartAsync();
        var sippPort = SipTestTools.FreeUdpPort();
        var sipp = SipTestTools.RunSippAsync("-sn", "uas", "-i", "127.0.0.1", "-p", sippPort.ToString(CultureInfo.InvariantCulture), "-m", "1");

        var trunks = new SipTrunkManagerOptions();
        trunks.Trunks.Add(new SipTrunkOptions
        {
            Name = "unreachable",
            Proxy = $"127.0.0.1:{SipTestTools.ClosedTcpPort()}",
            Transport = SipTransportProtocol.Tcp,
            HealthCheck = { Enabled = false },
        });
        trunks.Trunks.Add(new SipTrunkOptions
        {
            Name = "sipp",
            Proxy = $"127.0.0.1:{sippPort}",
            HealthCheck = { Enabled = false },
        });
        var group = new SipTrunkGroupOptions { Name = "carriers" };
        group.Trunks.Add("unreachable");
        group.Trunks.Add("sipp");
        trunks.Groups.Add(group);
        var failovers = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ContactCenter.Sip" && instrument.Name == "sip.trunk.failovers")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "sip.trunk" && (string?)tag.Value == "unreachable")
                {
                    Interlocked.Add(ref failovers, (int)value);
                }
            }
        });
        listener.Start();
        await using var manager = new SipTrunkManager(agent, trunks);
        await manager.StartAsync();

        await SipTestTools.WaitUntilUdpPortIsTakenAsync(sippPort);

        var call = await manager.CallAsync("carriers", "+14155550123", new SipTrunkCallOptions { Sdp = OfferSdp }).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(SipTransportProtocol.Udp, call.NextHop.Protocol);
        Assert.Equal(1, Volatile.Read(ref failovers)); // the unreachable trunk was tried first
        await call.HangUpAsync();
        var (exit, output) = await sipp;
        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
    }
}
