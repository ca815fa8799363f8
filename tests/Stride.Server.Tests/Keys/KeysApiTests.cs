using System.Net;

namespace Stride.Server.Tests.Keys;

public sealed class KeysApiTests
{
    [Fact]
    public async Task CreatingAKeyShowsItsSecretOnceAndListingNever()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.PostObjectAsync("/api/v1/keys", new { name = "pipeline", scopes = new[] { "ingest", "read" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var key = created.GetProperty("key").GetString()!;
        Assert.StartsWith("stride_", key);
        Assert.True(key.Length > 40);
        Assert.True(created.GetProperty("id").GetInt64() > 0);

        var listText = await (await admin.GetAsync("/api/v1/keys", Http.Ct)).Content.ReadAsStringAsync(Http.Ct);
        Assert.DoesNotContain(key, listText);
        Assert.DoesNotContain(StrideApplication.BootstrapKey, listText);
        var listed = System.Text.Json.JsonDocument.Parse(listText).RootElement.EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "pipeline");
        Assert.Equal(["ingest", "read"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).Order());
        Assert.StartsWith(listed.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task RevokingAnUnknownKeyIsNotFound()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.DeleteAsync("/api/v1/keys/987654", Http.Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RevokingTwiceIsNotFoundTheSecondTime()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        var created = await (await admin.PostObjectAsync("/api/v1/keys", new { name = "x", scopes = new[] { "read" } })).ReadJsonAsync();
        var url = $"/api/v1/keys/{created.GetProperty("id").GetInt64()}";

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(url, Http.Ct)).StatusCode);
        await (await admin.DeleteAsync(url, Http.Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["superuser"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["operator"]}""", "scopes")]
    [InlineData("""{"scopes":["read"]}""", "name")]
    [InlineData("""{"name":"","scopes":["read"]}""", "name")]
    public async Task InvalidKeyRequestsAreRejected(string body, string field)
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.PostJsonAsync("/api/v1/keys", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), p => p.Name.Equals(field, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AMalformedKeyRequestIsABadRequest()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();

        var response = await admin.PostJsonAsync("/api/v1/keys", "{\"name\":");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
