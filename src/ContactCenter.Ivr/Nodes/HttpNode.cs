using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ContactCenter.Ivr.Diagnostics;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary>
/// <c>http</c>: GET or POST JSON through <see cref="IIvrHttpRequester"/> with a timeout, retries and default outputs
/// on failure. Awaited asynchronously: a slow server never blocks other sessions; hang-up or cancellation cancels it.
/// </summary>
internal sealed class HttpNode : NodeBase
{
    private readonly string _method;
    private readonly Template _url;
    private readonly (string Key, Template Value)[] _headers;
    private readonly (string Key, Template Value)[] _body;
    private readonly TimeSpan _timeout;
    private readonly int _retries;
    private readonly TimeSpan _retryDelay;
    private readonly (int Slot, string Path)[] _outputs;
    private readonly (int Slot, Template Value)[] _defaults;
    private readonly int _next;

    public HttpNode(NodeReader reader)
        : base(reader)
    {
        _method = reader.String("method", required: false) ?? "GET";
        if (_method is not ("GET" or "POST"))
        {
            reader.Error("invalid-parameter", reader.ParameterPath("method"), $"method '{_method}' is not supported (GET or POST)");
        }

        _url = reader.Template("url", required: true) ?? Template.Empty;
        if (_url.IsConstant && _url.Source.Length > 0 && !IsHttpUri(_url.Source))
        {
            reader.Error("invalid-parameter", reader.ParameterPath("url"), $"'{_url.Source}' is not an absolute http or https URL");
        }

        _headers = [.. reader.TemplateMap("headers", required: false)];
        _body = [.. reader.TemplateMap("body", required: false)];
        if (_body.Length > 0 && _method == "GET")
        {
            reader.Error("invalid-parameter", reader.ParameterPath("body"), "a GET request has no body; use method POST");
        }

        _timeout = reader.Seconds("timeoutSeconds", 5, 0.1, 120);
        _retries = reader.Int("retries", 0, 0, 5);
        _retryDelay = reader.Seconds("retryDelaySeconds", 0.5, 0, 60);

        var outputs = new List<(int, string)>();
        var outputsElement = reader.Element("outputs", JsonValueKind.Object, required: false);
        if (outputsElement is { } map)
        {
            foreach (var property in map.EnumerateObject())
            {
                var path = JsonPaths.Property(reader.ParameterPath("outputs"), property.Name);
                var selector = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : null;
                if (selector is null || !JsonSelector.IsValid(selector))
                {
                    reader.Error("invalid-parameter", path, "an output is a path into the JSON response such as \"customer.name\" or \"items[0].id\"");
                    continue;
                }

                var slot = reader.WriteSlot(property.Name, path);
                if (slot >= 0)
                {
                    outputs.Add((slot, selector));
                }
            }
        }

        _outputs = [.. outputs];
        _defaults = reader.TemplateMap("defaults", required: false)
            .Select(d => (reader.WriteSlot(d.Key, JsonPaths.Property(reader.ParameterPath("defaults"), d.Key)), d.Value))
            .Where(d => d.Item1 >= 0)
            .ToArray();
        _next = reader.Transition(TransitionNames.Next, required: true);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var interpreter = session.Interpreter;
        var requester = interpreter.HttpRequester;
        string failure;
        if (requester is null)
        {
            failure = "no HTTP requester is configured";
        }
        else if (!Uri.TryCreate(_url.Render(session.Values, Uri.EscapeDataString), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failure = $"'{_url.Render(session.Values, Uri.EscapeDataString)}' is not an absolute http or https URL";
        }
        else
        {
            var request = new IvrHttpRequest(_method, uri, Render(session, _headers), _body.Length == 0 ? null : BodyJson(session));
            failure = string.Empty;
            for (var attempt = 0; attempt <= _retries; attempt++)
            {
                if (attempt > 0 && _retryDelay > TimeSpan.Zero)
                {
                    await interpreter.DelayAsync(_retryDelay, session.CancellationToken).ConfigureAwait(false);
                }

                var (ok, retryable, reason) = await SendOnceAsync(session, requester, request).ConfigureAwait(false);
                if (ok)
                {
                    return new Step(_next, TransitionNames.Next, "http", request.Method + " " + SafeUrl(uri) + " -> ok");
                }

                failure = reason;
                IvrLog.HttpRequestFailed(interpreter.Logger, Id, request.Method, SafeUrl(uri), attempt + 1, reason);
                if (!retryable)
                {
                    break;
                }
            }
        }

        foreach (var (slot, value) in _defaults)
        {
            session.Values[slot] = value.Render(session.Values);
        }

        session.Values[SystemVariables.LastErrorSlot] = failure;
        return ErrorIndex >= 0
            ? new Step(ErrorIndex, TransitionNames.Error, "http", failure)
            : new Step(_next, TransitionNames.Next, "http", failure);
    }

    private async ValueTask<(bool Ok, bool Retryable, string Reason)> SendOnceAsync(IvrSession session, IIvrHttpRequester requester, IvrHttpRequest request)
    {
        var interpreter = session.Interpreter;
        using var timeout = new CancellationTokenSource(_timeout, interpreter.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(session.CancellationToken, timeout.Token);
        var started = Stopwatch.GetTimestamp();
        IvrHttpResponse response;
        try
        {
            response = await requester.SendAsync(request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !session.CancellationToken.IsCancellationRequested)
        {
            return (false, true, string.Create(CultureInfo.InvariantCulture, $"timed out after {_timeout.TotalSeconds} s"));
        }
        catch (HttpRequestException ex)
        {
            return (false, true, "request failed: " + ex.Message);
        }
        finally
        {
            interpreter.Telemetry.HttpDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        if (response.StatusCode is < 200 or > 299)
        {
            var retryable = response.StatusCode >= 500 || response.StatusCode == 429;
            return (false, retryable, string.Create(CultureInfo.InvariantCulture, $"status {response.StatusCode}"));
        }

        if (_outputs.Length == 0)
        {
            return (true, false, string.Empty);
        }

        try
        {
            using var document = JsonDocument.Parse(response.Body);
            foreach (var (slot, selector) in _outputs)
            {
                session.Values[slot] = JsonSelector.Read(document.RootElement, selector);
            }
        }
        catch (JsonException ex)
        {
            return (false, false, "the response is not valid JSON: " + ex.Message);
        }

        return (true, false, string.Empty);
    }

    private static Dictionary<string, string> Render(IvrSession session, (string Key, Template Value)[] map)
    {
        var result = new Dictionary<string, string>(map.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in map)
        {
            result[key] = session.Render(value);
        }

        return result;
    }

    private string BodyJson(IvrSession session)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in _body)
            {
                writer.WriteString(key, session.Render(value));
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The URL without user info and query, which may carry credentials.</summary>
    private static string SafeUrl(Uri uri) => uri.Scheme + "://" + uri.Authority + uri.AbsolutePath;

    private static bool IsHttpUri(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}

/// <summary>Reads a value out of a JSON document by a simple path: <c>customer.name</c>, <c>items[0].id</c>, <c>$</c>.</summary>
internal static class JsonSelector
{
    public static bool IsValid(string selector)
    {
        var path = Strip(selector);
        if (path.Length == 0)
        {
            return true;
        }

        foreach (var segment in path.Split('.'))
        {
            var name = segment;
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = segment[..bracket];
                var rest = segment[bracket..];
                while (rest.Length > 0)
                {
                    var close = rest.IndexOf(']', StringComparison.Ordinal);
                    if (!rest.StartsWith('[') || close < 2 || !int.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        return false;
                    }

                    rest = rest[(close + 1)..];
                }
            }

            if (name.Length == 0 && bracket != 0)
            {
                return false;
            }
        }

        return true;
    }

    public static string? Read(JsonElement root, string selector)
    {
        var current = root;
        var path = Strip(selector);
        if (path.Length > 0)
        {
            foreach (var segment in path.Split('.'))
            {
                var bracket = segment.IndexOf('[', StringComparison.Ordinal);
                var name = bracket >= 0 ? segment[..bracket] : segment;
                if (name.Length > 0)
                {
                    if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                    {
                        return null;
                    }
                }

                var rest = bracket >= 0 ? segment[bracket..] : string.Empty;
                while (rest.Length > 0)
                {
                    var close = rest.IndexOf(']', StringComparison.Ordinal);
                    var index = int.Parse(rest[1..close], CultureInfo.InvariantCulture);
                    if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                    {
                        return null;
                    }

                    current = current[index];
                    rest = rest[(close + 1)..];
                }
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => current.GetRawText(),
        };
    }

    private static string Strip(string selector) =>
        selector == "$" ? string.Empty : selector.StartsWith("$.", StringComparison.Ordinal) ? selector[2..] : selector;
}
