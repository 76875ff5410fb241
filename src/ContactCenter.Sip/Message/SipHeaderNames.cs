namespace ContactCenter.Sip;

/// <summary>The canonical (full) names of the header fields the message layer knows.</summary>
public static class SipHeaderNames
{
    /// <summary>Accept (RFC 3261 §20.1).</summary>
    public const string Accept = "Accept";

    /// <summary>Accept-Contact (RFC 3841), compact form <c>a</c>.</summary>
    public const string AcceptContact = "Accept-Contact";

    /// <summary>Allow (RFC 3261 §20.5).</summary>
    public const string Allow = "Allow";

    /// <summary>Allow-Events (RFC 6665), compact form <c>u</c>.</summary>
    public const string AllowEvents = "Allow-Events";

    /// <summary>Authorization (RFC 3261 §20.7).</summary>
    public const string Authorization = "Authorization";

    /// <summary>Call-ID (RFC 3261 §20.8), compact form <c>i</c>.</summary>
    public const string CallId = "Call-ID";

    /// <summary>Contact (RFC 3261 §20.10), compact form <c>m</c>.</summary>
    public const string Contact = "Contact";

    /// <summary>Content-Encoding (RFC 3261 §20.12), compact form <c>e</c>.</summary>
    public const string ContentEncoding = "Content-Encoding";

    /// <summary>Content-Length (RFC 3261 §20.14), compact form <c>l</c>.</summary>
    public const string ContentLength = "Content-Length";

    /// <summary>Content-Type (RFC 3261 §20.15), compact form <c>c</c>.</summary>
    public const string ContentType = "Content-Type";

    /// <summary>CSeq (RFC 3261 §20.16).</summary>
    public const string CSeq = "CSeq";

    /// <summary>Date (RFC 3261 §20.17).</summary>
    public const string Date = "Date";

    /// <summary>Diversion (RFC 5806).</summary>
    public const string Diversion = "Diversion";

    /// <summary>Event (RFC 6665), compact form <c>o</c>.</summary>
    public const string Event = "Event";

    /// <summary>Expires (RFC 3261 §20.19).</summary>
    public const string Expires = "Expires";

    /// <summary>From (RFC 3261 §20.20), compact form <c>f</c>.</summary>
    public const string From = "From";

    /// <summary>Identity (RFC 8224), compact form <c>y</c>.</summary>
    public const string Identity = "Identity";

    /// <summary>Max-Forwards (RFC 3261 §20.22).</summary>
    public const string MaxForwards = "Max-Forwards";

    /// <summary>Min-Expires (RFC 3261 §20.23).</summary>
    public const string MinExpires = "Min-Expires";

    /// <summary>Min-SE (RFC 4028).</summary>
    public const string MinSE = "Min-SE";

    /// <summary>P-Asserted-Identity (RFC 3325).</summary>
    public const string PAssertedIdentity = "P-Asserted-Identity";

    /// <summary>Proxy-Authenticate (RFC 3261 §20.27).</summary>
    public const string ProxyAuthenticate = "Proxy-Authenticate";

    /// <summary>Proxy-Authorization (RFC 3261 §20.28).</summary>
    public const string ProxyAuthorization = "Proxy-Authorization";

    /// <summary>Proxy-Require (RFC 3261 §20.29).</summary>
    public const string ProxyRequire = "Proxy-Require";

    /// <summary>RAck (RFC 3262).</summary>
    public const string RAck = "RAck";

    /// <summary>Reason (RFC 3326).</summary>
    public const string Reason = "Reason";

    /// <summary>Record-Route (RFC 3261 §20.30).</summary>
    public const string RecordRoute = "Record-Route";

    /// <summary>Refer-To (RFC 3515), compact form <c>r</c>.</summary>
    public const string ReferTo = "Refer-To";

    /// <summary>Referred-By (RFC 3892), compact form <c>b</c>.</summary>
    public const string ReferredBy = "Referred-By";

    /// <summary>Replaces (RFC 3891).</summary>
    public const string Replaces = "Replaces";

    /// <summary>Require (RFC 3261 §20.32).</summary>
    public const string Require = "Require";

    /// <summary>Retry-After (RFC 3261 §20.33).</summary>
    public const string RetryAfter = "Retry-After";

    /// <summary>Route (RFC 3261 §20.34).</summary>
    public const string Route = "Route";

    /// <summary>RSeq (RFC 3262).</summary>
    public const string RSeq = "RSeq";

    /// <summary>Server (RFC 3261 §20.35).</summary>
    public const string Server = "Server";

    /// <summary>Session-Expires (RFC 4028), compact form <c>x</c>.</summary>
    public const string SessionExpires = "Session-Expires";

    /// <summary>Subject (RFC 3261 §20.36), compact form <c>s</c>.</summary>
    public const string Subject = "Subject";

    /// <summary>Subscription-State (RFC 6665).</summary>
    public const string SubscriptionState = "Subscription-State";

    /// <summary>Supported (RFC 3261 §20.37), compact form <c>k</c>.</summary>
    public const string Supported = "Supported";

    /// <summary>Timestamp (RFC 3261 §20.38).</summary>
    public const string Timestamp = "Timestamp";

    /// <summary>To (RFC 3261 §20.39), compact form <c>t</c>.</summary>
    public const string To = "To";

    /// <summary>Unsupported (RFC 3261 §20.40).</summary>
    public const string Unsupported = "Unsupported";

    /// <summary>User-Agent (RFC 3261 §20.41).</summary>
    public const string UserAgent = "User-Agent";

    /// <summary>Via (RFC 3261 §20.42), compact form <c>v</c>.</summary>
    public const string Via = "Via";

    /// <summary>Warning (RFC 3261 §20.43).</summary>
    public const string Warning = "Warning";

    /// <summary>WWW-Authenticate (RFC 3261 §20.44).</summary>
    public const string WwwAuthenticate = "WWW-Authenticate";
}
