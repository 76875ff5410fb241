namespace ContactCenter.Sip.Transport;

/// <summary>
/// Bytes that arrived and could not be parsed. A request's error carries the status code to answer with
/// (<see cref="SipParseError.StatusCode"/>); a malformed response is dropped. On TCP/TLS the connection is
/// closed after the handler returns, because the stream cannot be framed any further.
/// </summary>
/// <param name="Error">What is wrong and where.</param>
/// <param name="Bytes">The bytes as received (at most the message size limit), for a best-effort answer or a log.</param>
/// <param name="Source">Where they came from.</param>
public sealed record SipMalformedMessage(SipParseError Error, ReadOnlyMemory<byte> Bytes, SipRemote Source);

/// <summary>Handles a message the transport layer received. Must not block: hand slow work to other tasks.</summary>
/// <param name="message">The parsed message (requests already carry <c>received</c>/<c>rport</c> per RFC 3581).</param>
/// <param name="source">Where it came from.</param>
public delegate ValueTask SipMessageHandler(SipMessage message, SipRemote source);

/// <summary>Handles bytes that could not be parsed as a message.</summary>
public delegate ValueTask SipMalformedHandler(SipMalformedMessage malformed);

/// <summary>Sees every message the transport layer delivers or sends, for logging and tracing. Must be quick.</summary>
/// <param name="outbound">True for a message sent, false for one received.</param>
/// <param name="message">The message.</param>
/// <param name="protocol">The transport.</param>
/// <param name="remote">The peer's address: the source of a received message, the destination of a sent one.</param>
public delegate void SipMessageTrace(bool outbound, SipMessage message, SipTransportProtocol protocol, System.Net.IPEndPoint remote);
