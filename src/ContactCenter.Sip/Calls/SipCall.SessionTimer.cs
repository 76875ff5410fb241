using System.Globalization;

namespace ContactCenter.Sip.Calls;

/// <summary>Session timers (RFC 4028): negotiation, refresh at half the interval, BYE when the session expires.</summary>
public sealed partial class SipCall
{
    private const string TimerTag = "timer";
    private SessionTimerTerms? _offeredTerms;
    private uint _requestedInterval;
    private ITimer? _refreshTimer;
    private ITimer? _expiryTimer;

    /// <summary>The negotiated session interval (RFC 4028), or null when no session timer runs.</summary>
    public TimeSpan? SessionInterval { get; private set; }

    /// <summary>True when we send the session refreshes; false when the peer does (or no timer runs).</summary>
    public bool IsSessionRefresher { get; private set; }

    /// <summary>Raised when a re-INVITE or UPDATE succeeded, in either direction: the session is refreshed.</summary>
    public event Action<SipCall>? SessionRefreshed;

    private SipSessionTimerOptions TimerOptions => _agent.Options.SessionTimer;

    /// <summary>A 422 told us the peer's Min-SE: later requests ask for at least that much.</summary>
    internal void RaiseRequestedInterval(uint minSe) => _requestedInterval = Math.Max(_requestedInterval, minSe);

    /// <summary>The terms an incoming INVITE negotiated; applied when we answer.</summary>
    internal void OfferSessionTimer(SessionTimerTerms? terms) => _offeredTerms = terms;

    /// <summary>Adds Session-Expires, Min-SE (and Supported) to a request we send (RFC 4028 §7.1, §7.4).</summary>
    internal void AddSessionTimerHeaders(SipRequest request)
    {
        if (!TimerOptions.Enabled)
        {
            return;
        }

        var interval = Math.Max(SessionInterval is { } current ? (uint)current.TotalSeconds : TimerOptions.IntervalSeconds, _requestedInterval);
        var refresher = SessionInterval is null ? "" : IsSessionRefresher ? ";refresher=uac" : ";refresher=uas";
        request.Headers.Add("Session-Expires", interval.ToString(CultureInfo.InvariantCulture) + refresher);
        request.Headers.Add("Min-SE", Math.Min(interval, Math.Max(TimerOptions.MinSeconds, _requestedInterval)).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// UAS negotiation of a request we received (RFC 4028 §9): the terms, or a rejection (422 with Min-SE when the
    /// interval is below ours, 400 for a malformed value). Null terms and null rejection: no session timer.
    /// </summary>
    internal static SessionTimerTerms? NegotiateAsUas(SipRequest request, SipSessionTimerOptions options, out SipResponse? rejection)
    {
        rejection = null;
        if (!options.Enabled)
        {
            return null;
        }

        SipValueWithParameters? se;
        uint? requestMin;
        bool peerSupports;
        try
        {
            se = request.SessionExpires;
            requestMin = request.MinSE;
            peerSupports = HasTag(request.Supported, TimerTag) || HasTag(request.Require, TimerTag);
        }
        catch (SipHeaderFormatException e)
        {
            rejection = request.CreateResponse(400, e.Message);
            return null;
        }

        var floor = Math.Max(options.MinSeconds, requestMin ?? 0);
        if (se is null)
        {
            // The peer did not ask: we may still run the timer and refresh ourselves (RFC 4028 §9).
            return new SessionTimerTerms(Math.Max(options.IntervalSeconds, floor), RefresherIsUas: true, peerSupports);
        }

        if (!uint.TryParse(se.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) || asked == 0)
        {
            rejection = request.CreateResponse(400, $"Session-Expires value \"{se.Value}\" is not a number of seconds");
            return null;
        }

        if (asked < options.MinSeconds)
        {
            rejection = request.CreateResponse(422, "Session Interval Too Small");
            rejection.Headers.Add("Min-SE", options.MinSeconds.ToString(CultureInfo.InvariantCulture));
            return null;
        }

        var interval = Math.Max(Math.Min(asked, options.IntervalSeconds), floor);
        interval = Math.Min(interval, asked);
        var refresher = se.Parameters["refresher"];
        var refresherIsUas = refresher is null
            ? !peerSupports
            : string.Equals(refresher, "uas", StringComparison.OrdinalIgnoreCase);
        return new SessionTimerTerms(interval, refresherIsUas, peerSupports);
    }

    /// <summary>Adds the negotiated Session-Expires (and Require: timer when the peer supports it) to our 2xx.</summary>
    private static void AddSessionTimerHeaders(SipResponse response, SessionTimerTerms terms)
    {
        response.Headers.Add("Session-Expires", terms.Seconds.ToString(CultureInfo.InvariantCulture) + (terms.RefresherIsUas ? ";refresher=uas" : ";refresher=uac"));
        if (terms.PeerSupportsTimer)
        {
            response.Headers.Add("Require", TimerTag);
        }
    }

    /// <summary>We answered a request (initial or refresh) with these terms: we are the UAS of that transaction.</summary>
    private void StartSessionTimerAsUas(SessionTimerTerms? terms)
    {
        if (terms is { } t)
        {
            ApplySessionTimer(t.Seconds, weRefresh: t.RefresherIsUas);
        }
        else
        {
            ApplySessionTimer(null, false);
        }
    }

    /// <summary>A 2xx to our INVITE, re-INVITE or UPDATE: its Session-Expires sets the timer; none turns it off (RFC 4028 §7.2).</summary>
    private void StartSessionTimerAsUac(SipResponse ok)
    {
        if (!TimerOptions.Enabled)
        {
            return;
        }

        SipValueWithParameters? se;
        try
        {
            se = ok.SessionExpires;
        }
        catch (SipHeaderFormatException)
        {
            se = null;
        }

        if (se is null || !uint.TryParse(se.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds == 0)
        {
            ApplySessionTimer(null, false);
            return;
        }

        var refresher = se.Parameters["refresher"];
        ApplySessionTimer(seconds, weRefresh: !string.Equals(refresher, "uas", StringComparison.OrdinalIgnoreCase));
    }

    private void ApplySessionTimer(uint? seconds, bool weRefresh)
    {
        lock (_gate)
        {
            _refreshTimer?.Dispose();
            _expiryTimer?.Dispose();
            _refreshTimer = _expiryTimer = null;
            if (seconds is not { } s || State == SipCallState.Terminated)
            {
                SessionInterval = null;
                IsSessionRefresher = false;
                return;
            }

            var interval = TimeSpan.FromSeconds(s);
            SessionInterval = interval;
            IsSessionRefresher = weRefresh;
            if (weRefresh)
            {
                _refreshTimer = _agent.Time.CreateTimer(static c => _ = ((SipCall)c!).RefreshSessionAsync(), this, interval / 2, Timeout.InfiniteTimeSpan);
            }

            // RFC 4028 §10: BYE before the expiry, by the lesser of 32 s and a third of the interval.
            var margin = TimeSpan.FromSeconds(Math.Min(32, s / 3.0));
            _expiryTimer = _agent.Time.CreateTimer(static c => _ = ((SipCall)c!).HangUpAsync(SipCallEndReason.SessionExpired).AsTask(), this, interval - margin, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopSessionTimer()
    {
        lock (_gate)
        {
            _refreshTimer?.Dispose();
            _expiryTimer?.Dispose();
            _refreshTimer = _expiryTimer = null;
        }
    }

    /// <summary>Refreshes the session: UPDATE without body when the peer allows UPDATE, else re-INVITE with our SDP.</summary>
    private async Task RefreshSessionAsync()
    {
        if (State != SipCallState.Established)
        {
            return;
        }

        try
        {
            if (PeerAllowsUpdate || LocalSdp.IsEmpty)
            {
                await SendOfferAsync(SipMethod.Update, default, null, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await SendOfferAsync(SipMethod.Invite, LocalSdp, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Another offer or INVITE is in flight: try again shortly (that exchange may refresh the session first).
            lock (_gate)
            {
                _refreshTimer?.Change(_agent.T1 * 4, Timeout.InfiniteTimeSpan);
            }
        }
        catch (IOException)
        {
            // The expiry timer still runs: without a refresh the call ends with BYE.
        }
    }

    private void RaiseSessionRefreshed() => SessionRefreshed?.Invoke(this);
}

/// <summary>Negotiated session timer terms: the interval in seconds and who refreshes, from the point of view of a transaction.</summary>
internal readonly record struct SessionTimerTerms(uint Seconds, bool RefresherIsUas, bool PeerSupportsTimer);
