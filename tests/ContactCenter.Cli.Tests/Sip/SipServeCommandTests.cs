using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ContactCenter.Cli.Tests.Sip;

/// <summary><c>contactcenter sip serve</c> as a separate process, spoken to over loopback UDP.</summary>
public sealed class SipServeCommandTests
{
    /// <summary>
    /// Serves on a loopback UDP port the system picks (port 0) and returns it as the command reports it once listening,
    /// so no other process can take the port between choosing and binding it.
    /// </summary>
    private static async Task<(Process Process, StringBuilder Output, int Port)> ServeOnFreePortAsync(params string[] args)
    {
        var (process, output) = Serve(["--listen", "udp:127.0.0.1:0", .. args]);
        try
        {
            await WaitForTextAsync(output, "listening on");
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            var port = System.Text.RegularExpressions.Regex.Match(text, "listening on udp:127\\.0\\.0\\.1:([0-9]+)");
            Assert.True(port.Success, text);
            return (process, output, int.Parse(port.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    private static (Process Process, StringBuilder Output) Serve(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliRunner.ToolPath);
        start.ArgumentList.Add("sip");
        start.ArgumentList.Add("serve");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static async Task WaitForTextAsync(StringBuilder output, string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (output)
            {
                if (output.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }

            // Waiting for another process to print: real time is the point here.
            await Task.Delay(50, cts.Token);
        }
    }

    private static async Task<int> InterruptAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return process.ExitCode;
    }

    private static async Task<string?> ExchangeAsync(int port, string message)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = ((IPEndPoint)socket.LocalEndPoint!).Port;
        await socket.SendToAsync(Encoding.ASCII.GetBytes(message.Replace("PORT", local.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)), new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, n);
            if (!text.StartsWith("SIP/2.0 100", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    private static string Request(string method, string extra = "") =>
        $"{method} sip:serve@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bK{Guid.NewGuid():N}\r\nMax-Forwards: 70\r\n" +
        $"To: <sip:1001@127.0.0.1>\r\nFrom: <sip:1001@127.0.0.1>;tag=t1\r\nCall-ID: {Guid.NewGuid():N}\r\nCSeq: 1 {method}\r\n" +
        $"Contact: <sip:1001@127.0.0.1:PORT>\r\n{extra}Content-Length: 0\r\n\r\n";

    [Fact]
    public async Task Answers_OPTIONS_logs_each_message_and_stops_cleanly_on_ctrl_c()
    {
        var (process, output, port) = await ServeOnFreePortAsync();
        using (process)
        {
            var response = await ExchangeAsync(port, Request("OPTIONS"));

            Assert.StartsWith("SIP/2.0 200", response, StringComparison.Ordinal);
            await WaitForTextAsync(output, "<- udp:127.0.0.1:");
            Assert.Equal(0, await InterruptAsync(process));
            Assert.Contains("stopped", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Passes_every_RFC_4475_uas_check_and_still_answers_OPTIONS()
    {
        var (process, _, port) = await ServeOnFreePortAsync("--quiet");
        using (process)
        {
            var script = ContactCenter.Testing.RepositoryPaths.TortureScript;
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true };
            foreach (var arg in new[] { script, "uas", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["TORTURE_WAIT_S"] = "2";
            using var torture = Process.Start(start)!;
            var report = await torture.StandardOutput.ReadToEndAsync();
            await torture.WaitForExitAsync();

            Assert.True(report.TrimEnd().EndsWith("51 passed, 0 failed", StringComparison.Ordinal), report);
            Assert.Equal(0, await InterruptAsync(process));
        }
    }

    [Fact]
    public async Task Answer_code_rejects_invites_as_told()
    {
        var (process, _, port) = await ServeOnFreePortAsync("--answer", "486", "--quiet");
        using (process)
        {
            Assert.StartsWith("SIP/2.0 486", await ExchangeAsync(port, Request("INVITE")), StringComparison.Ordinal);
            await InterruptAsync(process);
        }
    }

    [Fact]
    public async Task Registrar_with_auth_challenges_a_register()
    {
        var (process, _, port) = await ServeOnFreePortAsync("--registrar", "--auth", "1001:secret", "--quiet");
        using (process)
        {
            var response = await ExchangeAsync(port, Request("REGISTER"));

            Assert.StartsWith("SIP/2.0 401", response, StringComparison.Ordinal);
            Assert.Contains("WWW-Authenticate: Digest realm=\"contactcenter\"", response, StringComparison.Ordinal);
            await InterruptAsync(process);
        }
    }

    [Theory]
    [InlineData("--listen", "udp:localhost:5060", "not an IP address")]
    [InlineData("--answer", "150", "--answer 150")]
    [InlineData("--auth", "nopassword", "expected USER:PASSWORD")]
    public async Task Bad_options_are_usage_errors(string option, string value, string message)
    {
        var result = await CliRunner.RunAsync("sip", "serve", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_port_fails_with_exit_code_1_naming_the_address()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var result = await CliRunner.RunAsync("sip", "serve", "--listen", $"udp:127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"udp:127.0.0.1:{port}", result.StandardError, StringComparison.Ordinal);
    }
}
