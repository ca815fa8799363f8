using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Stride.Server.Logging;
using Stride.Tests.Shared;

namespace Stride.Server.Tests.Logging;

/// <summary>The real server's console output: JSON lines, and never an API key, even with every log category at Trace.</summary>
public sealed class LogTests
{
    [Fact]
    public async Task LogsAreJsonLinesAndNoKeyReachesThemEvenInTheQueryString()
    {
        await using var server = await StrideServerProcess.StartAsync(Http.Ct, settings: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__Stride.Requests"] = "Information",
        });
        var ingestKey = await server.CreateKeyAsync("pipeline", "ingest");
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };

        using var pulse = await anonymous.PostAsync(
            $"/v1/ingestion/cli?api_key={ingestKey}&system=billing",
            new StringContent("""{"source":"cli","change_id":"abc","time_created":"2026-05-29T10:00:00Z","event_type":"commit","$type":"change"}""",
                System.Text.Encoding.UTF8, "application/json"),
            Http.Ct);
        Assert.Equal(HttpStatusCode.OK, pulse.StatusCode);
        using var refused = await anonymous.GetAsync($"/api/v1/systems?api_key={ingestKey}x", Http.Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The console logger writes from a queue: wait for the request lines rather than a fixed time.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // (JSON escapes the query's '&', so the lines are told by their paths.)
        while (!(server.Output.Contains("POST /v1/ingestion/cli?api_key=***", StringComparison.Ordinal)
                 && server.Output.Contains("GET /api/v1/systems?api_key=***", StringComparison.Ordinal)))
        {
            await Task.Delay(100, wait.Token);
        }

        var output = server.Output;
        Assert.DoesNotContain(ingestKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(StrideServerProcess.BootstrapKey, output, StringComparison.Ordinal);
        var entries = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("[test]", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        Assert.All(entries, e =>
        {
            Assert.True(e.TryGetProperty("Timestamp", out _));
            Assert.True(e.TryGetProperty("LogLevel", out _));
            Assert.True(e.TryGetProperty("Category", out _));
        });
        var request = entries.Single(e => e.GetProperty("Category").GetString() == LoggingSetup.RequestCategory
            && e.GetProperty("Message").GetString()!.Contains("/v1/ingestion/cli", StringComparison.Ordinal));
        Assert.Equal("POST", request.GetProperty("State").GetProperty("Method").GetString());
        Assert.Equal("?api_key=***&system=billing", request.GetProperty("State").GetProperty("Query").GetString());
        Assert.Equal(200, request.GetProperty("State").GetProperty("Status").GetInt32());
        Assert.Contains(entries, e => e.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("?system=a&from=2026-01-01", "?system=a&from=2026-01-01")]
    [InlineData("?api_key=s3cret&system=a", "?api_key=***&system=a")]
    [InlineData("?API_KEY=s3cret", "?API_KEY=***")]
    [InlineData("?token=a&access_token=b&secret=c&password=d&signature=e", "?token=***&access_token=***&secret=***&password=***&signature=***")]
    [InlineData("?api_key=a&api_key=b", "?api_key=***")]
    [InlineData("?system=a%20b", "?system=a%20b")]
    public void SecretsAreCutOutOfQueryStrings(string query, string expected)
        => Assert.Equal(expected, LoggingSetup.RedactQuery(new QueryString(query.Length == 0 ? null : query)));
}
