using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Stride.Server.Tests;

/// <summary>Small helpers for talking JSON to the server.</summary>
internal static class Http
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string contentType = "application/json")
        => client.PostAsync(url, new StringContent(json, Encoding.UTF8, contentType), Ct);

    public static Task<HttpResponseMessage> PostObjectAsync(this HttpClient client, string url, object body)
        => client.PostAsJsonAsync(url, body, Ct);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The antiforgery token of the form on a dashboard page.</summary>
    public static string AntiforgeryToken(string html)
    {
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return token;
    }

    /// <summary>Signs a cookie-keeping client in to the dashboard with a key, as the sign-in form does (its antiforgery token included).</summary>
    /// <param name="browser">A client that keeps cookies and does not follow redirects.</param>
    /// <param name="baseUrl">The server's address, or "" when the client has one.</param>
    public static async Task SignInAsync(this HttpClient browser, string key, string baseUrl = "")
    {
        var form = await browser.GetStringAsync($"{baseUrl}/sign-in", Ct);
        using var signIn = await browser.PostAsync(
            $"{baseUrl}/sign-in",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Key"] = key, ["__RequestVerificationToken"] = AntiforgeryToken(form) }),
            Ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    /// <summary>Asserts a 200 with <c>{"stored": n}</c>.</summary>
    public static async Task AssertStoredAsync(this HttpResponseMessage response, int count)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal(count, JsonDocument.Parse(text).RootElement.GetProperty("stored").GetInt32());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(text.Length, response.Content.Headers.ContentLength);
    }

    /// <summary>Asserts a problem+json answer with this status, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>Asserts a 400 validation problem whose <c>errors</c> name this key (e.g. <c>[2].timestamp</c>).</summary>
    public static async Task<JsonElement> AssertValidationProblemAsync(this HttpResponseMessage response, string errorKey)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var keys = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.True(keys.Contains(errorKey), $"Expected an error for '{errorKey}', got: {problem}");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    /// <summary>GET /api/v1/metrics over a window that holds every test timestamp.</summary>
    public static async Task<JsonElement> GetAllTimeMetricsAsync(this HttpClient client, string extra = "")
    {
        var response = await client.GetAsync($"/api/v1/metrics?from=1600000000&to=1900000000{extra}", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
