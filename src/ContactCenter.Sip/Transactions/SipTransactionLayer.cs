using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using ContactCenter.Sip.Diagnostics;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactCenter.Sip.Transactions;

/// <summary>
/// The SIP transaction layer (RFC 3261 §17, RFC 6026, RFC 4320): matches every message to its client or server
/// transaction (by branch, with the RFC 2543 fallback for requests without the magic cookie), runs the four state
/// machines on <see cref="TimeProvider"/> timers (no polling thread, one pair of timers per transaction), and hands
/// new requests, CANCELs, ACKs for 2xx and stray responses to the transaction user.
/// </summary>
public sealed class SipTransactionLayer : IDisposable
{
    private readonly ConcurrentDictionary<string, SipClientTransaction> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipServerTransaction> _servers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Creates a transaction layer over <paramref name="transport"/>.</summary>
    /// <param name="transport">Sends messages (usually a <see cref="SipTransportLayer"/>).</param>
    /// <param name="user">The transaction user that receives requests and stray messages.</param>
    /// <param name="options">Timers and limits; null for the RFC defaults.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="timeProvider">The clock for every timer; null for the system clock.</param>
    /// <param name="meterFactory">Creates the <c>ContactCenter.Sip</c> meter; null for a private one.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option.</exception>
    public SipTransactionLayer(
        ISipTransport transport,
        ISipTransactionUser user,
        SipTransactionOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(user);
        Options = options ?? new SipTransactionOptions();
        Options.Validate();
        Transport = transport;
        User = user;
        Time = timeProvider ?? TimeProvider.System;
        Telemetry = new SipTelemetry(meterFactory);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ContactCenter.Sip.Transactions");
    }

    /// <summary>The number of transactions not yet terminated.</summary>
    public int ActiveTransactions => _clients.Count + _servers.Count;

    internal SipTransactionOptions Options { get; }

    internal ISipTransport Transport { get; }

    internal ISipTransactionUser User { get; }

    internal TimeProvider Time { get; }

    internal SipTelemetry Telemetry { get; }

    /// <summary>A new RFC 3261 branch: the magic cookie and 96 random bits, unique across nodes.</summary>
    public static string NewBranch() => SipVia.MagicCookie + RandomNumberGenerator.GetHexString(24, lowercase: true);

    /// <summary>
    /// Sends a request in a new client transaction. The request's top Via must carry an RFC 3261 branch
    /// (see <see cref="NewBranch"/>); it identifies the transaction.
    /// </summary>
    /// <param name="request">The request (not ACK: an ACK for a 2xx is sent straight through the transport).</param>
    /// <param name="destination">Where to send it.</param>
    /// <param name="onResponse">Called for every response: provisional, final, and further 2xx to an INVITE.</param>
    /// <exception cref="ArgumentException">The request is an ACK or has no RFC 3261 branch, or one in use.</exception>
    public SipClientTransaction SendRequest(SipRequest request, SipDestination destination, Action<SipResponse>? onResponse = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(destination);
        if (request.Method == SipMethod.Ack)
        {
            throw new ArgumentException("An ACK is not sent in a transaction: send the ACK for a 2xx through the transport.", nameof(request));
        }

        if (request.TopVia is not { HasRfc3261Branch: true } via)
        {
            throw new ArgumentException("The request's top Via needs a branch starting with z9hG4bK (use SipTransactionLayer.NewBranch()).", nameof(request));
        }

        var key = ClientKey(via.Branch!, request.Method);
        var transaction = new SipClientTransaction(this, key, request, destination, onResponse);
        if (!_clients.TryAdd(key, transaction))
        {
            throw new ArgumentException($"A {request.Method} transaction with branch {via.Branch} is already running.", nameof(request));
        }

        Started(request.Method, client: true);
        transaction.Start();
        return transaction;
    }

    /// <summary>
    /// Cancels an INVITE (RFC 3261 §9.1): the CANCEL goes out once the INVITE got a provisional response, at once if
    /// it already has. Returns false when the INVITE already has its final response.
    /// </summary>
    public bool Cancel(SipClientTransaction invite)
    {
        ArgumentNullException.ThrowIfNull(invite);
        if (!invite.RequestCancel(out var sendNow))
        {
            return false;
        }

        if (sendNow)
        {
            SendCancel(invite);
        }

        return true;
    }

    /// <summary>Feeds a message from the transport (wire this to the transport's message handler).</summary>
    public async ValueTask ReceiveAsync(SipMessage message, SipRemote source)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is SipResponse response)
        {
            await ReceiveResponseAsync(response, source);
        }
        else if (message is SipRequest request)
        {
            await ReceiveRequestAsync(request, source);
        }
    }

    /// <summary>Stops every timer; transactions in flight are dropped.</summary>
    public void Dispose()
    {
        foreach (var t in _clients.Values)
        {
            t.TerminateForShutdown();
        }

        foreach (var t in _servers.Values)
        {
            t.TerminateForShutdown();
        }

        Telemetry.Dispose();
    }

    /// <summary>A response made here, not received: timeouts (408), transport errors (503), overload (503).</summary>
    internal static SipResponse LocalResponse(SipRequest request, int code, string reason)
    {
        var response = new SipResponse(code, reason);
        foreach (var name in (ReadOnlySpan<string>)["Via", "From", "To", "Call-ID", "CSeq"])
        {
            foreach (var value in request.Headers.GetValues(name))
            {
                response.Headers.Add(name, value);
            }
        }

        return response;
    }

    internal void Remove(SipTransaction transaction)
    {
        var removed = transaction switch
        {
            SipClientTransaction c => _clients.TryRemove(new KeyValuePair<string, SipClientTransaction>(c.Key, c)),
            SipServerTransaction s => _servers.TryRemove(new KeyValuePair<string, SipServerTransaction>(s.Key, s)),
            _ => false,
        };
        if (removed)
        {
            Telemetry.TransactionsActive.Add(-1);
        }
    }

    internal void SendFailed(SipTransaction transaction, Exception error) =>
        TransactionLog.SendFailed(_logger, transaction.Request.Method.Name, transaction.Branch, error.Message);

    internal void SendCancel(SipClientTransaction invite)
    {
        var original = invite.Request;
        var cancel = new SipRequest(SipMethod.Cancel, original.RequestUri);
        cancel.Headers.Add("Via", original.TopVia!.ToString());
        foreach (var route in original.Headers.GetValues("Route"))
        {
            cancel.Headers.Add("Route", route);
        }

        cancel.Headers.Add("Max-Forwards", "70");
        cancel.Headers.Add("From", original.Headers["From"]!);
        cancel.Headers.Add("To", original.Headers["To"]!);
        cancel.Headers.Add("Call-ID", original.Headers["Call-ID"]!);
        cancel.Headers.Add("CSeq", new SipCSeq(original.CSeq!.Sequence, SipMethod.Cancel).ToString());
        cancel.Headers.Add("Content-Length", "0");
        try
        {
            SendRequest(cancel, invite.Destination);
        }
        catch (ArgumentException)
        {
            // A CANCEL for this INVITE is already running.
        }
    }

    private async ValueTask ReceiveResponseAsync(SipResponse response, SipRemote source)
    {
        var branch = response.TopVia?.Branch;
        var method = response.CSeq?.Method;
        if (branch is not null && method is not null && _clients.TryGetValue(ClientKey(branch, method), out var transaction))
        {
            transaction.OnResponse(response);
            return;
        }

        if (method == SipMethod.Invite && response.IsSuccess)
        {
            await CallUserAsync(() => User.OnStrayResponseAsync(response, source), "INVITE", branch ?? "");
            return;
        }

        TransactionLog.StrayResponse(_logger, response.StatusCode, method?.Name ?? "?", branch ?? "");
    }

    private async ValueTask ReceiveRequestAsync(SipRequest request, SipRemote source)
    {
        var key = ServerKey(request, request.Method == SipMethod.Ack ? SipMethod.Invite : request.Method);
        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRequest(request);
            return;
        }

        if (request.Method == SipMethod.Ack)
        {
            await CallUserAsync(() => User.OnAckAsync(request, source), "ACK", request.TopVia?.Branch ?? "");
            return;
        }

        var transaction = new SipServerTransaction(this, key, request, source);
        if (ActiveTransactions >= Options.MaxTransactions)
        {
            TransactionLog.Overloaded(_logger, Options.MaxTransactions, request.Method.Name, source.RemoteEndPoint);
            var busy = LocalResponse(request, 503, "Service Unavailable");
            busy.Headers.Add("Retry-After", "5");
            await SendQuietlyAsync(busy, source);
            return;
        }

        if (!_servers.TryAdd(key, transaction))
        {
            // The same request arrived twice at once: the other copy created the transaction.
            if (_servers.TryGetValue(key, out existing))
            {
                existing.OnRequest(request);
            }

            return;
        }

        Started(request.Method, client: false);
        if (request.Method == SipMethod.Cancel)
        {
            await ReceiveCancelAsync(transaction, request);
            return;
        }

        if (request.Method == SipMethod.Invite)
        {
            // RFC 3261 §17.2.1: answer 100 at once so the client stops retransmitting.
            await SendQuietlyAsync(transaction, LocalResponse(request, 100, "Trying"));
        }

        await CallUserAsync(() => User.OnRequestAsync(transaction), request.Method.Name, transaction.Branch);
    }

    private async ValueTask ReceiveCancelAsync(SipServerTransaction cancel, SipRequest request)
    {
        if (!_servers.TryGetValue(ServerKey(request, SipMethod.Invite), out var invite))
        {
            await SendQuietlyAsync(cancel, request.CreateResponse(481, "Call/Transaction Does Not Exist"));
            return;
        }

        await SendQuietlyAsync(cancel, request.CreateResponse(200, null, invite.LastResponse?.To?.Tag));
        if (!invite.IsAnswered)
        {
            await CallUserAsync(() => User.OnCancelAsync(invite, request), "CANCEL", cancel.Branch);
        }
    }

    private async ValueTask SendQuietlyAsync(SipServerTransaction transaction, SipResponse response)
    {
        try
        {
            await transaction.RespondAsync(response);
        }
        catch (IOException e)
        {
            SendFailed(transaction, e);
        }
    }

    private async ValueTask SendQuietlyAsync(SipResponse response, SipRemote source)
    {
        try
        {
            await Transport.SendResponseAsync(response, source);
        }
        catch (IOException e)
        {
            TransactionLog.SendFailed(_logger, response.CSeq?.Method.Name ?? "?", response.TopVia?.Branch ?? "", e.Message);
        }
    }

    private async ValueTask CallUserAsync(Func<ValueTask> call, string method, string branch)
    {
        try
        {
            await call();
        }
#pragma warning disable CA1031 // The TU's failure must not end the receive loop that called us.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransactionLog.UserFailed(_logger, e, method, branch);
        }
    }

    private void Started(SipMethod method, bool client)
    {
        Telemetry.TransactionsActive.Add(1);
        Telemetry.TransactionsStarted.Add(1, new KeyValuePair<string, object?>("sip.transaction.kind",
            (client ? "client-" : "server-") + (method == SipMethod.Invite ? "invite" : "non-invite")));
    }

    private static string ClientKey(string branch, SipMethod method) => branch + "|" + method.Name;

    /// <summary>
    /// RFC 3261 §17.2.3: branch, sent-by and method when the branch has the magic cookie, plus Call-ID and CSeq
    /// number, which a retransmission (and the ACK or CANCEL of an INVITE) always shares: a client that reuses a
    /// branch for a new request then gets a new transaction rather than the old one's response. Without the cookie,
    /// the RFC 2543 rule (Request-URI, From tag, Call-ID, CSeq number, top Via; the To tag is left out so the ACK
    /// finds its INVITE).
    /// </summary>
    internal static string ServerKey(SipRequest request, SipMethod method)
    {
        var via = request.TopVia;
        if (via is { HasRfc3261Branch: true })
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{via.Branch}|{via.Host}:{via.Port}|{method.Name}|{request.CallId}|{request.CSeq?.Sequence}");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"2543|{request.RequestUri}|{request.From?.Tag}|{request.CallId}|{request.CSeq?.Sequence}|{via}|{method.Name}");
    }
}
