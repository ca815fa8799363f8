using System.Net.Http.Json;
using System.Text.Json;
using Stride.Server.Tests;

namespace Stride.Cli.Tests;

/// <summary>What one run of the CLI printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Runs the CLI in-process against the real server in the ASP.NET test host, with its own
/// environment variables and every request it sent recorded.
/// </summary>
internal sealed class CliHarness : IAsyncDisposable
{
    private readonly StrideApplication _app = new();

    public CliHarness()
    {
        Environment = new Dictionary<string, string?>
        {
            ["STRIDE_URL"] = "http://localhost",
            ["STRIDE_API_KEY"] = StrideApplication.BootstrapKey,
        };
    }

    public StrideApplication App => _app;

    /// <summary>The environment variables the CLI sees (STRIDE_URL and STRIDE_API_KEY set to the test server's).</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>The requests the CLI sent, in order.</summary>
    public List<SentRequest> Requests { get; } = [];

    /// <summary>Answers to give instead of the server's, one per request, before the server is reached.</summary>
    public Queue<Func<HttpResponseMessage>> Faults { get; } = new();

    /// <summary>Stalls to apply, one per request, before the server is reached (a stalled server).</summary>
    public Queue<TimeSpan> Stalls { get; } = new();

    public HttpSettings Http { get; set; } = new(Timeout: TimeSpan.FromSeconds(20), MaxRetries: 3, RetryDelay: TimeSpan.FromMilliseconds(10));

    public async Task<CliResult> RunAsync(params string[] args) => await RunInAsync(null, args);

    public async Task<CliResult> RunInAsync(string? directory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var handler = new RecordingHandler(Requests, Faults, Stalls) { InnerHandler = _app.Server.CreateHandler() };
        var context = new CliContext(output, error, name => Environment.GetValueOrDefault(name), Interactive: false,
            Http with { Handler = handler }, directory ?? System.Environment.CurrentDirectory);
        var code = await StrideCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The metrics of a window, read through the API with the admin key.</summary>
    public async Task<JsonElement> MetricsAsync(long from, long to, string? system = null)
    {
        using var client = _app.CreateAdminClient();
        var url = $"/api/v1/metrics?from={from}&to={to}" + (system is null ? "" : $"&system={Uri.EscapeDataString(system)}");
        var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    /// <summary>The latest deployment of a system, or null.</summary>
    public async Task<JsonElement?> LatestDeploymentAsync(string system, string environment = "production")
    {
        using var client = _app.CreateAdminClient();
        var response = await client.GetAsync($"/api/v1/deployments/latest?system={Uri.EscapeDataString(system)}&environment={environment}",
            TestContext.Current.CancellationToken);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.ReadJsonAsync();
    }

    public async Task<string> CreateKeyAsync(params string[] scopes) => await _app.CreateKeyAsync(scopes);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class RecordingHandler(List<SentRequest> requests, Queue<Func<HttpResponseMessage>> faults, Queue<TimeSpan> stalls)
        : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (requests)
            {
                requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.PathAndQuery, body,
                    request.Headers.Authorization?.ToString()));
            }

            if (stalls.TryDequeue(out var stall))
            {
                await Task.Delay(stall, cancellationToken);
            }

            if (faults.TryDequeue(out var fault))
            {
                var response = fault();
                response.RequestMessage = request;
                return response;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A request the CLI sent.</summary>
internal sealed record SentRequest(string Method, string PathAndQuery, string? Body, string? Authorization)
{
    /// <summary>The events of a POST /api/v1/events body.</summary>
    public JsonElement[] Events => JsonDocument.Parse(Body!).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
}
