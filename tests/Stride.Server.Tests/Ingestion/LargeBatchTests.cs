using System.Text;

namespace Stride.Server.Tests.Ingestion;

/// <summary>
/// Batches large enough (hundreds of kilobytes) that the server parses and checks them in parts, one
/// per core: the result must be the one of reading them in order.
/// </summary>
public sealed class LargeBatchTests
{
    private const long T = 1_780_000_000;
    private const int Changes = 6_000;   // about 600 KB of NDJSON: several parts of at least 128 KB

    [Fact]
    public async Task ALargeNdjsonBatchIsStoredWholeAndInOrder()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var lines = new List<string> { Deployment("failure", []) };
        lines.AddRange(Enumerable.Range(0, Changes).Select(i => Change(i, T - 1_000 - i)));
        lines.Add(Deployment("success", Enumerable.Range(0, Changes)));

        var response = await client.PostJsonAsync("/api/v1/events", string.Join('\n', lines), "application/x-ndjson");

        await response.AssertStoredAsync(Changes + 2);
        var metrics = await client.GetAllTimeMetricsAsync();
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());

        // The later push of v1, at the end of the body, replaced the first one.
        Assert.Equal(0, metrics.GetProperty("changeFailureRate").GetProperty("failedDeployments").GetInt32());
        var lead = metrics.GetProperty("leadTimeForChanges");
        Assert.Equal(Changes, lead.GetProperty("changes").GetInt32());
        Assert.Equal(0, lead.GetProperty("changesWithoutTimestamp").GetInt32());
        Assert.Equal(1_000 + (Changes - 1) / 2.0, lead.GetProperty("medianSeconds").GetDouble());
    }

    [Theory]
    [InlineData(5_000, """{"type":"change","identifier":"bad","timestamp":"noon"}""", "timestamp")]        // refused by the parser
    [InlineData(4_500, """{"type":"release","identifier":"bad","timestamp":1780000000}""", "type")]      // refused by the checks
    [InlineData(1, """{"type":"change","identifier":"","timestamp":1780000000}""", "identifier")]
    public async Task ABadLineAnywhereInALargeBatchIsNamedByItsIndexAndNothingIsStored(int index, string bad, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var lines = Enumerable.Range(0, Changes).Select(i => Change(i, T - i)).ToList();
        lines[index] = bad;

        var response = await client.PostJsonAsync("/api/v1/events", string.Join('\n', lines), "application/x-ndjson");

        var problem = await response.AssertValidationProblemAsync($"[{index}].{field}");
        Assert.Equal(index, problem.GetProperty("index").GetInt32());
        await (await client.PostJsonAsync("/api/v1/deployments",
            """{"identifier":"probe","timestamp":1780000000,"changes":["c-0","c-5999"]}""")).AssertStoredAsync(1);
        var metrics = await client.GetAllTimeMetricsAsync();
        Assert.Equal(2, metrics.GetProperty("leadTimeForChanges").GetProperty("changesWithoutTimestamp").GetInt32());
    }

    [Fact]
    public async Task ALargeBodyWhoseLinesStartInsideObjectsIsReadWhole()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        // Every line break is followed by '{' inside an object (an unknown field's value), never between
        // objects: any cut there splits an object, and the body must still be read as a whole.
        var body = new StringBuilder();
        for (var i = 0; i < Changes; i++)
        {
            body.Append($$"""{"type":"change","identifier":"c-{{i}}","timestamp":{{T - i}},"system":"api","note":""").Append('\n')
                .Append("""{"by":"a pipeline that pretty-prints its own fields"}} """);
        }

        var response = await client.PostJsonAsync("/api/v1/events", body.ToString(), "application/x-ndjson");

        await response.AssertStoredAsync(Changes);
    }

    private static string Change(int i, long ts) => $$"""{"type":"change","identifier":"c-{{i}}","timestamp":{{ts}},"system":"api"}""";

    private static string Deployment(string result, IEnumerable<int> changes)
        => $$"""{"type":"deployment","identifier":"v1","timestamp":{{T}},"system":"api","result":"{{result}}","changes":[{{string.Join(',', changes.Select(i => $"\"c-{i}\""))}}]}""";
}
