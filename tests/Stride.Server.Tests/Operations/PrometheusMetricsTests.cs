using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Stride.Server.Tests.Operations;

/// <summary><c>GET /metrics</c>: the Prometheus exposition of counters and four-key gauges (SPEC §4.7).</summary>
public sealed class PrometheusMetricsTests
{
    private const long Day = 86_400;
    private const long Hour = 3_600;

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly long N = Now.ToUnixTimeSeconds();

    [Fact]
    public async Task FourKeyGaugesHoldEachOrganizationAndSystemOverTheTrailingThirtyDays()
    {
        await using var app = new StrideApplication();
        var clock = new FakeTimeProvider(Now);
        await using var timed = WithClock(app, clock);
        await SeedAsync(timed);

        var scrape = await PrometheusText.ScrapeAsync(Client(timed, StrideApplication.BootstrapKey));

        // default/api: d1 (N−10d) deploys c1 (3 h) and c2 (1 h), d2 (N−5d) deploys c3 (2 h); d0 is older than
        // 30 days, the failed and the staging deployments do not count. INC-1 names d2 (restored in 2 h);
        // INC-2 began before d1, so it is d0's (restored in 30 min). Failed: d2 of d1, d2.
        var api = Labels("default", "api");
        Assert.Equal(2, scrape.Value("stride_window_deployments", api));
        Assert.Equal(2.0 / 30, scrape.Value("stride_deployment_frequency_per_day", api));
        Assert.Equal(7200, scrape.Value("stride_lead_time_for_changes_median_seconds", api));
        Assert.Equal(0.5, scrape.Value("stride_change_failure_rate_ratio", api));
        Assert.Equal((7200 + 1800) / 2.0, scrape.Value("stride_time_to_restore_median_seconds", api));

        // default/web: one deployment, no changes and no incidents: those have no series rather than a made-up 0.
        var web = Labels("default", "web");
        Assert.Equal(1, scrape.Value("stride_window_deployments", web));
        Assert.Equal(1.0 / 30, scrape.Value("stride_deployment_frequency_per_day", web));
        Assert.Equal(0, scrape.Value("stride_change_failure_rate_ratio", web));
        Assert.Null(scrape.Find("stride_lead_time_for_changes_median_seconds", web));
        Assert.Null(scrape.Find("stride_time_to_restore_median_seconds", web));

        // default/old: its only deployment is 60 days old: none in the window, and no rate over none.
        var old = Labels("default", "old");
        Assert.Equal(0, scrape.Value("stride_window_deployments", old));
        Assert.Equal(0, scrape.Value("stride_deployment_frequency_per_day", old));
        Assert.Null(scrape.Find("stride_change_failure_rate_ratio", old));

        // acme/api is another organization's system of the same name.
        var acme = Labels("acme", "api");
        Assert.Equal(1, scrape.Value("stride_window_deployments", acme));
        Assert.Equal(600, scrape.Value("stride_lead_time_for_changes_median_seconds", acme));
        Assert.Null(scrape.Find("stride_window_deployments", Labels("acme", "web")));

        Assert.Equal(30 * Day, scrape.Value("stride_window_seconds"));
        Assert.Equal(N, scrape.Value("stride_four_keys_updated_timestamp_seconds"));
    }

    [Fact]
    public async Task FourKeyGaugesEqualTheMetricsApiOfEachSystemForTheSameWindow()
    {
        await using var app = new StrideApplication();
        var clock = new FakeTimeProvider(Now);
        await using var timed = WithClock(app, clock);
        var acmeKey = await SeedAsync(timed);

        var scrape = await PrometheusText.ScrapeAsync(Client(timed, StrideApplication.BootstrapKey));

        var compared = 0;
        foreach (var (organization, key, system) in new[]
        {
            ("default", StrideApplication.BootstrapKey, "api"), ("default", StrideApplication.BootstrapKey, "web"),
            ("default", StrideApplication.BootstrapKey, "old"), ("acme", acmeKey, "api"),
        })
        {
            var response = await Client(timed, key).GetAsync($"/api/v1/metrics?system={system}&from={N - 30 * Day}&to={N}", Http.Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var api = await response.ReadJsonAsync();
            var labels = Labels(organization, system);
            Assert.Equal(api.GetProperty("deploymentFrequency").GetProperty("deployments").GetDouble(), scrape.Value("stride_window_deployments", labels));
            Assert.Equal(api.GetProperty("deploymentFrequency").GetProperty("perDay").GetDouble(), scrape.Value("stride_deployment_frequency_per_day", labels));
            Assert.Equal(Number(api.GetProperty("leadTimeForChanges"), "medianSeconds"), scrape.Find("stride_lead_time_for_changes_median_seconds", labels));
            Assert.Equal(Number(api.GetProperty("changeFailureRate"), "rate"), scrape.Find("stride_change_failure_rate_ratio", labels));
            Assert.Equal(Number(api.GetProperty("timeToRestore"), "medianSeconds"), scrape.Find("stride_time_to_restore_median_seconds", labels));
            compared++;
        }

        // Every system of every organization has its series, and no other does.
        var systems = scrape.Samples.Where(s => s.Name == "stride_window_deployments")
            .Select(s => $"{s.Labels["organization"]}/{s.Labels["system"]}").Order().ToArray();
        Assert.Equal(["acme/api", "default/api", "default/old", "default/web"], systems);
        Assert.Equal(4, compared);
    }

    [Fact]
    public async Task GaugesAreReusedBrieflyThenFollowTheWindowAndValuesWithoutDataDisappear()
    {
        await using var app = new StrideApplication();
        var clock = new FakeTimeProvider(Now);
        await using var timed = WithClock(app, clock);
        await SeedAsync(timed);
        var client = Client(timed, StrideApplication.BootstrapKey);
        var api = Labels("default", "api");
        Assert.Equal(2, (await PrometheusText.ScrapeAsync(client)).Value("stride_window_deployments", api));

        await (await client.PostJsonAsync("/api/v1/deployments", $$"""{"identifier":"d3","timestamp":{{N - Hour}},"system":"api"}""")).AssertStoredAsync(1);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(2, (await PrometheusText.ScrapeAsync(client)).Value("stride_window_deployments", api));

        clock.Advance(TimeSpan.FromSeconds(2));
        var fresh = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(3, fresh.Value("stride_window_deployments", api));
        Assert.Equal(N + 16, fresh.Value("stride_four_keys_updated_timestamp_seconds"));

        // 40 days on, every event has left the window: the counts are 0 and the medians and rates have no series.
        clock.Advance(TimeSpan.FromDays(40));
        var later = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(0, later.Value("stride_window_deployments", api));
        Assert.Equal(0, later.Value("stride_deployment_frequency_per_day", api));
        foreach (var name in new[] { "stride_lead_time_for_changes_median_seconds", "stride_change_failure_rate_ratio", "stride_time_to_restore_median_seconds" })
        {
            Assert.DoesNotContain(later.Samples, s => s.Name == name);
        }
    }

    [Fact]
    public async Task WindowAndEnvironmentComeFromSettings()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?>
        {
            ["Stride:Prometheus:WindowDays"] = "7",
            ["Stride:Prometheus:Environment"] = "Staging",
        });
        var clock = new FakeTimeProvider(Now);
        await using var timed = WithClock(app, clock);
        await SeedAsync(timed);

        var scrape = await PrometheusText.ScrapeAsync(Client(timed, StrideApplication.BootstrapKey));

        Assert.Equal(7 * Day, scrape.Value("stride_window_seconds"));
        Assert.Equal(1, scrape.Value("stride_window_deployments", Labels("default", "api")));   // the staging one, 2 days old
        Assert.Equal(1.0 / 7, scrape.Value("stride_deployment_frequency_per_day", Labels("default", "api")));
        Assert.Equal(0, scrape.Value("stride_window_deployments", Labels("default", "web")));
    }

    [Fact]
    public async Task CountersGrowByExactlyTheRequestsMade()
    {
        await using var app = new StrideApplication();
        var ingestKey = await app.CreateKeyAsync("ingest");
        var readKey = await app.CreateKeyAsync("read");
        using var operatorClient = app.CreateAdminClient();
        using var ingest = app.CreateClient(ingestKey);
        using var reader = app.CreateClient(readKey);
        using var anonymous = app.CreateClient();
        var before = await PrometheusText.ScrapeAsync(operatorClient);

        await (await ingest.PostJsonAsync("/api/v1/changes", """{"identifier":"c1","timestamp":1780000000}""")).AssertStoredAsync(1);
        await (await ingest.PostJsonAsync("/api/v1/changes", """[{"identifier":"c2","timestamp":1780000000},{"identifier":"c3","timestamp":1780000000}]""")).AssertStoredAsync(2);
        await (await ingest.PostJsonAsync("/api/v1/changes", """{"identifier":"c4","timestamp":1780000000,"system":"web"}""")).AssertStoredAsync(1);
        await (await ingest.PostJsonAsync("/api/v1/deployments", """{"identifier":"v1","timestamp":1780000100,"changes":["c1"]}""")).AssertStoredAsync(1);
        await (await ingest.PostJsonAsync("/api/v1/incidents", """{"identifier":"INC-1","timestampCreated":1780000200}""")).AssertStoredAsync(1);
        await (await ingest.PostJsonAsync($"/v1/ingestion/cli?system=api",
            """{"source":"cli","change_id":"c5","time_created":"2026-05-28T20:00:00Z","event_type":"commit","$type":"change"}""")).AssertStoredAsync(1);
        await (await ingest.PostJsonAsync("/api/v1/changes", """{"identifier":"bad"}""")).AssertValidationProblemAsync("timestamp");
        await (await ingest.PostJsonAsync("/api/v1/changes", "not json")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await anonymous.PostJsonAsync("/api/v1/changes", """{"identifier":"c6","timestamp":1780000000}""")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await reader.PostJsonAsync("/api/v1/changes", """{"identifier":"c7","timestamp":1780000000}""")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/metrics", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/metrics", Http.Ct)).StatusCode);   // not an ingestion route

        var after = await PrometheusText.ScrapeAsync(operatorClient);

        double Grew(string name, params (string, string)[] labels) => after.Counter(name, labels) - before.Counter(name, labels);
        const string Requests = "stride_http_requests_total";
        Assert.Equal(3, Grew(Requests, Request("POST", "/api/v1/changes", 200)));
        Assert.Equal(2, Grew(Requests, Request("POST", "/api/v1/changes", 400)));
        Assert.Equal(1, Grew(Requests, Request("POST", "/api/v1/changes", 401)));
        Assert.Equal(1, Grew(Requests, Request("POST", "/api/v1/changes", 403)));
        Assert.Equal(1, Grew(Requests, Request("POST", "/api/v1/deployments", 200)));
        Assert.Equal(1, Grew(Requests, Request("POST", "/api/v1/incidents", 200)));
        Assert.Equal(1, Grew(Requests, Request("POST", "/v1/ingestion/cli", 200)));
        Assert.Equal(1, Grew(Requests, Request("GET", "/api/v1/metrics/", 200)));
        Assert.Equal(1, Grew(Requests, Request("GET", "/api/v1/metrics/", 401)));
        Assert.Equal(1, Grew(Requests, Request("GET", "/metrics", 200)));   // the first scrape, counted once answered
        Assert.Equal(13, after.Samples.Where(s => s.Name == Requests).Sum(s => s.Value)
            - before.Samples.Where(s => s.Name == Requests).Sum(s => s.Value));

        const string Stored = "stride_events_stored_total";
        Assert.Equal(5, Grew(Stored, ("organization", "default"), ("type", "change")));
        Assert.Equal(1, Grew(Stored, ("organization", "default"), ("type", "deployment")));
        Assert.Equal(1, Grew(Stored, ("organization", "default"), ("type", "incident")));
        Assert.Equal(0, Grew(Stored, ("organization", "default"), ("type", "push")));

        const string Rejected = "stride_ingestion_rejected_requests_total";
        Assert.Equal(2, Grew(Rejected, ("reason", "invalid")));
        Assert.Equal(1, Grew(Rejected, ("reason", "unauthenticated")));
        Assert.Equal(1, Grew(Rejected, ("reason", "forbidden")));
        Assert.Equal(4, after.Samples.Where(s => s.Name == Rejected).Sum(s => s.Value));
    }

    [Fact]
    public async Task EventsStoredAreCountedUnderTheirOwnOrganization()
    {
        await using var app = new StrideApplication();
        using var acme = app.CreateClient(await CreateAcmeAsync(app));
        await (await acme.PostJsonAsync("/api/v1/events", """
            [{"type":"change","identifier":"a1","timestamp":1780000000},
             {"type":"deployment","identifier":"v1","timestamp":1780000100,"changes":["a1"]},
             {"type":"deployment","identifier":"v2","timestamp":1780000200}]
            """)).AssertStoredAsync(3);

        var scrape = await PrometheusText.ScrapeAsync(app.CreateAdminClient());

        Assert.Equal(1, scrape.Value("stride_events_stored_total", ("organization", "acme"), ("type", "change")));
        Assert.Equal(2, scrape.Value("stride_events_stored_total", ("organization", "acme"), ("type", "deployment")));
        Assert.Null(scrape.Find("stride_events_stored_total", ("organization", "default"), ("type", "deployment")));
    }

    [Fact]
    public async Task RouteLabelIsTheRoutePatternNeverThePath()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        foreach (var id in new[] { 9001, 9002, 9003 })
        {
            await (await admin.DeleteAsync($"/api/v1/keys/{id}", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/no/such/route/1", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/no/such/route/2", Http.Ct)).StatusCode);
        using var brew = new HttpRequestMessage(new HttpMethod("BREW"), "/healthz");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.SendAsync(brew, Http.Ct)).StatusCode);

        var scrape = await PrometheusText.ScrapeAsync(admin);

        Assert.Equal(3, scrape.Value("stride_http_requests_total", Request("DELETE", "/api/v1/keys/{id:long}", 404)));
        Assert.Equal(2, scrape.Value("stride_http_requests_total", Request("GET", "unmatched", 404)));
        var routes = scrape.Samples.Where(s => s.Name == "stride_http_requests_total").Select(s => s.Labels["route"]).ToArray();
        Assert.DoesNotContain(routes, r => r.Contains("900", StringComparison.Ordinal) || r.Contains("/no/", StringComparison.Ordinal));
        // Methods are bounded too; routing's 405 answer is an endpoint of its own, with no route pattern.
        Assert.Equal(1, scrape.Value("stride_http_requests_total", Request("OTHER", "unmatched", 405)));
        Assert.DoesNotContain(scrape.Samples, s => s.Name == "stride_http_requests_total" && s.Labels["method"] == "BREW");
    }

    [Fact]
    public async Task OnlyKeysWithTheOperatorScopeMayScrape()
    {
        await using var app = new StrideApplication();
        var acmeKey = await CreateAcmeAsync(app);
        using var anonymous = app.CreateClient();
        using var unknown = app.CreateClient("stride_not_a_key");
        using var reader = app.CreateClient(await app.CreateKeyAsync("read"));
        using var admin = app.CreateClient(await app.CreateKeyAsync("admin"));
        using var otherAdmin = app.CreateClient(acmeKey);

        await (await anonymous.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await unknown.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await reader.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await admin.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await otherAdmin.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);

        // Prometheus' `authorization: credentials:` sends the key as a Bearer token; X-Api-Key works too.
        using var bearer = app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StrideApplication.BootstrapKey);
        await PrometheusText.ScrapeAsync(bearer);
        using var header = app.CreateClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", StrideApplication.BootstrapKey);
        await PrometheusText.ScrapeAsync(header);
    }

    [Fact]
    public async Task ScrapeIsPrometheusTextWithProcessFiguresAndNoPerRequestMeters()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        await (await admin.PostJsonAsync("/api/v1/changes", """{"identifier":"c1","timestamp":1780000000}""")).AssertStoredAsync(1);

        var response = await admin.GetAsync("/metrics", Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        var scrape = PrometheusText.Parse(text);

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        foreach (var family in scrape.Types.Keys)
        {
            Assert.Contains($"# HELP {family} ", text, StringComparison.Ordinal);
        }

        Assert.Equal("counter", scrape.Types["stride_http_requests_total"]);
        Assert.Equal("counter", scrape.Types["stride_events_stored_total"]);
        Assert.Equal("counter", scrape.Types["stride_ingestion_rejected_requests_total"]);
        Assert.Equal("gauge", scrape.Types["stride_window_deployments"]);
        Assert.Equal("gauge", scrape.Types["stride_lead_time_for_changes_median_seconds"]);
        Assert.True(scrape.Value("process_cpu_seconds_total") > 0);
        Assert.True(scrape.Value("process_start_time_seconds") > 0);

        // .NET meters (ASP.NET Core's per-request ones among them) are not exported: listening to them costs every request.
        Assert.DoesNotContain(scrape.Types.Keys, f => f.StartsWith("http_server", StringComparison.Ordinal)
            || f.StartsWith("microsoft_aspnetcore", StringComparison.Ordinal) || f.StartsWith("kestrel", StringComparison.Ordinal));
    }

    [Fact]
    public void TheTextReaderRefusesWhatPrometheusWouldRefuse()
    {
        // The reader is what makes the other tests' format checks mean something.
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse("stride_x 1\n"));   // no TYPE
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse("# TYPE stride_x counter\nstride_x 1\n"));   // counter without _total
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse("# TYPE stride_x gauge\nstride_x{a=\"1\" 1\n"));
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse("# TYPE stride_x gauge\nstride_x{a=\"1\"} one\n"));
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse("# TYPE stride_x gauge\nstride_x 1\nstride_x 2\n"));
        var ok = PrometheusText.Parse("# HELP stride_x A gauge.\n# TYPE stride_x gauge\nstride_x{a=\"q\\\"uote\",b=\"x\"} 1.5\n");
        Assert.Equal(1.5, ok.Value("stride_x", ("a", "q\"uote"), ("b", "x")));
        Assert.Equal(2, PrometheusText.Parse("# TYPE stride_y gauge\nstride_y{route=\"/a/{id}\",b=\"\"} 2 1700000000000\n").Value("stride_y", ("route", "/a/{id}"), ("b", "")));
    }

    /// <summary>
    /// Two organizations: <c>default</c> (the bootstrap key's) with systems api, web and old, and <c>acme</c>
    /// with api. Times are relative to <see cref="Now"/>.
    /// </summary>
    /// <returns>acme's admin key.</returns>
    private static async Task<string> SeedAsync(WebApplicationFactory<Program> app)
    {
        var acmeKey = await CreateAcmeAsync(app);
        var own = Client(app, StrideApplication.BootstrapKey);
        await (await own.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"c1","timestamp":{{N - 10 * Day - 3 * Hour}},"system":"api"},
             {"type":"change","identifier":"c2","timestamp":{{N - 10 * Day - Hour}},"system":"api"},
             {"type":"change","identifier":"c3","timestamp":{{N - 5 * Day - 2 * Hour}},"system":"api"},
             {"type":"deployment","identifier":"d0","timestamp":{{N - 40 * Day}},"system":"api"},
             {"type":"deployment","identifier":"d1","timestamp":{{N - 10 * Day}},"system":"api","changes":["c1","c2"]},
             {"type":"deployment","identifier":"d2","timestamp":{{N - 5 * Day}},"system":"api","changes":["c3"]},
             {"type":"deployment","identifier":"failed","timestamp":{{N - 3 * Day}},"system":"api","result":"failure"},
             {"type":"deployment","identifier":"staged","timestamp":{{N - 2 * Day}},"system":"api","environment":"staging"},
             {"type":"incident","identifier":"INC-1","timestampCreated":{{N - 5 * Day + Hour}},"timestampResolved":{{N - 5 * Day + 3 * Hour}},"system":"api","deployment":"d2"},
             {"type":"incident","identifier":"INC-2","timestampCreated":{{N - 12 * Day}},"timestampResolved":{{N - 12 * Day + 1800}},"system":"api"},
             {"type":"deployment","identifier":"w1","timestamp":{{N - Day}},"system":"web"},
             {"type":"deployment","identifier":"o1","timestamp":{{N - 60 * Day}},"system":"old"}]
            """)).AssertStoredAsync(12);

        var acme = Client(app, acmeKey);
        await (await acme.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"a1","timestamp":{{N - 2 * Day - 600}},"system":"api"},
             {"type":"deployment","identifier":"a-d1","timestamp":{{N - 2 * Day}},"system":"api","changes":["a1"]}]
            """)).AssertStoredAsync(2);
        return acmeKey;
    }

    /// <summary>Creates a second organization, <c>acme</c>, and returns its admin key.</summary>
    private static async Task<string> CreateAcmeAsync(WebApplicationFactory<Program> app)
    {
        var response = await Client(app, StrideApplication.BootstrapKey).PostJsonAsync("/api/v1/organizations", """{"name":"acme"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("adminKey").GetString()!;
    }

    private static WebApplicationFactory<Program> WithClock(StrideApplication app, TimeProvider clock)
        => app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton(clock)));

    private static HttpClient Client(WebApplicationFactory<Program> app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static (string, string)[] Labels(string organization, string system) => [("organization", organization), ("system", system)];

    private static (string, string)[] Request(string method, string route, int code)
        => [("method", method), ("route", route), ("code", code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static double? Number(System.Text.Json.JsonElement block, string name)
        => block.GetProperty(name) is { ValueKind: System.Text.Json.JsonValueKind.Number } value ? value.GetDouble() : null;
}
