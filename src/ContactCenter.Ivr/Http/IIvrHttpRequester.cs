namespace ContactCenter.Ivr;

/// <summary>
/// Sends the HTTP requests of <c>http</c> nodes. The default, <see cref="HttpClientIvrRequester"/>, uses
/// <see cref="HttpClient"/>; tests and the simulator use <see cref="Simulation.StubHttpRequester"/>.
/// Implementations must honour the cancellation token (the interpreter cancels on timeout and on hang-up).
/// </summary>
public interface IIvrHttpRequester
{
    /// <summary>Sends one request and returns the response (any status code); throws on transport failure.</summary>
    Task<IvrHttpResponse> SendAsync(IvrHttpRequest request, CancellationToken cancellationToken);
}

/// <summary>An HTTP request from an <c>http</c> node.</summary>
/// <param name="Method">GET or POST.</param>
/// <param name="Uri">The absolute URI.</param>
/// <param name="Headers">Request headers.</param>
/// <param name="JsonBody">The JSON body for POST, or <see langword="null"/>.</param>
public sealed record IvrHttpRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? JsonBody);

/// <summary>An HTTP response.</summary>
/// <param name="StatusCode">The status code.</param>
/// <param name="Body">The body as text (JSON expected).</param>
public sealed record IvrHttpResponse(int StatusCode, string Body);

/// <summary>The default <see cref="IIvrHttpRequester"/>: <see cref="HttpClient"/> with a response size limit.</summary>
public sealed class HttpClientIvrRequester : IIvrHttpRequester
{
    private readonly HttpClient _client;
    private readonly int _maxResponseBytes;

    /// <summary>Creates a requester over <paramref name="client"/> (its lifetime is the caller's).</summary>
    /// <param name="client">The client to send with.</param>
    /// <param name="maxResponseBytes">Responses longer than this fail (default 64 KiB).</param>
    public HttpClientIvrRequester(HttpClient client, int maxResponseBytes = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponseBytes, 1);
        _client = client;
        _maxResponseBytes = maxResponseBytes;
    }

    /// <inheritdoc />
    public async Task<IvrHttpResponse> SendAsync(IvrHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri);
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.JsonBody is not null)
        {
            message.Content = new StringContent(request.JsonBody, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is { } length && length > _maxResponseBytes)
        {
            throw new HttpRequestException($"response of {length} bytes exceeds the limit of {_maxResponseBytes} bytes");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[_maxResponseBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total > _maxResponseBytes)
            {
                throw new HttpRequestException($"response exceeds the limit of {_maxResponseBytes} bytes");
            }

            return new IvrHttpResponse((int)response.StatusCode, System.Text.Encoding.UTF8.GetString(buffer, 0, total));
        }
    }
}
