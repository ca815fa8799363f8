using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stride.Server.Tests.Webhooks;

/// <summary>A provider's webhook as it arrives: the body's bytes and the headers sent with it.</summary>
internal sealed record WebhookFixture(byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>Loads <c>Fixtures/&lt;name&gt;.json</c> and its <c>.headers</c>.</summary>
    /// <remarks>Read from the source tree (found from this file's path), so that the fixtures need no build item.</remarks>
    public static WebhookFixture Load(string name, [CallerFilePath] string source = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
        var headers = File.ReadAllLines(Path.Combine(folder, name + ".headers"))
            .Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        return new WebhookFixture(File.ReadAllBytes(Path.Combine(folder, name + ".json")), headers);
    }

    /// <summary>A copy with one header set (or removed, for null).</summary>
    public WebhookFixture WithHeader(string name, string? value)
    {
        var headers = Headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (value is not null)
        {
            headers.Add(new(name, value));
        }

        return this with { Headers = headers };
    }

    /// <summary>A copy whose body is changed through its JSON tree.</summary>
    public WebhookFixture WithBody(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(Body)!;
        edit(node);
        return this with { Body = Encoding.UTF8.GetBytes(node.ToJsonString()) };
    }

    public static string GitHubSignature(byte[] body, string secret)
        => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static string PagerDutySignature(byte[] body, string secret)
        => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

/// <summary>Posting webhooks and reading back what they stored.</summary>
internal static class WebhookClient
{
    /// <summary>A window holding every fixture's times (2011 to 2030).</summary>
    public const string Window = "from=1300000000&to=1900000000";

    public static async Task<HttpResponseMessage> PostWebhookAsync(this HttpClient client, string provider, WebhookFixture fixture, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/ingestion/{provider}{(query.Length > 0 ? "?" + query : "")}")
        {
            Content = new ByteArrayContent(fixture.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in fixture.Headers.Where(h => !string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, Http.Ct);
    }

    /// <summary>Asserts the answer to a webhook: status, stored count and duplicate flag.</summary>
    public static async Task AssertWebhookAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status, int stored, bool duplicate = false)
    {
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(stored, body.GetProperty("stored").GetInt32());
        Assert.Equal(duplicate, body.GetProperty("duplicate").GetBoolean());
    }

    /// <summary>The items of a list route (<c>changes</c>, <c>deployments</c>, <c>incidents</c>) over <see cref="Window"/>.</summary>
    public static async Task<JsonElement[]> ListAsync(this HttpClient client, string list, string extra = "")
    {
        var response = await client.GetAsync($"/api/v1/{list}?{Window}{extra}", Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>GET /api/v1/metrics over <see cref="Window"/>.</summary>
    public static async Task<JsonElement> MetricsAsync(this HttpClient client, string extra = "")
    {
        var response = await client.GetAsync($"/api/v1/metrics?{Window}{extra}", Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts that nothing at all is stored for the organization.</summary>
    public static async Task AssertNothingStoredAsync(this HttpClient client)
    {
        Assert.Empty(await client.ListAsync("changes"));
        Assert.Empty(await client.ListAsync("deployments"));
        Assert.Empty(await client.ListAsync("incidents"));
    }
}
