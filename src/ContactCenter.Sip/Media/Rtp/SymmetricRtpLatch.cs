using System.Net;

namespace ContactCenter.Sip.Media;

/// <summary>
/// Symmetric RTP (RFC 4961 style "comedia" latching): send media back to the address the peer's media
/// actually comes from, which fixes one-way audio behind NAT. The first valid packet latches the
/// destination; packets from any other address are then refused (media hijack protection) until the
/// peer's description changes (<see cref="Reset"/>), or until a new source sends
/// <see cref="RelatchAfter"/> packets in a row while the latched source has been silent.
/// </summary>
public sealed class SymmetricRtpLatch
{
    private IPEndPoint? _candidate;
    private int _candidateCount;

    /// <summary>Creates the latch for the address the peer signalled in SDP.</summary>
    /// <param name="signalled">The address from SDP (null when the peer sent 0.0.0.0).</param>
    /// <param name="enabled">False sends to the signalled address and accepts packets from anywhere.</param>
    /// <param name="relatchAfter">Consecutive packets from a new source, with none from the latched one, that move the latch.</param>
    public SymmetricRtpLatch(IPEndPoint? signalled, bool enabled = true, int relatchAfter = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(relatchAfter, 1);
        Signalled = signalled;
        Enabled = enabled;
        RelatchAfter = relatchAfter;
    }

    /// <summary>The address from SDP.</summary>
    public IPEndPoint? Signalled { get; private set; }

    /// <summary>True when latching is on.</summary>
    public bool Enabled { get; }

    /// <summary>Consecutive packets from a new source that move the latch.</summary>
    public int RelatchAfter { get; }

    /// <summary>The source latched onto, or null before the first packet.</summary>
    public IPEndPoint? Latched { get; private set; }

    /// <summary>Packets refused because they came from another address.</summary>
    public long Refused { get; private set; }

    /// <summary>Where to send media now: the latched source, else the signalled address.</summary>
    public IPEndPoint? Destination => Enabled && Latched is not null ? Latched : Signalled;

    /// <summary>Decides whether a valid RTP packet from <paramref name="source"/> is accepted.</summary>
    public bool Accept(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Enabled)
        {
            return true;
        }

        if (Latched is null)
        {
            Latched = source;
            return true;
        }

        if (Latched.Equals(source))
        {
            _candidate = null;
            _candidateCount = 0;
            return true;
        }

        if (source.Equals(_candidate))
        {
            if (++_candidateCount >= RelatchAfter)
            {
                Latched = source;
                _candidate = null;
                _candidateCount = 0;
                return true;
            }
        }
        else
        {
            _candidate = source;
            _candidateCount = 1;
        }

        Refused++;
        return false;
    }

    /// <summary>Starts over after a new remote description (re-INVITE): the next packet latches again.</summary>
    public void Reset(IPEndPoint? signalled)
    {
        Signalled = signalled;
        Latched = null;
        _candidate = null;
        _candidateCount = 0;
    }
}
