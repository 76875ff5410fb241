using System.Globalization;

namespace ContactCenter.Sip.Calls;

/// <summary>How a transfer we asked for (<see cref="SipCall.TransferAsync"/>) ended.</summary>
/// <param name="Succeeded">True when the transfer target answered (a 2xx in the final NOTIFY).</param>
/// <param name="StatusCode">The final status: from the final NOTIFY's sipfrag, or the REFER's rejection, or 408 when no final NOTIFY came in time.</param>
/// <param name="ReasonPhrase">The reason phrase that came with it.</param>
public sealed record SipTransferResult(bool Succeeded, int StatusCode, string ReasonPhrase);

/// <summary>
/// A transfer the peer asked of us (a REFER, RFC 3515), offered through <see cref="SipCall.TransferRequested"/>.
/// Accept it (the handler returns true: we answer 202 and NOTIFY "100 Trying"), place the new call to
/// <see cref="Target"/> (with a Replaces header when <see cref="Replaces"/> is set), and report its progress with
/// <see cref="ReportAsync"/> or <see cref="Follow"/>: each report is a NOTIFY with a message/sipfrag body; a final
/// status ends the implicit subscription.
/// </summary>
public sealed class SipTransferRequest
{
    private readonly SipCall _call;
    private readonly string? _eventId;
    private readonly object _gate = new();
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed;

    internal SipTransferRequest(SipCall call, SipRequest refer, AbsoluteUri target, string? replaces, string? eventId)
    {
        _call = call;
        Refer = refer;
        Target = target;
        Replaces = replaces;
        _eventId = eventId;
        ReferredBy = refer.Headers["Referred-By"];
    }

    /// <summary>The REFER itself (all its headers).</summary>
    public SipRequest Refer { get; }

    /// <summary>Where to place the new call: the Refer-To URI without its header part.</summary>
    public AbsoluteUri Target { get; }

    /// <summary>The Replaces value carried in the Refer-To URI (attended transfer): put it in a Replaces header of the new INVITE.</summary>
    public string? Replaces { get; }

    /// <summary>The Referred-By header value, to pass on in the new INVITE; null when absent.</summary>
    public string? ReferredBy { get; }

    /// <summary>True once a final status was reported (the subscription is terminated), or when the REFER asked for no subscription (RFC 4488 Refer-Sub: false).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>
    /// Tells the transferor how the new call goes: a NOTIFY with <c>SIP/2.0 code reason</c>; 100-199 keep the
    /// subscription active, 200-699 terminate it (later reports are ignored). Nothing is sent once this call ended.
    /// </summary>
    /// <param name="statusCode">100 to 699, e.g. 180 while the target rings, 200 when it answered, 486 when busy.</param>
    /// <param name="reasonPhrase">The reason phrase; the standard one when null.</param>
    public async Task ReportAsync(int statusCode, string? reasonPhrase = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        await _accepted.Task.ConfigureAwait(false);
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = statusCode >= 200;
        }

        await _call.NotifyTransferAsync(_eventId, statusCode, reasonPhrase ?? SipResponse.DefaultReasonPhrase(statusCode), statusCode >= 200).ConfigureAwait(false);
    }

    /// <summary>
    /// Reports the progress of <paramref name="newCall"/> (the call placed to <see cref="Target"/>) as it goes:
    /// 180 when it rings, 200 when it is answered, its final status (or 487) when it ends unanswered.
    /// </summary>
    public void Follow(SipCall newCall)
    {
        ArgumentNullException.ThrowIfNull(newCall);
        newCall.StateChanged += (c, state) =>
        {
            _ = state switch
            {
                SipCallState.Ringing => ReportQuietlyAsync(180),
                SipCallState.Answered => ReportQuietlyAsync(200),
                SipCallState.Terminated => ReportQuietlyAsync(c.FinalStatus is int code && code >= 300 ? code : 487),
                _ => Task.CompletedTask,
            };
        };
        if (newCall.State is SipCallState.Answered or SipCallState.Established)
        {
            _ = ReportQuietlyAsync(200);
        }
        else if (newCall.State == SipCallState.Terminated)
        {
            _ = ReportQuietlyAsync(newCall.FinalStatus is int final && final >= 200 ? final : 487);
        }
    }

    internal void MarkAccepted() => _accepted.TrySetResult();

    internal void MarkCompleted()
    {
        lock (_gate)
        {
            _completed = true;
        }

        _accepted.TrySetResult();
    }

    private async Task ReportQuietlyAsync(int code)
    {
        try
        {
            await ReportAsync(code).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The transferor is gone; nothing more to tell.
        }
        catch (InvalidOperationException)
        {
            // The dialog ended meanwhile.
        }
    }

    internal static string SipFrag(int code, string reason) =>
        string.Create(CultureInfo.InvariantCulture, $"SIP/2.0 {code} {reason}\r\n");

    /// <summary>Reads the status line of a message/sipfrag body (<c>SIP/2.0 200 OK</c>).</summary>
    internal static bool TryReadSipFrag(ReadOnlySpan<byte> body, out int code, out string reason)
    {
        code = 0;
        reason = "";
        var text = System.Text.Encoding.UTF8.GetString(body);
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var line = (end >= 0 ? text[..end] : text).Trim();
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !parts[0].Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out code) || code is < 100 or > 699)
        {
            code = 0;
            return false;
        }

        reason = parts.Length > 2 ? parts[2] : SipResponse.DefaultReasonPhrase(code);
        return true;
    }
}
