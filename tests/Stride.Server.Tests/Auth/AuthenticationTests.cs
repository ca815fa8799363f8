using System.Net;

namespace Stride.Server.Tests.Auth;

public sealed class AuthenticationTests
{
    private const string Change = """{"identifier":"c1","timestamp":1780000000}""";

    [Fact]
    public async Task NoKeyIsUnauthorized()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        var response = await client.PostJsonAsync("/api/v1/changes", Change);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("API key", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnUnknownKeyIsUnauthorized()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient("stride_not_a_real_key");

        var response = await client.GetAsync("/api/v1/metrics", Http.Ct);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AReadKeyCannotIngest()
    {
        await using var app = new StrideApplication();
        using var client = await app.CreateClientWithScopesAsync("read");

        var response = await client.PostJsonAsync("/api/v1/events", "[" + Change.Replace("{", "{\"type\":\"change\",") + "]");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        using var admin = app.CreateAdminClient();
        Assert.Equal(0, (await admin.GetAllTimeMetricsAsync()).GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task AnIngestKeyCannotReadMetricsOrManageKeys()
    {
        await using var app = new StrideApplication();
        using var client = await app.CreateClientWithScopesAsync("ingest");

        await (await client.GetAsync("/api/v1/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync("/api/v1/keys", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostJsonAsync("/api/v1/changes", Change)).AssertStoredAsync(1);
    }

    [Fact]
    public async Task AReadKeyCannotManageKeys()
    {
        await using var app = new StrideApplication();
        using var client = await app.CreateClientWithScopesAsync("read");

        var response = await client.PostObjectAsync("/api/v1/keys", new { name = "x", scopes = new[] { "admin" } });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheKeyIsAcceptedAsXApiKeyHeader()
    {
        await using var app = new StrideApplication();
        var key = await app.CreateKeyAsync("ingest");
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        await (await client.PostJsonAsync("/api/v1/changes", Change)).AssertStoredAsync(1);
    }

    [Fact]
    public async Task TheKeyIsAcceptedAsApiKeyQueryParameter()
    {
        await using var app = new StrideApplication();
        var key = await app.CreateKeyAsync("ingest");
        using var client = app.CreateClient();

        await (await client.PostJsonAsync("/api/v1/changes?api_key=" + Uri.EscapeDataString(key), Change)).AssertStoredAsync(1);
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedAtOnce()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        var created = await (await admin.PostObjectAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "ingest" } })).ReadJsonAsync();
        using var client = app.CreateClient(created.GetProperty("key").GetString()!);
        await (await client.PostJsonAsync("/api/v1/changes", Change)).AssertStoredAsync(1);

        var revoke = await admin.DeleteAsync($"/api/v1/keys/{created.GetProperty("id").GetInt64()}", Http.Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await (await client.PostJsonAsync("/api/v1/changes", Change)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
