using System.Net;
using System.Text;
using System.Text.Json;

namespace Stride.Server.Tests.Lists;

/// <summary>The list routes: newest first, pages joined by an opaque cursor, filters as the metrics, CSV.</summary>
public sealed class ListsApiTests : IAsyncLifetime
{
    private const long T = 1_790_000_000;   // 2026-09-21T...
    private readonly StrideApplication _app = new();
    private HttpClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = _app.CreateAdminClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task PushAsync(string json) => Assert.True((await _client.PostJsonAsync("/api/v1/events", json)).IsSuccessStatusCode);

    private async Task<JsonElement> GetAsync(string url)
    {
        var response = await _client.GetAsync(url, Http.Ct);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    [Fact]
    public async Task Pages_cover_every_row_once_newest_first()
    {
        // 120 deployments over two systems, some sharing a timestamp (ties are ordered by system, then identifier).
        var events = Enumerable.Range(0, 120).Select(i =>
            $$"""{"type":"deployment","identifier":"d{{i:D3}}","timestamp":{{T + i / 2 * 60}},"system":"{{(i % 2 == 0 ? "api" : "web")}}","result":"{{(i % 7 == 0 ? "failure" : "success")}}"}""");
        await PushAsync("[" + string.Join(",", events) + "]");

        var seen = new List<(string Time, string System, string Id)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync($"/api/v1/deployments?from={T}&to={T + 86400}&limit=50" + (cursor is null ? "" : $"&cursor={cursor}"));
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            Assert.True(items.Length <= 50);
            seen.AddRange(items.Select(d => (d.GetProperty("timestamp").GetString()!, d.GetProperty("system").GetString()!, d.GetProperty("identifier").GetString()!)));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        Assert.Equal(seen.OrderByDescending(s => s.Time, StringComparer.Ordinal).ThenByDescending(s => s.System, StringComparer.Ordinal)
            .ThenByDescending(s => s.Id, StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task A_deployment_row_carries_its_changes_median_lead_time_and_its_incidents()
    {
        await PushAsync($$"""
            [{"type":"change","identifier":"c1","timestamp":{{T}},"system":"api"},
             {"type":"change","identifier":"c2","timestamp":{{T + 600}},"system":"api"},
             {"type":"change","identifier":"c3","timestamp":{{T + 1200}},"system":"api"},
             {"type":"deployment","identifier":"v1","timestamp":{{T + 3600}},"system":"api","changes":["c1","c2","c3"],"teams":["core"],"commit":"abc"},
             {"type":"deployment","identifier":"v2","timestamp":{{T + 7200}},"system":"api","changes":["c3","c4"]},
             {"type":"incident","identifier":"INC-1","timestampCreated":{{T + 4000}},"timestampResolved":{{T + 5000}},"system":"api"},
             {"type":"incident","identifier":"INC-2","timestampCreated":{{T + 9000}},"system":"api","deployment":"v1"}]
            """);

        var items = (await GetAsync($"/api/v1/deployments?from={T}&to={T + 86400}")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["v2", "v1"], items.Select(d => d.GetProperty("identifier").GetString()));
        var v1 = items[1];
        Assert.Equal(3, v1.GetProperty("changes").GetInt32());
        Assert.Equal(3000, v1.GetProperty("medianLeadTimeSeconds").GetDouble());   // 3600, 3000, 2400
        Assert.Equal(["INC-1", "INC-2"], v1.GetProperty("incidents").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("success", v1.GetProperty("result").GetString());
        Assert.Equal("abc", v1.GetProperty("commit").GetString());
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("medianLeadTimeSeconds").ValueKind);   // c3 was first shipped by v1; c4 has no time

        var detail = await GetAsync("/api/v1/deployments/detail?system=api&identifier=v2");
        var changes = detail.GetProperty("changes").EnumerateArray().ToArray();
        Assert.Equal(["c3", "c4"], changes.Select(c => c.GetProperty("identifier").GetString()));
        Assert.False(changes[0].GetProperty("firstDeployment").GetBoolean());
        Assert.Equal(JsonValueKind.Null, changes[1].GetProperty("timestamp").ValueKind);
        Assert.True(changes[1].GetProperty("firstDeployment").GetBoolean());
        var v1Detail = await GetAsync("/api/v1/deployments/detail?system=api&identifier=v1");
        Assert.Equal([3600L, 3000L, 2400L], v1Detail.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("leadTimeSeconds").GetInt64()));
        Assert.Equal(["INC-2", "INC-1"], v1Detail.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("identifier").GetString()));

        var missing = await _client.GetAsync("/api/v1/deployments/detail?system=api&identifier=nope", Http.Ct);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Incidents_and_changes_are_listed_with_attribution_and_first_deployment()
    {
        await PushAsync($$"""
            [{"type":"change","identifier":"c1","timestamp":{{T}},"system":"api"},
             {"type":"change","identifier":"c2","timestamp":{{T + 60}},"system":"web"},
             {"type":"deployment","identifier":"v1","timestamp":{{T + 3600}},"system":"api","changes":["c1"]},
             {"type":"incident","identifier":"INC-1","timestampCreated":{{T + 4000}},"system":"api"},
             {"type":"incident","identifier":"INC-9","timestampCreated":{{T + 100}},"timestampResolved":{{T + 200}},"system":"web"}]
            """);

        var incidents = (await GetAsync($"/api/v1/incidents?from={T}&to={T + 86400}")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["INC-1", "INC-9"], incidents.Select(i => i.GetProperty("identifier").GetString()));
        Assert.Equal("v1", incidents[0].GetProperty("attributedDeployment").GetString());
        Assert.Equal(JsonValueKind.Null, incidents[0].GetProperty("timestampResolved").ValueKind);
        Assert.Equal(JsonValueKind.Null, incidents[1].GetProperty("attributedDeployment").ValueKind);

        var changes = (await GetAsync($"/api/v1/changes?from={T}&to={T + 86400}")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["c2", "c1"], changes.Select(c => c.GetProperty("identifier").GetString()));
        Assert.Equal("v1", changes[1].GetProperty("firstDeployment").GetString());
        Assert.Equal(3600, changes[1].GetProperty("leadTimeSeconds").GetInt64());
        Assert.Equal(JsonValueKind.Null, changes[0].GetProperty("firstDeployment").ValueKind);

        var webOnly = (await GetAsync($"/api/v1/changes?from={T}&to={T + 86400}&system=web")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["c2"], webOnly.Select(c => c.GetProperty("identifier").GetString()));
        var later = (await GetAsync($"/api/v1/incidents?from={T + 1000}&to={T + 86400}")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["INC-1"], later.Select(c => c.GetProperty("identifier").GetString()));
    }

    [Fact]
    public async Task Systems_lists_every_system_with_its_deployments()
    {
        await PushAsync($$"""
            [{"type":"change","identifier":"c1","timestamp":{{T}},"system":"https://github.com/acme/web.git"},
             {"type":"deployment","identifier":"v1","timestamp":{{T + 10}},"system":"api"},
             {"type":"deployment","identifier":"v2","timestamp":{{T + 20}},"system":"api"},
             {"type":"deployment","identifier":"v3","timestamp":{{T + 30}},"system":"api","result":"failure"},
             {"type":"deployment","identifier":"s1","timestamp":{{T + 40}},"system":"api","environment":"staging"},
             {"type":"incident","identifier":"i","timestampCreated":{{T}},"system":"db"}]
            """);
        var systems = (await GetAsync("/api/v1/systems")).EnumerateArray().ToArray();
        Assert.Equal(["api", "db", "github.com/acme/web"], systems.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(2, systems[0].GetProperty("deployments").GetInt32());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T + 20).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), systems[0].GetProperty("lastDeploymentAt").GetString());
        Assert.Equal(JsonValueKind.Null, systems[1].GetProperty("lastDeploymentAt").ValueKind);
        var staging = (await GetAsync("/api/v1/systems?environment=staging")).EnumerateArray().ToArray();
        Assert.Equal(1, staging[0].GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task Csv_escapes_as_rfc_4180_and_links_the_next_page()
    {
        await PushAsync($$"""
            [{"type":"deployment","identifier":"release \"big\", part 1","timestamp":{{T + 20}},"system":"api","teams":["a","b"]},
             {"type":"deployment","identifier":"line\nbreak","timestamp":{{T + 10}},"system":"api"}]
            """);
        var response = await _client.GetAsync($"/api/v1/deployments?from={T}&to={T + 86400}&format=csv&limit=1", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        var lines = text.Split("\r\n");
        Assert.Equal("system,environment,identifier,timestamp,result,rework,commit,teams,changes,medianLeadTimeSeconds,incidents", lines[0]);
        Assert.Equal($"api,production,\"release \"\"big\"\", part 1\",{DateTimeOffset.FromUnixTimeSeconds(T + 20):yyyy-MM-dd'T'HH:mm:ss'Z'},success,false,,a b,0,,", lines[1]);
        Assert.Equal("", lines[2]);
        var next = Assert.Single(response.Headers.GetValues("Link"));
        Assert.Contains("rel=\"next\"", next);

        var url = next[(next.IndexOf('<') + 1)..next.IndexOf('>')];
        var second = await (await _client.GetAsync(url, Http.Ct)).Content.ReadAsStringAsync(Http.Ct);
        Assert.Contains("\"line\nbreak\"", second);
    }

    [Theory]
    [InlineData("/api/v1/deployments?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/v1/deployments?limit=0", "limit")]
    [InlineData("/api/v1/incidents?limit=5000", "limit")]
    [InlineData("/api/v1/changes?format=xml", "format")]
    [InlineData("/api/v1/changes?from=2026-02-30", "from")]
    public async Task Bad_list_parameters_are_named_in_a_400(string url, string field)
    {
        var problem = await (await _client.GetAsync(url, Http.Ct)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/v1/deployments")]
    [InlineData("/api/v1/deployments/detail?system=api&identifier=v1")]
    [InlineData("/api/v1/incidents")]
    [InlineData("/api/v1/changes")]
    [InlineData("/api/v1/systems")]
    public async Task Lists_need_the_read_scope(string url)
    {
        using var ingestOnly = await _app.CreateClientWithScopesAsync("ingest");
        Assert.Equal(HttpStatusCode.Forbidden, (await ingestOnly.GetAsync(url, Http.Ct)).StatusCode);
        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url, Http.Ct)).StatusCode);
        using var reader = await _app.CreateClientWithScopesAsync("read");
        Assert.NotEqual(HttpStatusCode.Forbidden, (await reader.GetAsync(url, Http.Ct)).StatusCode);
    }
}
