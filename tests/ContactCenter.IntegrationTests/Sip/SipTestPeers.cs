using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ContactCenter.Sip;

namespace ContactCenter.IntegrationTests.Sip;

/// <summary>A scripted SIP peer on a bare UDP socket: the test reads each message and writes each answer itself.</summary>
internal sealed class ScriptedUdpPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly SipMessageParser _parser = new();
    private readonly byte[] _buffer = new byte[65536];

    public ScriptedUdpPeer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The next message that <paramref name="wanted"/> accepts (others, e.g. retransmissions, are skipped).</summary>
    public async Task<(SipMessage Message, IPEndPoint From)> ReceiveAsync(Func<SipMessage, bool> wanted, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var received = await _socket.ReceiveFromAsync(_buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            if (_parser.TryParseDatagram(_buffer.AsSpan(0, received.ReceivedBytes), out var message, out _) && wanted(message!))
            {
                return (message!, (IPEndPoint)received.RemoteEndPoint);
            }
        }
    }

    public Task<(SipMessage Message, IPEndPoint From)> ReceiveRequestAsync(SipMethod method) =>
        ReceiveAsync(m => m is SipRequest r && r.Method == method);

    public Task<(SipMessage Message, IPEndPoint From)> ReceiveResponseAsync(SipMethod method, int status) =>
        ReceiveAsync(m => m is SipResponse r && r.StatusCode == status && r.CSeq?.Method == method);

    public async Task SendAsync(SipMessage message, IPEndPoint to) => await _socket.SendToAsync(message.ToArray(), to);

    public void Dispose() => _socket.Dispose();
}

/// <summary>
/// A UDP relay between a caller and a callee that drops the datagrams a rule picks, to show that retransmissions
/// recover them. The caller sends to <see cref="EndPoint"/>; the callee answers the relay (symmetric responses).
/// </summary>
internal sealed class DroppingUdpRelay : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _callee;
    private readonly Func<SipMessage, bool> _drop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _log = [];
    private IPEndPoint? _caller;

    public DroppingUdpRelay(IPEndPoint callee, Func<SipMessage, bool> drop)
    {
        _callee = callee;
        _drop = drop;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Every datagram seen, as "dropped INVITE" or "passed 200 INVITE".</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        var parser = new SipMessageParser();
        while (!_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            var from = (IPEndPoint)received.RemoteEndPoint;
            var fromCallee = from.Equals(_callee);
            if (!fromCallee)
            {
                _caller = from;
            }

            var datagram = buffer.AsMemory(0, received.ReceivedBytes);
            var described = "?";
            var drop = false;
            if (parser.TryParseDatagram(datagram.Span, out var message, out _))
            {
                described = message is SipRequest request ? request.Method.ToString() : $"{((SipResponse)message!).StatusCode} {message!.CSeq?.Method}";
                drop = _drop(message!);
            }

            lock (_log)
            {
                _log.Add((drop ? "dropped " : "passed ") + described);
            }

            if (!drop && (fromCallee ? _caller : _callee) is { } to)
            {
                await _socket.SendToAsync(datagram, to, _stop.Token);
            }
        }
    }
}

/// <summary>Helpers for running sipp and making test certificates.</summary>
internal static class SipTestTools
{
    public static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Waits (up to 10 s) until another process, such as sipp starting up, has bound <paramref name="port"/> on 127.0.0.1.</summary>
    public static async Task WaitUntilUdpPortIsTakenAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveUdpListeners().Any(l => l.Port == port))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Nothing bound UDP port {port} within 10 s.");
            }

            await Task.Delay(20); // polling an external process's start-up, not a timing assumption
        }
    }

    /// <summary>A TCP port nobody listens on: connecting to it is refused at once.</summary>
    public static int ClosedTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Runs sipp (Debian package sip-tester) with a 60 s safety timeout and returns its exit code and output.</summary>
    public static async Task<(int Exit, string Output)> RunSippAsync(params string[] args)
    {
        var start = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var errors = Path.GetTempFileName();
        foreach (var arg in args.Concat(["-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err", "-error_file", errors]))
        {
            start.ArgumentList.Add(arg);
        }

        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start (install the Debian package sip-tester)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var trace = File.Exists(errors) ? await File.ReadAllTextAsync(errors) : "";
        File.Delete(errors);
        return (process.ExitCode, await stdout + await stderr + trace);
    }

    /// <summary>Writes a sipp scenario to a temporary file and returns its path.</summary>
    public static string WriteScenario(string xml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-sipp-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, xml);
        return path;
    }

    /// <summary>A self-signed certificate for localhost and 127.0.0.1, with its private key, valid for a day.</summary>
    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
