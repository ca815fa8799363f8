using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;

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

        Assert.Equal(0L, await CountAsync(app, "SELECT count(*) FROM changes"));
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

    [Fact]
    public async Task ARequestOverTheTimeLimitIsStoppedWith503AndStoresNothing()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?> { ["Stride:Limits:RequestTimeoutSeconds"] = "0.001" });
        using var admin = app.CreateAdminClient();
        var body = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type":"change","identifier":"c{{i}}","timestamp":{{1_780_000_000 + i}},"system":"api"}""").Append('\n');
        }

        var response = await admin.PostJsonAsync("/api/v1/events", body.ToString(), "application/x-ndjson");

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("took longer than 0.001 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await CountAsync(app, "SELECT count(*) FROM changes"));
    }

    private static async Task<long> CountAsync(StrideApplication app, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync(Http.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Http.Ct))!;
    }
}
