using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace ContactCenter.Sip.Transport;

/// <summary>
/// One TCP or TLS connection: a read loop over a <see cref="PipeReader"/> that parses every message a read
/// holds, answers RFC 5626 CRLF keep-alive pings, and serialized writes. Records why it ended.
/// </summary>
internal sealed class StreamConnection : IAsyncDisposable
{
    private static ReadOnlySpan<byte> Ping => "\r\n\r\n"u8;

    private static readonly ReadOnlyMemory<byte> Pong = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private long _lastActivity;

    public StreamConnection(long id, SipTransportProtocol protocol, Socket socket, Stream stream, bool outbound, TimeProvider time)
    {
        Id = id;
        Protocol = protocol;
        _socket = socket;
        _stream = stream;
        _time = time;
        Outbound = outbound;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        Local = (IPEndPoint)socket.LocalEndPoint!;
        _lastActivity = time.GetTimestamp();
    }

    public long Id { get; }

    public SipTransportProtocol Protocol { get; }

    public bool Outbound { get; }

    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    public SipRemote Source => new(Protocol, Remote, Local, Id);

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Why the connection ended: end of stream, a socket error, a protocol error, idle, shutdown.</summary>
    public string? EndReason { get; private set; }

    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public async Task RunAsync(SipMessageParser parser, SipMessageHandler onMessage, SipMalformedHandler onMalformed, int maxMessageSize)
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closed.Token);
                var buffer = result.Buffer;
                Touch();
                var malformed = false;
                while (true)
                {
                    if (StartsWith(buffer, Ping))
                    {
                        buffer = buffer.Slice(Ping.Length);
                        await SendAsync(Pong, _closed.Token);
                        continue;
                    }

                    if (buffer.Length < Ping.Length && OnlyLineBreaks(buffer))
                    {
                        break; // a ping's first half, or a pong: wait for what follows
                    }

                    if (parser.TryParse(ref buffer, out var message, out var error))
                    {
                        await onMessage(message, Source);
                        continue;
                    }

                    if (error is not null)
                    {
                        var bytes = buffer.Slice(0, Math.Min(buffer.Length, maxMessageSize)).ToArray();
                        await onMalformed(new SipMalformedMessage(error, bytes, Source));
                        Close($"protocol error: {error.Message}");
                        malformed = true;
                    }

                    break;
                }

                if (malformed)
                {
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(OnlyLineBreaks(buffer) ? "closed by the peer" : "closed by the peer in the middle of a message");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            // Closed locally: the reason is already recorded.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            Close($"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        await _writeLock.WaitAsync(linked.Token);
        try
        {
            await _stream.WriteAsync(bytes, linked.Token);
            await _stream.FlushAsync(linked.Token);
            Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close($"send failed: {e.Message}");
            throw new IOException($"SIP {Protocol} connection to {Remote} failed while sending: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Close(string reason)
    {
        lock (_closed)
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            EndReason = reason;
            _closed.Cancel();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        Close("shut down");
        await _stream.DisposeAsync();
        _socket.Dispose();
        _closed.Dispose();
        _writeLock.Dispose();
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());

    private static bool StartsWith(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> prefix)
    {
        if (buffer.Length < prefix.Length)
        {
            return false;
        }

        if (buffer.FirstSpan.Length >= prefix.Length)
        {
            return buffer.FirstSpan.StartsWith(prefix);
        }

        Span<byte> head = stackalloc byte[prefix.Length];
        buffer.Slice(0, prefix.Length).CopyTo(head);
        return head.SequenceEqual(prefix);
    }

    private static bool OnlyLineBreaks(in ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            if (segment.Span.IndexOfAnyExcept((byte)'\r', (byte)'\n') >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
