using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Stride.Server.Tests.Ingestion;

/// <summary>Bodies exactly as pulse-event-cli sends them (its Go structs, field order included).</summary>
public sealed class PulseApiTests
{
    private static async Task<HttpResponseMessage> PostPulseAsync(HttpClient client, string query, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ingestion/cli?" + query)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Environment", "github-actions");
        request.Headers.Add("CLI-Version", "0.12.0");
        return await client.SendAsync(request, Http.Ct);
    }

    [Fact]
    public async Task PulseEventsWithTheKeyInTheQueryMakeMetrics()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var auth = $"api_key={StrideApplication.BootstrapKey}&system={Uri.EscapeDataString("https://github.com/acme/shop.git")}";

        await (await PostPulseAsync(client, auth,
            """{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00+01:00","event_type":"commit","$type":"change"}"""))
            .AssertStoredAsync(1);
        await (await PostPulseAsync(client, auth,
            """{"source":"git","deploy_id":"1.0.1","time_created":"2026-05-29T11:00:00Z","changes":["abc","def"],"teams":["mercury"],"$type":"deployment"}"""))
            .AssertStoredAsync(1);
        await (await PostPulseAsync(client, auth,
            """{"source":"cli","incident_id":"INC-1","time_created":"2026-05-29T12:00:00Z","time_resolved":"2026-05-29T12:30:00.5Z","$type":"incident"}"""))
            .AssertStoredAsync(1);

        using var reader = app.CreateAdminClient();
        var metrics = await reader.GetAllTimeMetricsAsync("&system=github.com/acme/shop");
        var lead = metrics.GetProperty("leadTimeForChanges");
        Assert.Equal(1, lead.GetProperty("changes").GetInt32());
        Assert.Equal(7200.0, lead.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, lead.GetProperty("changesWithoutTimestamp").GetInt32());
        Assert.Equal(1800.0, metrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, metrics.GetProperty("changeFailureRate").GetProperty("failedDeployments").GetInt32());
    }

    [Fact]
    public async Task ADeploymentWithNullChangesIsAccepted()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        var response = await PostPulseAsync(client, $"api_key={StrideApplication.BootstrapKey}",
            """{"source":"cli","deploy_id":"1.0.2","time_created":"2026-05-29T11:00:00-05:00","changes":null,"$type":"deployment"}""");

        await response.AssertStoredAsync(1);
        using var reader = app.CreateAdminClient();
        var metrics = await reader.GetAllTimeMetricsAsync("&system=_unknown_");
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task GoZeroResolvedTimeMeansAnOpenIncident()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        await (await PostPulseAsync(client, $"api_key={StrideApplication.BootstrapKey}",
            """{"source":"cli","incident_id":"INC-2","time_created":"2026-05-29T12:00:00Z","time_resolved":"0001-01-01T00:00:00Z","$type":"incident"}"""))
            .AssertStoredAsync(1);

        using var reader = app.CreateAdminClient();
        var restore = (await reader.GetAllTimeMetricsAsync()).GetProperty("timeToRestore");
        Assert.Equal(1, restore.GetProperty("openIncidents").GetInt32());
        Assert.Equal(0, restore.GetProperty("incidents").GetInt32());
    }

    [Fact]
    public async Task TheKeyMayAlsoComeAsABearerHeader()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StrideApplication.BootstrapKey);

        var response = await PostPulseAsync(client, "system=api",
            """{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z","event_type":"commit","$type":"change"}""");

        await response.AssertStoredAsync(1);
    }

    [Theory]
    [InlineData("""{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z","$type":"build"}""", "$type")]
    [InlineData("""{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z"}""", "$type")]
    [InlineData("""{"source":"cli","change_id":"","time_created":"2026-05-29T10:00:00Z","$type":"change"}""", "change_id")]
    [InlineData("""{"source":"cli","deploy_id":"1","$type":"deployment"}""", "time_created")]
    [InlineData("""{"source":"cli","deploy_id":"1","time_created":"May 29","$type":"deployment"}""", "time_created")]
    [InlineData("""{"source":"cli","deploy_id":"1","time_created":"2026-05-29T10:00:00Z","changes":"abc","$type":"deployment"}""", "changes")]
    [InlineData("""{"source":"cli","incident_id":"i","time_created":"2026-05-29T10:00:00Z","time_resolved":"later","$type":"incident"}""", "time_resolved")]
    public async Task BadPulseEventsAreRejected(string body, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        var response = await PostPulseAsync(client, $"api_key={StrideApplication.BootstrapKey}", body);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task AnArrayIsNotAPulseEvent()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        var response = await PostPulseAsync(client, $"api_key={StrideApplication.BootstrapKey}",
            """[{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z","$type":"change"}]""");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
