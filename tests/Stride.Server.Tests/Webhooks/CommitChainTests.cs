using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stride.Server.Tests.Connections;

namespace Stride.Server.Tests.Webhooks;

/// <summary>
/// Commit chains (SPEC §4.4, issue 5 item 3): a deployment that names only its head commit gets as
/// changes every commit pushed on the chain since the previously deployed commit, whatever route it
/// came through. Pushes are minimal GitHub and GitLab push payloads; results are read back through
/// <c>/api/v1/deployments/detail</c> and the lead times of <c>/api/v1/metrics</c>.
/// </summary>
public sealed class CommitChainTests
{
    private const string Repository = ChainHooks.Repository;
    private const string Zeros = "0000000000000000000000000000000000000000";
    private const long T = 1_800_000_000;

    [Fact]
    public async Task SeveralPushesBetweenTwoDeploymentsAllBecomeTheSecondDeploymentsChanges()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        // The push is not counted among the stored events: only its two changes are.
        await (await client.PushAsync(Zeros, "a2", ("a1", T), ("a2", T + 10))).AssertWebhookAsync(HttpStatusCode.OK, 2);
        await client.DeployAsync("d1", "a2", T + 100);
        await client.PushAsync("a2", "b1", ("b1", T + 200));
        await client.PushAsync("b1", "c2", ("c1", T + 300), ("c2", T + 400));
        await client.DeployAsync("d2", "c2", T + 1000);

        Assert.Equal(new Dictionary<string, long?> { ["a1"] = 100, ["a2"] = 90 }, await client.DetailAsync("d1"));
        Assert.Equal(new Dictionary<string, long?> { ["b1"] = 800, ["c1"] = 700, ["c2"] = 600 }, await client.DetailAsync("d2"));
        var leadTime = (await client.MetricsAsync()).GetProperty("leadTimeForChanges");
        Assert.Equal(5, leadTime.GetProperty("changes").GetInt32());
        Assert.Equal(600.0, leadTime.GetProperty("medianSeconds").GetDouble());   // 90, 100, 600, 700, 800
    }

    [Fact]
    public async Task AForcePushIsFollowedAsThePushesHappened()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "a1", ("a1", T));
        await client.DeployAsync("d1", "a1", T + 100);
        await client.PushAsync("a1", "b2", ("b1", T + 200), ("b2", T + 300));
        // b1 and b2 rewritten as x1 and x2 on top of a1: GitHub sends before = the old head b2.
        await client.PushAsync("b2", "x2", ("x1", T + 400), ("x2", T + 500));
        await client.DeployAsync("d2", "x2", T + 1000);

        Assert.Equal(["b1", "b2", "x1", "x2"], (await client.DetailAsync("d2")).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AForcePushReplacingTheHeadWithAnOlderChainStopsAtTheDeployedCommit()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "a1", ("a1", T));
        await client.PushAsync("a1", "a2", ("a2", T + 100));
        await client.DeployAsync("d1", "a2", T + 200);
        // a2 is pushed again in a later push (re-pushed after a rebase): the chain follows that push.
        await client.PushAsync("a2", "a3", ("a2", T + 100), ("a3", T + 300));
        await client.DeployAsync("d2", "a3", T + 400);

        Assert.Equal(["a3"], (await client.DetailAsync("d2")).Keys);
    }

    [Fact]
    public async Task AMergeBringsTheMergedCommitsAndTheMergeCommit()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "m0", ("m0", T));
        await client.DeployAsync("d1", "m0", T + 100);
        // The feature branch is created (before = zeros), then merged into main: GitHub lists the
        // merged commits before the merge commit.
        await client.PushAsync(Zeros, "f2", ("f1", T + 200), ("f2", T + 300));
        await client.PushAsync("m0", "merge", ("f1", T + 200), ("f2", T + 300), ("merge", T + 400));
        await client.DeployAsync("d2", "merge", T + 1000);

        Assert.Equal(new Dictionary<string, long?> { ["f1"] = 800, ["f2"] = 700, ["merge"] = 600 }, await client.DetailAsync("d2"));
    }

    [Fact]
    public async Task ADeploymentOfACommitNeverPushedGetsNoChanges()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "a1", ("a1", T));
        await client.DeployAsync("d1", "elsewhere", T + 100);

        Assert.Empty(await client.DetailAsync("d1"));
        Assert.Equal(0, (await client.MetricsAsync()).GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task PushesDeliveredAfterTheDeploymentAndOutOfOrderStillBecomeItsChanges()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "a2", ("a1", T), ("a2", T + 10));
        await client.DeployAsync("d1", "a2", T + 100);
        // The two pushes that led to c2 are delivered after its deployment (a redelivery), the later one first.
        await client.DeployAsync("d2", "c2", T + 1000);
        Assert.Empty(await client.DetailAsync("d2"));
        await client.PushAsync("b1", "c2", ("c1", T + 300), ("c2", T + 400));
        Assert.Equal(new Dictionary<string, long?> { ["c1"] = 700, ["c2"] = 600 }, await client.DetailAsync("d2"));
        await client.PushAsync("a2", "b1", ("b1", T + 200));

        // The walk now stops at d1's commit, as if the pushes had come first.
        Assert.Equal(new Dictionary<string, long?> { ["b1"] = 800, ["c1"] = 700, ["c2"] = 600 }, await client.DetailAsync("d2"));
        Assert.Equal(new Dictionary<string, long?> { ["a1"] = 100, ["a2"] = 90 }, await client.DetailAsync("d1"));
        var leadTime = (await client.MetricsAsync()).GetProperty("leadTimeForChanges");
        Assert.Equal(5, leadTime.GetProperty("changes").GetInt32());
        Assert.Equal(600.0, leadTime.GetProperty("medianSeconds").GetDouble());

        // A later push elsewhere on the chain changes nothing more.
        await client.PushAsync("c2", "e1", ("e1", T + 2000));
        Assert.Equal(3, (await client.DetailAsync("d2")).Count);
    }

    [Fact]
    public async Task AFirstDeploymentGetsEveryCommitSeenOnTheChainAndARedeploymentNone()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await client.PushAsync(Zeros, "a1", ("a1", T));
        await client.PushAsync("a1", "a2", ("a2", T + 10));
        await client.PushAsync("a2", "a3", ("a3", T + 20));
        await client.DeployAsync("d1", "a2", T + 100);
        await client.DeployAsync("d2", "a2", T + 200);

        Assert.Equal(["a1", "a2"], (await client.DetailAsync("d1")).Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await client.DetailAsync("d2"));
    }

    [Fact]
    public async Task ADeletedBranchStoresNothingAndAPushWithoutAfterIsRejected()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PushAsync("a1", Zeros)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);
        var withoutAfter = ChainHooks.GitHubPush(Zeros, "a1", ("a1", T)).WithBody(b => b.AsObject().Remove("after"));
        await (await client.PostWebhookAsync("github", withoutAfter)).AssertValidationProblemAsync("after");

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task GitLabPushesAndDeploymentsFormChains()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        const string Project = "http://gitlab.example.com/acme/shop";

        await (await client.PostWebhookAsync("gitlab", ChainHooks.GitLabPush(Project, Zeros, "g2", ("g1", T), ("g2", T + 10)))).AssertWebhookAsync(HttpStatusCode.OK, 2);
        await (await client.PostWebhookAsync("gitlab", ChainHooks.GitLabDeployment(Project, 1, "g2", T + 100))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        await client.PostWebhookAsync("gitlab", ChainHooks.GitLabPush(Project, "g2", "g3", ("g3", T + 200)));
        await (await client.PostWebhookAsync("gitlab", ChainHooks.GitLabDeployment(Project, 2, "g3", T + 1000))).AssertWebhookAsync(HttpStatusCode.OK, 1);

        Assert.Equal(new Dictionary<string, long?> { ["g1"] = 100, ["g2"] = 90 }, await client.DetailAsync("1", "gitlab.example.com/acme/shop"));
        Assert.Equal(new Dictionary<string, long?> { ["g3"] = 800 }, await client.DetailAsync("2", "gitlab.example.com/acme/shop"));
    }

    [Fact]
    public async Task ADevLakeDeploymentGetsTheChainOfItsCommit()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        await admin.PushAsync(Zeros, "a1", ("a1", T));
        await admin.DeployAsync("d1", "a1", T + 100);
        await admin.PushAsync("a1", "b2", ("b1", T + 200), ("b2", T + 300));

        var connection = await admin.CreateConnectionAsync("devlake");
        using var devlake = app.CreateClient();
        devlake.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", connection.Key);
        var finished = DateTimeOffset.FromUnixTimeSeconds(T + 1000).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var body = $$"""
            {"id": "dl-1", "startedDate": "{{finished}}", "finishedDate": "{{finished}}",
             "deploymentCommits": [{"repoUrl": "{{Repository}}.git", "commitSha": "b2"}]}
            """;
        var response = await devlake.PostJsonAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/deployments", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(new Dictionary<string, long?> { ["b1"] = 800, ["b2"] = 700 }, await admin.DetailAsync("dl-1"));
    }

    [Fact]
    public async Task ANativeDeploymentWithOnlyACommitGetsTheChainButOneListingChangesKeepsItsList()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await client.PushAsync(Zeros, "a2", ("a1", T), ("a2", T + 10));
        await client.PushAsync("a2", "a3", ("a3", T + 20));

        await (await client.PostJsonAsync("/api/v1/deployments",
            $$"""{"identifier": "v1", "timestamp": {{T + 100}}, "system": "{{Repository}}", "commit": "a2"}""")).AssertStoredAsync(1);
        await (await client.PostJsonAsync("/api/v1/deployments",
            $$"""{"identifier": "v2", "timestamp": {{T + 200}}, "system": "{{Repository}}", "commit": "a3", "changes": ["a1"]}""")).AssertStoredAsync(1);

        Assert.Equal(new Dictionary<string, long?> { ["a1"] = 100, ["a2"] = 90 }, await client.DetailAsync("v1"));
        Assert.Equal(["a1"], (await client.DetailAsync("v2")).Keys);
    }
}

/// <summary>Minimal GitHub and GitLab deliveries for <see cref="CommitChainTests"/>, and reading deployments back.</summary>
internal static class ChainHooks
{
    public const string Repository = "https://github.com/acme/shop";
    public const string System = "github.com/acme/shop";

    /// <summary>A minimal GitHub <c>push</c> delivery of <see cref="Repository"/>, commits oldest first.</summary>
    public static WebhookFixture GitHubPush(string before, string after, params (string Id, long Timestamp)[] commits)
    {
        var body = new JsonObject
        {
            ["ref"] = "refs/heads/main",
            ["before"] = before,
            ["after"] = after,
            ["repository"] = new JsonObject { ["html_url"] = Repository },
            ["commits"] = new JsonArray([.. commits.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["timestamp"] = c.Timestamp })]),
        };
        return new WebhookFixture(Encoding.UTF8.GetBytes(body.ToJsonString()),
            [new("X-GitHub-Event", "push"), new("X-GitHub-Delivery", Guid.NewGuid().ToString())]);
    }

    /// <summary>A minimal GitLab push hook.</summary>
    public static WebhookFixture GitLabPush(string project, string before, string after, params (string Id, long Timestamp)[] commits)
    {
        var body = new JsonObject
        {
            ["object_kind"] = "push",
            ["before"] = before,
            ["after"] = after,
            ["project"] = new JsonObject { ["web_url"] = project },
            ["commits"] = new JsonArray([.. commits.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["timestamp"] = c.Timestamp })]),
        };
        return new WebhookFixture(Encoding.UTF8.GetBytes(body.ToJsonString()),
            [new("X-Gitlab-Event", "Push Hook"), new("Idempotency-Key", Guid.NewGuid().ToString())]);
    }

    /// <summary>A minimal successful GitLab deployment hook to production.</summary>
    public static WebhookFixture GitLabDeployment(string project, long id, string sha, long finished)
    {
        var body = new JsonObject
        {
            ["object_kind"] = "deployment",
            ["status"] = "success",
            ["status_changed_at"] = finished,
            ["deployment_id"] = id,
            ["environment"] = "production",
            ["sha"] = sha,
            ["project"] = new JsonObject { ["web_url"] = project },
        };
        return new WebhookFixture(Encoding.UTF8.GetBytes(body.ToJsonString()),
            [new("X-Gitlab-Event", "Deployment Hook"), new("Idempotency-Key", Guid.NewGuid().ToString())]);
    }

    /// <summary>A minimal successful GitHub <c>deployment_status</c> delivery to production.</summary>
    public static WebhookFixture GitHubDeployment(string id, string sha, long finished)
    {
        var body = new JsonObject
        {
            ["deployment_status"] = new JsonObject { ["state"] = "success", ["updated_at"] = finished },
            ["deployment"] = new JsonObject { ["id"] = id, ["sha"] = sha, ["environment"] = "production" },
            ["repository"] = new JsonObject { ["html_url"] = Repository },
        };
        return new WebhookFixture(Encoding.UTF8.GetBytes(body.ToJsonString()),
            [new("X-GitHub-Event", "deployment_status"), new("X-GitHub-Delivery", Guid.NewGuid().ToString())]);
    }

    /// <summary>Posts a GitHub push of <see cref="Repository"/>.</summary>
    public static Task<HttpResponseMessage> PushAsync(this HttpClient client, string before, string after, params (string Id, long Timestamp)[] commits)
        => client.PostWebhookAsync("github", GitHubPush(before, after, commits));

    /// <summary>Posts a successful GitHub deployment of <paramref name="sha"/> and asserts it was stored.</summary>
    public static async Task DeployAsync(this HttpClient client, string id, string sha, long finished)
        => await (await client.PostWebhookAsync("github", GitHubDeployment(id, sha, finished))).AssertWebhookAsync(HttpStatusCode.OK, 1);

    /// <summary>A production deployment's changes from <c>/api/v1/deployments/detail</c>: identifier → lead time in seconds.</summary>
    public static async Task<Dictionary<string, long?>> DetailAsync(this HttpClient client, string id, string system = System)
    {
        var response = await client.GetAsync($"/api/v1/deployments/detail?system={Uri.EscapeDataString(system)}&identifier={Uri.EscapeDataString(id)}", Http.Ct);
        var detail = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, detail.ToString());
        return detail.GetProperty("changes").EnumerateArray().ToDictionary(
            c => c.GetProperty("identifier").GetString()!,
            c => c.GetProperty("leadTimeSeconds").ValueKind == JsonValueKind.Number ? c.GetProperty("leadTimeSeconds").GetInt64() : (long?)null);
    }
}
