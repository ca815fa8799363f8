using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Stride.Server.Tests.Metrics;

public sealed class MetricsApiTests
{
    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task GoldenDatasetsPushedOverHttpGiveEveryExpectedNumber(string file)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var golden = GoldenData.Load(file);
        var events = golden.GetProperty("events").EnumerateArray().ToArray();
        foreach (var chunk in events.Chunk(5000))
        {
            var body = "[" + string.Join(",", chunk.Select(e => e.GetRawText())) + "]";
            await (await client.PostJsonAsync("/api/v1/events", body)).AssertStoredAsync(chunk.Length);
        }

        var failures = new List<string>();
        var index = 0;
        foreach (var query in golden.GetProperty("queries").EnumerateArray())
        {
            var response = await client.GetAsync("/api/v1/metrics?" + GoldenData.QueryString(query.GetProperty("params")), Http.Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            GoldenData.Compare($"{file} query {index}", query.GetProperty("expected"), await response.ReadJsonAsync(), failures);
            index++;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.True(index > 0);
    }

    public static TheoryData<string> GoldenFiles() => GoldenData.Files();

    [Fact]
    public async Task TheResponseCarriesTheWindowFiltersAndEveryBlock()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.GetAsync(
            "/api/v1/metrics?from=2026-11-01&to=2026-11-15T00:00:00%2B01:00&system=https://github.com/acme/api.git&system=web&environment=Staging&benchmark=2021", Http.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("2026-11-01T00:00:00Z", body.GetProperty("from").GetString());
        Assert.Equal("2026-11-14T23:00:00Z", body.GetProperty("to").GetString());
        Assert.Equal(["github.com/acme/api", "web"], body.GetProperty("systems").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("staging", body.GetProperty("environment").GetString());
        Assert.Equal("2021", body.GetProperty("benchmark").GetString());
        string[] blocks = ["deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore", "failedDeploymentRecoveryTime", "reworkRate"];
        foreach (var block in blocks)
        {
            Assert.Equal(JsonValueKind.Object, body.GetProperty(block).ValueKind);
            Assert.Equal(JsonValueKind.Object, body.GetProperty("previous").GetProperty(block).ValueKind);
        }

        // No data: counts are zero, everything else null.
        var lead = body.GetProperty("leadTimeForChanges");
        Assert.Equal(0, lead.GetProperty("changes").GetInt32());
        Assert.Equal(JsonValueKind.Null, lead.GetProperty("medianSeconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, lead.GetProperty("tier").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("changeFailureRate").GetProperty("rate").ValueKind);
    }

    [Fact]
    public async Task TheWindowDefaultsToTheNinetyDaysBeforeNow()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-22T10:00:00Z"));
        await using var app = new StrideApplication();
        await using var timed = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = timed.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", StrideApplication.BootstrapKey);

        var body = await (await client.GetAsync("/api/v1/metrics", Http.Ct)).ReadJsonAsync();

        Assert.Equal("2026-11-22T10:00:00Z", body.GetProperty("to").GetString());
        Assert.Equal("2026-08-24T10:00:00Z", body.GetProperty("from").GetString());
        Assert.Equal("production", body.GetProperty("environment").GetString());
        Assert.Equal("2023", body.GetProperty("benchmark").GetString());
        Assert.Equal(0, body.GetProperty("systems").GetArrayLength());
    }

    [Fact]
    public async Task UnixSecondsDatesAndRfc3339NameTheSameWindow()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await (await client.PostJsonAsync("/api/v1/deployments", """{"identifier":"v1","timestamp":1793491200}""")).AssertStoredAsync(1);

        foreach (var query in new[] { "from=1793491200&to=1793577600", "from=2026-11-01&to=2026-11-02", "from=2026-11-01T01:00:00%2B01:00&to=2026-11-02T00:00:00Z" })
        {
            var body = await (await client.GetAsync("/api/v1/metrics?" + query, Http.Ct)).ReadJsonAsync();
            Assert.Equal("2026-11-01T00:00:00Z", body.GetProperty("from").GetString());
            Assert.Equal(1, body.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
            Assert.Equal(1.0, body.GetProperty("deploymentFrequency").GetProperty("perDay").GetDouble());
        }
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-02-30", "to")]
    [InlineData("from=2026-11-02&to=2026-11-01", "from")]
    [InlineData("from=1793491200&to=1793491200", "from")]
    [InlineData("benchmark=2019", "benchmark")]
    [InlineData("to=-1", "to")]
    public async Task BadParametersAreNamed(string query, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.GetAsync("/api/v1/metrics?" + query, Http.Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task PreviousIsTheWindowOfEqualLengthJustBefore()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await (await client.PostJsonAsync("/api/v1/events", """
            [{"type":"deployment","identifier":"before","timestamp":1793404800},
             {"type":"deployment","identifier":"too-early","timestamp":1793404799},
             {"type":"deployment","identifier":"in","timestamp":1793491200}]
            """)).AssertStoredAsync(3);

        var body = await (await client.GetAsync("/api/v1/metrics?from=2026-11-01&to=2026-11-02", Http.Ct)).ReadJsonAsync();

        Assert.Equal(1, body.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(1, body.GetProperty("previous").GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }
}
