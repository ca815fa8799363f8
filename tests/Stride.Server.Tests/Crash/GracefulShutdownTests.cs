using System.Net;
using System.Text;
using Stride.Tests.Shared;

namespace Stride.Server.Tests.Crash;

/// <summary>SIGTERM, as a service manager or container runtime stops the server: requests in flight finish and are stored.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task ARequestInFlightAtSigtermIsAnsweredAndStoredAndTheServerExitsCleanly()
    {
        await using var server = await StrideServerProcess.StartAsync(Http.Ct);
        using var client = server.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(2);
        const int Events = 20_000;
        var goOn = new TaskCompletionSource();
        using var content = new SplitBody("application/x-ndjson", Ndjson(0, Events / 2), Ndjson(Events / 2, Events), () => goOn.Task);

        // The request goes on a connection the server already serves, and SIGTERM only once the server
        // has had time to read its headers: a request whose headers it never read is not in flight, and
        // a stopping server rightly closes its connection (on a loaded machine, the first half of the
        // body can sit in the socket's buffers before the server reads anything).
        (await client.GetAsync("/readyz", Http.Ct)).EnsureSuccessStatusCode();
        var posting = client.PostAsync("/api/v1/events", content, Http.Ct);
        await content.FirstSent.WaitAsync(TimeSpan.FromSeconds(30), Http.Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), Http.Ct);
        var exiting = server.TerminateAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromMilliseconds(500), Http.Ct);   // the server is now shutting down, waiting on this request
        goOn.SetResult();

        var response = await posting;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Events, (await response.ReadJsonAsync()).GetProperty("stored").GetInt32());
        Assert.Equal(0, await exiting);

        await server.RestartAsync(Http.Ct);
        using var after = server.CreateClient();
        var metrics = await (await after.GetAsync("/api/v1/systems", Http.Ct)).ReadJsonAsync();
        Assert.Equal("api", Assert.Single(metrics.EnumerateArray()).GetProperty("name").GetString());
        var listed = 0;
        string? cursor = null;
        do
        {
            var page = await (await after.GetAsync(
                $"/api/v1/changes?from=2020-01-01&to=2030-01-01&limit=1000{(cursor is null ? "" : "&cursor=" + cursor)}", Http.Ct)).ReadJsonAsync();
            listed += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(Events, listed);
    }

    [Fact]
    public async Task ADevLakeDeploymentInFlightAtSigtermIsAnsweredAndStored()
    {
        // The DevLake routes read their bodies as the events route does (EventReader.ReadBodyBytesAsync).
        await using var server = await StrideServerProcess.StartAsync(Http.Ct);
        using var client = server.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(2);
        var created = await (await client.PostAsync(
            "/api/v1/connections", new StringContent("""{"name": "checkout"}""", Encoding.UTF8, "application/json"), Http.Ct)).ReadJsonAsync();
        var path = new Uri(created.GetProperty("postDeploymentsEndpoint").GetString()!).PathAndQuery;

        // One commit in each of 1,000 repositories: 1,000 deployments, one per system.
        const int Repositories = 1_000;
        var commits = string.Join(",\n", Enumerable.Range(0, Repositories).Select(i =>
            $$"""{"repoUrl": "https://example.com/r{{i}}", "commitSha": "{{i:x40}}", "startedDate": "2026-01-01T11:00:00+00:00", "finishedDate": "2026-01-01T12:00:00+00:00"}"""));
        var body = Encoding.UTF8.GetBytes($$"""{"id": "d1", "result": "SUCCESS", "startedDate": "2026-01-01T11:00:00+00:00", "finishedDate": "2026-01-01T12:00:00+00:00", "deploymentCommits": [{{commits}}]}""");
        var goOn = new TaskCompletionSource();
        using var content = new SplitBody("application/json", body[..(body.Length / 2)], body[(body.Length / 2)..], () => goOn.Task);

        (await client.GetAsync("/readyz", Http.Ct)).EnsureSuccessStatusCode();
        var posting = client.PostAsync(path, content, Http.Ct);
        await content.FirstSent.WaitAsync(TimeSpan.FromSeconds(30), Http.Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), Http.Ct);
        var exiting = server.TerminateAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromMilliseconds(500), Http.Ct);
        goOn.SetResult();

        var response = await posting;
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Http.Ct));
        Assert.Equal(0, await exiting);

        await server.RestartAsync(Http.Ct);
        using var after = server.CreateClient();
        var systems = await (await after.GetAsync("/api/v1/systems", Http.Ct)).ReadJsonAsync();
        Assert.Equal(Repositories, systems.GetArrayLength());
        Assert.All(systems.EnumerateArray(), s => Assert.Equal(1, s.GetProperty("deployments").GetInt32()));
    }

    private static byte[] Ndjson(int from, int to)
    {
        var body = new StringBuilder();
        for (var i = from; i < to; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type":"change","identifier":"c{{i}}","timestamp":{{1_780_000_000 + i}},"system":"api"}""").Append('\n');
        }

        return Encoding.UTF8.GetBytes(body.ToString());
    }
}
