using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Core;
using ContactCenter.Sip.Transactions;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ContactCenter.Sip.Calls;

/// <summary>
/// A SIP user agent that places and receives calls: a <see cref="SipEndpoint"/> plus INVITE dialogs (RFC 3261
/// §12-15): incoming calls are offered through <see cref="IncomingCall"/>, <see cref="CallAsync"/> places calls
/// (answering a 401/407 challenge once), in-dialog requests reach their <see cref="SipCall"/>, and requests for
/// an unknown dialog get 481. The base a B2BUA is built on.
/// </summary>
public sealed class SipUserAgent : IAsyncDisposable
{
    private readonly SipUserAgentOptions _options;
    private readonly ConcurrentDictionary<string, SipCall> _calls = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>
    /// Creates a user agent; nothing is bound until <see cref="StartAsync"/>. The body types the calls layer reads
    /// (application/dtmf-relay, application/dtmf, message/sipfrag) are added to the endpoint's accepted types.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option.</exception>
    public SipUserAgent(SipUserAgentOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        foreach (var type in (ReadOnlySpan<string>)["application/dtmf-relay", "application/dtmf", "message/sipfrag"])
        {
            // The calls layer reads these bodies (INFO DTMF, NOTIFY of a transfer): the UAS core must let them in.
            if (!options.Endpoint.AcceptedContentTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                options.Endpoint.AcceptedContentTypes.Add(type);
            }
        }

        Time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("ContactCenter.Sip.Calls") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Endpoint = new SipEndpoint(options.Endpoint, HandleRequestAsync, loggerFactory, Time, meterFactory)
        {
            AckReceived = OnAckAsync,
            StrayResponseReceived = OnStrayResponseAsync,
            CancelReceived = OnCancelAsync,
        };
    }

    /// <summary>The endpoint under the calls (its transports, transactions and UAS checks).</summary>
    public SipEndpoint Endpoint { get; }

    /// <summary>Offered each new incoming call; answer, ring or reject it. With no handler, calls get 480.</summary>
    public Func<SipCall, ValueTask>? IncomingCall { get; set; }

    /// <summary>Handles out-of-dialog requests other than INVITE and OPTIONS (REGISTER, MESSAGE, SUBSCRIBE...); null answers 501.</summary>
    public SipRequestHandler? OtherRequest { get; set; }

    /// <summary>The calls not yet terminated.</summary>
    public int ActiveCalls => _calls.Count;

    internal TimeProvider Time { get; }

    internal SipUserAgentOptions Options => _options;

    internal string SupportedHeader => _options.SessionTimer.Enabled ? "100rel, timer, replaces, norefersub" : "100rel, replaces, norefersub";

    internal string AllowHeader => string.Join(", ", _options.Endpoint.AllowedMethods);

    internal TimeSpan T1 => _options.Endpoint.Transactions.T1;

    internal TimeSpan T2 => _options.Endpoint.Transactions.T2;

    internal ISipTransport Transport => Endpoint.Transport;

    internal string UserAgentName => _options.Endpoint.UserAgent;

    /// <summary>Binds every listen address.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Endpoint.StartAsync(cancellationToken);

    /// <summary>Stops listening; calls in progress are dropped without BYE.</summary>
    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    /// <summary>Places a call. The returned call is <see cref="SipCallState.Calling"/>; watch its state or await <see cref="SipCall.Ended"/>.</summary>
    public SipCall Call(SipCallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var localTag = RandomNumberGenerator.GetHexString(16, lowercase: true);
        var invite = BuildInvite(request, localTag, 1, null);
        var call = new SipCall(this, SipCallDirection.Outgoing, invite, request.Destination, localTag);
        call.AddSessionTimerHeaders(invite);
        _calls[call.Key] = call;
        // The ring timer is watched before the INVITE leaves: a peer on loopback can answer before SendInvite returns,
        // and a timer left running would hang up an answered call.
        var ringTimer = Time.CreateTimer(static s => _ = ((SipCall)s!).HangUpAsync().AsTask(), call, _options.RingTimeout, Timeout.InfiniteTimeSpan);
        call.StateChanged += (c, state) =>
        {
            if (state is SipCallState.Answered or SipCallState.Established or SipCallState.Terminated)
            {
                ringTimer.Dispose();
            }
        };
        SendInvite(call, invite, request, authenticated: false);
        return call;
    }

    /// <summary>Places a call and waits until it is answered or ended.</summary>
    public async Task<SipCall> CallAsync(SipCallRequest request, CancellationToken cancellationToken = default)
    {
        var call = Call(request);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, state) =>
        {
            if (state is SipCallState.Established or SipCallState.Terminated)
            {
                answered.TrySetResult();
            }
        };
        if (call.State is SipCallState.Established or SipCallState.Terminated)
        {
            answered.TrySetResult();
        }

        await answered.Task.WaitAsync(cancellationToken);
        return call;
    }

    internal SipClientTransaction SendInDialog(SipRequest request, SipDestination destination) =>
        Endpoint.Transactions.SendRequest(request, destination);

    internal void Forget(SipCall call) => _calls.TryRemove(new KeyValuePair<string, SipCall>(call.Key, call));

    internal string NewVia(SipTransportProtocol protocol)
    {
        var (host, port) = LocalAddress(protocol);
        return string.Create(CultureInfo.InvariantCulture,
            $"SIP/2.0/{protocol.ToViaToken()} {host}:{port};branch={SipTransactionLayer.NewBranch()};rport");
    }

    internal string ContactFor(SipTransportProtocol protocol)
    {
        var (host, port) = LocalAddress(protocol);
        var transport = protocol == SipTransportProtocol.Udp ? "" : ";transport=" + protocol.ToViaToken().ToLowerInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"<sip:{_options.ContactUser}@{host}:{port}{transport}>");
    }

    /// <summary>The next hop of a dialog: its first route, else the remote target, else <paramref name="fallback"/> (RFC 3261 §12.2.1.1, loose routing).</summary>
    internal static SipDestination ResolveNextHop(IReadOnlyList<string> routeSet, AbsoluteUri? remoteTarget, SipDestination fallback)
    {
        AbsoluteUri? next = remoteTarget;
        if (routeSet.Count > 0 && SipNameAddress.Parse(routeSet[0]) is { } route)
        {
            next = route.Uri;
        }

        if (next is not SipUri uri || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return fallback;
        }

        var protocol = SipTransportProtocols.TryParse(uri.Transport, out var p) ? p : uri.IsSecure ? SipTransportProtocol.Tls : fallback.Protocol;
        return new SipDestination(protocol, new IPEndPoint(address, uri.Port ?? protocol.DefaultPort()), fallback.TlsHostName);
    }

    private (string Host, int Port) LocalAddress(SipTransportProtocol protocol)
    {
        var bound = Endpoint.LocalAddresses;
        var address = bound.FirstOrDefault(a => a.Protocol == protocol) ?? (bound.Count > 0 ? bound[0] : null)
            ?? throw new InvalidOperationException("The user agent is not started: no local address to advertise.");
        var ip = address.EndPoint.Address;
        var host = _options.AdvertisedHost
            ?? (ip.Equals(IPAddress.Any) ? "127.0.0.1" : ip.Equals(IPAddress.IPv6Any) ? "[::1]"
                : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString());
        return (host, address.EndPoint.Port);
    }

    private SipRequest BuildInvite(SipCallRequest request, string localTag, uint sequence, string? authorization)
    {
        var protocol = request.Destination.Protocol;
        var (host, _) = LocalAddress(protocol);
        var invite = new SipRequest(SipMethod.Invite, request.Target);
        invite.Headers.Add("Via", NewVia(protocol));
        invite.Headers.Add("Max-Forwards", "70");
        var from = request.From ?? SipUri.Parse($"sip:{_options.ContactUser}@{host}");
        var display = request.FromDisplayName is { } name ? $"\"{name.Replace("\"", "", StringComparison.Ordinal)}\" " : "";
        invite.Headers.Add("From", $"{display}<{from}>;tag={localTag}");
        invite.Headers.Add("To", $"<{request.To ?? request.Target}>");
        invite.Headers.Add("Call-ID", request.CallId ?? $"{Guid.CreateVersion7():N}@{host}");
        invite.Headers.Add("CSeq", new SipCSeq(sequence, SipMethod.Invite).ToString());
        invite.Headers.Add("Contact", ContactFor(protocol));
        invite.Headers.Add("Allow", AllowHeader);
        invite.Headers.Add("Supported", SupportedHeader);
        invite.Headers.Add("User-Agent", UserAgentName);
        if (authorization is not null)
        {
            invite.Headers.Add(authorization.StartsWith("Proxy", StringComparison.Ordinal) ? "Proxy-Authorization" : "Authorization",
                authorization[(authorization.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
        }

        foreach (var header in request.Headers)
        {
            invite.Headers.Add(header.Name, header.Value);
        }

        if (!request.Sdp.IsEmpty)
        {
            invite.Headers.Add("Content-Type", "application/sdp");
            invite.Body = request.Sdp;
        }

        return invite;
    }

    private void SendInvite(SipCall call, SipRequest invite, SipCallRequest request, bool authenticated)
    {
        var transaction = Endpoint.Transactions.SendRequest(invite, request.Destination, response =>
        {
            if (response.StatusCode is 401 or 407 && !authenticated && request.Credentials is { } credentials)
            {
                var header = response.StatusCode == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
                var challenges = response.Headers.GetValues(header);
                var challenge = challenges.Select(v => DigestChallenge.TryParse(v, out var c, out _) ? c : null).FirstOrDefault(c => c is not null);
                if (challenge is not null)
                {
                    var answer = DigestCredentials.Answer(challenge, credentials.User, credentials.Password, "INVITE", request.Target.ToString());
                    var prefix = response.StatusCode == 401 ? "Authorization: " : "Proxy-Authorization: ";
                    var retry = BuildInvite(request with { CallId = call.CallId }, call.LocalTag, invite.CSeq!.Sequence + 1, prefix + answer);
                    call.AddSessionTimerHeaders(retry);
                    call.ReplaceInvite(retry);
                    SendInvite(call, retry, request, authenticated: true);
                    return;
                }
            }

            if (response.StatusCode == 422 && _options.SessionTimer.Enabled && MinSE(response) is { } minSe
                && minSe > AskedInterval(invite))
            {
                // RFC 4028 §7.3: the interval was too small for the peer: ask again with its Min-SE.
                call.RaiseRequestedInterval(minSe);
                var retry = BuildInvite(request with { CallId = call.CallId }, call.LocalTag, invite.CSeq!.Sequence + 1, null);
                foreach (var name in (ReadOnlySpan<string>)["Authorization", "Proxy-Authorization"])
                {
                    if (invite.Headers[name] is { } sent)
                    {
                        retry.Headers.Add(name, sent);
                    }
                }

                call.AddSessionTimerHeaders(retry);
                call.ReplaceInvite(retry);
                SendInvite(call, retry, request, authenticated);
                return;
            }

            call.OnInviteResponse(response);
        });
        call.AttachOutgoing(transaction);
        _ = transaction.FinalResponse.ContinueWith(t => call.OnOutcome(transaction.Outcome), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private async ValueTask HandleRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.To?.Tag is { } toTag)
        {
            if (_calls.TryGetValue(SipCall.DialogKey(request.CallId ?? "", toTag), out var call))
            {
                // Off the receive loop, in order per dialog: a handler may wait for the network.
                call.Enqueue(transaction);
            }
            else
            {
                await transaction.RespondAsync(request.CreateResponse(481, "Call/Transaction Does Not Exist"));
            }

            return;
        }

        if (request.Method != SipMethod.Invite)
        {
            if (request.Method == SipMethod.Options)
            {
                await transaction.RespondAsync(Endpoint.CreateOptionsResponse(request));
            }
            else if (OtherRequest is { } other)
            {
                await other(transaction);
            }
            else
            {
                await transaction.RespondAsync(request.CreateResponse(501, "Not Implemented"));
            }

            return;
        }

        var replaced = SipCall.MatchReplaces(request, FindCall, out var rejection);
        var terms = rejection is null ? SipCall.NegotiateAsUas(request, _options.SessionTimer, out rejection) : null;
        if (rejection is not null)
        {
            await transaction.RespondAsync(rejection);
            return;
        }

        var localTag = RandomNumberGenerator.GetHexString(16, lowercase: true);
        var fallback = new SipDestination(transaction.Source.Protocol, transaction.Source.RemoteEndPoint);
        var incoming = new SipCall(this, SipCallDirection.Incoming, request, fallback, localTag);
        incoming.LearnFromInvite(request);
        incoming.UseReliableProvisionals(_options.PreferReliableProvisionals);
        incoming.OfferSessionTimer(terms);
        incoming.Replaces = replaced;
        if (transaction.Source.Protocol == SipTransportProtocol.Udp && _options.Endpoint.Transport.SymmetricResponses)
        {
            incoming.PreferSource(fallback);
        }

        incoming.AttachIncoming(transaction);
        _calls[incoming.Key] = incoming;
        if (IncomingCall is { } offer)
        {
            // Not awaited: the application may place calls or wait for PRACKs before answering, while the
            // receive loop goes on reading (the handler's synchronous start still runs here, with no thread hop).
            _ = OfferAsync(incoming, offer);
        }
        else
        {
            await incoming.RejectAsync(480, "Temporarily Unavailable");
        }
    }

    internal ILogger Logger => _logger;

    private async Task OfferAsync(SipCall call, Func<SipCall, ValueTask> offer)
    {
        try
        {
            await offer(call);
        }
#pragma warning disable CA1031 // An application handler's failure must end only its call, never the agent.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (e is InvalidOperationException && call.State == SipCallState.Terminated)
            {
                // The caller cancelled (or the call failed) while the handler ran: an ordinary race.
                CallLog.RequestFailed(_logger, call.CallId, "INVITE", e.Message);
                return;
            }

            CallLog.HandlerFailed(_logger, e, call.CallId, "IncomingCall");
            if (call.State is SipCallState.Calling or SipCallState.Ringing)
            {
                await call.HangUpQuietlyAsync(500, "Server Internal Error");
            }
        }
    }

    private SipCall? FindCall(string callId, string localTag) =>
        _calls.TryGetValue(SipCall.DialogKey(callId, localTag), out var call) ? call : null;

    private static uint AskedInterval(SipRequest invite) =>
        uint.TryParse(invite.SessionExpires?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;

    private static uint? MinSE(SipResponse response)
    {
        try
        {
            return response.MinSE;
        }
        catch (SipHeaderFormatException)
        {
            return null;
        }
    }

    private ValueTask OnAckAsync(SipRequest ack, SipRemote source)
    {
        if (ack.To?.Tag is { } tag && _calls.TryGetValue(SipCall.DialogKey(ack.CallId ?? "", tag), out var call))
        {
            call.OnAck(ack);
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask OnStrayResponseAsync(SipResponse response, SipRemote source)
    {
        if (response.From?.Tag is { } tag && _calls.TryGetValue(SipCall.DialogKey(response.CallId ?? "", tag), out var call))
        {
            call.OnInviteResponse(response); // re-ACK a retransmitted 2xx
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask OnCancelAsync(SipServerTransaction invite, SipRequest cancel)
    {
        if (!invite.IsAnswered)
        {
            try
            {
                await invite.RespondAsync(invite.Request.CreateResponse(487, "Request Terminated",
                    invite.LastResponse?.To?.Tag));
            }
            catch (InvalidOperationException)
            {
                // Answered in the meantime: the 200 crossed the CANCEL; the call goes on.
                return;
            }
        }

        foreach (var call in _calls.Values)
        {
            if (call.Direction == SipCallDirection.Incoming && ReferenceEquals(call.InitialInvite, invite.Request))
            {
                call.OnCancel();
            }
        }
    }
}
