using System.Globalization;
using ContactCenter.Sip.Transactions;

namespace ContactCenter.Sip.Calls;

/// <summary>Reliable provisional responses and PRACK (RFC 3262).</summary>
public sealed partial class SipCall
{
    private const string Rel100 = "100rel";
    private uint _nextRSeq = (uint)Random.Shared.Next(1, 1 << 30);
    private ReliableProvisional? _pendingReliable;
    private uint? _lastRemoteRSeq;

    /// <summary>True when provisional responses of this incoming call are sent reliably (RFC 3262).</summary>
    public bool ReliableProvisionals { get; private set; }

    internal void UseReliableProvisionals(bool preferred)
    {
        var invite = InitialInvite;
        ReliableProvisionals = HasTag(invite.Require, Rel100) || (preferred && HasTag(invite.Supported, Rel100));
    }

    /// <summary>Sends a reliable provisional: Require 100rel, RSeq, retransmitted with T1 doubling until its PRACK.</summary>
    private async ValueTask SendReliableAsync(SipServerTransaction tx, int statusCode, ReadOnlyMemory<byte> sdp)
    {
        // RFC 3262 §3: one unacknowledged reliable provisional at a time.
        if (_pendingReliable is { } previous && !await previous.Acknowledged.Task.ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Call {CallId}: the previous reliable provisional response was never acknowledged.");
        }

        var response = tx.Request.CreateResponse(statusCode, null, LocalTag);
        AddContact(response);
        response.Headers.Add("Require", Rel100);
        ReliableProvisional pending;
        lock (_gate)
        {
            pending = new ReliableProvisional(response, _nextRSeq++, !sdp.IsEmpty, _agent.Time.GetUtcNow(), _agent.T1);
            response.Headers.Add("RSeq", pending.RSeq.ToString(CultureInfo.InvariantCulture));
            SetBody(response, sdp);
            if (!sdp.IsEmpty)
            {
                LocalSdp = sdp;
            }

            _pendingReliable = pending;
            pending.Timer = _agent.Time.CreateTimer(static s => ((SipCall)s!).RetransmitReliable(), this, pending.Interval, Timeout.InfiniteTimeSpan);
        }

        await tx.RespondAsync(response).ConfigureAwait(false);
    }

    private void RetransmitReliable()
    {
        ReliableProvisional? pending;
        var giveUp = false;
        lock (_gate)
        {
            pending = _pendingReliable;
            if (pending is null || State == SipCallState.Terminated || _inviteTransaction is null || _inviteTransaction.IsAnswered)
            {
                return;
            }

            if (_agent.Time.GetUtcNow() - pending.SentAt >= _agent.T1 * 64)
            {
                giveUp = true;
                _pendingReliable = null;
                pending.Timer?.Dispose();
            }
            else
            {
                pending.Interval *= 2;
                pending.Timer?.Change(pending.Interval, Timeout.InfiniteTimeSpan);
            }
        }

        if (giveUp)
        {
            // RFC 3262 §3: no PRACK for 64*T1: reject the INVITE with a 5xx.
            pending.Acknowledged.TrySetResult(false);
            _ = RejectQuietlyAsync(500, "Reliable Provisional Response Not Acknowledged", SipCallEndReason.Timeout);
            return;
        }

        _ = SendQuietly(pending.Response, _inviteTransaction!.Source);
    }

    private async Task RejectQuietlyAsync(int status, string reason, SipCallEndReason endReason)
    {
        try
        {
            await RejectAsync(status, reason, null, endReason).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Answered or ended in the meantime.
        }
        catch (IOException)
        {
            End(endReason);
        }
    }

    /// <summary>Stops retransmitting a reliable provisional once a final response goes out (its PRACK is no longer awaited).</summary>
    private void StopReliable(bool acknowledged)
    {
        ReliableProvisional? pending;
        lock (_gate)
        {
            pending = _pendingReliable;
            _pendingReliable = null;
        }

        pending?.Timer?.Dispose();
        pending?.Acknowledged.TrySetResult(acknowledged);
    }

    /// <summary>Waits for the PRACK of an SDP-carrying reliable provisional before a 2xx (RFC 3262 §3).</summary>
    private async ValueTask AwaitPrackBeforeAnswerAsync()
    {
        ReliableProvisional? pending;
        lock (_gate)
        {
            pending = _pendingReliable;
        }

        if (pending is null)
        {
            return;
        }

        if (pending.HasSdp && !await pending.Acknowledged.Task.ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Call {CallId}: the reliable provisional response with SDP was never acknowledged (no PRACK).");
        }

        StopReliable(acknowledged: pending.HasSdp);
    }

    /// <summary>A PRACK: 200 when its RAck names our unacknowledged reliable provisional, else 481 (RFC 3262 §3).</summary>
    private async ValueTask OnPrackAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var rack = request.RAck;
        ReliableProvisional? matched = null;
        lock (_gate)
        {
            if (_pendingReliable is { } pending && rack is not null && rack.ResponseSequence == pending.RSeq
                && rack.Method == SipMethod.Invite && rack.CSeqSequence == InitialInvite.CSeq!.Sequence)
            {
                matched = pending;
                _pendingReliable = null;
                if (!request.Body.IsEmpty)
                {
                    RemoteSdp = request.Body;
                }
            }
        }

        if (matched is null)
        {
            await transaction.RespondAsync(request.CreateResponse(481, "No Matching Reliable Provisional Response")).ConfigureAwait(false);
            return;
        }

        matched.Timer?.Dispose();
        await transaction.RespondAsync(request.CreateResponse(200)).ConfigureAwait(false);
        matched.Acknowledged.TrySetResult(true);
    }

    /// <summary>
    /// UAC side: a provisional with Require 100rel gets one PRACK; a retransmission (RSeq not above the last one)
    /// or one out of order is not acknowledged. Returns false when the response must be ignored.
    /// </summary>
    private bool AcknowledgeReliable(SipResponse response)
    {
        if (!HasTag(response.Require, Rel100))
        {
            return true;
        }

        if (response.RSeq is not { } rseq)
        {
            return true; // not a valid reliable provisional: treat as unreliable
        }

        lock (_gate)
        {
            if (_lastRemoteRSeq is { } last && rseq != last + 1)
            {
                return false;
            }

            _lastRemoteRSeq = rseq;
        }

        LearnDialog(response);
        var prack = NewRequest(SipMethod.Prack);
        prack.Headers.Add("RAck", new SipRAck(rseq, response.CSeq!.Sequence, SipMethod.Invite).ToString());
        _ = SendAndForgetAsync(prack);
        return true;
    }

    private async Task SendAndForgetAsync(SipRequest request)
    {
        try
        {
            await _agent.SendInDialog(request, NextHop).FinalResponse.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The transaction layer reports a transport failure through the response; nothing else to do.
        }
    }

    private static bool HasTag(IReadOnlyList<string> tags, string tag)
    {
        foreach (var t in tags)
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class ReliableProvisional(SipResponse response, uint rseq, bool hasSdp, DateTimeOffset sentAt, TimeSpan interval)
    {
        public SipResponse Response { get; } = response;

        public uint RSeq { get; } = rseq;

        public bool HasSdp { get; } = hasSdp;

        public DateTimeOffset SentAt { get; } = sentAt;

        public TimeSpan Interval { get; set; } = interval;

        public ITimer? Timer { get; set; }

        public TaskCompletionSource<bool> Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
