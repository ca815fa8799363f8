using System.Net.Http.Json;
using System.Text.Json;
using Stride.Cli.Tests.Support;

namespace Stride.Cli.Tests;

/// <summary>
/// The built <c>stride</c> executable against a started server process, as a pipeline runs them:
/// key and URL from the environment, a real repository, numbers read back through the API.
/// </summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GitRepo _repo = GitRepo.Init();
    private StrideServerProcess _server = null!;
    private Dictionary<string, string?> _environment = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await StrideServerProcess.StartAsync(Ct);
        _environment = new()
        {
            ["STRIDE_URL"] = _server.BaseUrl,
            ["STRIDE_API_KEY"] = await _server.CreateKeyAsync("pipeline", "ingest"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _repo.Dispose();
        await _server.DisposeAsync();
    }

    private static long At(double hours) => Day.AddHours(hours).ToUnixTimeSeconds();

    private async Task<CliRun> StrideAsync(params string[] args)
        => await StrideServerProcess.RunCliAsync(args, _environment, _repo.Path, Ct);

    private async Task<JsonElement> MetricsAsync()
    {
        using var client = _server.CreateClient();
        return await client.GetFromJsonAsync<JsonElement>($"/api/v1/metrics?from={At(0)}&to={At(72)}&system=shop", Ct);
    }

    [Fact]
    public async Task A_pipelines_history_import_deployments_and_incident_give_the_expected_numbers()
    {
        _repo.Commit("one", Day.AddHours(1));
        _repo.AnnotatedTag("v1", Day.AddHours(2));
        _repo.Commit("two", Day.AddHours(3));
        _repo.Commit("three", Day.AddHours(4));
        _repo.AnnotatedTag("v2", Day.AddHours(6));

        var import = await StrideAsync("import", "git", "--tags", "v*", "--system", "shop");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("Imported 2 deployments and 3 changes", import.StandardOutput);

        // The next deployment finds v2's commit on the server by itself.
        _repo.Commit("four", Day.AddHours(10));
        _repo.Commit("five", Day.AddHours(11));
        var deploy = await StrideAsync("push", "git", "deployment", "--system", "shop", "--identifier", "v3", "--timestamp", $"{At(12)}");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Contains("Previous deployment: v2", deploy.StandardOutput);

        var opened = await StrideAsync("push", "incident", "--system", "shop", "--identifier", "INC-1", "--timestampCreated", $"{At(13)}");
        Assert.True(opened.ExitCode == 0, opened.ToString());
        var resolved = await StrideAsync("push", "incident", "--system", "shop", "--identifier", "INC-1",
            "--timestampCreated", $"{At(13)}", "--timestampResolved", $"{At(15)}");
        Assert.True(resolved.ExitCode == 0, resolved.ToString());

        // Lead times: 1 h (v1); 3 h, 2 h (v2); 2 h, 1 h (v3) → median 2 h. The incident falls on v3.
        var metrics = await MetricsAsync();
        Assert.Equal(3, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(5, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
        Assert.Equal(2 * 3600, metrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, metrics.GetProperty("changeFailureRate").GetProperty("failedDeployments").GetInt32());
        Assert.Equal(2 * 3600, metrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(3 * 3600, metrics.GetProperty("failedDeploymentRecoveryTime").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task Exit_codes_and_messages_reach_the_pipeline()
    {
        var version = await StrideAsync("version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("stride ", version.StandardOutput);

        var usage = await StrideAsync("push", "change", "--identifier", "c1", "--timestamp", "yesterday");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--timestamp", usage.StandardError);

        _environment["STRIDE_API_KEY"] = await _server.CreateKeyAsync("reader", "read");
        var rejected = await StrideAsync("push", "change", "--identifier", "c1", "--timestamp", $"{At(1)}");
        Assert.Equal(1, rejected.ExitCode);
        Assert.Contains("403", rejected.StandardError);
        Assert.DoesNotContain("Stored", rejected.StandardOutput);
    }
}
