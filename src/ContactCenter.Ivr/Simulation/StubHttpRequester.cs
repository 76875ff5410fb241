using System.Text.Json;

namespace ContactCenter.Ivr.Simulation;

/// <summary>
/// An <see cref="IIvrHttpRequester"/> that answers from canned responses, for tests and <c>ivr run --http-stub</c>.
/// A URL ending in <c>*</c> matches by prefix. Unmatched requests get 404. A response can take virtual time
/// (<c>latencySeconds</c>, on the <see cref="SimulationClock"/>, so node timeouts fire) or fail at the transport level.
/// </summary>
public sealed class StubHttpRequester : IIvrHttpRequester
{
    private readonly List<StubResponse> _responses = [];
    private readonly List<IvrHttpRequest> _received = [];
    private readonly SimulationClock? _clock;

    /// <summary>Creates an empty stub; with a clock, latencies advance it.</summary>
    public StubHttpRequester(SimulationClock? clock = null)
    {
        _clock = clock;
    }

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<IvrHttpRequest> Received => _received;

    /// <summary>
    /// Reads stubs from JSON: an array (or <c>{"requests": [...]}</c>) of
    /// <c>{"method": "GET", "url": "https://crm/accounts/*", "status": 200, "body": {...}, "latencySeconds": 0.1, "error": "..."}</c>.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not in that form; the message names the entry.</exception>
    public static StubHttpRequester Parse(string json, SimulationClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var stub = new StubHttpRequester(clock);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException("the HTTP stub file is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            var list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object && list.TryGetProperty("requests", out var requests))
            {
                list = requests;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("the HTTP stub file must be an array of stubs or {\"requests\": [...]}");
            }

            var i = 0;
            foreach (var entry in list.EnumerateArray())
            {
                var where = $"$[{i++}]";
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException($"stub {where} needs a 'url' string");
                }

                var method = entry.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "GET";
                var status = entry.TryGetProperty("status", out var s) && s.TryGetInt32(out var code) ? code : 200;
                var body = entry.TryGetProperty("body", out var b)
                    ? b.ValueKind == JsonValueKind.String ? b.GetString()! : b.GetRawText()
                    : "{}";
                var latency = entry.TryGetProperty("latencySeconds", out var l) && l.ValueKind == JsonValueKind.Number
                    ? TimeSpan.FromSeconds(l.GetDouble())
                    : TimeSpan.Zero;
                var error = entry.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var pattern = url.GetString()!;
                if (!Uri.TryCreate(pattern.TrimEnd('*'), UriKind.Absolute, out _))
                {
                    throw new FormatException($"stub {where}: '{pattern}' is not an absolute URL (a trailing '*' matches by prefix)");
                }

                stub._responses.Add(new StubResponse(method, pattern, status, body, latency, error));
            }
        }

        return stub;
    }

    /// <summary>Adds a canned response.</summary>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not absolute (before an optional trailing '*').</exception>
    public StubHttpRequester Respond(string method, string url, int status, string body, TimeSpan latency = default, string? transportError = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url.TrimEnd('*'), UriKind.Absolute, out _))
        {
            throw new ArgumentException($"'{url}' is not an absolute URL (a trailing '*' matches by prefix)", nameof(url));
        }

        _responses.Add(new StubResponse(method, url, status, body, latency, transportError));
        return this;
    }

    /// <inheritdoc />
    public Task<IvrHttpResponse> SendAsync(IvrHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _received.Add(request);
        var url = request.Uri.AbsoluteUri;
        var match = _responses.Find(r => string.Equals(r.Method, request.Method, StringComparison.OrdinalIgnoreCase) && Matches(r.Url, url));
        if (match is null)
        {
            return Task.FromResult(new IvrHttpResponse(404, "{\"error\":\"no stub for " + request.Method + " " + url + "\"}"));
        }

        if (match.Latency > TimeSpan.Zero)
        {
            _clock?.Advance(match.Latency);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (match.Error is not null)
        {
            throw new HttpRequestException(match.Error);
        }

        return Task.FromResult(new IvrHttpResponse(match.Status, match.Body));
    }

    private static bool Matches(string pattern, string url) =>
        pattern.EndsWith('*')
            ? url.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(new Uri(pattern).AbsoluteUri, url, StringComparison.Ordinal);

    private sealed record StubResponse(string Method, string Url, int Status, string Body, TimeSpan Latency, string? Error);
}
