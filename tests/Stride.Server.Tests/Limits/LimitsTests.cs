using System.Net;
using Stride.Tests.Shared;

namespace Stride.Server.Tests.Limits;

/// <summary>The per-key rate limit and the request time limit (<c>Stride:Limits</c>), through the real server.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task AKeyOverItsRateGets429WithRetryAfterAndOtherKeysAndProbesAreNotHeldBack()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?>
        {
            ["Stride:Limits:RequestsPerSecond"] = "1",
            ["Stride:Limits:Burst"] = "3",
        });
        var limited = await app.CreateKeyAsync("ingest", "read");   // the bootstrap key spends its own bucket here
        var other = await app.CreateKeyAsync("read");
        using var client = app.CreateClient(limited);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
        }

        var refused = await client.PostJsonAsync("/api/v1/changes", """{"identifier":"c1","timestamp":1780000000,"system":"api"}""");

        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("requests per second", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        using var otherClient = app.CreateClient(other);
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
        using var anonymous = app.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", Http.Ct)).StatusCode);
        }

        Assert.Equal(0L, await app.QueryScalarAsync<long>("SELECT count(*) FROM changes"));
    }

    [Fact]
    public async Task TheBucketRefillsSoTheKeyIsServedAgainAfterRetryAfter()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?>
        {
            ["Stride:Limits:RequestsPerSecond"] = "1",
            ["Stride:Limits:Burst"] = "1",
        });
        using var client = app.CreateClient(await app.CreateKeyAsync("read"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
        var refused = await client.GetAsync("/api/v1/systems", Http.Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture)) + TimeSpan.FromMilliseconds(200), Http.Ct);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
    }

    // On the real server process: the test host's request body does not stop a read when the request's
    // token is cancelled, as Kestrel's does.
    [Fact]
    public async Task ARequestOverTheTimeLimitIsStoppedWith503AndStoresNothing()
    {
        await using var server = await StrideServerProcess.StartAsync(
            Http.Ct, settings: new Dictionary<string, string> { ["Stride__Limits__RequestTimeoutSeconds"] = "0.5" });
        using var admin = server.CreateClient();
        using var body = SplitBody.Json("""{"name":"slow","scopes":["read"]}""", TimeSpan.FromSeconds(3));

        var response = await admin.PostAsync("/api/v1/keys", body, Http.Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("took longer than 0.5 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var keys = await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync();
        Assert.Equal(["bootstrap"], keys.EnumerateArray().Select(k => k.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task IngestionIsNotCutByTheTimeLimitItsBodyLimitBoundsItsWork()
    {
        await using var server = await StrideServerProcess.StartAsync(
            Http.Ct, settings: new Dictionary<string, string> { ["Stride__Limits__RequestTimeoutSeconds"] = "0.5" });
        using var admin = server.CreateClient();
        using var body = SplitBody.Json("""{"identifier":"c1","timestamp":1780000000,"system":"api"}""", TimeSpan.FromSeconds(2));

        var response = await admin.PostAsync("/api/v1/changes", body, Http.Ct);

        await response.AssertStoredAsync(1);
    }
}
