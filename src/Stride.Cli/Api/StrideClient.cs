using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Stride.Cli.Api;

/// <summary>The server's HTTP API as the CLI uses it: batches of events and the latest deployment.</summary>
/// <remarks>
/// Every request goes through a retry (connection errors, timeouts, 5xx, 429; exponential backoff
/// with jitter; Retry-After honoured) around a per-attempt timeout. Retrying a push is safe: events
/// are keyed, so a batch stored twice is stored once (SPEC §2). Other 4xx answers are final.
/// </remarks>
internal sealed class StrideClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;

    public StrideClient(Uri baseUrl, string apiKey, HttpSettings settings)
    {
        _baseUrl = baseUrl;
        var handler = new RetryHandler(settings) { InnerHandler = settings.Handler ?? new SocketsHttpHandler() };

        // The handler given by a test belongs to its server: only our own inner handler is disposed with us.
        _http = new HttpClient(handler, disposeHandler: settings.Handler is null)
        {
            BaseAddress = EndWithSlash(baseUrl),
            Timeout = Timeout.InfiniteTimeSpan,   // the pipeline times each attempt
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("stride-cli", StrideCli.Version));
    }

    /// <summary>The server's address, ending with a slash.</summary>
    public Uri BaseUrl => _http.BaseAddress!;

    /// <summary>Stores events in one atomic batch; returns how many the server stored.</summary>
    /// <exception cref="CommandFailedException">The server rejected the batch or could not be reached.</exception>
    public async Task<int> PushAsync(IReadOnlyList<EventItem> events, CancellationToken ct)
    {
        using var content = JsonContent.Create(events, CliJson.Default.IReadOnlyListEventItem);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = content }, ct);
        await ThrowIfFailedAsync(response, ct);
        var stored = await response.Content.ReadFromJsonAsync(CliJson.Default.StoredResponse, ct);
        return stored?.Stored ?? throw new CommandFailedException($"The server at {_baseUrl} answered {(int)response.StatusCode} without a count of stored events.");
    }

    /// <summary>The latest successful deployment of a system in an environment, or null when it has none.</summary>
    /// <exception cref="CommandFailedException">The server refused the question or could not be reached.</exception>
    public async Task<LatestDeployment?> FindLatestDeploymentAsync(string? system, string environment, CancellationToken ct)
    {
        var query = $"api/v1/deployments/latest?system={Uri.EscapeDataString(system ?? "")}&environment={Uri.EscapeDataString(environment)}";
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, query), ct);
        if (response.StatusCode == HttpStatusCode.NotFound && IsProblem(response))
        {
            return null;
        }

        await ThrowIfFailedAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(CliJson.Default.LatestDeployment, ct);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var message = request();
        try
        {
            return await _http.SendAsync(message, ct);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            throw new CommandFailedException($"Could not reach the Stride server at {_baseUrl}: {e.Message}");
        }
    }

    private async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var what = status is >= 500 or 429 ? "kept failing" : "rejected the request";
        var message = new StringBuilder($"The Stride server at {_baseUrl} {what}: {status} {response.ReasonPhrase}");
        if (IsProblem(response) && await TryReadProblemAsync(response, ct) is { } problem)
        {
            message.Append(": ").Append(problem.Detail ?? problem.Title);
            foreach (var (field, errors) in problem.Errors ?? [])
            {
                foreach (var error in errors)
                {
                    message.Append($"{Environment.NewLine}  {field}: {error}");
                }
            }
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            message.Append($"{Environment.NewLine}Check the API key (--api-key or STRIDE_API_KEY).");
        }

        throw new CommandFailedException(message.ToString());
    }

    private static async Task<Problem?> TryReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(CliJson.Default.Problem, ct);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;   // the status line alone then says what happened
        }
    }

    private static bool IsProblem(HttpResponseMessage response)
        => response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    private static Uri EndWithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
