using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Ivr;

/// <summary>
/// Sends flow HTTP requests through another requester after replacing configured URL prefixes
/// (<see cref="FlowHostOptions.HttpRewrites"/>), so a flow written against a production CRM runs against a stub.
/// The longest matching prefix wins.
/// </summary>
internal sealed class RewritingHttpRequester : IIvrHttpRequester
{
    private readonly IIvrHttpRequester _inner;
    private readonly KeyValuePair<string, string>[] _rewrites;

    public RewritingHttpRequester(IIvrHttpRequester inner, IEnumerable<HttpRewriteOptions> rewrites)
    {
        _inner = inner;
        _rewrites = [.. rewrites.Select(r => KeyValuePair.Create(r.From, r.To)).OrderByDescending(r => r.Key.Length)];
    }

    public Task<IvrHttpResponse> SendAsync(IvrHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.Uri.OriginalString;
        foreach (var (from, to) in _rewrites)
        {
            if (url.StartsWith(from, StringComparison.OrdinalIgnoreCase))
            {
                request = request with { Uri = new Uri(to + url[from.Length..]) };
                break;
            }
        }

        return _inner.SendAsync(request, cancellationToken);
    }
}
