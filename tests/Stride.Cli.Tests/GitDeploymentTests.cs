using System.Text.Json;
using Stride.Cli.Tests.Support;

namespace Stride.Cli.Tests;

/// <summary><c>stride push git deployment</c> on real repositories, against the real server.</summary>
public sealed class GitDeploymentTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly CliHarness _cli = new();
    private readonly GitRepo _repo = GitRepo.Init();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _repo.Dispose();
        await _cli.DisposeAsync();
    }

    private static long At(int hours) => Day.AddHours(hours).ToUnixTimeSeconds();

    private Task<CliResult> DeployAsync(string identifier, int hours, params string[] more)
        => _cli.RunInAsync(_repo.Path, ["push", "git", "deployment", "--system", "shop", "--identifier", identifier, "--timestamp", $"{At(hours)}", .. more]);

    private IEnumerable<JsonElement> Posted => _cli.Requests.Where(r => r.Method == "POST").SelectMany(r => r.Events);

    [Fact]
    public async Task A_first_deployment_sends_head_alone_and_says_so()
    {
        _repo.Commit("one", Day.AddHours(1));
        var head = _repo.Commit("two", Day.AddHours(2), committerTime: Day.AddHours(5));

        var result = await DeployAsync("v1", 10);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first", result.Output);

        var events = Posted.ToArray();
        Assert.Equal(2, events.Length);
        Assert.Equal(head, events[0].GetProperty("identifier").GetString());
        Assert.Equal(At(2), events[0].GetProperty("timestamp").GetInt64());   // the author's time, not the committer's
        Assert.Equal(head, events[1].GetProperty("commit").GetString());
        Assert.Equal([head], events[1].GetProperty("changes").EnumerateArray().Select(c => c.GetString()));

        var metrics = await _cli.MetricsAsync(At(0), At(24), "shop");
        Assert.Equal(8 * 3600, metrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task The_next_deployment_counts_the_commits_since_the_servers_latest_merges_included()
    {
        _repo.Commit("base", Day.AddHours(1));
        Assert.Equal(0, (await DeployAsync("v1", 2)).ExitCode);

        var b = _repo.Commit("b", Day.AddHours(3));
        _repo.Checkout("feature", create: true);
        var d = _repo.Commit("d", Day.AddHours(4));
        _repo.Checkout("main");
        var c = _repo.Commit("c", Day.AddHours(5));
        var merge = _repo.Merge("feature", "merge feature", Day.AddHours(6));
        _cli.Requests.Clear();

        var result = await DeployAsync("v2", 8);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Previous deployment: v1", result.Output);

        // One atomic request: the changes and, last, the deployment listing them.
        var post = Assert.Single(_cli.Requests, r => r.Method == "POST");
        var events = post.Events;
        var deployment = events[^1];
        Assert.Equal("deployment", deployment.GetProperty("type").GetString());
        Assert.Equal(merge, deployment.GetProperty("commit").GetString());
        Assert.Equal(new[] { b, c, d, merge }.Order(), deployment.GetProperty("changes").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(new[] { b, c, d, merge }.Order(), events[..^1].Select(e => e.GetProperty("identifier").GetString()!).Order());

        // Lead times 5, 3, 4 and 2 hours: the v2 window's median is 3.5 hours.
        var metrics = await _cli.MetricsAsync(At(7), At(24), "shop");
        Assert.Equal(3.5 * 3600, metrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(merge, (await _cli.LatestDeploymentAsync("shop"))!.Value.GetProperty("commit").GetString());
    }

    [Fact]
    public async Task A_previous_ref_and_paths_choose_the_commits()
    {
        _repo.Commit("start", Day.AddHours(1));
        _repo.Tag("v1");
        var api1 = _repo.Commit("api change", Day.AddHours(2), null, "services/api/main.go");
        _repo.Commit("web change", Day.AddHours(3), null, "services/web/app.js");
        var api2 = _repo.Commit("api again", Day.AddHours(4), null, "services/api/handler.go");

        var result = await DeployAsync("api-2", 6, "--previous-deployment-ref", "v1", "services/api");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(_cli.Requests, r => r.Method == "GET");   // the ref was given: no need to ask the server
        var deployment = Posted.Last();
        Assert.Equal(new[] { api1, api2 }.Order(), deployment.GetProperty("changes").EnumerateArray().Select(e => e.GetString()!).Order());
    }

    [Fact]
    public async Task Dry_run_prints_the_events_and_sends_nothing()
    {
        _repo.Commit("start", Day.AddHours(1));
        _repo.Tag("v1");
        var head = _repo.Commit("next", Day.AddHours(2));

        var result = await DeployAsync("v2", 3, "--previous-deployment-ref", "v1", "--dry-run", "--teams", "core");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(_cli.Requests);
        Assert.Contains("Dry run", result.Output);
        var json = result.Output[result.Output.IndexOf('[', StringComparison.Ordinal)..];
        var events = JsonDocument.Parse(json).RootElement;
        Assert.Equal(head, events[0].GetProperty("identifier").GetString());
        Assert.Equal("core", events[1].GetProperty("teams")[0].GetString());
        Assert.Null(await _cli.LatestDeploymentAsync("shop"));
    }

    [Fact]
    public async Task The_system_defaults_to_the_origin_remote()
    {
        _repo.Run("remote", "add", "origin", "git@github.com:Acme/Shop.git");
        _repo.Commit("start", Day.AddHours(1));
        var result = await _cli.RunInAsync(_repo.Path, "push", "git", "deployment", "--identifier", "v1", "--timestamp", $"{At(2)}");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("git@github.com:Acme/Shop.git", Posted.Last().GetProperty("system").GetString());
        Assert.NotNull(await _cli.LatestDeploymentAsync("https://github.com/Acme/Shop"));   // the same system, as the server names it
    }

    [Fact]
    public async Task An_unknown_ref_is_a_usage_error()
    {
        _repo.Commit("start", Day.AddHours(1));
        var result = await DeployAsync("v2", 3, "--previous-deployment-ref", "no-such-tag");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'no-such-tag'", result.Error);
        Assert.Contains("not a commit, tag or branch", result.Error);
        Assert.DoesNotContain(_cli.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_directory_that_is_not_a_repository_is_a_usage_error()
    {
        var folder = Directory.CreateTempSubdirectory("stride-not-git-").FullName;
        try
        {
            var result = await _cli.RunInAsync(folder, "push", "git", "deployment", "--identifier", "v1", "--timestamp", $"{At(1)}");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("is not in a git repository", result.Error);

            var missing = await _cli.RunAsync("push", "git", "deployment", "--identifier", "v1", "--timestamp", $"{At(1)}",
                "--directory", Path.Combine(folder, "missing"));
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains("does not exist", missing.Error);
            Assert.Empty(_cli.Requests);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_shallow_clone_without_the_previous_commit_says_how_to_fetch_it()
    {
        _repo.Commit("one", Day.AddHours(1));
        Assert.Equal(0, (await DeployAsync("v1", 2)).ExitCode);
        _repo.Commit("two", Day.AddHours(3));
        _repo.Commit("three", Day.AddHours(4));
        using var clone = _repo.CloneShallow(depth: 1);

        var result = await _cli.RunInAsync(clone.Path, "push", "git", "deployment", "--system", "shop",
            "--identifier", "v2", "--timestamp", $"{At(5)}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("shallow clone", result.Error);
        Assert.Contains("git fetch --unshallow", result.Error);
        Assert.Single(_cli.Requests, r => r.Method == "POST");   // v1's, none for v2

        clone.Run("fetch", "--quiet", "--unshallow");
        var retried = await _cli.RunInAsync(clone.Path, "push", "git", "deployment", "--system", "shop",
            "--identifier", "v2", "--timestamp", $"{At(5)}");
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Equal(2, Posted.Last().GetProperty("changes").GetArrayLength());
    }

    [Fact]
    public async Task A_shallow_clone_with_the_previous_commit_but_not_the_history_between_is_refused()
    {
        _repo.Commit("one", Day.AddHours(1));
        _repo.Tag("v1");
        _repo.Commit("two", Day.AddHours(2));
        _repo.Commit("three", Day.AddHours(3));
        using var clone = _repo.CloneShallow(depth: 1);
        clone.Run("fetch", "--quiet", "--depth", "1", "origin", "tag", "v1");   // the tag's commit alone

        var result = await _cli.RunInAsync(clone.Path, "push", "git", "deployment", "--system", "shop",
            "--identifier", "v2", "--timestamp", $"{At(5)}", "--previous-deployment-ref", "v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lacks the history between", result.Error);
        Assert.Contains("git fetch --unshallow", result.Error);
        Assert.Empty(_cli.Requests);
    }

    [Fact]
    public async Task A_rejected_batch_stores_none_of_it()
    {
        _repo.Commit("one", Day.AddHours(1));
        _repo.Tag("v1");
        _repo.Commit("two", Day.AddHours(2));
        var readKey = await _cli.CreateKeyAsync("read");
        _cli.Environment["STRIDE_API_KEY"] = readKey;
        var result = await DeployAsync("v2", 3, "--previous-deployment-ref", "v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("403", result.Error);
        Assert.Null(await _cli.LatestDeploymentAsync("shop"));
    }
}
