using System.Text.Json;
using Stride.Cli.Tests.Support;

namespace Stride.Cli.Tests;

/// <summary><c>stride import git</c>: tags become deployments, the commits between them their changes.</summary>
public sealed class ImportGitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly CliHarness _cli = new();
    private readonly GitRepo _repo = GitRepo.Init();
    private string _c1 = "", _c2 = "", _c3 = "", _c4 = "", _c5 = "";

    public ValueTask InitializeAsync()
    {
        // v1 (lightweight, at its commit's time), v2 (annotated, tagged later than committed), v3
        // (lightweight); "nightly" does not match v*.
        _c1 = _repo.Commit("one", Day.AddHours(1));
        _repo.Tag("v1");
        _c2 = _repo.Commit("two", Day.AddHours(2));
        _c3 = _repo.Commit("three", Day.AddHours(3), committerTime: Day.AddHours(4));
        _repo.AnnotatedTag("v2", Day.AddHours(10));
        _repo.Tag("nightly");
        _c4 = _repo.Commit("four", Day.AddHours(20));
        _c5 = _repo.Commit("five", Day.AddHours(21), committerTime: Day.AddHours(22));
        _repo.Tag("v3");
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _repo.Dispose();
        await _cli.DisposeAsync();
    }

    private static long At(double hours) => Day.AddHours(hours).ToUnixTimeSeconds();

    private Task<CliResult> ImportAsync(params string[] more)
        => _cli.RunInAsync(_repo.Path, ["import", "git", "--tags", "v*", "--system", "shop", .. more]);

    private JsonElement[] Deployments => _cli.Requests.Where(r => r.Method == "POST").SelectMany(r => r.Events)
        .Where(e => e.GetProperty("type").GetString() == "deployment").ToArray();

    private static string[] Changes(JsonElement deployment) => deployment.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).Order().ToArray();

    [Fact]
    public async Task Each_tag_is_a_deployment_at_its_tag_time_with_the_commits_since_the_tag_before()
    {
        var result = await ImportAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Imported 3 deployments and 5 changes", result.Output);

        var deployments = Deployments;
        Assert.Equal(["v1", "v2", "v3"], deployments.Select(d => d.GetProperty("identifier").GetString()));
        Assert.Equal([At(1), At(10), At(22)], deployments.Select(d => d.GetProperty("timestamp").GetInt64()));   // commit time, tagger time, commit time
        Assert.Equal([_c1], Changes(deployments[0]));   // the first tag counts its own commit, not all history
        Assert.Equal(new[] { _c2, _c3 }.Order(), Changes(deployments[1]));
        Assert.Equal(new[] { _c4, _c5 }.Order(), Changes(deployments[2]));
        Assert.Equal(_c3, deployments[1].GetProperty("commit").GetString());

        // Lead times: 0 (c1 at v1), 8 h and 7 h (v2), 2 h and 1 h (v3): median 2 h.
        var metrics = await _cli.MetricsAsync(At(0), At(48), "shop");
        Assert.Equal(3, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(5, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
        Assert.Equal(2 * 3600, metrics.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
    }

    [Fact]
    public async Task Running_it_twice_stores_nothing_twice()
    {
        Assert.Equal(0, (await ImportAsync()).ExitCode);
        var first = (await _cli.MetricsAsync(At(0), At(48), "shop")).ToString();
        Assert.Equal(0, (await ImportAsync()).ExitCode);
        var second = (await _cli.MetricsAsync(At(0), At(48), "shop")).ToString();
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Since_skips_older_tags_but_uses_the_one_before_as_the_boundary()
    {
        var result = await ImportAsync("--since", "2024-03-01T05:00:00Z");
        Assert.True(result.ExitCode == 0, result.ToString());
        var deployments = Deployments;
        Assert.Equal(["v2", "v3"], deployments.Select(d => d.GetProperty("identifier").GetString()));
        Assert.Equal(new[] { _c2, _c3 }.Order(), Changes(deployments[0]));
    }

    [Fact]
    public async Task Batches_never_send_a_deployment_before_its_changes()
    {
        var result = await ImportAsync("--batch-size", "2");
        Assert.True(result.ExitCode == 0, result.ToString());
        var posts = _cli.Requests.Where(r => r.Method == "POST").ToList();
        Assert.True(posts.Count >= 4, $"expected several batches, got {posts.Count}");
        Assert.All(posts, p => Assert.True(p.Events.Length <= 2));
        var sent = new HashSet<string>();
        foreach (var e in posts.SelectMany(p => p.Events))
        {
            if (e.GetProperty("type").GetString() == "change")
            {
                sent.Add(e.GetProperty("identifier").GetString()!);
            }
            else
            {
                Assert.All(Changes(e), c => Assert.Contains(c, sent));
            }
        }

        var metrics = await _cli.MetricsAsync(At(0), At(48), "shop");
        Assert.Equal(5, metrics.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task Redirected_output_gets_plain_progress_lines()
    {
        var result = await ImportAsync();
        Assert.Contains("Imported 3 of 3 tags", result.Output);
        Assert.DoesNotContain("\u001b[", result.Output);   // no terminal escapes in a log
    }

    [Fact]
    public async Task No_matching_tag_imports_nothing()
    {
        var result = await _cli.RunInAsync(_repo.Path, "import", "git", "--tags", "release-*");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No tag matches 'release-*'", result.Output);
        Assert.Empty(_cli.Requests);
    }

    [Theory]
    [InlineData("import", "git")]
    [InlineData("import", "git", "--tags", "v*", "--since", "last tuesday")]
    [InlineData("import", "git", "--tags", "v*", "--batch-size", "0")]
    public async Task Bad_command_lines_are_usage_errors(params string[] args)
    {
        var result = await _cli.RunInAsync(_repo.Path, args);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(_cli.Requests);
    }
}
