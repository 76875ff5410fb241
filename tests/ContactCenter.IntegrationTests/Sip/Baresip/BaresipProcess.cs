using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ContactCenter.IntegrationTests.Sip.Baresip;

/// <summary>
/// One baresip softphone (Debian package baresip-core) run as a child process for one test: a private configuration
/// directory under the temp folder, SIP and media on 127.0.0.1 only, no sound card (a generated WAV file is the
/// microphone, the aubridge module the loudspeaker), the menu module for commands given with <c>-e</c>, the ctrl_tcp
/// module for commands sent later, and the SIP trace (<c>-s</c>) collected so a failing test can show what baresip sent
/// and received. Killed and its directory deleted on dispose; it also quits by itself after
/// <see cref="SafetyLifetime"/> in case the test host dies first.
/// </summary>
internal sealed class BaresipProcess : IAsyncDisposable
{
    /// <summary>baresip exits by itself after this long (its <c>-t</c> option), whatever happens to the test.</summary>
    public static readonly TimeSpan SafetyLifetime = TimeSpan.FromSeconds(40);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private readonly List<(Func<string, bool> Done, TaskCompletionSource Seen)> _waiters = [];
    private readonly Lock _gate = new();
    private readonly int _controlPort;

    private BaresipProcess(Process process, string directory, int sipPort, int controlPort)
    {
        _process = process;
        _directory = directory;
        SipPort = sipPort;
        _controlPort = controlPort;
    }

    /// <summary>The UDP (and TCP) port baresip's SIP stack listens on, on 127.0.0.1.</summary>
    public int SipPort { get; }

    /// <summary>Everything baresip printed so far (log lines and the SIP trace).</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts baresip with one account line (the part after the address, e.g. <c>;auth_pass=x;regint=60</c>).</summary>
    /// <param name="accountAddress">The account's address of record, e.g. <c>sip:1001@127.0.0.1:5060</c>.</param>
    /// <param name="accountParameters">Account parameters appended after the address.</param>
    /// <param name="commands">Commands baresip runs once ready (its <c>-e</c> option), e.g. <c>/dial sip:cc@127.0.0.1:5060</c>.</param>
    public static BaresipProcess Start(string accountAddress, string accountParameters, params string[] commands)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-baresip-" + Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(directory);
        var sipPort = FreeSipPort();
        var controlPort = FreeTcpPort();
        File.WriteAllText(Path.Combine(directory, "config"), string.Create(CultureInfo.InvariantCulture, $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{sipPort}
            call_local_timeout	20
            call_max_calls		4
            audio_player		aubridge,cc
            audio_source		aufile,{Path.Combine(directory, "tone.wav")}
            audio_alert		aubridge,cc
            rtp_stats		no
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module			aubridge.so
            module			aufile.so
            module_tmp		account.so
            module_app		menu.so
            module_app		ctrl_tcp.so
            ctrl_tcp_listen		127.0.0.1:{controlPort}

            """));
        WriteTone(Path.Combine(directory, "tone.wav"));
        File.WriteAllText(Path.Combine(directory, "accounts"), $"<{accountAddress}>{accountParameters}\n");

        var start = new ProcessStartInfo("baresip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        // -n: bind media to loopback too (otherwise the SDP names the first network interface).
        foreach (var argument in new[] { "-f", directory, "-n", "127.0.0.1", "-s", "-t", ((int)SafetyLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var command in commands)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(command);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("baresip did not start.");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("baresip is not installed: apt-get install -y baresip-core (or the baresip metapackage).", error);
        }

        var baresip = new BaresipProcess(process, directory, sipPort, controlPort);
        process.OutputDataReceived += (_, e) => baresip.Append(e.Data);
        process.ErrorDataReceived += (_, e) => baresip.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return baresip;
    }

    /// <summary>Completes once baresip's output contains <paramref name="text"/>; fails with the whole output after <paramref name="timeout"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        WaitForOutputAsync(output => output.Contains(text, StringComparison.Ordinal), $"\"{text}\"", timeout);

    /// <summary>Completes once <paramref name="done"/> holds for baresip's output; fails with the whole output after <paramref name="timeout"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> done, string what, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done(_output.ToString()))
            {
                return;
            }

            _waiters.Add((done, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"baresip did not print {what} within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }
    }

    /// <summary>
    /// Sends one command (e.g. <c>quit</c>, <c>dial</c>, <c>hangup</c>) over baresip's ctrl_tcp interface (netstring-framed
    /// JSON) and returns the first message baresip sends back (the command's response or an event), or with
    /// <paramref name="until"/> the first that contains it: events already under way (a re-registration's
    /// <c>REGISTER_OK</c>, say) may come first. When no such message comes within 5 s, or baresip closes the connection,
    /// returns every message seen, one per line.
    /// </summary>
    public async Task<string> SendCommandAsync(string command, string parameters = "", string? until = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, _controlPort, timeout.Token);
        var stream = client.GetStream();
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["command"] = command, ["params"] = parameters, ["token"] = "cc" });
        var frame = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(json)}:{json},"));
        await stream.WriteAsync(frame, timeout.Token);

        var seen = new List<string>();
        try
        {
            while (await ReadNetstringAsync(stream, timeout.Token) is { } message)
            {
                if (until is null || message.Contains(until, StringComparison.Ordinal))
                {
                    return message;
                }

                seen.Add(message);
            }
        }
        catch (OperationCanceledException)
        {
            // Reported with what did come.
        }

        return string.Join('\n', seen);
    }

    /// <summary>One netstring (decimal length, ':', payload, ','), or null once the connection is closed.</summary>
    private static async Task<string?> ReadNetstringAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            if (one[0] == (byte)':')
            {
                break;
            }

            if (one[0] is >= (byte)'0' and <= (byte)'9')
            {
                length = (length * 10) + (one[0] - '0');
            }
        }

        var payload = new byte[length + 1]; // and the closing ','
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return Encoding.UTF8.GetString(payload, 0, length);
    }

    /// <summary>Kills baresip (if still running) and deletes its configuration directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource> release = [];
        lock (_gate)
        {
            _output.AppendLine(line);
            var text = _output.ToString();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done(text))
                {
                    release.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var seen in release)
        {
            seen.TrySetResult();
        }
    }

    /// <summary>Writes what baresip sends as its microphone: 10 s of a 440 Hz tone, 8 kHz 16-bit mono PCM WAV.</summary>
    private static void WriteTone(string path)
    {
        const int Rate = 8000;
        const int Samples = Rate * 10;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + (Samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);        // PCM
        writer.Write((short)1);        // mono
        writer.Write(Rate);
        writer.Write(Rate * 2);        // bytes per second
        writer.Write((short)2);        // block align
        writer.Write((short)16);       // bits per sample
        writer.Write("data"u8);
        writer.Write(Samples * 2);
        for (var i = 0; i < Samples; i++)
        {
            writer.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / Rate)));
        }
    }

    /// <summary>
    /// A SIP port for baresip: free on 127.0.0.1 for UDP and TCP, with the next port free for TCP too (baresip 1.0
    /// always listens for TLS on the SIP port + 1 and has no setting to turn that off).
    /// </summary>
    private static int FreeSipPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var tls = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                tls.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
                // Taken for TCP: try another.
            }
        }
    }

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
