using System.Net;
using System.Text.Json;

namespace Stride.Server.Tests.Connections;

/// <summary>
/// DevLake issues of every type pushed through the webhook routes (SPEC §4.3) and read back through
/// <c>GET /api/v1/metrics/issues</c> (SPEC §3 "Issue metrics"), with hand-computed numbers.
/// </summary>
public sealed class IssueMetricsApiTests
{
    // The window 2026-11-01 to 2026-11-08 (UTC).
    private const string Window = "from=2026-11-01&to=2026-11-08";

    [Fact]
    public async Task IssuesOfEveryTypeAreKeptAndGiveDevLakesIssueMetrics()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        // Pushed first as TODO with 13 points, then again: the second push replaces the first.
        await PushAsync(client, connection, Issue("R-1", "REQUIREMENT", "TODO", "2026-11-01 00:00:00", storyPoint: "13", component: "api"));
        await PushAsync(client, connection, Issue("R-1", "REQUIREMENT", "DONE", "2026-11-01 00:00:00", storyPoint: "3", component: "api"));    // at `from`: in
        await PushAsync(client, connection, Issue("R-2", "requirement", "todo", "2026-11-02 00:00:00", component: "api"));                    // no story point
        await PushAsync(client, connection, """
            {"issue_key": "R-3", "title": "t", "type": "REQUIREMENT", "status": "IN_PROGRESS", "created_date": "2026-11-07T23:59:59Z",
             "story_point": 5, "component": "api"}
            """);                                                                                                                           // last second: in
        await PushAsync(client, connection, Issue("R-4", "REQUIREMENT", "DONE", "2026-11-08 00:00:00", storyPoint: "8", component: "api"));   // at `to`: out
        await PushAsync(client, connection, Issue("X-1", "REQUIREMENT", "DONE", "2026-11-02 00:00:00", storyPoint: "1", component: "web"));
        await PushAsync(client, connection, Issue("B-1", "BUG", "DONE", "2026-10-22 00:00:00", "2026-11-01 00:00:00", component: "api"));    // 864000 s
        await PushAsync(client, connection, Issue("B-2", "BUG", "DONE", "2026-11-02 00:00:00", "2026-11-02 01:00:00", component: "api"));    // 3600 s
        await PushAsync(client, connection, Issue("B-3", "bug", "DONE", "2026-11-02 00:00:00", "2026-11-02 03:00:00", component: "api"));    // 10800 s
        await PushAsync(client, connection, Issue("B-4", "BUG", "DONE", "2026-11-02 00:00:00", "2026-11-08 00:00:00", component: "api"));    // resolved at `to`: out
        await PushAsync(client, connection, Issue("B-5", "BUG", "TODO", "2026-11-03 00:00:00", component: "api"));                           // unresolved: out
        await PushAsync(client, connection, Issue("T-1", "TASK", "DONE", "2026-11-02 00:00:00", "2026-11-03 00:00:00", component: "api"));   // no block
        await PushAsync(client, connection, Issue("I-1", "INCIDENT", "DONE", "2026-11-03 00:00:00", "2026-11-03 00:30:00", component: "api")); // 1800 s
        await PushAsync(client, connection, Issue("I-2", "INCIDENT", "DONE", "2026-11-05 00:00:00", "2026-11-05 02:00:00"));                  // 7200 s, no component

        using var admin = app.CreateAdminClient();
        var all = await GetIssueMetricsAsync(admin, Window);
        Assert.Equal("2026-11-01T00:00:00Z", all.GetProperty("from").GetString());
        Assert.Equal("2026-11-08T00:00:00Z", all.GetProperty("to").GetString());
        // R-1 (done), R-2, R-3, X-1 (done); story points 3, 5 and 1.
        AssertBlock(all, "requirementDeliveryRate", ("requirements", 4), ("delivered", 2), ("rate", 0.5));
        AssertBlock(all, "requirementGranularity", ("requirements", 3), ("meanStoryPoints", 3.0));
        // 3600, 10800, 864000 s.
        AssertBlock(all, "bugAge", ("issues", 3), ("medianSeconds", 10_800.0), ("meanSeconds", 292_800.0));
        // 1800 and 7200 s.
        AssertBlock(all, "incidentAge", ("issues", 2), ("medianSeconds", 4_500.0), ("meanSeconds", 4_500.0));

        var api = await GetIssueMetricsAsync(admin, Window + "&system=api");
        Assert.Equal(["api"], api.GetProperty("systems").EnumerateArray().Select(s => s.GetString()));
        AssertBlock(api, "requirementDeliveryRate", ("requirements", 3), ("delivered", 1), ("rate", 1.0 / 3));
        AssertBlock(api, "requirementGranularity", ("requirements", 2), ("meanStoryPoints", 4.0));
        AssertBlock(api, "incidentAge", ("issues", 1), ("medianSeconds", 1_800.0), ("meanSeconds", 1_800.0));

        var web = await GetIssueMetricsAsync(admin, Window + "&system=web");
        AssertBlock(web, "requirementDeliveryRate", ("requirements", 1), ("delivered", 1), ("rate", 1.0));
        AssertBlock(web, "bugAge", ("issues", 0), ("medianSeconds", null), ("meanSeconds", null));

        // An issue without a component is of system _unknown_ (SPEC §3), and so is its incident (SPEC §2).
        var unknown = await GetIssueMetricsAsync(admin, Window + "&system=_unknown_");
        AssertBlock(unknown, "incidentAge", ("issues", 1), ("medianSeconds", 7_200.0), ("meanSeconds", 7_200.0));
        var incidents = await GetAsync(admin, "/api/v1/incidents?from=1000000000&to=1900000000");
        Assert.Equal(
            ["_unknown_", "api"],
            incidents.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("system").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AWindowWithoutIssuesHasCountsOfZeroAndNulls()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);
        await PushAsync(client, connection, Issue("R-1", "REQUIREMENT", "DONE", "2026-10-31 23:59:59", storyPoint: "2"));

        using var admin = app.CreateAdminClient();
        var metrics = await GetIssueMetricsAsync(admin, Window);

        AssertBlock(metrics, "requirementDeliveryRate", ("requirements", 0), ("delivered", 0), ("rate", null));
        AssertBlock(metrics, "requirementGranularity", ("requirements", 0), ("meanStoryPoints", null));
        AssertBlock(metrics, "bugAge", ("issues", 0), ("medianSeconds", null), ("meanSeconds", null));
        AssertBlock(metrics, "incidentAge", ("issues", 0), ("medianSeconds", null), ("meanSeconds", null));
    }

    [Fact]
    public async Task ClosingAnIssueOfAnyTypeResolvesItNow()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await PushAsync(client, connection, $$"""
            {"issueKey": "B-1", "title": "t", "type": "BUG", "status": "IN_PROGRESS", "createdDate": {{now - 7200}}}
            """);
        var query = $"from={now - 86_400}&to={now + 3_600}";
        using var admin = app.CreateAdminClient();
        AssertBlock(await GetIssueMetricsAsync(admin, query), "bugAge", ("issues", 0), ("medianSeconds", null), ("meanSeconds", null));

        var closed = await client.PostAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/issue/B-1/close", null, Http.Ct);

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var age = (await GetIssueMetricsAsync(admin, query)).GetProperty("bugAge");
        Assert.Equal(1, age.GetProperty("issues").GetInt32());
        Assert.InRange(age.GetProperty("medianSeconds").GetDouble(), 7_200, 7_300);

        // Closing again keeps the first resolution time.
        await Task.Delay(1_100, Http.Ct);
        var again = await client.PostAsync($"/api/rest/plugins/webhook/{connection.Id}/issue/B-1/close", null, Http.Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(age.GetProperty("medianSeconds").GetDouble(),
            (await GetIssueMetricsAsync(admin, query)).GetProperty("bugAge").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task ClosingARequirementMarksItDoneAsDevLakeDoes()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);
        await PushAsync(client, connection, Issue("R-1", "REQUIREMENT", "IN_PROGRESS", "2026-11-02 00:00:00", storyPoint: "3"));
        await PushAsync(client, connection, Issue("R-2", "REQUIREMENT", "TODO", "2026-11-03 00:00:00"));
        using var admin = app.CreateAdminClient();
        AssertBlock(await GetIssueMetricsAsync(admin, Window), "requirementDeliveryRate", ("requirements", 2), ("delivered", 0), ("rate", 0.0));

        var closed = await client.PostAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/issue/R-1/close", null, Http.Ct);

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        AssertBlock(await GetIssueMetricsAsync(admin, Window), "requirementDeliveryRate", ("requirements", 2), ("delivered", 1), ("rate", 0.5));
    }

    [Theory]
    [InlineData("\"many\"")]
    [InlineData("-1")]
    [InlineData("[1]")]
    public async Task AnInvalidStoryPointIsAValidationProblemAndStoresNothing(string storyPoint)
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Issues, Issue("R-1", "REQUIREMENT", "DONE", "2026-11-02 00:00:00", storyPoint: storyPoint));

        await response.AssertValidationProblemAsync("storyPoint");
        using var admin = app.CreateAdminClient();
        AssertBlock(await GetIssueMetricsAsync(admin, Window), "requirementDeliveryRate", ("requirements", 0), ("delivered", 0), ("rate", null));
    }

    [Fact]
    public async Task AnInvalidWindowIsAValidationProblemNamingTheParameter()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.GetAsync("/api/v1/metrics/issues?from=2026-11-08&to=2026-11-01", Http.Ct);

        await response.AssertValidationProblemAsync("from");
    }

    [Fact]
    public async Task ReadingIssueMetricsNeedsTheReadScope()
    {
        await using var app = new StrideApplication();
        using var ingest = await app.CreateClientWithScopesAsync("ingest");
        using var read = await app.CreateClientWithScopesAsync("read");

        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/api/v1/metrics/issues?" + Window, Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/metrics/issues?" + Window, Http.Ct)).StatusCode);
    }

    private static string Issue(
        string key, string type, string status, string created, string? resolved = null, string? storyPoint = null, string? component = null)
        => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["issueKey"] = key,
            ["title"] = "t",
            ["type"] = type,
            ["status"] = status,
            ["createdDate"] = created,
            ["resolutionDate"] = resolved,
            ["component"] = component,
        }).TrimEnd('}') + (storyPoint is null ? "}" : $",\"storyPoint\":{storyPoint}}}");

    private static async Task PushAsync(HttpClient client, Connection connection, string body)
    {
        var response = await client.PostJsonAsync(connection.Issues, body);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
    }

    private static Task<JsonElement> GetIssueMetricsAsync(HttpClient client, string query) => GetAsync(client, "/api/v1/metrics/issues?" + query);

    private static async Task<JsonElement> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void AssertBlock(JsonElement metrics, string block, params (string Field, double? Value)[] expected)
    {
        var json = metrics.GetProperty(block);
        foreach (var (field, value) in expected)
        {
            var actual = json.GetProperty(field);
            if (value is null)
            {
                Assert.True(actual.ValueKind == JsonValueKind.Null, $"{block}.{field} is {actual}, expected null.");
            }
            else
            {
                Assert.Equal(value.Value, actual.GetDouble(), 9);
            }
        }
    }

}
