using System.Net;
using System.Text;
using Stride.Tests.Shared;

namespace Stride.Server.Tests.Limits;

/// <summary>Kestrel's request body limit, on the real server process (the test host enforces none).</summary>
public sealed class BodySizeTests
{
    [Fact]
    public async Task ABodyOverTheLimitIs413ProblemDetailsAndStoresNothing()
    {
        await using var server = await StrideServerProcess.StartAsync(
            Http.Ct, settings: new Dictionary<string, string> { ["Stride__Limits__MaxRequestBodyBytes"] = "100000" });
        using var client = server.CreateClient();
        var body = new StringBuilder();
        for (var i = 0; body.Length <= 200_000; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type":"change","identifier":"c{{i}}","timestamp":1780000000,"system":"api"}""").Append('\n');
        }

        var response = await client.PostJsonAsync("/api/v1/events", body.ToString(), "application/x-ndjson");

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("too large", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        var changes = await (await client.GetAsync("/api/v1/changes?from=2020-01-01&to=2030-01-01", Http.Ct)).ReadJsonAsync();
        Assert.Equal(0, changes.GetProperty("items").GetArrayLength());
        var small = await client.PostJsonAsync("/api/v1/changes", """{"identifier":"c1","timestamp":1780000000,"system":"api"}""");
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }
}
