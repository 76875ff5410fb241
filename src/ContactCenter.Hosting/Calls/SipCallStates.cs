using ContactCenter.Sip.Calls;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// Follows the state of a call this host placed. <see cref="SipUserAgent.Call"/> sends the INVITE before it returns,
/// so a phone on loopback or a fast LAN can answer (or refuse) before the caller of <c>Call</c> has subscribed to
/// <see cref="SipCall.StateChanged"/>: that change would be lost, and the contact center would keep ringing an agent
/// who is already talking.
/// </summary>
internal static class SipCallStates
{
    private const int EstablishedSeen = 1;
    private const int TerminatedSeen = 2;

    /// <summary>
    /// Subscribes <paramref name="onChange"/> to the call's state changes, then reports the state the call has already
    /// reached if it is <see cref="SipCallState.Established"/> or <see cref="SipCallState.Terminated"/>. Each of those
    /// two states is reported at most once, and never Established after Terminated, whether the event or the catch-up
    /// sees it first. Other states are passed through as they are raised.
    /// </summary>
    public static void Follow(SipCall call, Action<SipCallState> onChange)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(onChange);
        var seen = 0;
        void Report(SipCallState state)
        {
            var bit = state switch
            {
                SipCallState.Established => EstablishedSeen,
                SipCallState.Terminated => TerminatedSeen,
                _ => 0,
            };
            if (bit != 0)
            {
                int before;
                do
                {
                    before = Volatile.Read(ref seen);
                    if ((before & bit) != 0 || (bit == EstablishedSeen && (before & TerminatedSeen) != 0))
                    {
                        return;
                    }
                }
                while (Interlocked.CompareExchange(ref seen, before | bit, before) != before);
            }

            onChange(state);
        }

        call.StateChanged += (_, state) => Report(state);
        if (call.State is SipCallState.Established or SipCallState.Terminated)
        {
            Report(call.State);
        }
    }
}
