namespace Stride.Server.Tests.Ingestion;

public sealed class ConcurrentIngestionTests
{
    [Fact]
    public async Task ManyConcurrentSingleEventRequestsAreEachStoredOnce()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        const int Count = 300;

        // Sent at once, so that the store commits many of them together.
        var responses = await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
            client.PostJsonAsync("/api/v1/changes", $$"""{"identifier":"c{{i}}","timestamp":{{1_780_000_000 - i}},"system":"load"}""")));
        foreach (var response in responses)
        {
            await response.AssertStoredAsync(1);
        }

        // The same events again, as a retrying client would send them: nothing is counted twice.
        await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
            await (await client.PostJsonAsync("/api/v1/changes", $$"""{"identifier":"c{{i}}","timestamp":{{1_780_000_000}},"system":"load"}""")).AssertStoredAsync(1)));

        var changes = string.Join(",", Enumerable.Range(0, Count).Select(i => $"\"c{i}\""));
        await (await client.PostJsonAsync("/api/v1/deployments",
            $$"""{"identifier":"v1","timestamp":1780000000,"system":"load","changes":[{{changes}}]}""")).AssertStoredAsync(1);
        var lead = (await client.GetAllTimeMetricsAsync("&system=load")).GetProperty("leadTimeForChanges");
        Assert.Equal(Count, lead.GetProperty("changes").GetInt32());
        Assert.Equal(0, lead.GetProperty("changesWithoutTimestamp").GetInt32());

        // Earliest timestamps kept: lead times 0..Count-1 seconds.
        Assert.Equal((Count - 1) / 2.0, lead.GetProperty("meanSeconds").GetDouble());
    }
}
