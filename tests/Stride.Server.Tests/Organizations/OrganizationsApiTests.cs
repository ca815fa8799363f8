using System.Net;
using System.Text.Json;

namespace Stride.Server.Tests.Organizations;

/// <summary><c>/api/v1/organizations</c>: only the <c>operator</c> scope (the bootstrap key's) manages tenants.</summary>
public sealed class OrganizationsApiTests
{
    [Fact]
    public async Task TheOperatorCreatesAnOrganizationWhoseAdminKeyManagesOnlyItsOwnKeys()
    {
        await using var app = new StrideApplication();
        using var operatorClient = app.CreateAdminClient();

        var response = await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "  payments " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        Assert.Equal("payments", created.GetProperty("name").GetString());
        var adminKey = created.GetProperty("adminKey").GetString()!;
        Assert.StartsWith("stride_", adminKey, StringComparison.Ordinal);

        using var admin = app.CreateClient(adminKey);
        var keys = await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync();
        var only = Assert.Single(keys.EnumerateArray());
        Assert.Equal("admin", only.GetProperty("name").GetString());
        Assert.Equal(["admin"], only.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(adminKey, keys.GetRawText(), StringComparison.Ordinal);

        var listed = await (await operatorClient.GetAsync("/api/v1/organizations", Http.Ct)).ReadJsonAsync();
        Assert.Equal(["default", "payments"], listed.EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(created.GetProperty("id").GetInt64(), listed[1].GetProperty("id").GetInt64());
        Assert.True(DateTimeOffset.TryParse(listed[1].GetProperty("createdAt").GetString(), out _));
    }

    [Fact]
    public async Task ANameTakenAlreadyIsAConflictAndCreatesNothing()
    {
        await using var app = new StrideApplication();
        using var operatorClient = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Created, (await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "payments" })).StatusCode);

        await (await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "payments" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "default" })).AssertProblemAsync(HttpStatusCode.Conflict);

        var listed = await (await operatorClient.GetAsync("/api/v1/organizations", Http.Ct)).ReadJsonAsync();
        Assert.Equal(2, listed.GetArrayLength());
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"   "}""")]
    [InlineData("""{"name":"a\nb"}""")]
    [InlineData("""{"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""")]
    public async Task AnInvalidNameIsRejectedNamingTheField(string body)
    {
        await using var app = new StrideApplication();
        using var operatorClient = app.CreateAdminClient();

        await (await operatorClient.PostJsonAsync("/api/v1/organizations", body)).AssertValidationProblemAsync("name");

        var listed = await (await operatorClient.GetAsync("/api/v1/organizations", Http.Ct)).ReadJsonAsync();
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task KeysWithoutTheOperatorScopeAreRefusedWhateverTheirOrganization()
    {
        await using var app = new StrideApplication();
        using var operatorClient = app.CreateAdminClient();
        var created = await (await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "payments" })).ReadJsonAsync();
        var otherAdmin = created.GetProperty("adminKey").GetString()!;
        var defaultAdmin = await app.CreateKeyAsync("admin");

        foreach (var key in new[] { otherAdmin, defaultAdmin, await app.CreateKeyAsync("read", "ingest") })
        {
            using var client = app.CreateClient(key);
            await (await client.GetAsync("/api/v1/organizations", Http.Ct)).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PostObjectAsync("/api/v1/organizations", new { name = "mine" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        using var anonymous = app.CreateClient();
        await (await anonymous.GetAsync("/api/v1/organizations", Http.Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var listed = await (await operatorClient.GetAsync("/api/v1/organizations", Http.Ct)).ReadJsonAsync();
        Assert.Equal(["default", "payments"], listed.EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task AnOrganizationsAdminCannotGrantTheOperatorScope()
    {
        await using var app = new StrideApplication();
        using var operatorClient = app.CreateAdminClient();
        var created = await (await operatorClient.PostObjectAsync("/api/v1/organizations", new { name = "payments" })).ReadJsonAsync();
        using var admin = app.CreateClient(created.GetProperty("adminKey").GetString()!);

        var response = await admin.PostObjectAsync("/api/v1/keys", new { name = "escalate", scopes = new[] { "operator" } });

        await response.AssertValidationProblemAsync("scopes");
        Assert.Equal(1, (await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync()).GetArrayLength());
    }
}
