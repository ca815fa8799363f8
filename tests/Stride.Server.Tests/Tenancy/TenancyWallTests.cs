using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stride.Storage;
using Stride.Server.Tests.Nodes;
using Stride.Server.Tests.Webhooks;
using Stride.Server.Tests.Connections;

namespace Stride.Server.Tests.Tenancy;

/// <summary>
/// The wall between organizations (SPEC §4.6): organization B walks every route with its own keys, aimed at
/// organization A's systems, identifiers, keys, connections and secrets, and reads, writes and deletes nothing of A's.
/// </summary>
/// <remarks>
/// A is <c>default</c> (the bootstrap key); B is made through <c>POST /api/v1/organizations</c>. Everything of A's
/// that B never names is spelled with "alpha", B's own with "bravo"; some names are in both on purpose
/// (<c>shared-svc</c>, deployment <c>v1.0.0</c>, change <c>shared-c1</c>, incident <c>INC-SHARED</c>, GitHub's push
/// fixture and its delivery id). Every answer B gets is scanned for A's names; A's own answers are compared byte
/// for byte before and after B's walk; and every route the app maps must have been walked or be in <see cref="NoOrganizationData"/>.
/// </remarks>
public sealed class TenancyWallTests
{
    private const string Window = "from=1500000000&to=1900000000";
    private const long T0 = 1_700_000_000;
    private const string GitHubRepository = "github.com/Codertocat/Hello-World";
    private const string PushCommit = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private const string AlphaSecret = "alpha-github-secret";
    private const string BravoSecret = "bravo-github-secret";

    /// <summary>
    /// Routes with no organization data, which the walk need not reach. Each is named with why; anything else
    /// the app maps (a route added later) must be walked, or this test fails.
    /// </summary>
    private static readonly (Func<RouteKey, RouteEndpoint, bool> Matches, string Why)[] NoOrganizationData =
    [
        ((r, _) => r.Pattern == "/healthz", "liveness: a constant answer, no key"),
        ((r, _) => r.Pattern == "/readyz", "readiness: whether the store answers, no key"),
        ((r, _) => r.Pattern == "/openapi/{documentName}.json", "the OpenAPI document: describes the API, holds no data"),
        ((r, _) => r.Pattern.StartsWith("/api-reference/", StringComparison.Ordinal), "the API reference page (Scalar), its scripts and icon"),
        ((_, e) => e.Metadata.Any(m => m.GetType().FullName == "Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor"),
            "wwwroot's files (MapStaticAssets): the dashboard's stylesheet, the same for everyone"),
        ((r, e) => r.Pattern == "{**path:file}" && e.Metadata.Any(m => m.GetType().Name == "FallbackMetadata"),
            "MapStaticAssets' fallback for wwwroot files outside the build manifest (Development): files, no data"),
    ];

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]   // the same walk on the other store's SQL: needs STRIDE_TEST_POSTGRES, as the multi-node tests do
    public async Task AnotherOrganizationsKeysReadWriteAndDeleteNothingAcrossTheWallOnAnyRoute(string store)
    {
        await using var database = store == "postgres" ? await TestDatabase.CreateAsync(Http.Ct) : null;
        await using var app = database is null ? new StrideApplication() : new StrideApplication(new Dictionary<string, string?> { ["Stride:Database"] = database.ConnectionString });
        Assert.StartsWith(store, app.Services.GetRequiredService<IEventStore>().GetType().Name, StringComparison.OrdinalIgnoreCase);
        using var recorder = new RouteRecorder(app.Services);
        using var walk = new TenancyWalk(app);
        using var alphaAdmin = app.CreateAdminClient();   // the bootstrap key: admin of A, and operator

        var alpha = await SeedAlphaAsync(app, alphaAdmin);
        var created = await alphaAdmin.PostObjectAsync("/api/v1/organizations", new { name = "bravo" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bravoOrganization = await created.ReadJsonAsync();
        Assert.Equal("bravo", bravoOrganization.GetProperty("name").GetString());
        var bravoAdmin = walk.Client(bravoOrganization.GetProperty("adminKey").GetString()!);
        var bravo = await SeedBravoAsync(walk, bravoAdmin);

        var before = await SnapshotAsync(alphaAdmin, alpha);

        await WalkReadsAsync(walk, bravoAdmin, bravo);
        await WalkKeysAsync(walk, bravoAdmin, bravo, alpha, app);
        await WalkConnectionsAsync(bravoAdmin, bravo, alpha, app);
        await WalkWebhookSecretsAsync(bravoAdmin, bravo);
        await WalkOrganizationsAsync(bravoAdmin, bravo);
        await WalkDashboardAsync(walk, bravo);
        AssertNoAlphaDataInAnyAnswer(walk.Log, alpha);

        // Last, writes that name A's identifiers from B's side; B reads nothing after these, as its own data now names them.
        await WalkWritesNamingAlphaAsync(walk, bravo);

        var after = await SnapshotAsync(alphaAdmin, alpha);
        Assert.Equal(before.Count, after.Count);
        foreach (var (url, body) in before)
        {
            Assert.True(body == after[url], $"A's answer to {url} changed during B's walk.\nBefore: {body}\nAfter: {after[url]}");
        }

        await AssertAlphaKeysAndSecretStillWorkAsync(app, alpha);
        AssertEveryRouteWalked(app.Services, recorder);
    }

    // ---- Organization A ----

    private sealed record Alpha(
        string IngestKey, long IngestKeyId, long ReadKeyId, long BootstrapKeyId, long ConnectionId, string ConnectionKey, long ConnectionKeyId,
        IReadOnlyList<string> Markers);

    private static async Task<Alpha> SeedAlphaAsync(StrideApplication app, HttpClient admin)
    {
        var ingest = await CreateKeyAsync(admin, "alpha-ingest", "ingest");
        var read = await CreateKeyAsync(admin, "alpha-read", "read");
        using var ingestClient = app.CreateClient(ingest.Key);

        await (await ingestClient.PostJsonAsync("/api/v1/changes", $$"""
            [{"identifier": "alpha-c1", "timestamp": {{T0}}, "system": "alpha-svc"},
             {"identifier": "alpha-c2", "timestamp": {{T0 + 100}}, "system": "shared-svc"},
             {"identifier": "shared-c1", "timestamp": {{T0 + 200}}, "system": "shared-svc"}]
            """)).AssertStoredAsync(3);
        await (await ingestClient.PostJsonAsync("/api/v1/deployments", $$"""
            [{"identifier": "alpha-v1", "timestamp": {{T0 + 3_600}}, "system": "alpha-svc", "changes": ["alpha-c1"], "commit": "alpha-c1"},
             {"identifier": "v1.0.0", "timestamp": {{T0 + 7_200}}, "system": "shared-svc", "changes": ["alpha-c2", "shared-c1"], "commit": "alpha-commit-shared"}]
            """)).AssertStoredAsync(2);
        await (await ingestClient.PostJsonAsync("/api/v1/incidents", $$"""
            [{"identifier": "INC-SHARED", "timestampCreated": {{T0 + 8_000}}, "timestampResolved": {{T0 + 8_900}}, "system": "shared-svc", "deployment": "v1.0.0"},
             {"identifier": "alpha-INC-1", "timestampCreated": {{T0 + 9_000}}, "system": "shared-svc"}]
            """)).AssertStoredAsync(2);
        await (await ingestClient.PostJsonAsync("/api/v1/events", $$"""
            {"type": "change", "identifier": "alpha-batch-c1", "timestamp": {{T0 + 10}}, "system": "alpha-batch-svc"}
            {"type": "deployment", "identifier": "alpha-batch-d1", "timestamp": {{T0 + 20}}, "system": "alpha-batch-svc", "changes": ["alpha-batch-c1"]}
            """, "application/x-ndjson")).AssertStoredAsync(2);
        using (var keyless = app.CreateClient())
        {
            await PostPulseAsync(keyless, ingest.Key, "alpha");
        }

        var connection = await admin.CreateConnectionAsync("alpha-conn");
        using var connectionClient = app.CreateClient(connection.Key);
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/deployments",
            DevLakeDeployment("alpha-dl-1", T0 + 4_000, "https://github.com/acme/alpha-repo", "alpha-dl-sha"));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            DevLakeIssue("alpha-REQ-1", "REQUIREMENT", "TODO", T0, null, "alpha-svc", storyPoint: 3));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            DevLakeIssue("alpha-BUG-1", "BUG", "DONE", T0, T0 + 2_000, "alpha-svc"));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            DevLakeIssue("alpha-INC-9", "INCIDENT", "DONE", T0 + 1_000, T0 + 1_700, "alpha-svc"));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issue/alpha-REQ-1/close", "");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/v1/webhooks/github/secret", new { secret = AlphaSecret }, Http.Ct)).StatusCode);
        var push = GitHubPush();
        await (await ingestClient.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, AlphaSecret))))
            .AssertWebhookAsync(HttpStatusCode.OK, 1);

        var keys = await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync();
        var bootstrapId = keys.EnumerateArray().Single(k => k.GetProperty("scopes").EnumerateArray().Any(s => s.GetString() == "operator")).GetProperty("id").GetInt64();
        var connections = await (await admin.GetAsync("/api/v1/connections", Http.Ct)).ReadJsonAsync();
        var connectionKeyId = connections.EnumerateArray().Single().GetProperty("keyId").GetInt64();

        // What B must never see: every A-only name, and the prefixes of A's keys.
        string[] markers =
        [
            "alpha", "alpha-svc", "alpha-c1", "alpha-c2", "alpha-v1", "alpha-commit-shared", "alpha-INC-1", "alpha-batch-svc", "alpha-batch-c1",
            "alpha-batch-d1", "alpha-pulse-svc", "alpha-pulse-c1", "alpha-pulse-1", "alpha-pulse-i1", "github.com/acme/alpha-repo", "alpha-dl-1",
            "alpha-dl-sha", "alpha-REQ-1", "alpha-BUG-1", "alpha-INC-9", "alpha-conn", "alpha-ingest", "alpha-read", AlphaSecret,
            ingest.Prefix, read.Prefix, ..keys.EnumerateArray().Select(k => k.GetProperty("prefix").GetString()!),
        ];
        return new Alpha(ingest.Key, ingest.Id, read.Id, bootstrapId, connection.Id, connection.Key, connectionKeyId, [.. markers.Distinct()]);
    }

    // ---- Organization B: its data, through every kind of write route, with its own keys ----

    private sealed record Bravo(
        HttpClient Ingest, HttpClient Read, long AdminKeyId, long IngestKeyId, long ReadKeyId, string ReadKey,
        long ConnectionId, HttpClient Connection, long ConnectionKeyId);

    private static async Task<Bravo> SeedBravoAsync(TenancyWalk walk, HttpClient admin)
    {
        var adminKeyId = (await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync()).EnumerateArray().Single().GetProperty("id").GetInt64();
        var ingest = await CreateKeyAsync(admin, "bravo-ingest", "ingest");
        var read = await CreateKeyAsync(admin, "bravo-read", "read");
        var ingestClient = walk.Client(ingest.Key);

        await (await ingestClient.PostJsonAsync("/api/v1/changes", $$"""
            [{"identifier": "bravo-c1", "timestamp": {{T0 + 50}}, "system": "bravo-svc"},
             {"identifier": "shared-c1", "timestamp": {{T0 + 1_000}}, "system": "shared-svc"}]
            """)).AssertStoredAsync(2);
        await (await ingestClient.PostJsonAsync("/api/v1/deployments", $$"""
            [{"identifier": "bravo-v1", "timestamp": {{T0 + 4_000}}, "system": "bravo-svc", "changes": ["bravo-c1"], "commit": "bravo-c1"},
             {"identifier": "v1.0.0", "timestamp": {{T0 + 5_000}}, "system": "shared-svc", "changes": ["shared-c1"], "commit": "bravo-commit-shared"}]
            """)).AssertStoredAsync(2);
        await (await ingestClient.PostJsonAsync("/api/v1/incidents", $$"""
            {"identifier": "INC-SHARED", "timestampCreated": {{T0 + 6_000}}, "timestampResolved": {{T0 + 6_600}}, "system": "shared-svc", "deployment": "v1.0.0"}
            """)).AssertStoredAsync(1);
        await (await ingestClient.PostJsonAsync("/api/v1/events", $$"""
            [{"type": "change", "identifier": "bravo-batch-c1", "timestamp": {{T0 + 30}}, "system": "bravo-batch-svc"},
             {"type": "deployment", "identifier": "bravo-batch-d1", "timestamp": {{T0 + 40}}, "system": "bravo-batch-svc", "changes": ["bravo-batch-c1"]}]
            """)).AssertStoredAsync(2);
        await PostPulseAsync(walk.Client(null), ingest.Key, "bravo");

        var connection = await admin.CreateConnectionAsync("bravo-conn");
        var connectionClient = walk.Client(connection.Key);
        // Both DevLake route forms, current and legacy, on B's own connection with its key.
        foreach (var prefix in new[] { $"/api/rest/plugins/webhook/connections/{connection.Id}", $"/api/rest/plugins/webhook/{connection.Id}" })
        {
            var n = prefix.Contains("/connections/", StringComparison.Ordinal) ? 1 : 2;
            await PostDevLakeAsync(connectionClient, $"{prefix}/deployments",
                DevLakeDeployment($"bravo-dl-{n}", T0 + 4_500 + n, "https://github.com/acme/bravo-repo", $"bravo-dl-sha-{n}"));
        }

        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            DevLakeIssue("bravo-REQ-1", "REQUIREMENT", "TODO", T0, null, "bravo-svc", storyPoint: 5));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/{connection.Id}/issues",
            DevLakeIssue("bravo-BUG-1", "BUG", "DONE", T0, T0 + 1_000, "bravo-svc"));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            DevLakeIssue("bravo-INC-9", "INCIDENT", "DONE", T0 + 2_000, T0 + 2_500, "bravo-svc"));
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/connections/{connection.Id}/issue/bravo-REQ-1/close", "");
        await PostDevLakeAsync(connectionClient, $"/api/rest/plugins/webhook/{connection.Id}/issue/bravo-BUG-1/close", "");

        // The same GitHub delivery A sent: neither A's secret nor A's delivery id applies to B, so it is stored, not a duplicate.
        await (await ingestClient.PostWebhookAsync("github", GitHubPush())).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var connections = await (await admin.GetAsync("/api/v1/connections", Http.Ct)).ReadJsonAsync();
        var connectionKeyId = connections.EnumerateArray().Single().GetProperty("keyId").GetInt64();
        return new Bravo(ingestClient, walk.Client(read.Key), adminKeyId, ingest.Id, read.Id, read.Key, connection.Id, connectionClient, connectionKeyId);
    }

    // ---- B reads: only B's data ----

    // B's events: what every list and count must hold exactly.
    private static readonly string[] BravoDeployments =
    [
        "bravo-batch-svc/bravo-batch-d1", "bravo-pulse-svc/bravo-pulse-1", "bravo-svc/bravo-v1", "github.com/acme/bravo-repo/bravo-dl-1",
        "github.com/acme/bravo-repo/bravo-dl-2", "shared-svc/v1.0.0",
    ];

    private static readonly string[] BravoChanges =
    [
        "bravo-batch-svc/bravo-batch-c1", "bravo-pulse-svc/bravo-pulse-c1", "bravo-svc/bravo-c1", $"{GitHubRepository}/{PushCommit}", "shared-svc/shared-c1",
    ];

    private static readonly string[] BravoIncidents = ["bravo-pulse-svc/bravo-pulse-i1", "bravo-svc/bravo-INC-9", "shared-svc/INC-SHARED"];

    private static readonly string[] BravoSystems =
        ["bravo-batch-svc", "bravo-pulse-svc", "bravo-svc", "github.com/acme/bravo-repo", GitHubRepository, "shared-svc"];

    private static async Task WalkReadsAsync(TenancyWalk walk, HttpClient admin, Bravo bravo)
    {
        foreach (var client in new[] { admin, bravo.Read })
        {
            // Lists: exactly B's events, also when filtered on A's systems (nothing) and as CSV.
            Assert.Equal(Sorted(BravoDeployments), await ListAsync(client, "deployments", ""));
            Assert.Equal(Sorted(BravoChanges), await ListAsync(client, "changes", ""));
            Assert.Equal(Sorted(BravoIncidents), await ListAsync(client, "incidents", ""));
            foreach (var list in new[] { "deployments", "changes", "incidents" })
            {
                Assert.Empty(await ListAsync(client, list, "&system=alpha-svc&system=alpha-batch-svc&system=alpha-pulse-svc&system=https://github.com/acme/alpha-repo"));
            }

            // Page by page too (the cursor's queries are other SQL): the same items, B's only.
            Assert.Equal(Sorted(BravoDeployments), await ListPagedAsync(client, "deployments"));
            Assert.Equal(Sorted(BravoChanges), await ListPagedAsync(client, "changes"));
            Assert.Equal(Sorted(BravoIncidents), await ListPagedAsync(client, "incidents"));

            Assert.Equal(new[] { "shared-svc/v1.0.0" }, await ListAsync(client, "deployments", "&system=shared-svc"));
            Assert.Equal(new[] { "shared-svc/shared-c1" }, await ListAsync(client, "changes", "&system=shared-svc"));
            var csv = await GetTextAsync(client, $"/api/v1/deployments?{Window}&format=csv");
            Assert.Equal(BravoDeployments.Length + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

            var systems = await GetJsonAsync(client, "/api/v1/systems");
            Assert.Equal(Sorted(BravoSystems), systems.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray());
            var shared = systems.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "shared-svc");
            Assert.Equal(1, shared.GetProperty("deployments").GetInt32());
            Assert.Equal(Rfc3339(T0 + 5_000), shared.GetProperty("lastDeploymentAt").GetString());

            // Metrics: B's counts only; on shared-svc, B's own numbers, which A's events there would change.
            var all = await GetJsonAsync(client, $"/api/v1/metrics?{Window}");
            Assert.Equal(BravoDeployments.Length, all.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
            Assert.Equal(BravoIncidents.Length, all.GetProperty("timeToRestore").GetProperty("incidents").GetInt32());
            Assert.Equal(0, all.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
            var sharedMetrics = await GetJsonAsync(client, $"/api/v1/metrics?{Window}&system=shared-svc");
            Assert.Equal(1, sharedMetrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
            Assert.Equal(1, sharedMetrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
            Assert.Equal(4_000, sharedMetrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
            Assert.Equal(1, sharedMetrics.GetProperty("changeFailureRate").GetProperty("deployments").GetInt32());
            Assert.Equal(1, sharedMetrics.GetProperty("timeToRestore").GetProperty("incidents").GetInt32());
            Assert.Equal(600, sharedMetrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
            Assert.Equal(0, sharedMetrics.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
            var alphaMetrics = await GetJsonAsync(client, $"/api/v1/metrics?{Window}&system=alpha-svc&system=alpha-batch-svc&system=https://github.com/acme/alpha-repo");
            AssertNoEvents(alphaMetrics);

            var series = await GetJsonAsync(client, $"/api/v1/metrics/series?{Window}&interval=month");
            Assert.Equal(BravoDeployments.Length, series.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32()));
            var alphaSeries = await GetJsonAsync(client, $"/api/v1/metrics/series?{Window}&interval=month&system=alpha-svc&system=alpha-batch-svc");
            Assert.All(alphaSeries.GetProperty("buckets").EnumerateArray(), AssertNoEvents);

            // Issue metrics: B's requirement (5 points, closed), bug (1 000 s) and incident (500 s); A's would change every number.
            var issues = await GetJsonAsync(client, $"/api/v1/metrics/issues?{Window}");
            Assert.Equal("""{"requirements":1,"delivered":1,"rate":1}""", issues.GetProperty("requirementDeliveryRate").GetRawText());
            Assert.Equal("""{"requirements":1,"meanStoryPoints":5}""", issues.GetProperty("requirementGranularity").GetRawText());
            Assert.Equal("""{"issues":1,"medianSeconds":1000,"meanSeconds":1000}""", issues.GetProperty("bugAge").GetRawText());
            Assert.Equal("""{"issues":1,"medianSeconds":500,"meanSeconds":500}""", issues.GetProperty("incidentAge").GetRawText());
            var alphaIssues = await GetJsonAsync(client, $"/api/v1/metrics/issues?{Window}&system=alpha-svc");
            Assert.Equal("""{"requirements":0,"delivered":0,"rate":null}""", alphaIssues.GetProperty("requirementDeliveryRate").GetRawText());
            Assert.Equal(0, alphaIssues.GetProperty("bugAge").GetProperty("issues").GetInt32());
            Assert.Equal(0, alphaIssues.GetProperty("incidentAge").GetProperty("issues").GetInt32());

            // One deployment: A's are not found; the one both have is B's, with B's change and incident only.
            await (await client.GetAsync("/api/v1/deployments/detail?system=alpha-svc&identifier=alpha-v1", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync("/api/v1/deployments/detail?system=https://github.com/acme/alpha-repo&identifier=alpha-dl-1", Http.Ct))
                .AssertProblemAsync(HttpStatusCode.NotFound);
            var detail = await GetJsonAsync(client, "/api/v1/deployments/detail?system=shared-svc&identifier=v1.0.0");
            Assert.Equal("bravo-commit-shared", detail.GetProperty("deployment").GetProperty("commit").GetString());
            Assert.Equal(Rfc3339(T0 + 5_000), detail.GetProperty("deployment").GetProperty("timestamp").GetString());
            var change = Assert.Single(detail.GetProperty("changes").EnumerateArray());
            Assert.Equal("shared-c1", change.GetProperty("identifier").GetString());
            Assert.Equal(4_000, change.GetProperty("leadTimeSeconds").GetInt64());
            var incident = Assert.Single(detail.GetProperty("incidents").EnumerateArray());
            Assert.Equal(Rfc3339(T0 + 6_000), incident.GetProperty("timestampCreated").GetString());
        }

        // The latest deployment, which the CLI asks with an ingest key: A's systems have none; the shared one is B's.
        foreach (var client in new[] { admin, bravo.Read, bravo.Ingest })
        {
            foreach (var system in new[] { "alpha-svc", "alpha-batch-svc", "alpha-pulse-svc", "https://github.com/acme/alpha-repo" })
            {
                await (await client.GetAsync($"/api/v1/deployments/latest?system={Uri.EscapeDataString(system)}", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
            }

            var latest = await GetJsonAsync(client, "/api/v1/deployments/latest?system=shared-svc");
            Assert.Equal("v1.0.0", latest.GetProperty("identifier").GetString());
            Assert.Equal("bravo-commit-shared", latest.GetProperty("commit").GetString());
            Assert.Equal(Rfc3339(T0 + 5_000), latest.GetProperty("timestamp").GetString());
        }

        // An ingest key reads nothing else (403 before any read): a narrower key is not a way around the wall either.
        await (await bravo.Ingest.GetAsync($"/api/v1/metrics?{Window}", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await walk.Client(bravo.ReadKey).PostJsonAsync("/api/v1/changes", """{"identifier": "x", "timestamp": 1700000000}"""))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    // ---- B's keys: A's are neither listed nor revocable ----

    private static async Task WalkKeysAsync(TenancyWalk walk, HttpClient admin, Bravo bravo, Alpha alpha, StrideApplication app)
    {
        var spare = await CreateKeyAsync(admin, "bravo-spare", "read");
        var listed = (await GetJsonAsync(admin, "/api/v1/keys")).EnumerateArray().Select(k => k.GetProperty("id").GetInt64()).Order().ToArray();
        Assert.Equal(new[] { bravo.AdminKeyId, bravo.IngestKeyId, bravo.ReadKeyId, bravo.ConnectionKeyId, spare.Id }.Order().ToArray(), listed);

        foreach (var id in new[] { alpha.BootstrapKeyId, alpha.IngestKeyId, alpha.ReadKeyId, alpha.ConnectionKeyId })
        {
            var revoke = await admin.DeleteAsync($"/api/v1/keys/{id}", Http.Ct);
            await revoke.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        // A's keys still work (a revocation would have been seen at once: this node evicts its key cache on revoke).
        using var alphaIngest = app.CreateClient(alpha.IngestKey);
        Assert.Equal(HttpStatusCode.OK, (await alphaIngest.GetAsync("/api/v1/deployments/latest?system=alpha-svc", Http.Ct)).StatusCode);
        using var alphaBootstrap = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await alphaBootstrap.GetAsync("/api/v1/keys", Http.Ct)).StatusCode);

        // The route works for B's own key, so the 404s above are the wall, not a broken route.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{spare.Id}", Http.Ct)).StatusCode);
        await (await walk.Client(spare.Key).GetAsync("/api/v1/systems", Http.Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    // ---- DevLake connections: B's keys cannot post to A's connection ----

    private static async Task WalkConnectionsAsync(HttpClient admin, Bravo bravo, Alpha alpha, StrideApplication app)
    {
        var listed = await GetJsonAsync(admin, "/api/v1/connections");
        var own = Assert.Single(listed.EnumerateArray());
        Assert.Equal(bravo.ConnectionId, own.GetProperty("id").GetInt64());
        Assert.Equal("bravo-conn", own.GetProperty("name").GetString());

        var deployment = DevLakeDeployment("bravo-dl-x", T0 + 9_999, "https://github.com/acme/alpha-repo", "bravo-x");
        var issue = DevLakeIssue("bravo-x-INC", "INCIDENT", "TODO", T0 + 9_999, null, "alpha-svc");
        foreach (var prefix in new[] { $"/api/rest/plugins/webhook/connections/{alpha.ConnectionId}", $"/api/rest/plugins/webhook/{alpha.ConnectionId}" })
        {
            // B's connection key: 403 on any other connection's routes; B's admin key: A's connection does not exist for B.
            foreach (var (client, status) in new[] { (bravo.Connection, HttpStatusCode.Forbidden), (admin, HttpStatusCode.NotFound) })
            {
                await (await client.PostJsonAsync($"{prefix}/deployments", deployment)).AssertProblemAsync(status);
                await (await client.PostJsonAsync($"{prefix}/issues", issue)).AssertProblemAsync(status);
                await (await client.PostJsonAsync($"{prefix}/issue/alpha-INC-1/close", "")).AssertProblemAsync(status);
                await (await client.PostJsonAsync($"{prefix}/issue/alpha-REQ-1/close", "")).AssertProblemAsync(status);
            }

            // B's ingest and read keys may not use a connection's routes at all.
            await (await bravo.Ingest.PostJsonAsync($"{prefix}/deployments", deployment)).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        // Closing A's issue and A's open incident by key through B's own connection: B has no such issue.
        foreach (var client in new[] { bravo.Connection, admin })
        {
            foreach (var key in new[] { "alpha-INC-1", "alpha-REQ-1", "alpha-INC-9" })
            {
                await (await client.PostJsonAsync($"/api/rest/plugins/webhook/connections/{bravo.ConnectionId}/issue/{key}/close", ""))
                    .AssertProblemAsync(HttpStatusCode.NotFound);
                await (await client.PostJsonAsync($"/api/rest/plugins/webhook/{bravo.ConnectionId}/issue/{key}/close", ""))
                    .AssertProblemAsync(HttpStatusCode.NotFound);
            }
        }

        // And from the other side: A's connection key is refused on B's connection.
        using var alphaConnection = app.CreateClient(alpha.ConnectionKey);
        await (await alphaConnection.PostJsonAsync($"/api/rest/plugins/webhook/connections/{bravo.ConnectionId}/deployments", deployment))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    // ---- Webhook secrets: B sets and clears only its own ----

    private static async Task WalkWebhookSecretsAsync(HttpClient admin, Bravo bravo)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/v1/webhooks/github/secret", new { secret = BravoSecret }, Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/v1/webhooks/pagerduty/secret", new { secret = BravoSecret }, Http.Ct)).StatusCode);

        // B's deliveries are checked with B's secret: A's secret does not sign for B.
        var push = GitHubPush().WithHeader("X-GitHub-Delivery", "bravo-delivery-2");
        await (await bravo.Ingest.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, AlphaSecret))))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        var signed = await bravo.Ingest.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, BravoSecret)));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);

        // Clearing: B's own secrets go; A's GitHub secret is not B's to clear (404 once B's is gone).
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/webhooks/github/secret", Http.Ct)).StatusCode);
        await (await admin.DeleteAsync("/api/v1/webhooks/github/secret", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/webhooks/pagerduty/secret", Http.Ct)).StatusCode);
        await (await admin.DeleteAsync("/api/v1/webhooks/gitlab/secret", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);

        // B's narrower keys may not touch secrets at all.
        await (await bravo.Read.PutAsJsonAsync("/api/v1/webhooks/github/secret", new { secret = "x" }, Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await bravo.Ingest.DeleteAsync("/api/v1/webhooks/github/secret", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);

        // With no secret of its own, B's unsigned delivery is accepted again (A's secret is not a fallback).
        var unsigned = GitHubPush().WithHeader("X-GitHub-Delivery", "bravo-delivery-3");
        Assert.Equal(HttpStatusCode.OK, (await bravo.Ingest.PostWebhookAsync("github", unsigned)).StatusCode);
    }

    // ---- Organizations: operator only ----

    private static async Task WalkOrganizationsAsync(HttpClient admin, Bravo bravo)
    {
        foreach (var client in new[] { admin, bravo.Read, bravo.Ingest })
        {
            await (await client.GetAsync("/api/v1/organizations", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PostObjectAsync("/api/v1/organizations", new { name = "bravo-2" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        await (await bravo.Connection.GetAsync("/api/v1/organizations", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);

        // The Prometheus scrape spans every organization, so it is the operator's alone as well.
        foreach (var client in new[] { admin, bravo.Read, bravo.Ingest, bravo.Connection })
        {
            await (await client.GetAsync("/metrics", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        // Nor can B's admin mint a key that would pass the wall: operator (every organization) and connection keys are not grantable.
        foreach (var scope in new[] { "operator", "connection" })
        {
            await (await admin.PostObjectAsync("/api/v1/keys", new { name = "bravo-" + scope, scopes = new[] { scope } })).AssertValidationProblemAsync("scopes");
        }
    }

    // ---- The dashboard, signed in with B's read key ----

    private static async Task WalkDashboardAsync(TenancyWalk walk, Bravo bravo)
    {
        var browser = walk.Browser();
        await browser.SignInAsync(bravo.ReadKey);

        var overview = await GetTextAsync(browser, $"/?{Window}");
        foreach (var name in new[] { "bravo-svc", "bravo-batch-svc", "bravo-v1", "bravo-INC-9", "shared-svc" })
        {
            Assert.Contains(name, overview, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("alpha", overview, StringComparison.Ordinal);
        var filtered = await GetTextAsync(browser, $"/?{Window}&system=alpha-svc");
        Assert.DoesNotContain("bravo-v1", filtered, StringComparison.Ordinal);   // filtered to a system B does not have: no rows

        var alphaDeployment = await browser.GetAsync("/deployment?of=alpha-svc&deployment=alpha-v1", Http.Ct);
        Assert.Equal(HttpStatusCode.NotFound, alphaDeployment.StatusCode);
        var shared = await GetTextAsync(browser, "/deployment?of=shared-svc&deployment=v1.0.0");
        Assert.Contains("bravo-commit-shared", shared, StringComparison.Ordinal);
        Assert.Contains("shared-c1", shared, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/sign-out", Http.Ct)).StatusCode);
        var signOut = await browser.PostAsync("/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(shared),
        }), Http.Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/sign-in", signOut.Headers.Location?.OriginalString);
        var signedOut = await browser.GetAsync($"/?{Window}", Http.Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
    }

    // ---- B writes naming A's identifiers: they stay B's ----

    private static async Task WalkWritesNamingAlphaAsync(TenancyWalk walk, Bravo bravo)
    {
        // A deployment of A's changes (by identifier) in the shared system, earlier than A's own deployment of them,
        // and incidents pointing at the deployment both have: A's first deployments, lead times and attributions stay A's.
        await (await bravo.Ingest.PostJsonAsync("/api/v1/deployments", $$"""
            {"identifier": "v1.1.0", "timestamp": {{T0 + 7_000}}, "system": "shared-svc", "changes": ["alpha-c2", "shared-c1"], "commit": "alpha-c2"}
            """)).AssertStoredAsync(1);
        await (await bravo.Ingest.PostJsonAsync("/api/v1/events", $$"""
            [{"type": "change", "identifier": "alpha-c1", "timestamp": {{T0 - 5_000}}, "system": "alpha-svc"},
             {"type": "deployment", "identifier": "alpha-v1", "timestamp": {{T0 + 3_000}}, "system": "alpha-svc", "changes": ["alpha-c1"], "result": "failure"},
             {"type": "incident", "identifier": "alpha-INC-1", "timestampCreated": {{T0 + 9_000}}, "timestampResolved": {{T0 + 9_100}}, "system": "shared-svc", "deployment": "v1.0.0"}]
            """)).AssertStoredAsync(3);
        await (await bravo.Ingest.PostJsonAsync("/api/v1/incidents", $$"""
            {"identifier": "INC-SHARED", "timestampCreated": {{T0 + 8_000}}, "timestampResolved": {{T0 + 8_100}}, "system": "shared-svc", "deployment": "v1.0.0"}
            """)).AssertStoredAsync(1);
        await (await bravo.Ingest.PostJsonAsync("/api/v1/changes", $$"""
            {"identifier": "alpha-c2", "timestamp": {{T0 - 9_000}}, "system": "shared-svc"}
            """)).AssertStoredAsync(1);
        await (await walk.Client(bravo.ReadKey).PostJsonAsync($"/v1/ingestion/cli?api_key={Uri.EscapeDataString(bravo.ReadKey)}&system=alpha-pulse-svc", "{}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await bravo.Ingest.PostJsonAsync("/v1/ingestion/cli?system=alpha-pulse-svc", $$"""
            {"source": "cli", "incident_id": "alpha-pulse-i1", "time_created": "{{Rfc3339(T0 + 1)}}", "time_resolved": "{{Rfc3339(T0 + 2)}}", "$type": "incident"}
            """)).AssertStoredAsync(1);

        // DevLake: B's issues under A's keys and A's system, then closed through B's connection.
        await PostDevLakeAsync(bravo.Connection, $"/api/rest/plugins/webhook/connections/{bravo.ConnectionId}/issues",
            DevLakeIssue("alpha-INC-1", "INCIDENT", "TODO", T0 + 9_000, null, "shared-svc"));
        await PostDevLakeAsync(bravo.Connection, $"/api/rest/plugins/webhook/connections/{bravo.ConnectionId}/issue/alpha-INC-1/close", "");
        await PostDevLakeAsync(bravo.Connection, $"/api/rest/plugins/webhook/connections/{bravo.ConnectionId}/issues",
            DevLakeIssue("alpha-REQ-2", "REQUIREMENT", "DONE", T0, T0 + 10, "alpha-svc", storyPoint: 8));
        await PostDevLakeAsync(bravo.Connection, $"/api/rest/plugins/webhook/{bravo.ConnectionId}/deployments",
            DevLakeDeployment("alpha-dl-1", T0 + 100, "https://github.com/acme/alpha-repo", "bravo-sha"));

        // The GitHub delivery A sent, again from B: B's (a duplicate of B's own first one), never A's.
        await (await bravo.Ingest.PostWebhookAsync("github", GitHubPush())).AssertWebhookAsync(HttpStatusCode.OK, 0, duplicate: true);
    }

    // ---- A, before and after ----

    /// <summary>A's answers to every read it has, keyed by URL: deterministic (explicit windows), so compared byte for byte.</summary>
    private static async Task<Dictionary<string, string>> SnapshotAsync(HttpClient admin, Alpha alpha)
    {
        string[] urls =
        [
            $"/api/v1/metrics?{Window}",
            $"/api/v1/metrics?{Window}&system=shared-svc",
            $"/api/v1/metrics?{Window}&system=alpha-svc",
            $"/api/v1/metrics/series?{Window}&interval=month",
            $"/api/v1/metrics/series?{Window}&interval=month&system=shared-svc",
            $"/api/v1/metrics/issues?{Window}",
            $"/api/v1/deployments?{Window}",
            $"/api/v1/deployments?{Window}&format=csv",
            $"/api/v1/changes?{Window}",
            $"/api/v1/changes?{Window}&format=csv",
            $"/api/v1/incidents?{Window}",
            $"/api/v1/incidents?{Window}&format=csv",
            "/api/v1/systems",
            "/api/v1/deployments/latest?system=shared-svc",
            "/api/v1/deployments/latest?system=alpha-svc",
            "/api/v1/deployments/latest?system=github.com/acme/alpha-repo",
            "/api/v1/deployments/detail?system=shared-svc&identifier=v1.0.0",
            "/api/v1/deployments/detail?system=alpha-svc&identifier=alpha-v1",
            "/api/v1/connections",
            "/api/v1/keys",
            "/api/v1/organizations",
        ];
        var snapshot = new Dictionary<string, string>();
        foreach (var url in urls)
        {
            var response = await admin.GetAsync(url, Http.Ct);
            var body = await response.Content.ReadAsStringAsync(Http.Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"A's {url}: {(int)response.StatusCode} {body}");
            if (url == "/api/v1/keys")
            {
                body = WithoutLastUse(body);   // written when a key is used, to the minute: A's own reads move it
            }

            snapshot[url] = body;
        }

        // The snapshot is of something: A's events are in it.
        Assert.Contains("alpha-commit-shared", snapshot["/api/v1/deployments/detail?system=shared-svc&identifier=v1.0.0"], StringComparison.Ordinal);
        Assert.Contains("alpha-INC-1", snapshot[$"/api/v1/incidents?{Window}"], StringComparison.Ordinal);
        Assert.Contains(alpha.ConnectionId.ToString(CultureInfo.InvariantCulture), snapshot["/api/v1/connections"], StringComparison.Ordinal);
        return snapshot;
    }

    private static async Task AssertAlphaKeysAndSecretStillWorkAsync(StrideApplication app, Alpha alpha)
    {
        // A's GitHub secret survived B's PUT and DELETE: unsigned is refused, A-signed is stored.
        using var ingest = app.CreateClient(alpha.IngestKey);
        var push = GitHubPush().WithHeader("X-GitHub-Delivery", "alpha-delivery-2");
        await (await ingest.PostWebhookAsync("github", push)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await ingest.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, BravoSecret))))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        var signed = await ingest.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, AlphaSecret)));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);

        // A's connection key still posts to A's connection.
        using var connection = app.CreateClient(alpha.ConnectionKey);
        await PostDevLakeAsync(connection, $"/api/rest/plugins/webhook/connections/{alpha.ConnectionId}/issue/alpha-INC-9/close", "");
    }

    // ---- Every answer B got: none of A's names unless B's own request named them ----

    private static void AssertNoAlphaDataInAnyAnswer(IEnumerable<Exchange> log, Alpha alpha)
    {
        var exchanges = log.ToList();
        Assert.True(exchanges.Count > 100, $"The walk logged only {exchanges.Count} requests.");
        foreach (var exchange in exchanges)
        {
            foreach (var marker in alpha.Markers.Where(m => !exchange.Request.Contains(m, StringComparison.Ordinal)))
            {
                Assert.False(exchange.Response.Contains(marker, StringComparison.Ordinal),
                    $"B's answer to {exchange} holds A's '{marker}':\n{exchange.Response}");
            }
        }
    }

    // ---- Coverage: every route the app maps was walked, or has no organization data ----

    private static void AssertEveryRouteWalked(IServiceProvider services, RouteRecorder recorder)
    {
        var routes = RouteKey.All(services);
        var exempt = routes.Where(r => NoOrganizationData.Any(a => a.Matches(r.Key, r.Endpoint))).Select(r => r.Key).ToHashSet();
        var missing = routes.Select(r => r.Key).Where(k => !exempt.Contains(k) && !recorder.Hits.Contains(k))
            .Distinct().Select(k => k.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            "Routes the tenancy walk does not reach (walk them in TenancyWallTests, or, if they hold no organization data, add them to NoOrganizationData):\n"
            + string.Join("\n", missing));

        // The guard guards something: the app's routes were found (34 to walk when this was written), every route walked is
        // one of them (so both sides are counted alike), and each allow-list entry names a route that exists.
        var toWalk = routes.Select(r => r.Key).Where(k => !exempt.Contains(k)).ToHashSet();
        Assert.True(toWalk.Count >= 34, $"Only {toWalk.Count} routes to walk were found: {string.Join(", ", toWalk)}");
        Assert.All(recorder.Hits, h => Assert.Contains(h, toWalk));
        Assert.All(NoOrganizationData, a => Assert.Contains(routes, r => a.Matches(r.Key, r.Endpoint)));
    }

    // ---- Requests ----

    private sealed record CreatedKey(long Id, string Key, string Prefix);


    private static async Task<CreatedKey> CreateKeyAsync(HttpClient admin, string name, params string[] scopes)
    {
        var response = await admin.PostObjectAsync("/api/v1/keys", new { name, scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        return new CreatedKey(created.GetProperty("id").GetInt64(), created.GetProperty("key").GetString()!, created.GetProperty("prefix").GetString()!);
    }

    /// <summary>A change, a deployment and an incident through the Pulse route, the key in the query string as the Pulse CLI sends it.</summary>
    /// <param name="keyless">A client holding no key, so that only the query string's counts.</param>
    private static async Task PostPulseAsync(HttpClient keyless, string key, string who)
    {
        var url = $"/v1/ingestion/cli?api_key={Uri.EscapeDataString(key)}&system={who}-pulse-svc";
        string[] events =
        [
            $$"""{"source": "cli", "change_id": "{{who}}-pulse-c1", "time_created": "{{Rfc3339(T0 + 60)}}", "event_type": "commit", "$type": "change"}""",
            $$"""{"source": "git", "deploy_id": "{{who}}-pulse-1", "time_created": "{{Rfc3339(T0 + 120)}}", "changes": ["{{who}}-pulse-c1"], "teams": null, "$type": "deployment"}""",
            $$"""{"source": "cli", "incident_id": "{{who}}-pulse-i1", "time_created": "{{Rfc3339(T0 + 180)}}", "time_resolved": "{{Rfc3339(T0 + 240)}}", "$type": "incident"}""",
        ];
        foreach (var body in events)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("CLI-Version", "0.0.0");
            await (await keyless.SendAsync(request, Http.Ct)).AssertStoredAsync(1);
        }
    }

    private static async Task PostDevLakeAsync(HttpClient client, string url, string body)
    {
        var response = await client.PostJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal("""{"success":true,"message":"success"}""", text);
    }

    private static string DevLakeDeployment(string id, long finished, string repoUrl, string sha) => $$"""
        {"id": "{{id}}", "startedDate": "{{Rfc3339(finished - 60)}}", "finishedDate": "{{Rfc3339(finished)}}", "result": "SUCCESS",
         "deploymentCommits": [{"repoUrl": "{{repoUrl}}", "refName": "main", "commitSha": "{{sha}}"}]}
        """;

    private static string DevLakeIssue(string key, string type, string status, long created, long? resolved, string component, int? storyPoint = null)
        => new JsonObject
        {
            ["issueKey"] = key,
            ["title"] = key,
            ["type"] = type,
            ["status"] = status,
            ["originalStatus"] = status,
            ["createdDate"] = Rfc3339(created),
            ["resolutionDate"] = resolved is { } r ? Rfc3339(r) : null,
            ["component"] = component,
            ["storyPoint"] = storyPoint,
        }.ToJsonString();

    /// <summary>The <c>system/identifier</c> of every item of a list route over <see cref="Window"/>, ordered.</summary>
    private static async Task<string[]> ListAsync(HttpClient client, string list, string extra)
    {
        var body = await GetJsonAsync(client, $"/api/v1/{list}?{Window}{extra}");
        Assert.Equal(JsonValueKind.Null, body.GetProperty("nextCursor").ValueKind);
        return [.. body.GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("system").GetString()}/{i.GetProperty("identifier").GetString()}")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>As <see cref="ListAsync"/>, two items a page, following <c>nextCursor</c>.</summary>
    private static async Task<string[]> ListPagedAsync(HttpClient client, string list)
    {
        var items = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = await GetJsonAsync(client, $"/api/v1/{list}?{Window}&limit=2{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}");
            items.AddRange(body.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("system").GetString()}/{i.GetProperty("identifier").GetString()}"));
            cursor = body.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.True(pages > 1, $"{list}: one page only");
        return [.. items.Order(StringComparer.Ordinal)];
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> GetTextAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>Every count of a metrics object (or series bucket) is zero.</summary>
    private static void AssertNoEvents(JsonElement metrics)
    {
        Assert.Equal(0, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(0, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
        Assert.Equal(0, metrics.GetProperty("changeFailureRate").GetProperty("deployments").GetInt32());
        Assert.Equal(0, metrics.GetProperty("timeToRestore").GetProperty("incidents").GetInt32());
        Assert.Equal(0, metrics.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
        Assert.Equal(0, metrics.GetProperty("reworkRate").GetProperty("deployments").GetInt32());
    }

    private static string WithoutLastUse(string keysJson)
    {
        var keys = JsonNode.Parse(keysJson)!.AsArray();
        foreach (var key in keys)
        {
            key!.AsObject().Remove("lastUsedAt");
        }

        return keys.ToJsonString();
    }

    private static string[] Sorted(string[] items) => [.. items.Order(StringComparer.Ordinal)];

    /// <summary>GitHub's published push (one commit), from the webhook tests' fixtures.</summary>
    private static WebhookFixture GitHubPush([CallerFilePath] string source = "")
        => WebhookFixture.Load("github-push", Path.Combine(Path.GetDirectoryName(source)!, "..", "Webhooks", "WebhookFixtures.cs"));

    private static string Rfc3339(long unixSeconds)
        => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
