using System.Net;

namespace Stride.Server.Tests.Webhooks;

/// <summary>PagerDuty's documented V3 and V2 payloads through <c>POST /v1/ingestion/pagerduty</c>, read back through the API.</summary>
public sealed class PagerDutyWebhooksTests
{
    [Fact]
    public async Task V3TriggeredThenResolvedIsAnIncidentOfTheService()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v3-incident-triggered"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var open = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("API Service", open.GetProperty("system").GetString());
        Assert.Equal("PGR0VU2", open.GetProperty("identifier").GetString());
        Assert.Equal("2020-04-09T15:16:27Z", open.GetProperty("timestampCreated").GetString());
        Assert.Null(open.GetProperty("timestampResolved").GetString());

        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v3-incident-resolved"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        var resolved = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("2020-04-09T15:16:27Z", resolved.GetProperty("timestampCreated").GetString());
        Assert.Equal("2020-04-09T16:01:02Z", resolved.GetProperty("timestampResolved").GetString());
    }

    [Fact]
    public async Task AResolutionAloneStillHasItsCreationTime()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v3-incident-resolved"), "system=api"))
            .AssertWebhookAsync(HttpStatusCode.OK, 1);

        var incident = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("api", incident.GetProperty("system").GetString());
        Assert.Equal("2020-04-09T15:16:27Z", incident.GetProperty("timestampCreated").GetString());
        Assert.Equal("2020-04-09T16:01:02Z", incident.GetProperty("timestampResolved").GetString());
    }

    [Fact]
    public async Task OtherV3EventsAreAcceptedAndStoreNothing()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v3-incident-acknowledged"))).AssertWebhookAsync(HttpStatusCode.Accepted, 0);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task V2MessagesTriggerAndResolveAnIncident()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v2-messages"))).AssertWebhookAsync(HttpStatusCode.OK, 2);

        var incident = Assert.Single(await client.ListAsync("incidents"));
        Assert.Equal("Production XDB Cluster", incident.GetProperty("system").GetString());
        Assert.Equal("PRORDTY", incident.GetProperty("identifier").GetString());
        Assert.Equal("2017-09-26T15:14:36Z", incident.GetProperty("timestampCreated").GetString());
        Assert.Equal("2017-09-26T16:44:36Z", incident.GetProperty("timestampResolved").GetString());
        Assert.Equal(5400.0, (await client.MetricsAsync()).GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task AnIncidentWithoutIdIsRejectedNamingTheField()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load("pagerduty-v3-incident-triggered").WithBody(b => b["event"]!["data"]!.AsObject().Remove("id"));

        await (await client.PostWebhookAsync("pagerduty", fixture)).AssertValidationProblemAsync("event.data.id");

        await client.AssertNothingStoredAsync();
    }
}
