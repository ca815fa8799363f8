using System.Net;

namespace Stride.Server.Tests.Deployments;

public sealed class DeploymentsApiTests
{
    [Fact]
    public async Task LatestIsNotFoundBeforeAnyDeployment()
    {
        await using var app = new StrideApplication();
        using var client = await app.CreateClientWithScopesAsync("ingest");

        var response = await client.GetAsync("/api/v1/deployments/latest?system=api", Http.Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LatestIsTheNewestSuccessfulDeploymentOfTheSystemAndEnvironment()
    {
        await using var app = new StrideApplication();
        using var client = await app.CreateClientWithScopesAsync("ingest");
        await (await client.PostJsonAsync("/api/v1/deployments", """
            [{"identifier":"v1","timestamp":1780000000,"system":"https://github.com/acme/api","commit":"aaa"},
             {"identifier":"v2","timestamp":1780000100,"system":"github.com/acme/api","commit":"bbb"},
             {"identifier":"v3","timestamp":1780000200,"system":"github.com/acme/api","commit":"ccc","result":"failure"},
             {"identifier":"v4","timestamp":1780000300,"system":"github.com/acme/api","commit":"ddd","environment":"staging"},
             {"identifier":"v5","timestamp":1780000400,"system":"other","commit":"eee"}]
            """)).AssertStoredAsync(5);

        var response = await client.GetAsync("/api/v1/deployments/latest?system=git@github.com:acme/api.git", Http.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var latest = await response.ReadJsonAsync();
        Assert.Equal("v2", latest.GetProperty("identifier").GetString());
        Assert.Equal("bbb", latest.GetProperty("commit").GetString());
        Assert.Equal("2026-05-28T20:28:20Z", latest.GetProperty("timestamp").GetString());
        Assert.Equal("github.com/acme/api", latest.GetProperty("system").GetString());

        var staging = await (await client.GetAsync("/api/v1/deployments/latest?system=github.com/acme/api&environment=STAGING", Http.Ct)).ReadJsonAsync();
        Assert.Equal("ddd", staging.GetProperty("commit").GetString());
    }
}
