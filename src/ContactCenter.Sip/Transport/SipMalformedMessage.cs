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
