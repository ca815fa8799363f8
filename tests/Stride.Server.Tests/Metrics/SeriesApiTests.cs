using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stride.Core.Events;

namespace Stride.Server.Tests.Metrics;

public sealed class SeriesApiTests
{
    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task GoldenSeriesOverHttpGiveEveryExpectedBucket(string file)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var golden = GoldenData.Load(file);
        foreach (var chunk in golden.GetProperty("events").EnumerateArray().Chunk(5000))
        {
            await (await client.PostJsonAsync("/api/v1/events", "[" + string.Join(",", chunk.Select(e => e.GetRawText())) + "]")).AssertStoredAsync(chunk.Length);
        }

        var failures = new List<string>();
        var index = 0;
        foreach (var series in golden.GetProperty("series").EnumerateArray())
        {
            var response = await client.GetAsync("/api/v1/metrics/series?" + GoldenData.QueryString(series.GetProperty("params")), Http.Ct);
            var body = await response.ReadJsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
            var expected = series.GetProperty("expected").EnumerateArray().ToArray();
            var buckets = body.GetProperty("buckets").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, buckets.Length);
            for (var b = 0; b < expected.Length; b++)
            {
                var where = $"{file} series {index} bucket {b}";
                Assert.Equal(Timestamps.ToRfc3339(expected[b].GetProperty("start").GetInt64()), buckets[b].GetProperty("start").GetString());
                Assert.Equal(Timestamps.ToRfc3339(expected[b].GetProperty("end").GetInt64()), buckets[b].GetProperty("end").GetString());
                var blocks = JsonNode.Parse(expected[b].GetRawText())!.AsObject();
                blocks.Remove("start");
                blocks.Remove("end");
                GoldenData.Compare(where, JsonSerializer.SerializeToElement(blocks), buckets[b], failures);
            }

            index++;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.True(index > 0);
    }

    public static TheoryData<string> GoldenFiles() => GoldenData.Files();

    [Fact]
    public async Task DayBucketsFollowTheTimeZoneAcrossADaylightSavingChange()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        // Lisbon moves from UTC+0 to UTC+1 on 2026-03-29: that day is 23 hours long.
        var response = await client.GetAsync(
            "/api/v1/metrics/series?from=2026-03-28T00:00:00Z&to=2026-03-29T23:00:00Z&interval=day&tz=Europe/Lisbon", Http.Ct);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("day", body.GetProperty("interval").GetString());
        Assert.Equal("Europe/Lisbon", body.GetProperty("tz").GetString());
        var bounds = body.GetProperty("buckets").EnumerateArray()
            .Select(b => (b.GetProperty("start").GetString(), b.GetProperty("end").GetString())).ToArray();
        Assert.Equal([("2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z"), ("2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z")], bounds);
    }

    [Fact]
    public async Task EachBucketCountsItsOwnDeployments()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await (await client.PostJsonAsync("/api/v1/deployments", """
            [{"identifier":"a","timestamp":"2026-11-02T10:00:00Z","system":"api"},
             {"identifier":"b","timestamp":"2026-11-02T11:00:00Z","system":"api"},
             {"identifier":"c","timestamp":"2026-11-10T11:00:00Z","system":"api"}]
            """)).AssertStoredAsync(3);

        var body = await (await client.GetAsync("/api/v1/metrics/series?from=2026-11-02&to=2026-11-16&interval=week", Http.Ct)).ReadJsonAsync();
        var counts = body.GetProperty("buckets").EnumerateArray()
            .Select(b => b.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32()).ToArray();
        Assert.Equal([2, 1], counts);
    }

    [Theory]
    [InlineData("interval=hour", "interval")]
    [InlineData("interval=1", "interval")]
    [InlineData("tz=Mars/Olympus", "tz")]
    [InlineData("from=2020-01-01&to=2026-01-01&interval=day", "interval")]
    [InlineData("from=yesterday", "from")]
    public async Task BadParametersAreNamedIn400(string query, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var problem = await (await client.GetAsync("/api/v1/metrics/series?" + query, Http.Ct)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task SeriesNeedTheReadScope()
    {
        await using var app = new StrideApplication();
        using var ingestOnly = await app.CreateClientWithScopesAsync("ingest");
        Assert.Equal(HttpStatusCode.Forbidden, (await ingestOnly.GetAsync("/api/v1/metrics/series", Http.Ct)).StatusCode);
    }
}
