using System.Net;
using System.Text.Json.Nodes;

namespace Stride.Server.Tests.Webhooks;

/// <summary>GitHub's published payloads through <c>POST /v1/ingestion/github</c>, read back through the API.</summary>
public sealed class GitHubWebhooksTests
{
    private const string Repository = "github.com/Codertocat/Hello-World";

    [Fact]
    public async Task PushStoresEachCommitAsAChangeOfTheRepository()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-push"))).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var change = Assert.Single(await client.ListAsync("changes"));
        Assert.Equal(Repository, change.GetProperty("system").GetString());
        Assert.Equal("6113728f27ae82c7b1a177c8d03f9e96e0adf246", change.GetProperty("identifier").GetString());
        Assert.Equal("2019-05-15T15:19:25Z", change.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task TheSystemQueryParameterOverridesTheRepository()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();

        var response = await client.PostWebhookAsync("github", WebhookFixture.Load("github-push"), $"api_key={StrideApplication.BootstrapKey}&system=shop");
        await response.AssertWebhookAsync(HttpStatusCode.OK, 1);

        using var reader = app.CreateAdminClient();
        Assert.Equal("shop", Assert.Single(await reader.ListAsync("changes")).GetProperty("system").GetString());
    }

    [Fact]
    public async Task SuccessfulDeploymentStatusStoresADeploymentOfTheDeployedCommit()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-deployment_status"))).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var deployment = Assert.Single(await client.ListAsync("deployments"));
        Assert.Equal(Repository, deployment.GetProperty("system").GetString());
        Assert.Equal("production", deployment.GetProperty("environment").GetString());
        Assert.Equal("145988746", deployment.GetProperty("identifier").GetString());
        Assert.Equal("2019-05-15T15:20:55Z", deployment.GetProperty("timestamp").GetString());
        Assert.Equal("success", deployment.GetProperty("result").GetString());
        Assert.Equal("f95f852bd8fca8fcc58a9a2d6c842781e32a215e", deployment.GetProperty("commit").GetString());
        Assert.Equal(0, deployment.GetProperty("changes").GetInt32());
        Assert.Equal(1, (await client.MetricsAsync()).GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task DeploymentStatusTakesTheEnvironmentAndFallsBackToCreatedAt()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("github-deployment_status").WithBody(b =>
        {
            b["deployment"]!["environment"] = "Staging";
            b["deployment_status"]!.AsObject().Remove("updated_at");
            b["deployment_status"]!["created_at"] = "2019-05-15T17:20:55+02:00";
        });

        await (await client.PostWebhookAsync("github", fixture)).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var deployment = Assert.Single(await client.ListAsync("deployments", "&environment=staging"));
        Assert.Equal("staging", deployment.GetProperty("environment").GetString());
        Assert.Equal("2019-05-15T15:20:55Z", deployment.GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData("failure")]
    [InlineData("error")]
    public async Task FailedDeploymentStatusStoresAFailedDeployment(string state)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("github-deployment_status").WithBody(b => b["deployment_status"]!["state"] = state);

        await (await client.PostWebhookAsync("github", fixture)).AssertWebhookAsync(HttpStatusCode.OK, 1);

        Assert.Equal("failure", Assert.Single(await client.ListAsync("deployments")).GetProperty("result").GetString());
        Assert.Equal(0, (await client.MetricsAsync()).GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("queued")]
    [InlineData("in_progress")]
    [InlineData("inactive")]
    public async Task UnfinishedDeploymentStatusIsAcceptedAndStoresNothing(string state)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("github-deployment_status").WithBody(b => b["deployment_status"]!["state"] = state);

        await (await client.PostWebhookAsync("github", fixture)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task IncidentIssueOpenedThenClosedIsAnIncidentCreatedThenResolved()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-issues-opened"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var open = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal(Repository, open.GetProperty("system").GetString());
        Assert.Equal("1", open.GetProperty("identifier").GetString());
        Assert.Equal("2019-05-15T15:20:18Z", open.GetProperty("timestampCreated").GetString());
        Assert.Null(open.GetProperty("timestampResolved").GetString());

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-issues-closed"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var resolved = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("2019-05-15T15:20:18Z", resolved.GetProperty("timestampCreated").GetString());
        Assert.Equal("2019-05-15T17:05:18Z", resolved.GetProperty("timestampResolved").GetString());
        Assert.Equal(6300.0, (await client.MetricsAsync()).GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task IssuesWithoutTheIncidentLabelOrOtherActionsStoreNothing()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var unlabelled = WebhookFixture.Load("github-issues-opened").WithBody(b => b["issue"]!["labels"] = new JsonArray());
        var edited = WebhookFixture.Load("github-issues-opened").WithBody(b => b["action"] = "edited");

        await (await client.PostWebhookAsync("github", unlabelled)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);
        await (await client.PostWebhookAsync("github", edited)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task PingAndUnmappedEventsAreAcceptedAndStoreNothing()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-ping"))).AssertWebhookAsync(HttpStatusCode.Accepted, 0);
        var star = WebhookFixture.Load("github-push").WithHeader("X-GitHub-Event", "star");
        await (await client.PostWebhookAsync("github", star)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ACommitWithoutTimestampIsRejectedNamingTheFieldAndNothingIsStored()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("github-push").WithBody(b =>
        {
            var second = b["commits"]![0]!.DeepClone();
            second["id"] = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
            second.AsObject().Remove("timestamp");
            b["commits"]!.AsArray().Add(second);
        });

        await (await client.PostWebhookAsync("github", fixture)).AssertValidationProblemAsync("commits[1].timestamp");

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ADeploymentWithoutIdIsRejectedNamingTheField()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("github-deployment_status").WithBody(b => b["deployment"]!.AsObject().Remove("id"));

        await (await client.PostWebhookAsync("github", fixture)).AssertValidationProblemAsync("deployment.id");

        await client.AssertNothingStoredAsync();
    }
}
