using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Tests.Webhooks;

/// <summary>What all providers share: the route, signatures against the organization's secrets, redeliveries and bad input.</summary>
public sealed class WebhooksApiTests
{
    private const string Secret = "It's a Secret to Everybody";

    private static async Task SetSecretAsync(HttpClient admin, string provider, string secret = Secret)
    {
        var response = await admin.PutAsync($"/api/v1/webhooks/{provider}/secret",
            new StringContent($$"""{"secret": "{{secret}}"}""", Encoding.UTF8, "application/json"), Http.Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task WithoutASecretUnsignedDeliveriesAreAccepted()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var push = WebhookFixture.Load("github-push").WithHeader("X-Hub-Signature-256", "sha256=0000");
        await (await client.PostWebhookAsync("github", push)).AssertWebhookAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task GitHubSignatureIsCheckedWhenASecretIsSet()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "github");
        var push = WebhookFixture.Load("github-push");

        await (await client.PostWebhookAsync("github", push)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, "wrong"))))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", "sha256=not-hex")))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await client.AssertNothingStoredAsync();

        await (await client.PostWebhookAsync("github", push.WithHeader("X-Hub-Signature-256", WebhookFixture.GitHubSignature(push.Body, Secret))))
            .AssertWebhookAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task TheSignatureIsOverTheRawBody()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "github");
        var push = WebhookFixture.Load("github-push");
        var signature = WebhookFixture.GitHubSignature(push.Body, Secret);

        // The same JSON with one byte more whitespace is not what was signed.
        var reformatted = push.WithHeader("X-Hub-Signature-256", signature) with { Body = [.. push.Body, (byte)'\n'] };
        await (await client.PostWebhookAsync("github", reformatted)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task GitLabTokenIsCheckedWhenASecretIsSet()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "gitlab");
        var push = WebhookFixture.Load("gitlab-push");

        await (await client.PostWebhookAsync("gitlab", push)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostWebhookAsync("gitlab", push.WithHeader("X-Gitlab-Token", Secret + "x"))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await client.AssertNothingStoredAsync();

        await (await client.PostWebhookAsync("gitlab", push.WithHeader("X-Gitlab-Token", Secret))).AssertWebhookAsync(HttpStatusCode.OK, 2);
    }

    [Fact]
    public async Task PagerDutySignatureIsCheckedAndAnyOfSeveralMayMatch()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "pagerduty");
        var triggered = WebhookFixture.Load("pagerduty-v3-incident-triggered");
        var right = WebhookFixture.PagerDutySignature(triggered.Body, Secret);
        var wrong = WebhookFixture.PagerDutySignature(triggered.Body, "old secret");

        await (await client.PostWebhookAsync("pagerduty", triggered)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostWebhookAsync("pagerduty", triggered.WithHeader("X-PagerDuty-Signature", wrong))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostWebhookAsync("pagerduty", triggered.WithHeader("X-PagerDuty-Signature", "v2=" + right[3..])))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await client.AssertNothingStoredAsync();

        await (await client.PostWebhookAsync("pagerduty", triggered.WithHeader("X-PagerDuty-Signature", $"{wrong},{right}")))
            .AssertWebhookAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task ASecretOfOneProviderDoesNotAffectAnother()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "gitlab");

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-push"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task ASecretOfOneOrganizationDoesNotAffectAnother()
    {
        await using var app = new StrideApplication();
        using var first = app.CreateAdminClient();
        await SetSecretAsync(first, "github");
        var store = app.Services.GetRequiredService<IKeyStore>();
        var organization = await store.EnsureOrganizationAsync("other", Http.Ct);
        var key = ApiKeys.Generate();
        await store.CreateKeyAsync(new NewApiKey(organization, "other", ApiKeys.Prefix(key), await app.Services.GetRequiredService<KeyHasher>().HashAsync(key), ["admin"], 1_780_000_000), Http.Ct);
        using var other = app.CreateClient(key);

        await (await other.PostWebhookAsync("github", WebhookFixture.Load("github-push"))).AssertWebhookAsync(HttpStatusCode.OK, 1);
        await first.AssertNothingStoredAsync();
        await (await first.PostWebhookAsync("github", WebhookFixture.Load("github-push"))).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ClearingTheSecretAcceptsUnsignedDeliveriesAgain()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        await SetSecretAsync(client, "github");
        var push = WebhookFixture.Load("github-push");
        await (await client.PostWebhookAsync("github", push)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/webhooks/github/secret", Http.Ct)).StatusCode);
        await (await client.DeleteAsync("/api/v1/webhooks/github/secret", Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);

        await (await client.PostWebhookAsync("github", push)).AssertWebhookAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task SecretsNeedTheAdminScopeAValidProviderAndAValue()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        using var ingest = await app.CreateClientWithScopesAsync("ingest");
        var body = new StringContent("""{"secret": "s"}""", Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.PutAsync("/api/v1/webhooks/github/secret", body, Http.Ct)).StatusCode);
        await (await admin.PutAsync("/api/v1/webhooks/bitbucket/secret", body, Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PutAsync("/api/v1/webhooks/github/secret", new StringContent("""{"secret": ""}""", Encoding.UTF8, "application/json"), Http.Ct))
            .AssertValidationProblemAsync("secret");
        await (await admin.PutAsync("/api/v1/webhooks/github/secret", new StringContent("{}", Encoding.UTF8, "application/json"), Http.Ct))
            .AssertValidationProblemAsync("secret");
    }

    [Theory]
    [InlineData("github", "github-push", "X-GitHub-Delivery", 1)]
    [InlineData("gitlab", "gitlab-push", "Idempotency-Key", 2)]
    public async Task ARedeliveryStoresNothingTwice(string provider, string fixtureName, string deliveryHeader, int count)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load(fixtureName);

        await (await client.PostWebhookAsync(provider, fixture)).AssertWebhookAsync(HttpStatusCode.OK, count);
        await (await client.PostWebhookAsync(provider, fixture)).AssertWebhookAsync(HttpStatusCode.OK, 0, duplicate: true);
        Assert.Equal(count, (await client.ListAsync("changes")).Length);

        // A new delivery of the same commits is stored again, harmlessly: changes keep their earliest time.
        var again = fixture.WithHeader(deliveryHeader, Guid.NewGuid().ToString()).WithHeader("X-Gitlab-Event-UUID", null);
        await (await client.PostWebhookAsync(provider, again)).AssertWebhookAsync(HttpStatusCode.OK, count);
        Assert.Equal(count, (await client.ListAsync("changes")).Length);
    }

    [Fact]
    public async Task APagerDutyRedeliveryOfTheSameEventStoresNothingTwice()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var resolved = WebhookFixture.Load("pagerduty-v3-incident-resolved");

        await (await client.PostWebhookAsync("pagerduty", resolved)).AssertWebhookAsync(HttpStatusCode.OK, 1);
        await (await client.PostWebhookAsync("pagerduty", resolved)).AssertWebhookAsync(HttpStatusCode.OK, 0, duplicate: true);
        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v2-messages"))).AssertWebhookAsync(HttpStatusCode.OK, 2);
        await (await client.PostWebhookAsync("pagerduty", WebhookFixture.Load("pagerduty-v2-messages"))).AssertWebhookAsync(HttpStatusCode.OK, 0, duplicate: true);
        Assert.Equal(2, (await client.ListAsync("incidents")).Length);
    }

    [Fact]
    public async Task AnUnknownProviderIsNotFound()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var problem = await (await client.PostWebhookAsync("bitbucket", WebhookFixture.Load("github-push"))).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("bitbucket", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCliRouteIsStillPulse()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var response = await client.PostJsonAsync("/v1/ingestion/cli",
            """{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00+01:00","event_type":"commit","$type":"change"}""");

        await response.AssertStoredAsync(1);
    }

    [Theory]
    [InlineData("github")]
    [InlineData("gitlab")]
    [InlineData("pagerduty")]
    public async Task MalformedJsonIsABadRequestAndStoresNothing(string provider)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        var fixture = WebhookFixture.Load(provider switch
        {
            "github" => "github-push",
            "gitlab" => "gitlab-push",
            _ => "pagerduty-v3-incident-triggered",
        });

        await (await client.PostWebhookAsync(provider, fixture with { Body = fixture.Body[..^10] })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostWebhookAsync(provider, fixture with { Body = "[1, 2]"u8.ToArray() })).AssertProblemAsync(HttpStatusCode.BadRequest);

        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task AMissingEventHeaderIsABadRequestUnlessTheBodySaysWhatItIs()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostWebhookAsync("github", WebhookFixture.Load("github-push").WithHeader("X-GitHub-Event", null)))
            .AssertValidationProblemAsync("X-GitHub-Event");
        await client.AssertNothingStoredAsync();

        // GitLab's body carries object_kind as well.
        await (await client.PostWebhookAsync("gitlab", WebhookFixture.Load("gitlab-push").WithHeader("X-Gitlab-Event", null)))
            .AssertWebhookAsync(HttpStatusCode.OK, 2);
        var unnamed = WebhookFixture.Load("gitlab-push").WithHeader("X-Gitlab-Event", null).WithBody(b => b.AsObject().Remove("object_kind"));
        await (await client.PostWebhookAsync("gitlab", unnamed)).AssertValidationProblemAsync("X-Gitlab-Event");
    }

    [Fact]
    public async Task AKeyIsRequiredAndTheIngestScopeSuffices()
    {
        await using var app = new StrideApplication();
        using var anonymous = app.CreateClient();
        using var reader = await app.CreateClientWithScopesAsync("read");
        using var ingest = await app.CreateClientWithScopesAsync("ingest");
        var push = WebhookFixture.Load("github-push");

        await (await anonymous.PostWebhookAsync("github", push)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await reader.PostWebhookAsync("github", push)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await ingest.PostWebhookAsync("github", push)).AssertWebhookAsync(HttpStatusCode.OK, 1);
    }
}
