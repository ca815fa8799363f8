using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Stride.Storage;
using Stride.Storage.Postgres;

namespace Stride.Server.Tests.Nodes;

/// <summary>
/// On PostgreSQL the reads of one request share one check of the other nodes' writes (ReadScope): the
/// dashboard's overview reads five parts, the first started before the others.
/// </summary>
public sealed class ReadScopeTests
{
    private const string Window = "from=1700000000&to=1700864000";

    [Fact]
    public async Task TheDashboardsPartsAreReadAfterOneCheckAndTheNextPageSeesTheWriteBeforeIt()
    {
        await using var database = await TestDatabase.CreateAsync(Http.Ct);
        await using var app = new StrideApplication(new Dictionary<string, string?> { ["Stride:Database"] = database.ConnectionString });
        var store = Assert.IsType<PostgresStore>(app.Services.GetRequiredService<IEventStore>());
        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/v1/deployments",
            """{"identifier":"v1","timestamp":1700100000,"system":"api","environment":"production"}""")).StatusCode);

        using var browser = app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler());
        await browser.SignInAsync(StrideApplication.BootstrapKey);

        Assert.Contains("deployment=v1", await browser.GetStringAsync($"/?{Window}", Http.Ct), StringComparison.Ordinal);
        var checks = store.IndexChecks;
        Assert.DoesNotContain("deployment=v2", await browser.GetStringAsync($"/?{Window}", Http.Ct), StringComparison.Ordinal);
        Assert.Equal(checks + 1, store.IndexChecks);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/v1/deployments",
            """{"identifier":"v2","timestamp":1700200000,"system":"api","environment":"production"}""")).StatusCode);
        Assert.Contains("deployment=v2", await browser.GetStringAsync($"/?{Window}", Http.Ct), StringComparison.Ordinal);
        Assert.Equal(checks + 2, store.IndexChecks);
    }
}
