using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Core;

/// <summary>Handles a request that passed the UAS checks; answer it through the transaction.</summary>
public delegate ValueTask SipRequestHandler(SipServerTransaction transaction);

/// <summary>
/// A SIP endpoint: the transport layer, the transaction layer and the UAS core of RFC 3261 §8.2 in one object.
/// Malformed requests are answered with the right 4xx/5xx (a malformed response is dropped); valid requests are
/// checked (405, 416, 420, 415, 400, 482, 483) before they reach <see cref="SipEndpoint(SipEndpointOptions, SipRequestHandler?, ILoggerFactory?, TimeProvider?, IMeterFactory?)">the handler</see>;
/// OPTIONS is answered with Allow, Accept and Supported; requests nobody handles get 480 (INVITE) or 501.
/// </summary>
public sealed class SipEndpoint : ISipTransactionUser, IAsyncDisposable
{
    private readonly SipEndpointOptions _options;
    private readonly SipRequestHandler? _handler;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (string Branch, long At)> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, long At)> _recentOrder = new();
    private readonly SipTransportLayer _transport;
    private readonly SipTransactionLayer _transactions;

    /// <summary>Creates an endpoint; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Transports, timers and the UAS policy.</param>
    /// <param name="handler">Receives valid requests (not ACK, CANCEL or OPTIONS); null to refuse them.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="timeProvider">The clock for every timer; null for the system clock.</param>
    /// <param name="meterFactory">Creates the <c>ContactCenter.Sip</c> meter; null for a private one.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option.</exception>
    public SipEndpoint(
        SipEndpointOptions options,
        SipRequestHandler? handler = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _handler = handler;
        _time = timeProvider ?? TimeProvider.System;
        _transport = new SipTransportLayer(options.Transport, ReceiveAsync, OnMalformedAsync, loggerFactory, _time);
        _transactions = new SipTransactionLayer(_transport, this, options.Transactions, loggerFactory, _time, meterFactory);
    }

    /// <summary>The transport layer, for sending requests and responses outside transactions (ACK for 2xx).</summary>
    public ISipTransport Transport => _transport;

    /// <summary>The transaction layer, for sending requests as a client.</summary>
    public SipTransactionLayer Transactions => _transactions;

    /// <summary>The addresses bound, with the ports the system chose for port 0.</summary>
    public IReadOnlyList<SipListenAddress> LocalAddresses => _transport.LocalAddresses;

    /// <summary>Called for an ACK that matched no transaction (the ACK of a 2xx); null to ignore them.</summary>
    public Func<SipRequest, SipRemote, ValueTask>? AckReceived { get; set; }

    /// <summary>Called for a 2xx to an INVITE whose transaction has ended; null to ignore them.</summary>
    public Func<SipResponse, SipRemote, ValueTask>? StrayResponseReceived { get; set; }

    /// <summary>Called when a CANCEL matched a pending INVITE; null answers the INVITE with 487 at once.</summary>
    public Func<SipServerTransaction, SipRequest, ValueTask>? CancelReceived { get; set; }

    /// <summary>Binds every listen address; a bad or busy one fails here.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _transport.StartAsync(cancellationToken);

    /// <summary>Stops the transports and every transaction timer.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _transactions.Dispose();
    }

    /// <summary>The 200 to an OPTIONS: what this endpoint allows, accepts and supports.</summary>
    public SipResponse CreateOptionsResponse(SipRequest options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ok = options.CreateResponse(200);
        ok.Headers.Add("Allow", string.Join(", ", _options.AllowedMethods));
        ok.Headers.Add("Accept", string.Join(", ", _options.AcceptedContentTypes));
        ok.Headers.Add("Accept-Encoding", string.Join(", ", _options.AcceptedContentEncodings));
        ok.Headers.Add("Supported", string.Join(", ", _options.SupportedExtensions));
        ok.Headers.Add("Server", _options.UserAgent);
        ok.Headers.Add("Content-Length", "0");
        return ok;
    }

    async ValueTask ISipTransactionUser.OnRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var rejection = SipRequestValidator.Reject(request, _options) ?? Merged(transaction);
        if (rejection is not null)
        {
            rejection.Headers.Add("Server", _options.UserAgent);
            await transaction.RespondAsync(rejection);
            return;
        }

        if (request.Method == SipMethod.Options && _handler is null)
        {
            await transaction.RespondAsync(CreateOptionsResponse(request));
            return;
        }

        if (_handler is null)
        {
            await transaction.RespondAsync(request.Method == SipMethod.Invite
                ? request.CreateResponse(480, "Temporarily Unavailable")
                : request.CreateResponse(501, "Not Implemented"));
            return;
        }

        await _handler(transaction);
    }

    async ValueTask ISipTransactionUser.OnCancelAsync(SipServerTransaction invite, SipRequest cancel)
    {
        if (CancelReceived is { } cancelled)
        {
            await cancelled(invite, cancel);
        }
        else if (!invite.IsAnswered)
        {
            await invite.RespondAsync(invite.Request.CreateResponse(487, "Request Terminated"));
        }
    }

    ValueTask ISipTransactionUser.OnAckAsync(SipRequest ack, SipRemote source) =>
        AckReceived?.Invoke(ack, source) ?? ValueTask.CompletedTask;

    ValueTask ISipTransactionUser.OnStrayResponseAsync(SipResponse response, SipRemote source) =>
        StrayResponseReceived?.Invoke(response, source) ?? ValueTask.CompletedTask;

    void ISipTransactionUser.OnAckTimeout(SipServerTransaction invite)
    {
    }

    private ValueTask ReceiveAsync(SipMessage message, SipRemote source) => _transactions.ReceiveAsync(message, source);

    private async ValueTask OnMalformedAsync(SipMalformedMessage malformed)
    {
        if (MalformedRequestResponder.Build(malformed.Error, malformed.Bytes.Span) is not { } response)
        {
            return;
        }

        response.Headers.Add("Server", _options.UserAgent);
        try
        {
            // The Via may be the broken part: answer the packet's source (or its connection).
            await _transport.SendAsync(response, malformed.Source.Protocol, malformed.Source.RemoteEndPoint);
        }
        catch (IOException)
        {
            // The peer is gone; nothing more to do for bytes we could not parse.
        }
    }

    /// <summary>RFC 3261 §8.2.2.2: a request without To tag that matches a recent one but on another branch is a merge (482).</summary>
    private SipResponse? Merged(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.To?.Tag is not null || request.From?.Tag is not { } fromTag || _options.MergedRequestWindow == TimeSpan.Zero)
        {
            return null;
        }

        var now = _time.GetTimestamp();
        ForgetOld();
        var key = $"{fromTag}|{request.CallId}|{request.CSeq}";
        var added = false;
        var seen = _recent.GetOrAdd(key, _ =>
        {
            added = true;
            return (transaction.Branch, now);
        });
        if (added)
        {
            _recentOrder.Enqueue((key, now));
        }

        return seen.Branch == transaction.Branch || _time.GetElapsedTime(seen.At) > _options.MergedRequestWindow
            ? null
            : request.CreateResponse(482, "Loop Detected");
    }

    /// <summary>Drops the entries older than the window, oldest first: amortized constant time per request.</summary>
    private void ForgetOld()
    {
        while (_recentOrder.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.At) > _options.MergedRequestWindow)
        {
            if (_recentOrder.TryDequeue(out oldest))
            {
                _recent.TryRemove(new KeyValuePair<string, (string, long)>(oldest.Key, _recent.GetValueOrDefault(oldest.Key)));
            }
        }
    }
}
