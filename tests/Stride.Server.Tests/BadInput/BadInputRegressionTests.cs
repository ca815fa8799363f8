using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Stride.Server.Tests.Webhooks;
using Stride.Server.Tests.Connections;

namespace Stride.Server.Tests.BadInput;

/// <summary>The bugs the generated suite found, one readable test each.</summary>
public sealed class BadInputRegressionTests
{
    private const string Change = """{"type":"change","identifier":"c1","timestamp":1780000000}""";

    [Fact]
    public async Task AnArrayFollowedByGarbageIsRefused()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        foreach (var tail in new[] { "x", "// comment", "\0", "[]" })
        {
            var response = await client.PostJsonAsync("/api/v1/events", $"[{Change}]{tail}");
            var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString());
        }

        await client.AssertNothingStoredAsync();
        await (await client.PostJsonAsync("/api/v1/events", $"[{Change}] \n")).AssertStoredAsync(1);
    }

    [Theory]
    [InlineData("""{"identifier":"a\u0000b","timestamp":1780000000}""", "identifier")]
    [InlineData("""{"identifier":"c1","timestamp":1780000000,"system":"api\u001b[31m"}""", "system")]
    [InlineData("""{"identifier":"c1","timestamp":1780000000,"system":"bell\u0007"}""", "system")]
    public async Task ControlCharactersInStoredTextAreRefused(string body, string field)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        var problem = await (await client.PostJsonAsync("/api/v1/changes", body)).AssertValidationProblemAsync(field);

        Assert.Contains("control characters", problem.GetProperty("detail").GetString());
        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ControlCharactersInTheDeploymentListsAndThePulseSystemAreRefused()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();

        await (await client.PostJsonAsync("/api/v1/deployments", """{"identifier":"v1","timestamp":1780000000,"changes":["c\u00001"]}"""))
            .AssertValidationProblemAsync("changes[0]");
        await (await client.PostJsonAsync("/v1/ingestion/cli?system=a%00b",
                """{"source":"cli","change_id":"c1","time_created":"2020-10-16T12:40:32+01:00","$type":"change"}"""))
            .AssertValidationProblemAsync("system");
        await client.AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "invalid UTF-8")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "an escaped unpaired surrogate")]
    public async Task AWebhookWhoseTextIsNotUnicodeIsAProblemNotAServerError(byte[] bad, string what)
    {
        await using var app = new StrideApplication();
        using var client = app.CreateAdminClient();
        byte[] body = [.. """{"after":"a1","repository":{"html_url":"https://github.com/acme/shop"},"commits":[{"id":"a"""u8, .. bad,
            .. """1","timestamp":"2026-05-28T20:00:00Z"}]}"""u8];
        var push = new WebhookFixture(body, [new("X-GitHub-Event", "push")]);

        var response = await client.PostWebhookAsync("github", push);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        await response.AssertValidationProblemAsync("commits[0].id");
        await client.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ADevLakeBodyWhoseTextIsNotUnicodeIsAProblemNotAServerError()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        var connection = await admin.CreateConnectionAsync("ci");
        using var client = app.CreateClient(connection.Key);
        var url = $"/api/rest/plugins/webhook/connections/{connection.Id}";

        var deployment = """{"id":"d1\ud800","startedDate":"2026-05-28T19:00:00Z","finishedDate":"2026-05-28T20:00:00Z","deploymentCommits":[{"repoUrl":"https://github.com/acme/shop","commitSha":"abc"}]}""";
        await (await client.PostJsonAsync($"{url}/deployments", deployment)).AssertValidationProblemAsync("id");

        using var content = new ByteArrayContent([.. """{"issueKey":"DLK-1","title":"x","status":"DONE","createdDate":"2026-05-28T20:00:00Z","component":"sh"""u8, 0xFF, .. "op\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await (await client.PostAsync($"{url}/issues", content, Http.Ct)).AssertValidationProblemAsync("component");

        await admin.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ADevLakeTitleMayHoldLineBreaksSinceItIsNotStored()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        var connection = await admin.CreateConnectionAsync("tracker");
        using var client = app.CreateClient(connection.Key);

        var response = await client.PostJsonAsync($"/api/rest/plugins/webhook/connections/{connection.Id}/issues",
            """{"issueKey":"DLK-1","title":"Checkout is down\nsince the 14:00 deployment","status":"TODO","createdDate":"2026-05-28T20:00:00Z"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes("""{"success":true,"message":"success"}"""), await response.Content.ReadAsByteArrayAsync(Http.Ct));
    }
}
