using System.Net;
using System.Text.Json;

namespace Stride.Server.Tests.Connections;

/// <summary>DevLake-compatible webhook connections (SPEC §4.3), through HTTP, with DevLake's documented bodies.</summary>
public sealed class ConnectionsApiTests
{
    private const string Success = """{"success":true,"message":"success"}""";

    // DevLake's documented deployment example (webhook plugin docs, "Register a Deployment"), with real values.
    private const string DevLakeDeployment = """
        {
          "id": "Required. This will be the unique ID of the deployment",
          "startedDate": "2023-01-01T12:00:00+00:00",
          "finishedDate": "2023-01-01T12:00:00+00:00",
          "result": "SUCCESS",
          "deploymentCommits": [
            {
              "repoUrl": "https://github.com/apache/incubator-devlake/",
              "refName": "main",
              "startedDate": "2023-01-01T12:00:00+00:00",
              "finishedDate": "2023-01-01T12:00:00+00:00",
              "commitSha": "015e3d3b480e417aede5a1293bd61de9b0fd051d",
              "commitMsg": "optional-commit-message"
            }
          ]
        }
        """;

    // DevLake's documented issue example (webhook plugin docs, "Register an Issue"), typed INCIDENT.
    private const string DevLakeIncident = """
        {
          "issueKey": "DLK-1234",
          "title": "a feature from DLK",
          "type": "INCIDENT",
          "originalType": "BUG",
          "status": "TODO",
          "originalStatus": "created",
          "storyPoint": 0,
          "resolutionDate": null,
          "createdDate": "2020-01-01T12:00:00+00:00",
          "updatedDate": null,
          "leadTimeMinutes": 0,
          "parentIssueKey": "DLK-1200",
          "priority": "",
          "originalEstimateMinutes": 0,
          "timeSpentMinutes": 0,
          "timeRemainingMinutes": 0,
          "creatorId": "user1131",
          "creatorName": "Nick name 1",
          "assigneeId": "user1132",
          "assigneeName": "Nick name 2",
          "severity": "",
          "component": ""
        }
        """;

    [Fact]
    public async Task CreatingAConnectionReturnsItsKeyOnceAndAbsoluteEndpoints()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.PostJsonAsync("/api/v1/connections", """{"name": "checkout"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("checkout", created.GetProperty("name").GetString());
        Assert.StartsWith("stride_", created.GetProperty("apiKey").GetString());
        var root = $"http://localhost/api/rest/plugins/webhook/connections/{id}";
        Assert.Equal($"{root}/deployments", created.GetProperty("postDeploymentsEndpoint").GetString());
        Assert.Equal($"{root}/issues", created.GetProperty("postIssuesEndpoint").GetString());
        Assert.Equal($"{root}/issue/:issueKey/close", created.GetProperty("closeIssuesEndpoint").GetString());

        var list = await (await admin.GetAsync("/api/v1/connections", Http.Ct)).ReadJsonAsync();
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetInt64());
        Assert.False(listed.TryGetProperty("apiKey", out _));
        Assert.Equal($"{root}/deployments", listed.GetProperty("postDeploymentsEndpoint").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("""{"name": "  "}""")]
    public async Task CreatingAConnectionWithoutANameIsAValidationProblem(string body)
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.PostJsonAsync("/api/v1/connections", body.Length == 0 ? "{}" : body);

        await response.AssertValidationProblemAsync("name");
    }

    [Fact]
    public async Task OnlyAdminKeysCreateConnections()
    {
        await using var app = new StrideApplication();
        using var ingest = app.CreateClient(await app.CreateKeyAsync("ingest"));

        var response = await ingest.PostJsonAsync("/api/v1/connections", """{"name": "x"}""");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DevLakesDocumentedDeploymentIsStoredAndCounts()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, DevLakeDeployment);

        await AssertSuccessAsync(response);
        var deployment = Assert.Single(await ListDeploymentsAsync(app));
        Assert.Equal("github.com/apache/incubator-devlake", deployment.GetProperty("system").GetString());
        Assert.Equal("Required. This will be the unique ID of the deployment", deployment.GetProperty("identifier").GetString());
        Assert.Equal("2023-01-01T12:00:00Z", deployment.GetProperty("timestamp").GetString());
        Assert.Equal("015e3d3b480e417aede5a1293bd61de9b0fd051d", deployment.GetProperty("commit").GetString());
        Assert.Equal("success", deployment.GetProperty("result").GetString());
        Assert.Equal("production", deployment.GetProperty("environment").GetString());
        Assert.Equal(0, deployment.GetProperty("changes").GetInt32());

        using var admin = app.CreateAdminClient();
        var metrics = await admin.GetAllTimeMetricsAsync("&system=https://github.com/apache/incubator-devlake.git");
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task BodiesWithoutAJsonContentTypeAreReadAsDevLakeReadsThem()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        // DevLake's documented curl commands use -d without a Content-Type: curl then sends a form type.
        var form = await client.PostJsonAsync(connection.Deployments, DevLakeDeployment, "application/x-www-form-urlencoded");
        using var bare = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(DevLakeIncident));
        var none = await client.PostAsync(connection.Issues, bare, Http.Ct);

        await AssertSuccessAsync(form);
        await AssertSuccessAsync(none);
        Assert.Single(await ListDeploymentsAsync(app));
        Assert.Single(await ListIncidentsAsync(app));
    }

    [Fact]
    public async Task AMultiRepositoryDeploymentMakesOneDeploymentPerCommit()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, """
            {"id": "rel-7", "startedDate": "2026-11-20T10:00:00Z", "finishedDate": "2026-11-20T10:30:00Z", "result": "failure",
             "environment": "Staging",
             "deploymentCommits": [
               {"repoUrl": "https://github.com/acme/api.git", "commitSha": "aaa1", "result": "SUCCESS"},
               {"repoUrl": "git@github.com:acme/web.git", "commitSha": "bbb1"},
               {"repoUrl": "https://GitHub.com/acme/web/", "commitSha": "bbb2", "result": "aborted"}
             ]}
            """);

        await AssertSuccessAsync(response);
        var deployments = (await ListDeploymentsAsync(app, "&environment=staging"))
            .ToDictionary(d => d.GetProperty("system").GetString() + " " + d.GetProperty("identifier").GetString());
        Assert.Equal(3, deployments.Count);
        var api = deployments["github.com/acme/api rel-7"];
        Assert.Equal("aaa1", api.GetProperty("commit").GetString());
        Assert.Equal("success", api.GetProperty("result").GetString());
        Assert.Equal("staging", api.GetProperty("environment").GetString());
        Assert.Equal("2026-11-20T10:30:00Z", api.GetProperty("timestamp").GetString());
        // The repository appears twice, so its deployments are told apart by the commit's position.
        Assert.Equal("bbb1", deployments["github.com/acme/web rel-7#1"].GetProperty("commit").GetString());
        Assert.Equal("failure", deployments["github.com/acme/web rel-7#1"].GetProperty("result").GetString());
        Assert.Equal("bbb2", deployments["github.com/acme/web rel-7#2"].GetProperty("commit").GetString());
        Assert.Equal("aborted", deployments["github.com/acme/web rel-7#2"].GetProperty("result").GetString());

        using var admin = app.CreateAdminClient();
        var metrics = await admin.GetAllTimeMetricsAsync("&environment=staging");
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());

        // A retry replaces what the first request stored.
        await AssertSuccessAsync(await client.PostJsonAsync(connection.Deployments, """
            {"id": "rel-7", "startedDate": "2026-11-20T10:00:00Z", "finishedDate": "2026-11-20T10:30:00Z", "result": "failure",
             "environment": "Staging",
             "deploymentCommits": [
               {"repoUrl": "https://github.com/acme/api.git", "commitSha": "aaa1", "result": "SUCCESS"},
               {"repoUrl": "git@github.com:acme/web.git", "commitSha": "bbb1"},
               {"repoUrl": "https://GitHub.com/acme/web/", "commitSha": "bbb2", "result": "aborted"}
             ]}
            """));
        Assert.Equal(3, (await ListDeploymentsAsync(app, "&environment=staging")).Length);
    }

    [Fact]
    public async Task SnakeCaseAndOddlyCasedKeysAreAccepted()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, """
            {"ID": "d-1", "started_date": "2026-11-20T10:00:00Z", "FINISHED_DATE": "2026-11-20T11:00:00Z", "Result": "Success",
             "ENVIRONMENT": "PRODUCTION",
             "deployment_commits": [{"repo_url": "https://github.com/acme/api", "COMMIT_SHA": "c1", "ref_name": "main"},
                                    {"RepoURL": "https://github.com/acme/web", "commitsha": "c2"}]}
            """);

        await AssertSuccessAsync(response);
        var deployments = await ListDeploymentsAsync(app);
        Assert.Equal(["github.com/acme/api c1", "github.com/acme/web c2"],
            deployments.Select(d => d.GetProperty("system").GetString() + " " + d.GetProperty("commit").GetString()).Order().ToArray());
        Assert.All(deployments, d => Assert.Equal("d-1", d.GetProperty("identifier").GetString()));
    }

    [Theory]
    [InlineData("2026-11-20T10:20:00+00:00", "2026-11-20T10:20:00Z")]
    [InlineData("2026-11-20T12:20:00+02:00", "2026-11-20T10:20:00Z")]
    [InlineData("2026-11-20T10:20:00.750Z", "2026-11-20T10:20:00Z")]
    [InlineData("2026-11-20 10:20:00", "2026-11-20T10:20:00Z")]
    [InlineData("2026-11-20", "2026-11-20T00:00:00Z")]
    public async Task EachDateFormDevLakeAcceptsIsRead(string finishedDate, string stored)
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, $$"""
            {"id": "d", "startedDate": "2026-11-19", "finishedDate": "{{finishedDate}}",
             "deploymentCommits": [{"repoUrl": "https://github.com/acme/api", "commitSha": "c1"}]}
            """);

        await AssertSuccessAsync(response);
        Assert.Equal(stored, Assert.Single(await ListDeploymentsAsync(app)).GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData("""{"startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}]}""", "id")]
    [InlineData("""{"id": "d", "finishedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}]}""", "startedDate")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}]}""", "finishedDate")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "20/11/2026", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}]}""", "finishedDate")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20T10:00:00", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}], "result": "MAYBE"}""", "result")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20"}""", "deploymentCommits")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": []}""", "deploymentCommits")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": {"repoUrl": "r"}}""", "deploymentCommits")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}, {"repoUrl": "r"}]}""", "deploymentCommits[1].commitSha")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": [{"commitSha": "c"}]}""", "deploymentCommits[0].repoUrl")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c", "result": "?"}]}""", "deploymentCommits[0].result")]
    [InlineData("""{"id": "d", "startedDate": "2026-11-20", "finishedDate": "2026-11-20", "deploymentCommits": [{"repoUrl": "r", "commitSha": "c"}, 7]}""", "deploymentCommits[1]")]
    [InlineData("""[{"id": "d"}]""", "body")]
    [InlineData("""{"id": "d", """, "body")]
    public async Task InvalidDeploymentsAreValidationProblemsAndStoreNothing(string body, string field)
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, body);

        var problem = await response.AssertValidationProblemAsync(field);
        if (field.StartsWith("deploymentCommits[", StringComparison.Ordinal))
        {
            Assert.Equal(field[18] - '0', problem.GetProperty("index").GetInt32());
        }

        Assert.Empty(await ListDeploymentsAsync(app));
    }

    [Fact]
    public async Task DevLakesDocumentedIncidentIsStoredOpenThenClosed()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync("https://github.com/acme/checkout.git");
        using var client = app.CreateClient(connection.Key);
        using var admin = app.CreateAdminClient();

        await AssertSuccessAsync(await client.PostJsonAsync(connection.Issues, DevLakeIncident));

        // No component: the incident's system is _unknown_ (SPEC §2), whatever the connection is called.
        var incident = Assert.Single(await ListIncidentsAsync(app));
        Assert.Equal("_unknown_", incident.GetProperty("system").GetString());
        Assert.Equal("DLK-1234", incident.GetProperty("identifier").GetString());
        Assert.Equal("2020-01-01T12:00:00Z", incident.GetProperty("timestampCreated").GetString());
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("timestampResolved").ValueKind);
        var before = await admin.GetAllTimeMetricsAsync();
        Assert.Equal(1, before.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());

        var id = connection.Id;
        var closed = await client.PostAsync($"/api/rest/plugins/webhook/connections/{id}/issue/DLK-1234/close", null, Http.Ct);

        await AssertSuccessAsync(closed);
        var resolved = Assert.Single(await ListIncidentsAsync(app)).GetProperty("timestampResolved").GetString();
        Assert.NotNull(resolved);
        var after = await admin.GetAllTimeMetricsAsync();
        Assert.Equal(0, after.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
        Assert.Equal(1, after.GetProperty("timeToRestore").GetProperty("incidents").GetInt32());

        // Closing again keeps the first resolution time.
        await AssertSuccessAsync(await client.PostAsync($"/api/rest/plugins/webhook/{id}/issue/DLK-1234/close", null, Http.Ct));
        Assert.Equal(resolved, Assert.Single(await ListIncidentsAsync(app)).GetProperty("timestampResolved").GetString());
    }

    [Fact]
    public async Task AnIncidentWithAComponentAndAResolutionDateIsResolvedInThatSystem()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        await AssertSuccessAsync(await client.PostJsonAsync(connection.Deployments, """
            {"id": "v1", "startedDate": "2026-11-20 09:00:00", "finishedDate": "2026-11-20 10:00:00",
             "deploymentCommits": [{"repoUrl": "https://github.com/acme/api", "commitSha": "c1"}]}
            """));
        await AssertSuccessAsync(await client.PostJsonAsync(connection.Issues, """
            {"issue_key": "INC-9", "title": "Errors", "type": "incident", "status": "done", "created_date": "2026-11-20 11:00:00",
             "resolution_date": "2026-11-20T11:30:00Z", "component": "https://github.com/acme/api.git"}
            """));

        var incident = Assert.Single(await ListIncidentsAsync(app));
        Assert.Equal("github.com/acme/api", incident.GetProperty("system").GetString());
        Assert.Equal("2026-11-20T11:30:00Z", incident.GetProperty("timestampResolved").GetString());
        using var admin = app.CreateAdminClient();
        var metrics = await admin.GetAllTimeMetricsAsync("&system=github.com/acme/api");
        Assert.Equal(1800.0, metrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, metrics.GetProperty("changeFailureRate").GetProperty("failedDeployments").GetInt32());
    }

    [Fact]
    public async Task IssuesOfOtherTypesAreKeptButAreNotIncidents()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Issues, DevLakeIncident.Replace("\"INCIDENT\"", "\"BUG\"", StringComparison.Ordinal));

        await AssertSuccessAsync(response);
        Assert.Empty(await ListIncidentsAsync(app));
        // The issue is kept (for the issue metrics), so it can be closed.
        var closed = await client.PostAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/issue/DLK-1234/close", null, Http.Ct);
        await AssertSuccessAsync(closed);
        Assert.Empty(await ListIncidentsAsync(app));
    }

    [Theory]
    [InlineData("""{"title": "t", "status": "TODO", "createdDate": "2026-11-20", "type": "INCIDENT"}""", "issueKey")]
    [InlineData("""{"issueKey": "I-1", "status": "TODO", "createdDate": "2026-11-20", "type": "INCIDENT"}""", "title")]
    [InlineData("""{"issueKey": "I-1", "title": "t", "createdDate": "2026-11-20", "type": "INCIDENT"}""", "status")]
    [InlineData("""{"issueKey": "I-1", "title": "t", "status": "OPEN", "createdDate": "2026-11-20", "type": "INCIDENT"}""", "status")]
    [InlineData("""{"issueKey": "I-1", "title": "t", "status": "TODO", "type": "INCIDENT"}""", "createdDate")]
    [InlineData("""{"issueKey": "I-1", "title": "t", "status": "TODO", "createdDate": "2026-11-20", "resolutionDate": "soon", "type": "INCIDENT"}""", "resolutionDate")]
    [InlineData("""{"issueKey": {"a": 1}, "title": "t", "status": "TODO", "createdDate": "2026-11-20", "type": "INCIDENT"}""", "issueKey")]
    public async Task InvalidIssuesAreValidationProblemsAndStoreNothing(string body, string field)
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Issues, body);

        await response.AssertValidationProblemAsync(field);
        Assert.Empty(await ListIncidentsAsync(app));
    }

    [Fact]
    public async Task ClosingAnUnknownIssueIsNotFound()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/issue/NOPE-1/close", null, Http.Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("NOPE-1", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheLegacyRoutesWorkLikeTheCurrentOnes()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        await AssertSuccessAsync(await client.PostJsonAsync($"/api/rest/plugins/webhook/{connection.Id}/deployments", DevLakeDeployment));
        await AssertSuccessAsync(await client.PostJsonAsync($"/api/rest/plugins/webhook/{connection.Id}/issues", DevLakeIncident));

        Assert.Single(await ListDeploymentsAsync(app));
        Assert.Single(await ListIncidentsAsync(app));
    }

    [Fact]
    public async Task AConnectionsKeyIsRefusedOnAnotherConnectionsRoutes()
    {
        await using var app = new StrideApplication();
        var mine = await app.CreateConnectionAsync("mine");
        var other = await app.CreateConnectionAsync("other");
        using var client = app.CreateClient(mine.Key);

        foreach (var url in new[]
        {
            other.Deployments, other.Issues, $"/api/rest/plugins/webhook/connections/{other.Id}/issue/X/close",
            $"/api/rest/plugins/webhook/{other.Id}/deployments", "/api/rest/plugins/webhook/connections/999/deployments",
        })
        {
            var response = await client.PostJsonAsync(url, DevLakeDeployment);
            await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        Assert.Empty(await ListDeploymentsAsync(app));
    }

    [Fact]
    public async Task AConnectionsKeyIsRefusedOnEveryOtherRoute()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var client = app.CreateClient(connection.Key);

        var native = """{"identifier": "v1", "timestamp": 1700000000}""";
        var refused = new[]
        {
            await client.PostJsonAsync("/api/v1/deployments", native),
            await client.PostJsonAsync("/api/v1/events", "[]"),
            await client.PostJsonAsync("/v1/ingestion/cli", """{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z","$type":"change"}"""),
            await client.GetAsync("/api/v1/metrics", Http.Ct),
            await client.GetAsync("/api/v1/deployments", Http.Ct),
            await client.GetAsync("/api/v1/keys", Http.Ct),
            await client.GetAsync("/api/v1/connections", Http.Ct),
            await client.PostJsonAsync("/api/v1/connections", """{"name": "mine"}"""),
            await client.PostJsonAsync("/api/v1/keys", """{"name": "k", "scopes": ["admin"]}"""),
        };

        foreach (var response in refused)
        {
            await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task OtherKeysOnTheWebhookRoutes()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var ingest = app.CreateClient(await app.CreateKeyAsync("ingest"));
        using var anonymous = app.CreateClient();
        using var admin = app.CreateAdminClient();

        await (await ingest.PostJsonAsync(connection.Deployments, DevLakeDeployment)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await anonymous.PostJsonAsync(connection.Deployments, DevLakeDeployment)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await admin.PostJsonAsync("/api/rest/plugins/webhook/connections/999/deployments", DevLakeDeployment))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await ListDeploymentsAsync(app));

        // The organization's admin key may post to its connections.
        await AssertSuccessAsync(await admin.PostJsonAsync(connection.Deployments, DevLakeDeployment));
    }

    [Fact]
    public async Task ARevokedConnectionKeyIsRefused()
    {
        await using var app = new StrideApplication();
        var connection = await app.CreateConnectionAsync();
        using var admin = app.CreateAdminClient();
        var keyId = Assert.Single((await (await admin.GetAsync("/api/v1/connections", Http.Ct)).ReadJsonAsync()).EnumerateArray())
            .GetProperty("keyId").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{keyId}", Http.Ct)).StatusCode);
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync(connection.Deployments, DevLakeDeployment);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static async Task AssertSuccessAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal(Success, text);
    }

    private static async Task<JsonElement[]> ListDeploymentsAsync(StrideApplication app, string extra = "")
        => await ListAsync(app, "/api/v1/deployments?from=1000000000&to=1900000000" + extra);

    private static async Task<JsonElement[]> ListIncidentsAsync(StrideApplication app)
        => await ListAsync(app, "/api/v1/incidents?from=1000000000&to=1900000000");

    private static async Task<JsonElement[]> ListAsync(StrideApplication app, string url)
    {
        using var admin = app.CreateAdminClient();
        var response = await admin.GetAsync(url, Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

}
