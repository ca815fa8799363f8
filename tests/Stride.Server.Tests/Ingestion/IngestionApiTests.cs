using System.Net;
using System.Text;
using System.Text.Json;

namespace Stride.Server.Tests.Ingestion;

public sealed class IngestionApiTests
{
    private const long T = 1_780_000_000;   // a Monday in 2026, 20:26:40 UTC

    [Fact]
    public async Task PostingOneChangeStoresIt()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/api/v1/changes", $$"""{"identifier":"c1","timestamp":{{T}},"system":"api"}""");

        await response.AssertStoredAsync(1);
    }

    [Fact]
    public async Task ChangesDeploymentsAndIncidentsFromTheirRoutesMakeMetrics()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/changes", $$"""
            [{"identifier":"c1","timestamp":{{T - 3600}},"system":"api"},
             {"identifier":"c2","timestamp":"{{Rfc(T - 7200)}}","system":"api"}]
            """)).AssertStoredAsync(2);
        await (await client.PostJsonAsync("/api/v1/deployments", $$"""
            {"identifier":"v1","timestamp":{{T}},"system":"api","changes":["c1","c2","never-pushed"],
             "environment":"Production","result":"SUCCESS","teams":["core"],"commit":"c1","rework":true}
            """)).AssertStoredAsync(1);
        await (await client.PostJsonAsync("/api/v1/incidents", $$"""
            {"identifier":"INC-1","timestampCreated":{{T + 100}},"system":"api","deployment":"v1"}
            """)).AssertStoredAsync(1);

        var open = await client.GetAllTimeMetricsAsync();
        Assert.Equal(1, open.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());

        await (await client.PostJsonAsync("/api/v1/incidents", $$"""
            {"identifier":"INC-1","timestampCreated":{{T + 100}},"timestampResolved":{{T + 1900}},"system":"api"}
            """)).AssertStoredAsync(1);

        var metrics = await client.GetAllTimeMetricsAsync();
        var deployments = metrics.GetProperty("deploymentFrequency");
        Assert.Equal(1, deployments.GetProperty("deployments").GetInt32());
        var lead = metrics.GetProperty("leadTimeForChanges");
        Assert.Equal(2, lead.GetProperty("changes").GetInt32());
        Assert.Equal(5400.0, lead.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, lead.GetProperty("changesWithoutTimestamp").GetInt32());
        var failures = metrics.GetProperty("changeFailureRate");
        Assert.Equal(1, failures.GetProperty("failedDeployments").GetInt32());
        Assert.Equal(1.0, failures.GetProperty("rate").GetDouble());
        var restore = metrics.GetProperty("timeToRestore");
        Assert.Equal(1, restore.GetProperty("incidents").GetInt32());
        Assert.Equal(1800.0, restore.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(0, restore.GetProperty("openIncidents").GetInt32());
        Assert.Equal(1900.0, metrics.GetProperty("failedDeploymentRecoveryTime").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, metrics.GetProperty("reworkRate").GetProperty("reworkDeployments").GetInt32());
    }

    [Fact]
    public async Task EventsBatchAsJsonArrayIsStoredWhole()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"c1","timestamp":{{T - 60}}},
             {"type":"deployment","identifier":"v1","timestamp":{{T}},"changes":["c1"]},
             {"type":"incident","identifier":"i1","timestampCreated":{{T + 1}},"timestampResolved":{{T + 61}}}]
            """);

        await response.AssertStoredAsync(3);
        var metrics = await client.GetAllTimeMetricsAsync("&system=_unknown_");
        Assert.Equal(60.0, metrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(60.0, metrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task EventsBatchAsNdjsonIsStoredWhole()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var ndjson = $$"""
            {"type":"change","identifier":"c1","timestamp":{{T - 60}},"system":"web"}

            {"type":"deployment","identifier":"v1","timestamp":{{T}},"changes":["c1"],"system":"web"}
            """ + "\r\n";

        var response = await client.PostJsonAsync("/api/v1/events", ndjson, "application/x-ndjson");

        await response.AssertStoredAsync(2);
        var metrics = await client.GetAllTimeMetricsAsync("&system=web");
        Assert.Equal(1, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task PrettyPrintedSingleObjectIsOneEvent()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/api/v1/deployments", $$"""
            {
              "identifier": "v1",
              "timestamp": {{T}}
            }
            """);

        await response.AssertStoredAsync(1);
    }

    [Theory]
    [InlineData("/api/v1/changes", "[{\"identifier\":\"a\",\"timestamp\":1780000000},{\"identifier\":\"b\",\"timestamp\":1780000000}]", 2)]
    [InlineData("/api/v1/changes", "{\"identifier\":\"a\",\"timestamp\":1780000000}", 1)]
    [InlineData("/api/v1/events", "[{\"type\":\"change\",\"identifier\":\"a\",\"timestamp\":1780000000}]", 1)]
    public async Task AUtf8ByteOrderMarkBeforeTheJsonIsIgnored(string route, string json, int stored)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(json)]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await client.PostAsync(route, content, Http.Ct);

        await response.AssertStoredAsync(stored);
    }

    [Fact]
    public async Task BatchOfMoreThanTenThousandItemsIsAccepted()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        const int Count = 12_000;
        var json = new StringBuilder("[");
        for (var i = 0; i < Count; i++)
        {
            json.Append($$"""{"type":"change","identifier":"c{{i}}","timestamp":{{T - 1000 - i}},"system":"big"},""");
        }

        json.Append($$"""{"type":"deployment","identifier":"v1","timestamp":{{T}},"system":"big","changes":[""");
        json.AppendJoin(',', Enumerable.Range(0, Count).Select(i => $"\"c{i}\""));
        json.Append("]}]");

        var response = await client.PostJsonAsync("/api/v1/events", json.ToString());

        await response.AssertStoredAsync(Count + 1);
        var metrics = await client.GetAllTimeMetricsAsync("&system=big");
        Assert.Equal(Count, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task RepositoryUrlSystemsAreNormalized()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/deployments",
            $$"""{"identifier":"v1","timestamp":{{T}},"system":"git@GitHub.com:acme/shop.git"}""")).AssertStoredAsync(1);
        await (await client.PostJsonAsync("/api/v1/deployments",
            $$"""{"identifier":"v2","timestamp":{{T + 1}},"system":"https://user:pw@github.com:443/acme/shop/"}""")).AssertStoredAsync(1);

        var metrics = await client.GetAllTimeMetricsAsync("&system=github.com/acme/shop");
        Assert.Equal(2, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal("github.com/acme/shop", metrics.GetProperty("systems")[0].GetString());
    }

    [Fact]
    public async Task TimestampsWithOffsetsAreStoredAsUtc()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        // The same instant three ways: lead time is zero for each.
        await (await client.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"a","timestamp":{{T}}},
             {"type":"change","identifier":"b","timestamp":"{{Offset(T, 5, 30)}}"},
             {"type":"change","identifier":"c","timestamp":"{{Offset(T, -7, 0)}}"},
             {"type":"deployment","identifier":"v1","timestamp":"{{Rfc(T)}}","changes":["a","b","c"]}]
            """)).AssertStoredAsync(4);

        var lead = (await client.GetAllTimeMetricsAsync()).GetProperty("leadTimeForChanges");
        Assert.Equal(3, lead.GetProperty("changes").GetInt32());
        Assert.Equal(0.0, lead.GetProperty("meanSeconds").GetDouble());
    }

    [Fact]
    public async Task ARepushedChangeKeepsItsEarliestTimestamp()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"c1","timestamp":{{T - 100}}},
             {"type":"change","identifier":"c1","timestamp":{{T - 50}}},
             {"type":"deployment","identifier":"v1","timestamp":{{T}},"changes":["c1"]},
             {"type":"change","identifier":"c1","timestamp":{{T - 10}}}]
            """)).AssertStoredAsync(4);

        var lead = (await client.GetAllTimeMetricsAsync()).GetProperty("leadTimeForChanges");
        Assert.Equal(100.0, lead.GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task ARepushedDeploymentReplacesTheFirst()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"deployment","identifier":"v1","timestamp":{{T}},"result":"failure"},
             {"type":"deployment","identifier":"v1","timestamp":{{T + 5}},"result":"success"}]
            """)).AssertStoredAsync(2);
        var metrics = await client.GetAllTimeMetricsAsync();
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());

        await (await client.PostJsonAsync("/api/v1/deployments", $$"""{"identifier":"v1","timestamp":{{T + 5}},"result":"Aborted"}""")).AssertStoredAsync(1);
        metrics = await client.GetAllTimeMetricsAsync();
        Assert.Equal(0, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task EnvironmentsAreComparedCaseInsensitively()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"deployment","identifier":"v1","timestamp":{{T}},"environment":"Staging"},
             {"type":"deployment","identifier":"v2","timestamp":{{T + 1}},"environment":"STAGING"},
             {"type":"deployment","identifier":"v3","timestamp":{{T + 2}}}]
            """)).AssertStoredAsync(3);

        var staging = await client.GetAllTimeMetricsAsync("&environment=staging");
        Assert.Equal(2, staging.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal("staging", staging.GetProperty("environment").GetString());
        var production = await client.GetAllTimeMetricsAsync("&environment=PRODUCTION");
        Assert.Equal(1, production.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task ATypeThatDisagreesWithTheRouteIsRejected()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/api/v1/changes", $$"""{"type":"deployment","identifier":"v1","timestamp":{{T}}}""");

        await response.AssertValidationProblemAsync("type");
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { "/api/v1/events", "", "" },
        { "/api/v1/events", "   \n ", "" },
        { "/api/v1/events", "[]", "" },
        { "/api/v1/events", "hello", "" },
        { "/api/v1/events", "[{\"type\":\"change\",\"identifier\":\"c\",\"timestamp\":1", "" },
        { "/api/v1/events", "[{\"type\":\"change\",\"identifier\":\"c\",\"timestamp\":1700000000},]", "" },
        { "/api/v1/events", "[null]", "[0]" },
        { "/api/v1/events", "[42]", "[0]" },
        { "/api/v1/changes", "{\"identifier\":\"c\",\"timestamp\":1700000000} trailing", "" },
        { "/api/v1/changes", "{\"identifier\":\"c\",\"identifier\":\"d\",\"timestamp\":1700000000}", "identifier" },
        { "/api/v1/changes", "{\"identifier\":\"c\",\"timestamp\":1700000000,\"x\":" + new string('[', 100) + new string(']', 100) + "}", "" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedBodiesAreRejectedWithProblemDetails(string route, string body, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync(route, body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        if (field.Length > 0)
        {
            var keys = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
            Assert.True(keys.Any(k => k.StartsWith(field, StringComparison.Ordinal)), $"Expected an error for '{field}', got: {problem}");
        }

        await AssertNothingStoredAsync(client);
    }

    public static TheoryData<string, string> BadItems => new()
    {
        { """{"type":"change","timestamp":1780000000}""", "identifier" },
        { """{"type":"change","identifier":"  ","timestamp":1780000000}""", "identifier" },
        { """{"type":"change","identifier":42,"timestamp":1780000000}""", "identifier" },
        { $$"""{"type":"change","identifier":"{{new string('x', 300)}}","timestamp":1780000000}""", "identifier" },
        { $$"""{"type":"change","identifier":"c","system":"{{new string('s', 600)}}","timestamp":1780000000}""", "system" },
        { """{"type":"change","identifier":"c"}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":null}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":"yesterday"}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":true}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":0}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":-5}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":1.5}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":99999999999999999999}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":253402300800}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":"2026-13-01T00:00:00Z"}""", "timestamp" },
        { """{"type":"change","identifier":"c","timestamp":"2026-11-01T00:00:00"}""", "timestamp" },
        { """{"type":"build","identifier":"c","timestamp":1780000000}""", "type" },
        { """{"identifier":"c","timestamp":1780000000}""", "type" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"changes":"c1"}""", "changes" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"changes":["c1",""]}""", "changes[1]" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"teams":[1]}""", "teams[0]" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"rework":"yes"}""", "rework" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"result":"maybe"}""", "result" },
        { """{"type":"deployment","identifier":"v","timestamp":1780000000,"environment":{"name":"x"}}""", "environment" },
        { """{"type":"incident","identifier":"i","timestampResolved":1780000000}""", "timestampCreated" },
        { """{"type":"incident","identifier":"i","timestampCreated":1780000000,"timestampResolved":"soon"}""", "timestampResolved" },
    };

    [Theory]
    [MemberData(nameof(BadItems))]
    public async Task ABatchWithOneBadItemIsRejectedWholeAndNamesTheItem(string badItem, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var batch = $$"""
            [{"type":"change","identifier":"good","timestamp":{{T - 10}}},
             {"type":"deployment","identifier":"v-good","timestamp":{{T}},"changes":["good"]},
             {{badItem}}]
            """;

        var response = await client.PostJsonAsync("/api/v1/events", batch);

        var problem = await response.AssertValidationProblemAsync($"[2].{field}");
        Assert.Equal(2, problem.GetProperty("index").GetInt32());
        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task ASingleBadObjectNamesTheFieldWithoutAnIndex()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/api/v1/incidents", """{"identifier":"i"}""");

        var problem = await response.AssertValidationProblemAsync("timestampCreated");
        Assert.False(problem.TryGetProperty("index", out _));
    }

    [Fact]
    public async Task AnNdjsonLineThatIsBrokenIsNamedByItsIndex()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var ndjson = $$"""
            {"type":"deployment","identifier":"v1","timestamp":{{T}}}
            {"type":"deployment","identifier":"v2","timestamp":"noon"}
            """;

        var response = await client.PostJsonAsync("/api/v1/events", ndjson, "application/x-ndjson");

        await response.AssertValidationProblemAsync("[1].timestamp");
        await AssertNothingStoredAsync(client);
    }

    private static async Task AssertNothingStoredAsync(HttpClient client)
    {
        var metrics = await client.GetAllTimeMetricsAsync();
        Assert.Equal(0, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(0, metrics.GetProperty("leadTimeForChanges").GetProperty("changesWithoutTimestamp").GetInt32());

        // A deployment listing the identifiers the rejected request carried finds none of its changes.
        await (await client.PostJsonAsync("/api/v1/deployments",
            """{"identifier":"probe","timestamp":1899999999,"changes":["good","c","c1","c0"]}""")).AssertStoredAsync(1);
        var after = await client.GetAllTimeMetricsAsync();
        Assert.Equal(1, after.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(4, after.GetProperty("leadTimeForChanges").GetProperty("changesWithoutTimestamp").GetInt32());
    }

    private static string Rfc(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static string Offset(long seconds, int hours, int minutes)
    {
        var offset = new TimeSpan(hours, hours < 0 ? -minutes : minutes, 0);
        return DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz");
    }
}
