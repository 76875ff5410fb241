using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ContactCenter.Sip.Core;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Sip.Tests.Core;

/// <summary>The UAS core over a real UDP socket on loopback.</summary>
public sealed class UasCoreTests : IAsyncLifetime
{
    private SipEndpoint _endpoint = null!;
    private IPEndPoint _address = null!;

    public async Task InitializeAsync()
    {
        var options = new SipEndpointOptions();
        options.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        _endpoint = new SipEndpoint(options);
        await _endpoint.StartAsync();
        _address = _endpoint.LocalAddresses[0].EndPoint;
    }

    public async Task DisposeAsync() => await _endpoint.DisposeAsync();

    private async Task<string?> ExchangeAsync(string message, int wantAtLeast = 200)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.SendToAsync(Encoding.UTF8.GetBytes(message.Replace("\n", "\r\n", StringComparison.Ordinal)), _address);
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                var text = Encoding.UTF8.GetString(buffer, 0, n);
                if (int.Parse(text.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture) >= wantAtLeast)
                {
                    return text;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static string Request(string startLine, string extra = "", string body = "") =>
        $"{startLine}\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK{Guid.NewGuid():N}\nMax-Forwards: 70\n" +
        $"To: <sip:bob@127.0.0.1>\nFrom: <sip:alice@127.0.0.1>;tag=a{Guid.NewGuid():N}\nCall-ID: {Guid.NewGuid():N}\n" +
        $"CSeq: 1 {startLine.Split(' ')[0]}\n{extra}Content-Length: {Encoding.UTF8.GetByteCount(body.Replace("\n", "\r\n", StringComparison.Ordinal))}\n\n{body}";

    [Fact]
    public async Task Options_is_answered_with_Allow_Accept_and_Supported()
    {
        var response = await ExchangeAsync(Request("OPTIONS sip:bob@127.0.0.1 SIP/2.0"));

        Assert.StartsWith("SIP/2.0 200", response, StringComparison.Ordinal);
        Assert.Contains("Allow: INVITE, ACK, CANCEL", response, StringComparison.Ordinal);
        Assert.Contains("Accept: application/sdp", response, StringComparison.Ordinal);
        Assert.Contains("Supported: 100rel", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_method_gets_405_with_Allow()
    {
        var response = await ExchangeAsync(Request("FROBNICATE sip:bob@127.0.0.1 SIP/2.0"));

        Assert.StartsWith("SIP/2.0 405", response, StringComparison.Ordinal);
        Assert.Contains("Allow: ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_request_uri_scheme_gets_416()
    {
        Assert.StartsWith("SIP/2.0 416", await ExchangeAsync(Request("OPTIONS urn:service:sos SIP/2.0")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_Require_gets_420_listing_the_unsupported_tags()
    {
        var response = await ExchangeAsync(Request("OPTIONS sip:bob@127.0.0.1 SIP/2.0", "Require: timer, teleportation\n"));

        Assert.StartsWith("SIP/2.0 420", response, StringComparison.Ordinal);
        Assert.Contains("Unsupported: teleportation", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Unsupported: timer", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_body_type_gets_415_with_Accept()
    {
        var response = await ExchangeAsync(Request("INVITE sip:bob@127.0.0.1 SIP/2.0", "Content-Type: application/x-unknown\n", "hello"));

        Assert.StartsWith("SIP/2.0 415", response, StringComparison.Ordinal);
        Assert.Contains("Accept: application/sdp", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_content_encoding_gets_415_with_Accept_Encoding()
    {
        var response = await ExchangeAsync(Request("INFO sip:bob@127.0.0.1 SIP/2.0", "Content-Type: text/plain\nContent-Encoding: gzip\n", "x"));

        Assert.StartsWith("SIP/2.0 415", response, StringComparison.Ordinal);
        Assert.Contains("Accept-Encoding: identity", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_mandatory_header_gets_400_naming_it()
    {
        var response = await ExchangeAsync(
            "OPTIONS sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKmiss\nTo: <sip:b@c>\nFrom: <sip:a@b>;tag=1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");

        Assert.StartsWith("SIP/2.0 400 Missing Call-ID header", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicated_single_value_header_gets_400()
    {
        var response = await ExchangeAsync(Request("OPTIONS sip:bob@127.0.0.1 SIP/2.0", "Call-ID: second\n"));

        Assert.StartsWith("SIP/2.0 400 Multiple Call-ID headers", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_forwards_zero_gets_483_except_for_OPTIONS()
    {
        var invite = Request("INVITE sip:bob@127.0.0.1 SIP/2.0").Replace("Max-Forwards: 70", "Max-Forwards: 0", StringComparison.Ordinal);
        var options = Request("OPTIONS sip:bob@127.0.0.1 SIP/2.0").Replace("Max-Forwards: 70", "Max-Forwards: 0", StringComparison.Ordinal);

        Assert.StartsWith("SIP/2.0 483", await ExchangeAsync(invite), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_request_on_a_different_branch_is_a_merge_and_gets_482()
    {
        var first = Request("INVITE sip:bob@127.0.0.1 SIP/2.0");
        var merged = first.Replace("branch=z9hG4bK", "branch=z9hG4bKother", StringComparison.Ordinal);

        Assert.StartsWith("SIP/2.0 480", await ExchangeAsync(first), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 482", await ExchangeAsync(merged), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unparseable_request_gets_400_naming_the_problem_and_a_bad_version_505()
    {
        var negative = await ExchangeAsync(Request("OPTIONS sip:bob@127.0.0.1 SIP/2.0").Replace("Content-Length: 0", "Content-Length: -3", StringComparison.Ordinal));
        var version = await ExchangeAsync(Request("OPTIONS sip:bob@127.0.0.1 SIP/7.0"));

        Assert.StartsWith("SIP/2.0 400 ", negative, StringComparison.Ordinal);
        Assert.Contains("Content-Length", negative!.Split('\n')[0], StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("SIP/2.0 505", version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_response_is_dropped_silently()
    {
        Assert.Null(await ExchangeAsync("SIP/2.0 999 Way Too Big\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKr\nContent-Length: 0\n\n"));
    }

    [Fact]
    public async Task Invite_nobody_handles_gets_100_Trying_then_480()
    {
        var trying = await ExchangeAsync(Request("INVITE sip:bob@127.0.0.1 SIP/2.0"), wantAtLeast: 100);

        Assert.StartsWith("SIP/2.0 100", trying, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_RFC_4475_torture_message_gets_the_expected_reaction_and_the_server_stays_up()
    {
        var script = ContactCenter.Testing.RepositoryPaths.TortureScript;
        Assert.True(File.Exists(script), $"the conformance script is missing: {script}");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "uas", "127.0.0.1", _address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        // Generous: under a loaded CI machine a response can take longer than the script's default second.
        start.Environment["TORTURE_WAIT_S"] = "2";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(output.TrimEnd().EndsWith("51 passed, 0 failed", StringComparison.Ordinal), output);
    }
}
