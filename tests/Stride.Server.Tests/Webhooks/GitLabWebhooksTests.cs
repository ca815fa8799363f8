using System.Net;

namespace Stride.Server.Tests.Webhooks;

/// <summary>GitLab's documented payloads through <c>POST /v1/ingestion/gitlab</c>, read back through the API.</summary>
public sealed class GitLabWebhooksTests
{
    [Fact]
    public async Task PushHookStoresEachCommitAsAChangeOfTheProject()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("gitlab", WebhookFixture.Load("gitlab-push"))).AssertWebhookAsync(HttpStatusCode.OK, 2);

        var changes = (await client.ListAsync("changes")).OrderBy(c => c.GetProperty("timestamp").GetString()).ToArray();
        Assert.Equal(2, changes.Length);
        Assert.All(changes, c => Assert.Equal("example.com/mike/diaspora", c.GetProperty("system").GetString()));
        Assert.Equal("b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", changes[0].GetProperty("identifier").GetString());
        Assert.Equal("2011-12-12T12:27:31Z", changes[0].GetProperty("timestamp").GetString());
        Assert.Equal("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", changes[1].GetProperty("identifier").GetString());
        Assert.Equal("2012-01-03T21:36:29Z", changes[1].GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task SuccessfulDeploymentHookStoresADeployment()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("gitlab", WebhookFixture.Load("gitlab-deployment"))).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var deployment = Assert.Single(await client.ListAsync("deployments", "&environment=staging"));
        Assert.Equal("10.126.0.2/root/test-deployment-webhooks", deployment.GetProperty("system").GetString());
        Assert.Equal("staging", deployment.GetProperty("environment").GetString());
        Assert.Equal("15", deployment.GetProperty("identifier").GetString());
        Assert.Equal("2021-04-28T19:50:00Z", deployment.GetProperty("timestamp").GetString());
        Assert.Equal("success", deployment.GetProperty("result").GetString());
        Assert.Equal("279484c09fbe69ededfced8c1bb6e6d24616b468", deployment.GetProperty("commit").GetString());
        Assert.Equal(0, deployment.GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task DeploymentHookPrefersShaAndFallsBackToTheJobId()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("gitlab-deployment").WithBody(b =>
        {
            b["sha"] = "279484c09fbe69ededfced8c1bb6e6d24616b469";
            b.AsObject().Remove("deployment_id");
            b["status_changed_at"] = "2021-04-28 19:50:00 UTC";
        });

        await (await client.PostWebhookAsync("gitlab", fixture)).AssertWebhookAsync(HttpStatusCode.OK, 1);

        var deployment = Assert.Single(await client.ListAsync("deployments", "&environment=staging"));
        Assert.Equal("796", deployment.GetProperty("identifier").GetString());
        Assert.Equal("279484c09fbe69ededfced8c1bb6e6d24616b469", deployment.GetProperty("commit").GetString());
        Assert.Equal("2021-04-28T19:50:00Z", deployment.GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData("failed", "failure")]
    [InlineData("canceled", "aborted")]
    public async Task FailedOrCanceledDeploymentsAreStoredWithTheirResult(string status, string result)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("gitlab-deployment").WithBody(b => b["status"] = status);

        await (await client.PostWebhookAsync("gitlab", fixture)).AssertWebhookAsync(HttpStatusCode.OK, 1);

        Assert.Equal(result, Assert.Single(await client.ListAsync("deployments", "&environment=staging")).GetProperty("result").GetString());
    }

    [Fact]
    public async Task RunningDeploymentIsAcceptedAndStoresNothing()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("gitlab-deployment").WithBody(b => b["status"] = "running");

        await (await client.PostWebhookAsync("gitlab", fixture)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        Assert.Empty(await client.ListAsync("deployments", "&environment=staging"));
    }

    [Fact]
    public async Task IncidentIssueOpenedThenClosedIsAnIncidentCreatedThenResolved()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("gitlab", WebhookFixture.Load("gitlab-issue-open"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var open = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("example.com/gitlabhq/gitlab-test", open.GetProperty("system").GetString());
        Assert.Equal("23", open.GetProperty("identifier").GetString());
        Assert.Equal("2013-12-03T17:15:43Z", open.GetProperty("timestampCreated").GetString());
        Assert.Null(open.GetProperty("timestampResolved").GetString());

        await (await client.PostWebhookAsync("gitlab", WebhookFixture.Load("gitlab-issue-close"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var resolved = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("2013-12-03T19:45:00Z", resolved.GetProperty("timestampResolved").GetString());
    }

    [Fact]
    public async Task IssuesWithoutTheIncidentLabelStoreNothingButGitLabIncidentsDo()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        static void Unlabel(System.Text.Json.Nodes.JsonNode b)
        {
            b["labels"] = new System.Text.Json.Nodes.JsonArray();
            b["object_attributes"]!["labels"] = new System.Text.Json.Nodes.JsonArray();
        }

        var plain = WebhookFixture.Load("gitlab-issue-open").WithBody(Unlabel);
        await (await client.PostWebhookAsync("gitlab", plain)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);
        Assert.Empty(await client.ListAsync("incidents"));

        var incidentType = WebhookFixture.Load("gitlab-issue-open").WithBody(b =>
        {
            Unlabel(b);
            b["object_attributes"]!["type"] = "Incident";
        });
        await (await client.PostWebhookAsync("gitlab", incidentType)).AssertWebhookAsync(HttpStatusCode.OK, 1);
        Assert.Single(await client.ListAsync("incidents"));
    }

    [Fact]
    public async Task OtherHooksAreAcceptedAndStoreNothing()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var tag = WebhookFixture.Load("gitlab-push").WithHeader("X-Gitlab-Event", "Tag Push Hook");

        await (await client.PostWebhookAsync("gitlab", tag)).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task AMalformedTimeIsRejectedNamingTheFieldAndNothingIsStored()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("gitlab-push").WithBody(b => b["commits"]![1]!["timestamp"] = "yesterday");

        await (await client.PostWebhookAsync("gitlab", fixture)).AssertValidationProblemAsync("commits[1].timestamp");

        await client.AssertNothingStoredAsync();
    }
}
