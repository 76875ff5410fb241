using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Sip.Transport;

/// <summary>
/// The SIP transport layer (RFC 3261 §18): listens on UDP, TCP and TLS end points (IPv4 and IPv6, several at
/// once), runs one receive loop per socket or connection over System.IO.Pipelines, parses every message a read
/// holds, stamps <c>received</c>/<c>rport</c> on requests (RFC 3581), sends requests and responses (reusing
/// connections, §18.2.2 for responses), answers CRLF keep-alives (RFC 5626) and closes idle connections.
/// </summary>
public sealed class SipTransportLayer : ISipTransport, IAsyncDisposable
{
    private readonly SipTransportOptions _options;
    private readonly SipMessageHandler _onMessage;
    private readonly SipMalformedHandler _onMalformed;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SipMessageParser _parser;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _udpSockets = [];
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly List<SipListenAddress> _bound = [];
    private readonly ConcurrentDictionary<long, StreamConnection> _connections = new();
    private readonly ConcurrentDictionary<(SipTransportProtocol, IPEndPoint), StreamConnection> _byRemote = new();
    private readonly ConcurrentDictionary<(SipTransportProtocol, IPEndPoint), Task<StreamConnection>> _connecting = new();
    private ITimer? _idleSweep;
    private long _nextConnectionId;
    private int _started;

    /// <summary>Creates a transport layer; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Listen addresses and limits.</param>
    /// <param name="onMessage">Receives every parsed message.</param>
    /// <param name="onMalformed">Receives unparseable input; null to only log it.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="timeProvider">The clock for idle timeouts; null for the system clock.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option.</exception>
    public SipTransportLayer(
        SipTransportOptions options,
        SipMessageHandler onMessage,
        SipMalformedHandler? onMalformed = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onMessage);
        options.Validate();
        _options = options;
        _onMessage = onMessage;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ContactCenter.Sip.Transport");
        _onMalformed = onMalformed ?? (m =>
        {
            TransportLog.Malformed(_logger, m.Source.Protocol, m.Source.RemoteEndPoint, m.Error);
            return ValueTask.CompletedTask;
        });
        _time = timeProvider ?? TimeProvider.System;
        _parser = new SipMessageParser(options.Parser);
    }

    /// <summary>The addresses bound by <see cref="StartAsync"/>, with the ports the system chose for port 0.</summary>
    public IReadOnlyList<SipListenAddress> LocalAddresses => _bound;

    /// <summary>The number of open TCP and TLS connections.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Binds every listen address and starts the receive loops. A bad or busy address fails here.</summary>
    /// <exception cref="SocketException">An address could not be bound; the message names it.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The SIP transport layer is already started.");
        }

        foreach (var address in _options.Listen)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socket = new Socket(address.EndPoint.AddressFamily, address.Protocol == SipTransportProtocol.Udp ? SocketType.Dgram : SocketType.Stream,
                address.Protocol == SipTransportProtocol.Udp ? ProtocolType.Udp : ProtocolType.Tcp);
            try
            {
                if (address.EndPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false;
                }

                socket.Bind(address.EndPoint);
                if (address.Protocol == SipTransportProtocol.Udp)
                {
                    socket.ReceiveBufferSize = _options.UdpSocketBufferSize;
                    socket.SendBufferSize = _options.UdpSocketBufferSize;
                }
                else
                {
                    socket.Listen(512);
                }
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new SocketException((int)e.SocketErrorCode, $"Cannot listen on {address}: {e.Message}");
            }

            var bound = address with { EndPoint = (IPEndPoint)socket.LocalEndPoint! };
            _bound.Add(bound);
            TransportLog.Listening(_logger, bound);
            if (address.Protocol == SipTransportProtocol.Udp)
            {
                _udpSockets.Add(socket);
                _loops.Add(Task.Run(() => UdpLoopAsync(socket, bound), CancellationToken.None));
            }
            else
            {
                _listeners.Add(socket);
                _loops.Add(Task.Run(() => AcceptLoopAsync(socket, bound), CancellationToken.None));
            }
        }

        var sweep = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, Math.Min(_options.ConnectionIdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond * 30)));
        _idleSweep = _time.CreateTimer(_ => CloseIdleConnections(), null, sweep, sweep);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Sends a message to <paramref name="remote"/> over <paramref name="protocol"/>. For TCP and TLS an open
    /// connection to that address is reused, otherwise one is opened (and kept for later messages).
    /// </summary>
    /// <param name="message">The request or response.</param>
    /// <param name="protocol">The transport.</param>
    /// <param name="remote">The destination address and port.</param>
    /// <param name="tlsHostName">For TLS: the name to validate the server certificate against (default: the address).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="IOException">The connection could not be opened or failed while sending.</exception>
    public async ValueTask SendAsync(
        SipMessage message, SipTransportProtocol protocol, IPEndPoint remote, string? tlsHostName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(remote);
        _options.Trace?.Invoke(true, message, protocol, remote);
        using var writer = new PooledBufferWriter();
        message.WriteTo(writer);
        if (protocol == SipTransportProtocol.Udp)
        {
            await SendDatagramAsync(writer.WrittenMemory, remote, cancellationToken);
            return;
        }

        var connection = await GetOrOpenConnectionAsync(protocol, remote, tlsHostName, cancellationToken);
        await connection.SendAsync(writer.WrittenMemory, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return SendAsync(message, destination.Protocol, destination.EndPoint, destination.TlsHostName, cancellationToken);
    }

    /// <summary>
    /// Sends a response to the request that arrived from <paramref name="requestSource"/>, per RFC 3261 §18.2.2
    /// and RFC 3581: over the same connection while it is open; otherwise to the top Via's <c>maddr</c>, or its
    /// <c>received</c> address and <c>rport</c> (or sent-by port).
    /// </summary>
    /// <exception cref="ArgumentException">The response has no Via header.</exception>
    public async ValueTask SendResponseAsync(SipResponse response, SipRemote requestSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var writer = new PooledBufferWriter();
        response.WriteTo(writer);
        if (requestSource.Protocol.IsReliable()
            && _connections.TryGetValue(requestSource.ConnectionId, out var connection) && !connection.IsClosed)
        {
            _options.Trace?.Invoke(true, response, requestSource.Protocol, connection.Remote);
            await connection.SendAsync(writer.WrittenMemory, cancellationToken);
            return;
        }

        var destination = _options.SymmetricResponses && requestSource.Protocol == SipTransportProtocol.Udp && response.TopVia?.Maddr is null
            ? requestSource.RemoteEndPoint
            : ResponseDestination(response, requestSource);
        _options.Trace?.Invoke(true, response, requestSource.Protocol, destination);
        if (requestSource.Protocol == SipTransportProtocol.Udp)
        {
            await SendDatagramAsync(writer.WrittenMemory, destination, cancellationToken);
            return;
        }

        var reopened = await GetOrOpenConnectionAsync(requestSource.Protocol, destination, null, cancellationToken);
        await reopened.SendAsync(writer.WrittenMemory, cancellationToken);
    }

    /// <summary>Stops every loop and closes every socket and connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _idleSweep?.Dispose();
        foreach (var socket in _udpSockets.Concat(_listeners))
        {
            socket.Close();
        }

        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync();
        }

        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    internal static IPEndPoint ResponseDestination(SipResponse response, SipRemote requestSource)
    {
        var via = response.TopVia ?? throw new ArgumentException("The response has no Via header.", nameof(response));
        var port = via.Port ?? requestSource.Protocol.DefaultPort();
        if (via.Maddr is { } maddr && IPAddress.TryParse(maddr, out var multicast))
        {
            return new IPEndPoint(multicast, port);
        }

        var host = via.Received ?? via.Host;
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            // A sent-by name and no received: the request came from the packet's source.
            address = requestSource.RemoteEndPoint.Address;
        }

        return new IPEndPoint(address, via.RPort ?? port);
    }

    /// <summary>Adds <c>received</c> (and <c>rport</c> when asked for) to a request's top Via (RFC 3261 §18.2.1, RFC 3581).</summary>
    internal static void StampReceived(SipRequest request, IPEndPoint source)
    {
        var vias = request.Via;
        if (vias.Count == 0)
        {
            return;
        }

        var top = vias[0];
        var sourceAddress = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        var sentByMatches = IPAddress.TryParse(top.Host.Trim('[', ']'), out var sentBy) && sentBy.Equals(sourceAddress);
        if (sentByMatches && !top.HasRPort)
        {
            return;
        }

        var stamped = top.WithParameter("received", sourceAddress.ToString());
        if (top.HasRPort)
        {
            stamped = stamped.WithParameter("rport", source.Port.ToString(CultureInfo.InvariantCulture));
        }

        var headers = request.Headers;
        var first = -1;
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i].Name;
            if (string.Equals(name, "Via", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "v", StringComparison.OrdinalIgnoreCase))
            {
                first = i;
                break;
            }
        }

        headers.Remove("Via");
        headers.Insert(first, "Via", stamped.ToString());
        for (var i = 1; i < vias.Count; i++)
        {
            headers.Insert(first + i, "Via", vias[i].ToString());
        }
    }

    private async Task UdpLoopAsync(Socket socket, SipListenAddress bound)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65_536);
        var any = new IPEndPoint(bound.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var reason = "shut down";
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error for an earlier send, or an oversized datagram: not this socket's end
            }
            catch (SocketException e)
            {
                reason = $"socket error {e.SocketErrorCode}: {e.Message}";
                break;
            }

            var source = new SipRemote(SipTransportProtocol.Udp, (IPEndPoint)received.RemoteEndPoint, bound.EndPoint, 0);
            await DispatchDatagramAsync(buffer.AsMemory(0, received.ReceivedBytes), source);
        }

        if (!_stopping.IsCancellationRequested)
        {
            TransportLog.ReceiveLoopEnded(_logger, SipTransportProtocol.Udp, bound.EndPoint, reason);
        }
    }

    private async ValueTask DispatchDatagramAsync(ReadOnlyMemory<byte> datagram, SipRemote source)
    {
        if (_parser.TryParseDatagram(datagram.Span, out var message, out var error))
        {
            await DeliverAsync(message, source);
        }
        else if (error is not null)
        {
            await ReportMalformedAsync(new SipMalformedMessage(error, datagram.ToArray(), source));
        }
    }

    private async ValueTask DeliverAsync(SipMessage message, SipRemote source)
    {
        try
        {
            if (message is SipRequest request)
            {
                StampReceived(request, source.RemoteEndPoint);
            }

            _options.Trace?.Invoke(false, message, source.Protocol, source.RemoteEndPoint);

            await _onMessage(message, source);
        }
#pragma warning disable CA1031 // A handler's failure must never end a receive loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransportLog.HandlerFailed(_logger, e, source.RemoteEndPoint);
        }
    }

    private async ValueTask ReportMalformedAsync(SipMalformedMessage malformed)
    {
        try
        {
            await _onMalformed(malformed);
        }
#pragma warning disable CA1031 // A handler's failure must never end a receive loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransportLog.HandlerFailed(_logger, e, malformed.Source.RemoteEndPoint);
        }
    }

    private async Task AcceptLoopAsync(Socket listener, SipListenAddress bound)
    {
        var reason = "shut down";
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                reason = $"socket error {e.SocketErrorCode}: {e.Message}";
                break;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                TransportLog.ConnectionLimit(_logger, (IPEndPoint)accepted.RemoteEndPoint!, _connections.Count);
                accepted.Close();
                continue;
            }

            accepted.NoDelay = true;
            _ = Task.Run(() => AcceptConnectionAsync(accepted, bound.Protocol));
        }

        if (!_stopping.IsCancellationRequested)
        {
            TransportLog.ReceiveLoopEnded(_logger, bound.Protocol, bound.EndPoint, reason);
        }
    }

    private async Task AcceptConnectionAsync(Socket socket, SipTransportProtocol protocol)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (protocol == SipTransportProtocol.Tls)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(_options.ConnectTimeout);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificate = _options.Certificate, ClientCertificateRequired = false }, timeout.Token);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException)
            {
                TransportLog.SendFailed(_logger, protocol, (IPEndPoint)socket.RemoteEndPoint!, $"TLS handshake failed: {e.Message}");
                await tls.DisposeAsync();
                socket.Dispose();
                return;
            }

            stream = tls;
        }

        var connection = Register(protocol, socket, stream, outbound: false);
        await RunConnectionAsync(connection);
    }

    private StreamConnection Register(SipTransportProtocol protocol, Socket socket, Stream stream, bool outbound)
    {
        var connection = new StreamConnection(Interlocked.Increment(ref _nextConnectionId), protocol, socket, stream, outbound, _time);
        _connections[connection.Id] = connection;
        _byRemote[(protocol, connection.Remote)] = connection;
        TransportLog.ConnectionOpened(_logger, protocol, connection.Id, connection.Remote, outbound ? "outbound" : "inbound");
        return connection;
    }

    private async Task RunConnectionAsync(StreamConnection connection)
    {
        try
        {
            await connection.RunAsync(
                _parser,
                DeliverAsync,
                ReportMalformedAsync,
                _options.Parser.MaxMessageSize);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            _byRemote.TryRemove(new KeyValuePair<(SipTransportProtocol, IPEndPoint), StreamConnection>((connection.Protocol, connection.Remote), connection));
            TransportLog.ConnectionClosed(_logger, connection.Protocol, connection.Id, connection.Remote, connection.EndReason ?? "shut down");
            await connection.DisposeAsync();
        }
    }

    private async ValueTask<StreamConnection> GetOrOpenConnectionAsync(
        SipTransportProtocol protocol, IPEndPoint remote, string? tlsHostName, CancellationToken cancellationToken)
    {
        if (_byRemote.TryGetValue((protocol, remote), out var existing) && !existing.IsClosed)
        {
            return existing;
        }

        var pending = _connecting.GetOrAdd((protocol, remote), key => OpenConnectionAsync(key.Item1, key.Item2, tlsHostName));
        try
        {
            return await pending.WaitAsync(cancellationToken);
        }
        finally
        {
            if (pending.IsCompleted)
            {
                _connecting.TryRemove(new KeyValuePair<(SipTransportProtocol, IPEndPoint), Task<StreamConnection>>((protocol, remote), pending));
            }
        }
    }

    private async Task<StreamConnection> OpenConnectionAsync(SipTransportProtocol protocol, IPEndPoint remote, string? tlsHostName)
    {
        if (_connections.Count >= _options.MaxConnections)
        {
            throw new IOException($"Cannot open a SIP {protocol} connection to {remote}: {_connections.Count} connections are open, the limit.");
        }

        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        Stream stream;
        try
        {
            await socket.ConnectAsync(remote, timeout.Token);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (protocol == SipTransportProtocol.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = tlsHostName ?? remote.Address.ToString(),
                        RemoteCertificateValidationCallback = _options.ServerCertificateValidation,
                    },
                    timeout.Token);
                stream = tls;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            socket.Dispose();
            var why = e is OperationCanceledException ? $"no answer within {_options.ConnectTimeout.TotalSeconds:0.#} s" : e.Message;
            TransportLog.SendFailed(_logger, protocol, remote, why);
            throw new IOException($"Cannot open a SIP {protocol} connection to {remote}: {why}", e);
        }

        var connection = Register(protocol, socket, stream, outbound: true);
        _ = Task.Run(() => RunConnectionAsync(connection));
        return connection;
    }

    private async ValueTask SendDatagramAsync(ReadOnlyMemory<byte> bytes, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = _udpSockets.FirstOrDefault(s => s.AddressFamily == remote.AddressFamily)
            ?? throw new IOException($"Cannot send to udp:{remote}: no UDP listen address of that address family.");
        try
        {
            await socket.SendToAsync(bytes, SocketFlags.None, remote, cancellationToken);
        }
        catch (SocketException e)
        {
            TransportLog.SendFailed(_logger, SipTransportProtocol.Udp, remote, e.Message);
            throw new IOException($"Cannot send to udp:{remote}: {e.Message}", e);
        }
    }

    private void CloseIdleConnections()
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.Idle >= _options.ConnectionIdleTimeout)
            {
                connection.Close($"idle for {_options.ConnectionIdleTimeout.TotalSeconds:0} s");
            }
        }
    }
}
