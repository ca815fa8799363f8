using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Stride.Server.Tests.Webhooks;
using Stride.Server.Tests.Connections;

namespace Stride.Server.Tests.BadInput;

/// <summary>
/// Hundreds of generated malformed requests on every ingestion route: each gets a 4xx (a 400 with a problem that
/// names the field, where there is one), none a 5xx or a 2xx, nothing is stored, and the server still works after.
/// </summary>
/// <remarks>
/// The requests come from each route's valid bodies (<see cref="IngestionRoutes"/>), broken field by field
/// (<see cref="BadValues"/>) and as a whole (<see cref="BadCases"/>): deterministic, so a failure repeats. One
/// test per route reports every mishandled request at once, by route, body and mutation.
/// </remarks>
public sealed class BadInputTests
{
    private const string Secret = "bad-input secret";

    /// <summary>The tables every ingestion route writes to; set-up rows (keys, connections, secrets) are elsewhere.</summary>
    private static readonly string[] EventTables =
        ["changes", "deployments", "incidents", "issues", "pushes", "push_commits", "webhook_deliveries"];

    public static TheoryData<string> Routes => [.. IngestionRoutes.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task MalformedRequestsGetAProblemStoreNothingAndLeaveTheServerWorking(string name)
    {
        var route = IngestionRoutes.Find(name);
        await using var app = new StrideApplication();
        using var target = await RouteTarget.CreateAsync(app, route);
        var cases = BadCases.For(route);
        cases.AddRange(route.Extra ?? []);
        Assert.True(cases.Count >= 100, $"Only {cases.Count} cases were generated for {name}.");

        var failures = new List<string>();
        foreach (var bad in cases)
        {
            using var response = await target.SendAsync(bad);
            if (await CheckAsync(bad, response) is { } failure)
            {
                failures.Add($"  {bad.Name}: {failure}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {cases.Count} malformed requests, {failures.Count} mishandled.");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {cases.Count} malformed requests to {name} were mishandled:\n{string.Join("\n", failures.Take(300))}");

        var stored = await CountEventRowsAsync(app);
        Assert.True(stored.Values.Sum() == 0,
            $"Malformed requests to {name} stored rows: {string.Join(", ", stored.Where(t => t.Value > 0).Select(t => $"{t.Key} {t.Value}"))}");

        await AssertWorkingAsync(app, route, target);
    }

    /// <summary>What is wrong with the answer to a malformed request, or null when it is right.</summary>
    private static async Task<string?> CheckAsync(BadCase bad, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        var said = $"{status} {Shorten(text)}";
        if (bad.Status is { } expected)
        {
            return status == expected ? CheckProblem(text, response, status, null) : $"expected {expected}, got {said}";
        }

        if (status >= 500)
        {
            return $"server error {said}";
        }

        if (status < 400)
        {
            return $"accepted {said}";
        }

        if (status is 401 or 403 or 404 or 405)
        {
            return $"refused before the body was read, so the body was not tested: {said}";
        }

        return status is 400 or 422 ? CheckProblem(text, response, status, bad.ExpectedKey) : null;
    }

    private static string? CheckProblem(string text, HttpResponseMessage response, int status, string? expectedKey)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not application/problem+json: {Shorten(text)}";
        }

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return $"{status} with a problem that is not JSON: {Shorten(text)}";
        }

        if (!problem.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || s.GetInt32() != status
            || !problem.TryGetProperty("detail", out var detail) || string.IsNullOrWhiteSpace(detail.GetString()))
        {
            return $"{status} with a problem lacking its status or detail: {Shorten(text)}";
        }

        if (expectedKey is null)
        {
            return null;
        }

        var keys = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(p => p.Name).ToArray()
            : [];
        return keys.Any(k => k == expectedKey || k.StartsWith(expectedKey + ".", StringComparison.Ordinal) || k.StartsWith(expectedKey + "[", StringComparison.Ordinal))
            ? null
            : $"the problem does not name '{expectedKey}' (errors: {string.Join(", ", keys)}): {Shorten(text)}";
    }

    /// <summary>Health and readiness answer, and each valid body of the route is still accepted and stored.</summary>
    private static async Task AssertWorkingAsync(StrideApplication app, RouteUnderTest route, RouteTarget target)
    {
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz", Http.Ct)).StatusCode);

        foreach (var valid in route.Bases)
        {
            using var response = await target.SendAsync(new BadCase("valid", valid.Bytes, valid.ContentType, valid.Headers ?? []));
            var text = await response.Content.ReadAsStringAsync(Http.Ct);
            // 200, not 202: the valid body maps to events, so its broken copies were refused for what was broken.
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"The valid {valid.Name} body to {route.Name} got {(int)response.StatusCode}: {text}");
        }

        var stored = await CountEventRowsAsync(app);
        Assert.True(stored.Values.Sum() > 0, $"The valid bodies to {route.Name} stored nothing.");
    }

    private static async Task<Dictionary<string, long>> CountEventRowsAsync(StrideApplication app)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in EventTables)
        {
            counts[table] = await app.QueryScalarAsync<long>($"SELECT count(*) FROM {table}");   // a name from the fixed list above
        }

        return counts;
    }

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    /// <summary>A route made ready to take requests: a client with the right key, the secret set, the connection made.</summary>
    private sealed class RouteTarget(HttpClient client, RouteUnderTest route, string connectionId) : IDisposable
    {
        public static async Task<RouteTarget> CreateAsync(StrideApplication app, RouteUnderTest route)
        {
            using var admin = app.CreateAdminClient();
            switch (route.Signer)
            {
                case Signer.GitHub or Signer.GitLab or Signer.PagerDuty:
                    var provider = route.Signer.ToString().ToLowerInvariant();
                    using (var set = await admin.PutAsJsonAsync($"/api/v1/webhooks/{provider}/secret", new { secret = Secret }, Http.Ct))
                    {
                        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
                    }

                    return new(app.CreateAdminClient(), route, "");
                case Signer.Connection:
                    var connection = await admin.CreateConnectionAsync("bad input");
                    return new(app.CreateClient(connection.Key), route, connection.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

                default:
                    return new(app.CreateAdminClient(), route, "");
            }
        }

        public async Task<HttpResponseMessage> SendAsync(BadCase bad)
        {
            var path = (bad.Path ?? route.Path).Replace("{id}", connectionId, StringComparison.Ordinal);
            using var request = new HttpRequestMessage(HttpMethod.Post, bad.Query.Length > 0 ? $"{path}?{bad.Query}" : path)
            {
                Content = new ByteArrayContent(bad.Body),
            };
            if (bad.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            if (bad.ContentEncoding is { } encoding)
            {
                request.Content.Headers.ContentEncoding.Add(encoding);
            }

            foreach (var (name, value) in bad.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            // Signed over the exact bytes sent, so that the body, not the signature, is what the server refuses.
            switch (route.Signer)
            {
                case Signer.GitHub:
                    request.Headers.Add("X-Hub-Signature-256", WebhookFixture.GitHubSignature(bad.Body, Secret));
                    break;
                case Signer.GitLab:
                    request.Headers.Add("X-Gitlab-Token", Secret);
                    break;
                case Signer.PagerDuty:
                    request.Headers.Add("X-PagerDuty-Signature", WebhookFixture.PagerDutySignature(bad.Body, Secret));
                    break;
            }

            return await client.SendAsync(request, Http.Ct);
        }

        public void Dispose() => client.Dispose();
    }
}
