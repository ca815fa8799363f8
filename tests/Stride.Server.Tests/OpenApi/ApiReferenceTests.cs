using System.Net;
using System.Text.RegularExpressions;

namespace Stride.Server.Tests.OpenApi;

/// <summary>The API reference page at <c>/api-reference</c>: served by Stride, with nothing fetched from elsewhere.</summary>
public sealed partial class ApiReferenceTests
{
    [Fact]
    public async Task ApiReferenceIsHtmlThatReferencesNoExternalHost()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api-reference", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Http.Ct);

        Assert.DoesNotMatch(ExternalUrl(), html);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);

        // Scalar's defaults would load fonts from its CDN and send telemetry: both are off.
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiReferenceScriptsAreServedByStride()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var page = await client.GetAsync("/api-reference", Http.Ct);
        var html = await page.Content.ReadAsStringAsync(Http.Ct);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var response = await client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, script), Http.Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
        }
    }

    // Any absolute or protocol-relative URL in an attribute, a CSS url() or a script.
    [GeneratedRegex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
