using System.Net;

namespace Stride.Server.Tests.Health;

public sealed class HealthApiTests
{
    [Fact]
    public async Task HealthzAnswersWithoutAKey()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/healthz", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadyzAnswersWhenTheStoreIsReachable()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/readyz", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", (await response.ReadJsonAsync()).GetProperty("status").GetString());
    }
}
