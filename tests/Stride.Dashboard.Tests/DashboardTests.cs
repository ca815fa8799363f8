using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Dashboard.Tests;

/// <summary>The dashboard in a real browser against a real server: sign-in, tiles, filters, drill-down, sign-out.</summary>
public sealed class DashboardTests(Browser browser)
{
    private const string Golden = "small.json";

    /// <summary>Each tile's id and where the same number is in the body of <c>GET /api/v1/metrics</c>.</summary>
    private static readonly (string Tile, string Block, string Field)[] TileSources =
    [
        ("deployment-frequency", "deploymentFrequency", "perDay"),
        ("lead-time", "leadTimeForChanges", "medianSeconds"),
        ("change-failure-rate", "changeFailureRate", "rate"),
        ("time-to-restore", "timeToRestore", "medianSeconds"),
        ("failed-deployment-recovery-time", "failedDeploymentRecoveryTime", "medianSeconds"),
        ("rework-rate", "reworkRate", "rate"),
    ];

    /// <summary>The blocks of SPEC §3 in the body of <c>GET /api/v1/metrics</c>; the table shows every field of each.</summary>
    private static readonly string[] MetricBlocks =
    [
        "deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore", "failedDeploymentRecoveryTime", "reworkRate",
    ];

    [Fact]
    public async Task SigningInShowsTilesAndAllNumbersOfTheMetricsApiForEveryGoldenQuery()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);

        await SignInAsync(page, key);

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "stride_dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.DoesNotContain(key, cookie.Value, StringComparison.Ordinal);
        await ScreenshotAsync(page, "overview");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All numbers" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Lead time for changes" })
            .GetByRole(AriaRole.Rowheader, new() { Name = "90th percentile" })).ToBeVisibleAsync();

        var compared = 0;
        foreach (var query in GoldenData.Load(Golden).GetProperty("queries").EnumerateArray())
        {
            var queryString = QueryString(query.GetProperty("params"));
            await page.GotoAsync("/" + queryString);
            await AssertPageMatchesApiAsync(page, server, queryString);
            compared++;
        }

        Assert.True(compared > 10);
    }

    [Fact]
    public async Task ChangingTheWindowAndTheSystemsKeepsThemInTheLinkAndMatchesTheApi()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, key);
        await AssertPageMatchesApiAsync(page, server, "");   // the default: 90 days, as the API's

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Window" }).GetByRole(AriaRole.Link, new() { Name = "30 days" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/\?window=30$"));
        var now = DashboardServer.Now.ToUnixTimeSeconds();
        var window = $"?from={now - 30 * 86_400}&to={now}";
        await AssertPageMatchesApiAsync(page, server, window);
        Assert.Equal("page", await page.GetByRole(AriaRole.Link, new() { Name = "30 days" }).GetAttributeAsync("aria-current"));

        await page.GetByLabel("svc-1", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("system=svc-1"));
        Assert.Contains("window=30", page.Url, StringComparison.Ordinal);
        await AssertPageMatchesApiAsync(page, server, window + "&system=svc-1");
        Assert.True(await page.GetByLabel("svc-1", new() { Exact = true }).IsCheckedAsync());
        await ScreenshotAsync(page, "filtered");

        // Filters the API refuses are refused the same way, in words, with no tiles.
        await page.GotoAsync("/?from=2026-09-10&to=2026-09-01");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("'from' must be earlier than 'to'");
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-field]")).ToHaveCountAsync(0);

        // The link alone, in a new session of the same key, shows the same view.
        var shared = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(shared, key, "/?window=30&system=svc-1");
        await AssertPageMatchesApiAsync(shared, server, window + "&system=svc-1");
    }

    [Fact]
    public async Task OpeningADeploymentShowsItsChangesWithLeadTimes()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, key);
        await ScreenshotAsync(page, "overview-full", fullPage: true);

        var link = page.Locator("#deployments tbody a").First;
        var identifier = (await link.TextContentAsync())!.Trim();
        await link.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/deployment\?"));

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(identifier);
        await Assertions.Expect(page.Locator("#deployment-facts")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Changes", Exact = false })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "deployment");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }).ClickAsync();
        await Assertions.Expect(page.Locator("#deployment-frequency")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        await using var server = DashboardServer.Start();
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, key);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "stride_dashboard");

        await page.GotoAsync("/");
        Assert.EndsWith("/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task AWrongKeySeesAClearErrorAndNothingElse()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var page = await browser.NewPageAsync(server.BaseUrl);

        var response = await page.GotoAsync("/sign-in");
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        await page.GetByLabel("API key").FillAsync("stride_not_a_real_key_at_all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);
        Assert.Empty(await page.Context.CookiesAsync("http://127.0.0.1").ContinueWith(t => t.Result.Where(c => c.Name == "stride_dashboard")));
        Assert.Equal("", await page.GetByLabel("API key").InputValueAsync());
        await ScreenshotAsync(page, "sign-in-error");

        var (_, ingestOnly) = await server.CreateKeyAsync("ingest");
        await page.GetByLabel("API key").FillAsync(ingestOnly);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("'read'");

        await page.GotoAsync("/?window=30");
        Assert.EndsWith("/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyRevokedAfterSignInIsSignedOutAtTheNextPage()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var (id, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, key);

        await server.RevokeKeyAsync(id);
        await page.ReloadAsync();

        Assert.EndsWith("/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "stride_dashboard");
    }

    [Fact]
    public async Task AnotherOrganizationSeesNoneOfTheData()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        using var api = server.Api();
        var deployments = await api.GetFromJsonAsync<JsonElement>(
            "/api/v1/deployments?from=2020-01-01&to=2027-01-01&limit=1", TestContext.Current.CancellationToken);
        var known = deployments.GetProperty("items")[0];

        // A second organization and a read key of its own, made in the store (organizations have no API yet).
        var keys = server.Services.GetRequiredService<IKeyStore>();
        var other = await keys.EnsureOrganizationAsync("other", TestContext.Current.CancellationToken);
        var secret = ApiKeys.Generate();
        await keys.CreateKeyAsync(new NewApiKey(other, "other reader", ApiKeys.Prefix(secret), await server.Services.GetRequiredService<KeyHasher>().HashAsync(secret), ["read"],
            DashboardServer.Now.ToUnixTimeSeconds()), TestContext.Current.CancellationToken);

        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, secret);
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "No events yet" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);

        var url = $"/deployment?of={Uri.EscapeDataString(known.GetProperty("system").GetString()!)}&deployment={Uri.EscapeDataString(known.GetProperty("identifier").GetString()!)}";
        var response = await page.GotoAsync(url);
        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Deployment not found");
        await ScreenshotAsync(page, "other-organization");
    }

    [Fact]
    public async Task ANewOrganizationIsToldWhatToPush()
    {
        await using var server = DashboardServer.Start();
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl);
        await SignInAsync(page, key);

        var start = page.GetByRole(AriaRole.Region, new() { Name = "No events yet" });
        await Assertions.Expect(start).ToContainTextAsync("stride push deployment");
        await Assertions.Expect(start).ToContainTextAsync("curl");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).First).ToHaveAttributeAsync("href", "/api-reference");
        await Assertions.Expect(page.Locator(".tile")).ToHaveCountAsync(0);   // no wall of "no data" before anything is pushed
        await ScreenshotAsync(page, "empty", fullPage: true);
    }

    [Fact]
    public async Task TheOverviewFitsAPhoneScreen()
    {
        await using var server = DashboardServer.Start();
        await server.PushGoldenAsync(Golden);
        var (_, key) = await server.CreateKeyAsync("read");
        var page = await browser.NewPageAsync(server.BaseUrl, width: 390, height: 844);
        await SignInAsync(page, key);

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than the phone's screen.");
        await ScreenshotAsync(page, "phone", fullPage: true);

        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
    }

    [Fact]
    public async Task FormsRefuseAPostWithoutTheAntiforgeryToken()
    {
        await using var server = DashboardServer.Start();
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using var response = await client.PostAsync("/sign-in",
            new FormUrlEncodedContent([new("Key", DashboardServer.BootstrapKey)]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("stride_dashboard", StringComparison.Ordinal)));
    }

    /// <summary>Signs in through the form, starting from <paramref name="path"/>, and waits to be back on it.</summary>
    private static async Task SignInAsync(IPage page, string key, string path = "/")
    {
        await page.GotoAsync(path);
        Assert.EndsWith("/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(new Uri(new Uri(page.Url), path).AbsoluteUri) + "$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delivery performance" })).ToBeVisibleAsync();
    }

    /// <summary>The tiles and the "All numbers" table show what <c>GET /api/v1/metrics</c> returns for the same query string.</summary>
    private static async Task AssertPageMatchesApiAsync(IPage page, DashboardServer server, string queryString)
    {
        var api = await server.MetricsAsync(queryString);
        await AssertTilesMatchApiAsync(page, api, queryString);
        await AssertAllNumbersMatchApiAsync(page, api, queryString);
    }

    private static async Task AssertTilesMatchApiAsync(IPage page, JsonElement api, string queryString)
    {
        foreach (var (tile, block, field) in TileSources)
        {
            var expected = api.GetProperty(block).GetProperty(field);
            var shown = await page.Locator("#" + tile).GetAttributeAsync("data-value");
            var where = $"{tile} for '{queryString}'";
            if (expected.ValueKind == JsonValueKind.Null)
            {
                Assert.True(shown == "", $"{where}: shows '{shown}', the API says null");
            }
            else
            {
                var value = double.Parse(shown!, CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(value - expected.GetDouble()) <= 1e-9 * Math.Abs(expected.GetDouble()),
                    $"{where}: shows {shown}, the API says {expected.GetRawText()}");
            }

            if (api.GetProperty(block).TryGetProperty("tier", out var tier))
            {
                Assert.Equal(tier.ValueKind == JsonValueKind.Null ? "" : tier.GetString(), await page.Locator("#" + tile).GetAttributeAsync("data-tier"));
            }
        }
    }

    /// <summary>
    /// The "All numbers" table holds exactly the fields of the API's six blocks, each with the
    /// API's value: numbers within <see cref="GoldenData.RelativeTolerance"/>, tiers as the same
    /// string, nulls as an empty <c>data-value</c> and a dash.
    /// </summary>
    private static async Task AssertAllNumbersMatchApiAsync(IPage page, JsonElement api, string queryString)
    {
        var cells = await page.Locator("[data-field]").EvaluateAllAsync<NumberCell[]>(
            "cells => cells.map(c => ({ field: c.dataset.field, value: c.dataset.value, text: c.textContent.trim() }))");
        var shown = cells.ToDictionary(c => c.Field, StringComparer.Ordinal);
        Assert.Equal(cells.Length, shown.Count);   // no field twice

        var expected = MetricBlocks
            .SelectMany(block => api.GetProperty(block).EnumerateObject().Select(p => (Field: $"{block}.{p.Name}", p.Value)))
            .ToArray();
        Assert.Equal(expected.Select(e => e.Field).Order(StringComparer.Ordinal), shown.Keys.Order(StringComparer.Ordinal));

        foreach (var (field, value) in expected)
        {
            var cell = shown[field];
            var where = $"{field} for '{queryString}'";
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    Assert.True(cell.Value == "", $"{where}: data-value is '{cell.Value}', the API says null");
                    Assert.True(cell.Text.StartsWith('—'), $"{where}: reads '{cell.Text}' for null, not a dash");
                    break;
                case JsonValueKind.String:
                    Assert.True(cell.Value == value.GetString(), $"{where}: data-value is '{cell.Value}', the API says {value.GetRawText()}");
                    break;
                case JsonValueKind.Number:
                    var number = double.Parse(cell.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                    var expectedNumber = value.GetDouble();
                    Assert.True(Math.Abs(number - expectedNumber) <= GoldenData.RelativeTolerance * Math.Abs(expectedNumber),
                        $"{where}: data-value is {cell.Value}, the API says {value.GetRawText()}");
                    break;
                default:
                    Assert.Fail($"{where}: the API gives a {value.ValueKind}, which the table cannot show");
                    break;
            }

            Assert.False(string.IsNullOrWhiteSpace(cell.Text), $"{where}: the cell has no text");
        }
    }

    private static string QueryString(JsonElement parameters)
    {
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("from", parameters.GetProperty("from").GetInt64().ToString(CultureInfo.InvariantCulture)),
            new("to", parameters.GetProperty("to").GetInt64().ToString(CultureInfo.InvariantCulture)),
            new("environment", parameters.GetProperty("environment").GetString()),
            new("benchmark", parameters.GetProperty("benchmark").GetString()),
        };
        if (parameters.TryGetProperty("system", out var systems))
        {
            pairs.AddRange(systems.EnumerateArray().Select(s => new KeyValuePair<string, string?>("system", s.GetString())));
        }

        return Microsoft.AspNetCore.Http.QueryString.Create(pairs).ToString();
    }

    /// <summary>A cell of the "All numbers" table as the browser reads it.</summary>
    /// <remarks>Settable properties: Playwright creates evaluation results through a parameterless constructor.</remarks>
    private sealed class NumberCell
    {
        public string Field { get; set; } = "";

        public string Value { get; set; } = "";

        public string Text { get; set; } = "";
    }

    private static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
        => await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(Browser.ScreenshotDirectory, name + ".png"),
            FullPage = fullPage,
        });
}
