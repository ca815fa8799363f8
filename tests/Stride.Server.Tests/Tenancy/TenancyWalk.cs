using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Stride.Server.Tests.Tenancy;

/// <summary>A route as the coverage guard counts it: an HTTP method (<c>*</c> when the endpoint takes any) and a route pattern.</summary>
internal readonly record struct RouteKey(string Method, string Pattern)
{
    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>Every (method, pattern) pair the running app serves, with its endpoint.</summary>
    public static IReadOnlyList<(RouteKey Key, RouteEndpoint Endpoint)> All(IServiceProvider services)
        => [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => (new RouteKey(m, e.RoutePattern.RawText ?? ""), e)))];

    public static RouteKey Of(RouteEndpoint endpoint, string requestMethod)
        => new(endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { } methods && methods.HttpMethods.Contains(requestMethod, StringComparer.OrdinalIgnoreCase)
            ? requestMethod.ToUpperInvariant()
            : "*", endpoint.RoutePattern.RawText ?? "");
}

/// <summary>
/// Records which endpoint the app's own router chose for each request of the walk, without adding any
/// middleware: the routing middleware reports every match on the host's <see cref="DiagnosticListener"/>
/// ("Microsoft.AspNetCore.Routing.EndpointMatched", with the <see cref="HttpContext"/>), which is one
/// instance per host, so other tests' servers do not reach this one.
/// </summary>
/// <remarks>
/// Only requests carrying <see cref="Header"/> (set by <see cref="WalkHandler"/>) count, so the other
/// organization's setup and checks do not. A match is recorded before the scope check, so a route counts
/// as walked also when it refused the key (the walk asserts each status itself).
/// </remarks>
internal sealed class RouteRecorder : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string Header = "X-Tenancy-Walk";
    private const string EndpointMatched = "Microsoft.AspNetCore.Routing.EndpointMatched";

    private readonly ConcurrentDictionary<RouteKey, int> _hits = new();
    private readonly IDisposable _subscription;

    public RouteRecorder(IServiceProvider services)
        => _subscription = services.GetRequiredService<DiagnosticListener>().Subscribe(this, name => name == EndpointMatched);

    public IReadOnlyCollection<RouteKey> Hits => [.. _hits.Keys];

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == EndpointMatched && value.Value is HttpContext http && http.Request.Headers.ContainsKey(Header)
            && http.GetEndpoint() is RouteEndpoint endpoint)
        {
            _hits.AddOrUpdate(RouteKey.Of(endpoint, http.Request.Method), 1, (_, n) => n + 1);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();
}

/// <summary>One request of the walk and its answer, kept to scan every answer for the other organization's data.</summary>
internal sealed record Exchange(string Method, string Request, int Status, string Response)
{
    public override string ToString() => $"{Method} {Request} → {Status}";
}

/// <summary>Marks each request as part of the walk (<see cref="RouteRecorder.Header"/>) and keeps it with its answer.</summary>
internal sealed class WalkHandler(ConcurrentQueue<Exchange> log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(RouteRecorder.Header, "1");
        // The request's own text (URL, body, key), so that a value the caller named itself is not taken for a leak.
        var sent = $"{Uri.UnescapeDataString(request.RequestUri!.ToString())}\n{request.Headers}\n{(request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken))}";
        var response = await base.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        log.Enqueue(new Exchange(request.Method.Method, sent, (int)response.StatusCode, $"{response.Headers}\n{body}"));
        return response;
    }
}

/// <summary>The clients of the walking organization: each request recorded (<see cref="WalkHandler"/>).</summary>
internal sealed class TenancyWalk(StrideApplication app) : IDisposable
{
    private readonly List<HttpClient> _clients = [];

    public ConcurrentQueue<Exchange> Log { get; } = new();

    /// <summary>A client holding <paramref name="key"/> as a bearer key (none for null).</summary>
    public HttpClient Client(string? key)
    {
        var client = app.CreateDefaultClient(new Uri("http://localhost"), new WalkHandler(Log));
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>A client without a key that keeps cookies and does not follow redirects, as a browser on the dashboard.</summary>
    public HttpClient Browser()
    {
        var client = app.CreateDefaultClient(new Uri("http://localhost"), new WalkHandler(Log), new CookieContainerHandler());
        _clients.Add(client);
        return client;
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
